"""``--format json`` keeps its shape; ``--format jsonl`` streams the same results line by line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.engine.results import Result, Summary
from contract.reports import FORMATS, Options, Run
from contract.violations import Violation
from tests import report_runs
from tests.report_runs import BUNDLED, CORPUS, PAYLOADS, as_json, check, clean_env, json_of

__all__ = ["clean_env"]

RESULT_KEYS = {"source", "valid", "verdict", "operation", "jobs", "violations"}
SUMMARY_KEYS = {"checked", "valid", "invalid", "api_errors", "jobs", "skipped"}


def _target(where: str) -> Path:
    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus {CORPUS} is absent")
    return {"bundled": BUNDLED, "corpus": CORPUS, "payloads": PAYLOADS}[where]


def _lines(capsys: pytest.CaptureFixture[str], *args: str | Path) -> list[dict[str, Any]]:
    _, out, _ = check(capsys, "--format", "jsonl", *args)
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("where", ["bundled", "corpus", "payloads"])
def test_jsonl_holds_the_json_results_then_the_summary(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, where: str
) -> None:
    target = _target(where)
    document = json_of(target)
    lines = _lines(capsys, target)
    *results, last = lines
    assert results == document["results"]
    assert last == {k: v for k, v in document.items() if k != "results"}
    assert set(last["summary"]) >= SUMMARY_KEYS
    assert len(results) == document["summary"]["checked"]
    for result in results:
        assert set(result) >= RESULT_KEYS
        assert result["verdict"] in ("valid", "invalid", "api-error")


@pytest.mark.parametrize("where", ["bundled", "corpus"])
def test_json_keeps_its_shape(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, where: str
) -> None:
    document = as_json(capsys, _target(where))
    assert set(document) <= {"results", "summary", "errors"}
    assert set(document["summary"]) >= SUMMARY_KEYS
    for result in document["results"]:
        assert set(result) >= RESULT_KEYS
        for violation in result["violations"]:
            assert set(violation) >= {"path", "keyword", "message", "schema_path"}


def test_jsonl_writes_each_result_before_the_run_ends() -> None:
    out = io.StringIO()
    writer = FORMATS["jsonl"].writer(out, Options())
    first = Result("a.jsonl:1", (Violation("/seed", "type", "null is not of type integer"),))
    writer.result(first)
    assert json.loads(out.getvalue()) == first.as_dict()  # already there, one line
    writer.result(Result("a.jsonl:2", ()))
    assert len(out.getvalue().splitlines()) == 2
    writer.finish(Run(Summary(checked=2, valid=1, invalid=1, jobs=2)))
    last = json.loads(out.getvalue().splitlines()[-1])
    assert last["summary"]["checked"] == 2 and last["summary"]["invalid"] == 1


def test_extra_summary_fields_reach_every_machine_format() -> None:
    summary = Summary(checked=1, valid=1, jobs=1, extra={"amendments": {"needed": {"x": 1}}})
    for name in ("json", "jsonl"):
        out = io.StringIO()
        writer = FORMATS[name].writer(out, Options())
        writer.finish(Run(summary))
        last = json.loads(out.getvalue().splitlines()[-1] if name == "jsonl" else out.getvalue())
        assert last["summary"]["amendments"] == {"needed": {"x": 1}}


def test_coverage_is_in_both_json_formats(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    document = as_json(capsys, "--coverage", BUNDLED)
    last = _lines(capsys, "--coverage", BUNDLED)[-1]
    assert document["coverage"] == last["coverage"]
    assert document["coverage"]["responses"] == document["summary"]["checked"]
    assert "coverage" not in as_json(capsys, BUNDLED)


def test_unreadable_input_is_listed_in_the_last_line(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "bad.json").write_text('{"id": ')
    status, out, err = check(capsys, "--format", "jsonl", tmp_path / "bad.json", PAYLOADS)
    assert status == 2
    last = json.loads(out.splitlines()[-1])
    assert len(last["errors"]) == 1 and "bad.json" in last["errors"][0]
    assert "bad.json" in err


@settings(max_examples=60, deadline=None)
@given(
    results=st.lists(report_runs.results(), max_size=4),
    errors=st.lists(report_runs.hostile_text(), max_size=2),
)
def test_the_json_document_written_as_results_come_is_the_whole_documents_text(
    results: list[Result], errors: list[str]
) -> None:
    from contract.reports._clean import json_text
    from contract.reports.json import JSONWriter, ending

    out = io.StringIO()
    writer = JSONWriter(out, Options())
    for result in results:
        writer.result(result)
    run = Run(Summary.of(results), errors)
    writer.finish(run)
    whole = {"results": [r.as_dict() for r in results], **ending(run)}
    assert out.getvalue() == json_text(whole, indent=2) + "\n"
    assert json.loads(out.getvalue())["results"] == whole["results"]
