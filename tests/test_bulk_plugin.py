"""``--contract-item=file``: one item per recording file, the same counts as one per response."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.recording_builders import body, vcr_interaction, write_cassette, write_har

API = "https://api.openai.com/v1"
ENVELOPE = json.dumps(
    {"error": {"message": "gone", "type": "invalid_request_error", "param": None, "code": "x"}}
)


def _corpus(root: Path) -> None:
    """Two cassettes (one with a bad job), a HAR of other calls only, a broken file."""
    root.mkdir()
    write_cassette(
        root / "jobs.yaml",
        [
            vcr_interaction("POST", f"{API}/fine_tuning/jobs", text=body()),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/ftjob-gone", status=404, text=ENVELOPE),
            vcr_interaction("GET", f"{API}/models", text="{}"),
        ],
    )
    bad = json.loads(body())
    bad["status"] = "paused"
    job = bad["id"]
    write_cassette(
        root / "pause.yaml",
        [
            vcr_interaction("POST", f"{API}/fine_tuning/jobs/{job}/pause", text=json.dumps(bad)),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/{job}", text=json.dumps(bad)),
            vcr_interaction("POST", f"{API}/fine_tuning/jobs", text=body()),
        ],
    )
    write_har(root / "other.har", [])
    (root / "broken.yaml").write_text("interactions: [", encoding="utf-8")


def _summary(result: pytest.RunResult) -> list[str]:
    """The plugin's terminal summary: its counts line and the lines after it."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if " checked" in line and "contract: " in line)
    return [line for line in lines[start:] if line.startswith("contract: ")]


def test_one_item_per_file_counts_every_response_as_one_item_per_response_does(
    pytester: pytest.Pytester,
) -> None:
    _corpus(pytester.path / "rec")
    per_response = pytester.runpytest("--contract-recordings", "rec")
    per_file = pytester.runpytest("--contract-recordings", "rec", "--contract-item=file", "-v")
    per_response.assert_outcomes(passed=3, failed=3)  # 2 bad pause/retrieve, 1 unreadable
    per_file.assert_outcomes(passed=2, failed=2)  # jobs.yaml, other.har; pause.yaml, broken
    assert _summary(per_file) == _summary(per_response)
    assert _summary(per_file)[0] == (
        "contract: 5 responses checked: 2 valid, 2 invalid, 1 API error response; "
        "1 other interaction skipped; 1 unreadable recording"
    )
    per_file.stdout.fnmatch_lines(
        [
            "rec/broken.yaml::recording FAILED*",
            "rec/jobs.yaml::recording PASSED*",
            "rec/other.har::recording PASSED*",
            "rec/pause.yaml::recording FAILED*",
            "2 of 3 responses failed:",
            "POST https://api.openai.com/v1/fine_tuning/jobs/*/pause -> 200",
        ]
    )


def test_one_item_per_file_under_xdist_gives_the_same_counts(pytester: pytest.Pytester) -> None:
    _corpus(pytester.path / "rec")
    serial = pytester.runpytest("--contract-recordings", "rec", "--contract-item=file")
    parallel = pytester.runpytest_subprocess(
        "--contract-recordings", "rec", "--contract-item=file", "-n", "2", "-p", "xdist"
    )
    parallel.assert_outcomes(passed=2, failed=2)
    assert _summary(parallel) == _summary(serial)


def test_an_ini_file_chooses_one_item_per_file(pytester: pytest.Pytester) -> None:
    _corpus(pytester.path / "rec")
    pytester.makeini("[pytest]\ncontract_recordings = rec\ncontract_item = file\n")
    result = pytester.runpytest("--collect-only", "-q")
    assert sorted(line for line in result.outlines if "::" in line) == [
        "rec/broken.yaml::recording",
        "rec/jobs.yaml::recording",
        "rec/other.har::recording",
        "rec/pause.yaml::recording",
    ]
