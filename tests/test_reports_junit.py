"""``--format junit``: valid against the JUnit XSD, one testcase per checked response."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests import report_runs
from tests.report_runs import BUNDLED, CORPUS, PAYLOADS, check, clean_env, json_of

__all__ = ["clean_env"]

XSD = Path(__file__).resolve().parent / "data" / "reports" / "junit-10.xsd"


def _target(where: str) -> Path:
    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus {CORPUS} is absent")
    return {"bundled": BUNDLED, "corpus": CORPUS, "payloads": PAYLOADS}[where]


def _junit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    status, out, _ = check(capsys, "--format", "junit", *args)
    return status, out


@pytest.mark.parametrize("where", ["bundled", "corpus", "payloads"])
def test_valid_against_the_junit_xsd_with_the_run_counts(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, where: str
) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    target = _target(where)
    document = json_of(target)
    status, out = _junit(capsys, target)
    xmlschema.XMLSchema(str(XSD)).validate(out)  # raises, naming the place, when invalid
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    errors = document.get("errors", [])
    summary = document["summary"]
    assert len(cases) == summary["checked"] + len(errors)
    assert int(suite.get("tests", "")) == len(cases) == int(root.get("tests", ""))
    failing = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures", "")) == len(failing) == summary["invalid"] + len(errors)
    # In input order: each response's case fails exactly when it is invalid, listing
    # its violations one per line; the unreadable files come last.
    for case, result in zip(cases, document["results"], strict=False):
        assert result["source"].startswith(case.get("classname", "?"))
        failure = case.find("failure")
        assert (failure is not None) == (result["verdict"] == "invalid")
        if failure is not None:
            assert len((failure.text or "").splitlines()) == len(result["violations"])
    assert [c.get("name") for c in cases[summary["checked"] :]] == ["recording"] * len(errors)
    assert status in (0, 1, 2)


def test_names_and_lines(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = json.loads((PAYLOADS / "n_epochs_51.json").read_text())
    pretty = tmp_path / "job.json"
    pretty.write_text(json.dumps(job, indent=2))
    expected = 1 + pretty.read_text().splitlines().index('    "n_epochs": 51')
    lines = tmp_path / "jobs.jsonl"
    lines.write_text(json.dumps(job) + "\n\n" + json.dumps(job) + "\n")
    status, out = _junit(capsys, pretty, lines)
    assert status == 1
    cases = ET.fromstring(out).findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (str(pretty), "payload"),
        (str(lines), "line[1]"),
        (str(lines), "line[3]"),
    ]
    assert (cases[0].findtext("failure") or "").startswith(f"{pretty}:{expected}: /hyperparameters")
    assert (cases[2].findtext("failure") or "").startswith(f"{lines}:3: /hyperparameters")


def test_hostile_text_stays_well_formed_xml(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = json.loads((PAYLOADS / "valid.json").read_text())
    job["status"] = ']]></failure><x a="\x01\x1b">&amp;'
    path = tmp_path / "x<&>.json"
    path.write_text(json.dumps(job))
    status, out = _junit(capsys, path)
    assert status == 1
    (case,) = ET.fromstring(out).findall("testsuite/testcase")
    assert case.get("classname") == str(path)
    assert "</failure><x" in (case.findtext("failure") or "")


def test_unreadable_file_is_a_failing_recording_case(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": ')
    status, out = _junit(capsys, bad, PAYLOADS / "valid.json")
    assert status == 2
    cases = ET.fromstring(out).findall("testsuite/testcase")
    (unreadable,) = [c for c in cases if c.get("name") == "recording"]
    assert unreadable.get("classname") == str(bad)
    failure = unreadable.find("failure")
    assert failure is not None and failure.get("type") == "unreadable recording"


def test_extra_summary_fields_are_suite_properties() -> None:
    import io

    from contract.engine.results import Summary
    from contract.reports import FORMATS, Options, Run

    out = io.StringIO()
    writer = FORMATS["junit"].writer(out, Options())
    extra = {"amendments": {"needed": {"error-empty-object": 19}}}
    writer.finish(Run(Summary(checked=0, extra=extra, details=["amendments needed: …"])))
    suite = ET.fromstring(out.getvalue()).find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert json.loads(properties["contract.amendments"] or "") == extra["amendments"]
    assert "amendments needed: …" in (suite.findtext("system-out") or "")


def test_testcases_kept_on_disk_give_the_report_kept_in_memory(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    # The testcases wait for the counts that head the document: past SPOOL_BYTES they
    # wait in a temporary file, and the report is the same (but for its times).
    import re

    def timeless(report: str) -> str:
        return re.sub(r'(time|timestamp)="[^"]*"', "", report)

    _, in_memory = _junit(capsys, BUNDLED, PAYLOADS)
    spools = report_runs.small_spools(clean_env)
    _, on_disk = _junit(capsys, BUNDLED, PAYLOADS)
    assert [s._rolled for s in spools] == [True]
    assert in_memory.count("<testcase ") > 5
    assert timeless(on_disk) == timeless(in_memory)
