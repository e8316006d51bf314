"""The plugin over real traffic: every jobs operation, API errors, unreadable and empty files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.recording_builders import body, har_entry, vcr_interaction, write_cassette, write_har

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
API = "https://api.openai.com/v1"
ENVELOPE = json.dumps(
    {"error": {"message": "gone", "type": "invalid_request_error", "param": None, "code": "x"}}
)


def lit(text: str) -> str:
    return "".join("[[]" if c == "[" else "[]]" if c == "]" else c for c in text)


def jobs_cassette(path: Path) -> Path:
    """create (valid), list page with one bad job, 404 error envelope, unrelated call."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page = json.dumps(
        {
            "object": "list",
            "has_more": False,
            "data": [json.loads(body()), json.loads(body(seed="x"))],
        }
    )
    return write_cassette(
        path,
        [
            vcr_interaction("POST", f"{API}/fine_tuning/jobs", text=body()),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs?limit=2", text=page),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/ftjob-gone", status=404, text=ENVELOPE),
            vcr_interaction("GET", f"{API}/models", text="{}"),
        ],
    )


def test_every_jobs_operation_is_an_item_and_api_errors_are_counted(
    pytester: pytest.Pytester,
) -> None:
    jobs_cassette(pytester.path / "rec" / "jobs.yaml")
    result = pytester.runpytest("--contract-recordings", "rec", "-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            lit("rec/jobs.yaml::interaction[0] PASSED") + "*",
            lit("rec/jobs.yaml::interaction[1] FAILED") + "*",
            lit("rec/jobs.yaml::interaction[2] PASSED") + "*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "GET https://api.openai.com/v1/fine_tuning/jobs?limit=2 -> 200",
            "1 contract violation:",
            '  /data/1/seed: "x" is not of type integer [FC101]',
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "contract: 3 responses checked: 1 valid, 1 invalid, "
            "1 API error response; 1 other interaction skipped"
        ]
    )


def test_api_errors_fail_when_asked(pytester: pytest.Pytester) -> None:
    jobs_cassette(pytester.path / "rec" / "jobs.yaml")
    result = pytester.runpytest("--contract-recordings", "rec", "--contract-fail-api-errors")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*rec/jobs.yaml::interaction[[]2[]]: API error 404 x: gone",
            "(an API error response; --contract-fail-api-errors makes it a failure)",
        ]
    )


def test_a_recording_with_nothing_checked_is_a_warning(pytester: pytest.Pytester) -> None:
    (pytester.path / "rec").mkdir()
    write_har(pytester.path / "rec" / "models.har", [har_entry("GET", f"{API}/models", text="{}")])
    jobs_cassette(pytester.path / "rec" / "jobs.yaml")
    result = pytester.runpytest("--contract-recordings", "rec")
    result.stdout.fnmatch_lines(
        [
            "contract: warning: rec/models.har: nothing checked "
            "(no fine-tuning jobs call; 1 other interaction skipped)"
        ]
    )


def test_node_ids_shown_paste_back(pytester: pytest.Pytester) -> None:
    jobs_cassette(pytester.path / "rec" / "a]b.yaml")
    result = pytester.runpytest("--contract-recordings", "rec", "-q", "--co")
    node = "rec/a]b.yaml::interaction[1]"
    assert node in result.stdout.lines
    again = pytester.runpytest("--contract-recordings", "rec", node)
    again.assert_outcomes(failed=1)


def test_recordings_above_the_working_folder_are_collected(pytester: pytest.Pytester) -> None:
    """pytest's default argument, the working folder, lies inside the recordings' folder but
    holds none of them: it narrows nothing, and every recording is still checked."""
    jobs_cassette(pytester.path / "rec" / "jobs.yaml")
    (pytester.path / "rec" / "work").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(pytester.path / "rec" / "work")
        result = pytester.runpytest("--contract-recordings", str(pytester.path / "rec"))
    result.assert_outcomes(passed=2, failed=1)


def test_a_subfolder_argument_narrows_the_recordings(pytester: pytest.Pytester) -> None:
    jobs_cassette(pytester.path / "rec" / "jobs.yaml")
    jobs_cassette(pytester.path / "rec" / "sub" / "more.yaml")
    result = pytester.runpytest("--contract-recordings", "rec", "rec/sub")
    result.assert_outcomes(passed=2, failed=1)


def test_file_names_holding_brackets_are_collected_and_deselectable(
    pytester: pytest.Pytester,
) -> None:
    """pytest itself takes no path holding "[" as an argument; --deselect and -k still work."""
    jobs_cassette(pytester.path / "rec" / "odd[1].yaml")
    result = pytester.runpytest("--contract-recordings", "rec", "-q", "--co")
    node = "rec/odd[1].yaml::interaction[1]"
    assert node in result.stdout.lines
    again = pytester.runpytest("--contract-recordings", "rec", "--deselect", node)
    again.assert_outcomes(passed=2)


def test_only_the_roots_are_added_to_the_arguments(pytester: pytest.Pytester) -> None:
    """Collection walks each folder once: adding every file made it quadratic."""
    for index in range(30):
        jobs_cassette(pytester.path / "rec" / f"c{index:02}.yaml")
    pytester.makeconftest(
        """
        def pytest_collection_finish(session):
            with open("args.txt", "w") as out:
                out.write("\\n".join(session.config.args))
        """
    )
    pytester.makepyfile(test_user="def test_user():\n    pass\n")
    result = pytester.runpytest("test_user.py", "--contract-recordings", "rec", "-q", "--co")
    assert result.ret == 0
    assert len([line for line in result.stdout.lines if "::interaction[" in line]) == 90
    args = (pytester.path / "args.txt").read_text().splitlines()
    assert args == ["test_user.py", str(pytester.path / "rec")]


def test_a_root_inside_the_test_paths_is_not_collected_twice(pytester: pytest.Pytester) -> None:
    jobs_cassette(pytester.path / "tests" / "cassettes" / "jobs.yaml")
    pytester.makeini("[pytest]\ntestpaths = tests\ncontract_recordings = tests/cassettes\n")
    result = pytester.runpytest("-q", "--co")
    assert len([line for line in result.stdout.lines if "::interaction[" in line]) == 3


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not beside the checkout")
def test_the_whole_real_corpus_runs_and_unreadable_files_are_failed_items(
    pytester: pytest.Pytester,
) -> None:
    shutil.copytree(REALWORLD, pytester.path / "realworld")
    result = pytester.runpytest("--contract-recordings", "realworld", "-rf", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert "error" not in outcomes and "errors" not in outcomes
    summary = [line for line in result.stdout.lines if line.startswith("contract: ")]
    # SOURCES.md: 12 real recordings, 15 responses (86 jobs), 5 of them API errors; plus 15 pasted
    # payloads and 4 readable upstream examples. Unreadable: 1 truncated, 2 not JSON, and the
    # pre-1.0 vcrpy cassette.
    unreadable = [
        line for line in result.stdout.lines if line.startswith("FAILED") and "::recording" in line
    ]
    assert len(unreadable) == 4, unreadable
    assert any("vcrpy-v0-old_cassette.yaml::recording" in line for line in unreadable)
    assert any("5 API error responses" in line for line in summary), summary
    assert "Traceback" not in result.stdout.str()
