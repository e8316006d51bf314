"""``--format sarif``: valid SARIF 2.1.0 (the OASIS schema), rules per keyword or amendment."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.engine.results import Result, Summary
from contract.reports import FORMATS, Options, Run
from contract.violations import Violation
from tests import report_runs
from tests.report_runs import BUNDLED, CORPUS, PAYLOADS, check, clean_env, json_of

__all__ = ["clean_env"]

SCHEMA = Path(__file__).resolve().parent / "data" / "reports" / "sarif-schema-2.1.0.json"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _valid(log: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _sarif(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    status, out, _ = check(capsys, "--format", "sarif", *args)
    return status, json.loads(out)


def _target(where: str) -> Path:
    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus {CORPUS} is absent")
    return {"bundled": BUNDLED, "corpus": CORPUS, "payloads": PAYLOADS}[where]


@pytest.mark.parametrize("where", ["bundled", "corpus", "payloads"])
def test_valid_sarif_with_one_result_per_violation(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, where: str
) -> None:
    target = _target(where)
    document = json_of(target, "--coverage")
    status, log = _sarif(capsys, "--coverage", target)
    _valid(log)
    (run,) = log["runs"]
    violations = [v for r in document["results"] for v in r["violations"]]
    assert len(run["results"]) == len(violations)
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    # The rule is the JSON report's code; a known deviation's is hierarchical, per amendment.
    expected = {
        f"{v['code']}/{v['amendment']}" if v.get("amendment") else v["code"] for v in violations
    }
    assert set(ids) == expected
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error"
    assert run["properties"]["summary"] == document["summary"]
    assert run["properties"]["coverage"] == document["coverage"]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notifications) == len(document.get("errors", []))
    assert run["invocations"][0]["executionSuccessful"] is (status != 2)


def test_locations_are_relative_files_and_lines(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = json.loads((PAYLOADS / "n_epochs_51.json").read_text())
    folder = tmp_path / "my recordings"
    folder.mkdir()
    (folder / "jobs.jsonl").write_text("\n" + json.dumps(job) + "\n")
    clean_env.chdir(tmp_path)
    status, log = _sarif(capsys, folder / "jobs.jsonl")
    assert status == 1
    _valid(log)
    (run,) = log["runs"]
    (result,) = run["results"]
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "my%20recordings/jobs.jsonl",
        "uriBaseId": "SRCROOT",
    }
    assert physical["region"] == {"startLine": 2}
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith(
        "jobs.jsonl:2/hyperparameters/n_epochs"
    )
    assert result["ruleId"] == "FC106"  # maximum
    assert result["properties"]["keyword"] == "maximum"


def test_amendments_are_rules_of_their_own() -> None:
    out = __import__("io").StringIO()
    writer = FORMATS["sarif"].writer(out, Options())
    deviation = Violation("/status", "deviation", "paused", "FineTuningJob.json#", "status-paused")
    writer.result(Result("a.json:1", (deviation, Violation("/seed", "type", "null"))))
    writer.finish(Run(Summary(checked=1, invalid=1, jobs=1)))
    log = json.loads(out.getvalue())
    _valid(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["FC201/status-paused", "FC101"]
    assert [r["name"] for r in rules] == ["deviation-status-paused", "type"]
    assert rules[0]["properties"]["kind"] == "amendment"
    assert "paused" in rules[0]["shortDescription"]["text"]  # the catalogue's description


def test_stdin_results_have_no_physical_location(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    out = __import__("io").StringIO()
    writer = FORMATS["sarif"].writer(out, Options())
    writer.result(Result("<stdin>:1", (Violation("/id", "type", "1 is not of type string"),)))
    writer.finish(Run(Summary(checked=1, invalid=1)))
    log = json.loads(out.getvalue())
    _valid(log)
    (location,) = log["runs"][0]["results"][0]["locations"]
    assert "physicalLocation" not in location


def test_the_schema_rejects_what_sarif_forbids() -> None:
    # The validator is the real schema: a result without a message, a bad level and a
    # missing driver are all refused.
    log = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "a"}]}],
    }
    assert not _validator().is_valid(log)
    log["runs"][0]["results"] = [{"message": {"text": "m"}, "level": "fatal"}]
    assert not _validator().is_valid(log)
    assert not _validator().is_valid({"version": "2.1.0", "runs": [{"tool": {}}]})
    log["runs"][0]["results"] = [{"message": {"text": "m"}, "level": "error"}]
    assert _validator().is_valid(log)


@settings(max_examples=60, deadline=None)
@given(
    results=st.lists(report_runs.results(), max_size=4),
    errors=st.lists(report_runs.hostile_text(), max_size=2),
)
def test_the_log_written_from_spooled_results_is_the_whole_logs_text(
    results: list[Result], errors: list[str]
) -> None:
    # Results wait in a spool while the rules, listed before them, are gathered: the log
    # written around them is the text json.dumps(log, indent=2) gives the log it holds.
    from contract.reports._clean import json_text

    out = io.StringIO()
    writer = FORMATS["sarif"].writer(out, Options())
    for result in results:
        writer.result(result)
    writer.finish(Run(Summary.of(results), errors))
    log = json.loads(out.getvalue())
    assert out.getvalue() == json_text(log, indent=2) + "\n"
    findings = sum(len(r.findings) + bool(r.api_error and r.fail_api_errors) for r in results)
    assert len(log["runs"][0]["results"]) == findings
    _valid(log)


def test_results_kept_on_disk_give_the_log_kept_in_memory(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    _, in_memory, _ = check(capsys, "--format", "sarif", BUNDLED, PAYLOADS)
    spools = report_runs.small_spools(clean_env)
    _, on_disk, _ = check(capsys, "--format", "sarif", BUNDLED, PAYLOADS)
    assert [s._rolled for s in spools] == [True]
    assert in_memory.count('"ruleId"') >= 3  # (the results' separators on disk too)
    assert on_disk == in_memory
