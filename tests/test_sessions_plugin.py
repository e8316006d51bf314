"""Session checks in the pytest plugin: the later item fails and names the earlier one."""

from __future__ import annotations

from pathlib import Path

import pytest

import contract.checks.sessions
import contract.engine._sessions
import contract.recordings.vcrpy
import contract.testing.contract  # noqa: F401 - kept across in-process pytester runs
from tests.recording_builders import API, FIXTURE_KEY, body, vcr_interaction, write_cassette

JOB = "ftjob-abc123"
FINISHED = {"status": "succeeded", "finished_at": 1721768400}


def lit(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself (brackets escaped)."""
    return "".join("[[]" if c == "[" else "[]]" if c == "]" else c for c in text)


@pytest.fixture
def cassette(pytester: pytest.Pytester) -> Path:
    """A succeeded job, another API's call, then a 200 answer to pausing the job."""
    folder = pytester.path / "cassettes"
    folder.mkdir()
    return write_cassette(
        folder / "jobs.yaml",
        [
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/{JOB}", 200, body(**FINISHED)),
            vcr_interaction("GET", "https://example.com/other", 200, "{}"),
            vcr_interaction("POST", f"{API}/fine_tuning/jobs/{JOB}/pause", 200, body(**FINISHED)),
        ],
    )


def test_the_later_item_fails_naming_the_earlier(pytester: pytest.Pytester, cassette: Path) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "-rA", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "PASSED cassettes/jobs.yaml::interaction[0]",
            lit("FAILED cassettes/jobs.yaml::interaction[2]") + "*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            lit("*_ interaction[2] _*"),
            "POST https://api.openai.com/v1/fine_tuning/jobs/ftjob-abc123/pause -> 200",
            "1 contract violation:",
            lit(
                '  <root>: pause of job "ftjob-abc123" was answered 200, but interaction[0] '
                "showed it succeeded: a succeeded job cannot be paused "
                "(the API answers 400) [FC300]"
            ),
        ]
    )
    assert FIXTURE_KEY not in result.stdout.str() + result.stderr.str()


def test_the_later_item_fails_even_when_run_alone(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "-k", "interaction and 2")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(["*but interaction[[]0[]] showed it succeeded*"])


@pytest.mark.parametrize(
    "how",
    [
        ("--contract-no-sessions",),
        ("-o", "contract_sessions=false"),
    ],
)
def test_sessions_can_be_turned_off(
    pytester: pytest.Pytester, cassette: Path, how: tuple[str, ...]
) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", *how)
    result.assert_outcomes(passed=2)


def test_the_configuration_file_can_turn_them_off(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    pytester.makepyprojecttoml("[tool.finetune-contract]\nsessions = false\n")
    result = pytester.runpytest("--contract-recordings", "cassettes")
    result.assert_outcomes(passed=2)
    # The ini value is the stronger source: it turns them back on.
    on = pytester.runpytest("--contract-recordings", "cassettes", "-o", "contract_sessions=true")
    on.assert_outcomes(passed=1, failed=1)


def test_a_file_item_fails_with_the_session_finding(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "--contract-item=file")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["1 of 2 responses failed:", "*but interaction[[]0[]] showed*"])


def test_xdist_workers_fail_the_same_item(pytester: pytest.Pytester, cassette: Path) -> None:
    """Each worker collects the whole file: the later item fails wherever it runs."""
    result = pytester.runpytest("--contract-recordings", "cassettes", "-n", "2", "-rf")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([lit("FAILED cassettes/jobs.yaml::interaction[2]") + "*"])
