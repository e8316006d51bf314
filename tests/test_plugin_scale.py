"""``--contract-item=file`` at scale: one file item reports sums, not one entry per response.

The summary a file item leads to (verdicts, jobs, amendments needed, unknown
properties, traffic coverage, files with nothing checked) is the one an item
per response leads to, serial and under xdist.
"""

from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract.plugin import BATCH
from tests.recording_builders import body, har_entry, vcr_interaction, write_cassette, write_har

API = "https://api.openai.com/v1"
ENVELOPE = json.dumps(
    {"error": {"message": "gone", "type": "invalid_request_error", "param": None, "code": "x"}}
)
OPTIONS = ("--contract-profile", "observed", "--contract-strict", "--contract-coverage")


def _corpus(root: Path, copies: int = 1) -> None:
    """Responses needing amendments, with unknown properties, an API error, a bad job, a
    page of jobs, other calls, and a HAR with nothing to check."""
    root.mkdir()
    bad = json.loads(body())
    bad["seed"] = "x"
    page = json.dumps({"object": "list", "has_more": False, "data": [json.loads(body())] * 3})
    calls = [
        vcr_interaction("POST", f"{API}/fine_tuning/jobs", text=body(error={})),
        vcr_interaction("POST", f"{API}/fine_tuning/jobs/ftjob-abc123/pause", text=body(extra=1)),
        vcr_interaction("GET", f"{API}/fine_tuning/jobs?limit=2", text=page),
        vcr_interaction("GET", f"{API}/fine_tuning/jobs/ftjob-gone", status=404, text=ENVELOPE),
        vcr_interaction("GET", f"{API}/fine_tuning/jobs/ftjob-abc123", text=json.dumps(bad)),
        vcr_interaction("GET", f"{API}/models", text="{}"),
    ]
    write_cassette(root / "jobs.yaml", calls * copies)
    write_har(root / "models.har", [har_entry("GET", f"{API}/models", text="{}")])


def _summary(result: pytest.RunResult) -> list[str]:
    """The plugin's summary lines, from its counts line on."""
    lines = result.outlines
    start = next(
        i for i, line in enumerate(lines) if line.startswith("contract: ") and " checked" in line
    )
    return [line for line in lines[start:] if line.startswith("contract: ")]


def test_a_file_item_leads_to_the_summary_of_an_item_per_response(
    pytester: pytest.Pytester,
) -> None:
    _corpus(pytester.path / "rec")
    per_response = pytester.runpytest("--contract-recordings", "rec", *OPTIONS)
    per_file = pytester.runpytest("--contract-recordings", "rec", "--contract-item=file", *OPTIONS)
    per_response.assert_outcomes(passed=4, failed=1)
    per_file.assert_outcomes(passed=1, failed=1)
    summary = _summary(per_file)
    assert summary == _summary(per_response)
    assert summary[0] == (
        "contract: 5 responses checked (6 jobs): 3 valid, 1 invalid, 1 API error response; "
        "2 other interactions skipped"
    )
    assert "contract: warning: rec/models.har: nothing checked " in "\n".join(summary)
    assert any(
        line.startswith("contract: amendments needed (profile observed): ") for line in summary
    )
    assert any("rec/jobs.yaml::interaction[1]: " in line and "extra" in line for line in summary)
    assert any(line.startswith("contract: traffic coverage: 5 responses") for line in summary)


def test_under_xdist_a_file_item_leads_to_the_same_summary(pytester: pytest.Pytester) -> None:
    _corpus(pytester.path / "rec")
    serial = pytester.runpytest("--contract-recordings", "rec", *OPTIONS)
    parallel = pytester.runpytest_subprocess(
        "--contract-recordings", "rec", "--contract-item=file", *OPTIONS, "-n", "2", "-p", "xdist"
    )
    parallel.assert_outcomes(passed=1, failed=1)
    assert _summary(parallel) == _summary(serial)


def test_a_file_item_reports_one_sum_whatever_the_number_of_responses(
    pytester: pytest.Pytester,
) -> None:
    _corpus(pytester.path / "rec", copies=50)
    xml = pytester.path / "out.xml"
    result = pytester.runpytest(
        "--contract-recordings",
        "rec/jobs.yaml",
        "--contract-item=file",
        "--contract-profile",
        "observed",
        # The 50 copies repeat one job's story, which session checks rightly refuse; the
        # sum per file is what this test is about.
        "--contract-no-sessions",
        f"--junitxml={xml}",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["50 of 250 responses failed:"])
    values = [
        p.get("value", "")
        for p in ET.parse(xml).getroot().iter("property")
        if p.get("name") == BATCH
    ]
    assert len(values) == 1
    counts = ast.literal_eval(values[0])
    assert counts["verdicts"] == {"valid": 150, "api-error": 50, "invalid": 50}
    assert counts["jobs"] == 300
    assert counts["other"] == 50
    assert counts["payloads"] == 200
    # Sums: no entry per response (node ids appear only in unknown-property warnings).
    assert "interaction[7]" not in values[0]


def test_xdist_workers_leave_the_counting_to_the_controller(pytester: pytest.Pytester) -> None:
    _corpus(pytester.path / "rec")
    pytester.makeconftest(
        """
        import json, os

        def pytest_unconfigure(config):
            run = config.pluginmanager.get_plugin("finetune_contract_run")
            worker = getattr(config, "workerinput", {}).get("workerid", "controller")
            with open(f"counted-{worker}.json", "w") as out:
                json.dump({"verdicts": run.verdicts, "jobs": run.jobs}, out)
        """
    )
    result = pytester.runpytest_subprocess("--contract-recordings", "rec", "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=3, failed=2)
    counted = {
        path.name: json.loads(path.read_text()) for path in pytester.path.glob("counted-*.json")
    }
    assert counted.pop("counted-controller.json") == {
        "verdicts": {"valid": 2, "invalid": 2, "api-error": 1},
        "jobs": 6,
    }
    assert sorted(counted) == ["counted-gw0.json", "counted-gw1.json"]
    assert all(c == {"verdicts": {}, "jobs": 0} for c in counted.values())
