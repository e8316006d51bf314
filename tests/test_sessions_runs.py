"""Session checks in runs: the engine (one process, worker processes), the CLI, real recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract.checks.sessions import Seen, check
from contract.cli import EXIT_OK, EXIT_VIOLATIONS, main
from contract.engine import Result, check_paths
from contract.engine._sessions import seen_of
from contract.profiles import ENVIRONMENT, Choices, settings
from contract.recordings import read
from contract.schema.amendments import AmendmentError
from tests.recording_builders import API, body, vcr_interaction, write_cassette

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
AZURE_PAUSE = REALWORLD / "azure-ai-projects-py-testproxy-pause-pausing-2025-12.json"
AZURE_RESUME = REALWORLD / "azure-ai-projects-py-testproxy-resume-resuming-2025-12.json"
JOB = "ftjob-abc123"


def session_findings(results: list[Any]) -> list[tuple[str, str]]:
    return [
        (r.name, v.message)
        for r in results
        if isinstance(r, Result)
        for v in r.violations
        if v.keyword == "session"
    ]


@pytest.fixture
def paused_after_success(tmp_path: Path) -> Path:
    """A cassette: a succeeded job, then a 200 answer to pausing it (each body conforms)."""
    finished = {"status": "succeeded", "finished_at": 1721768400}
    return write_cassette(
        tmp_path / "jobs.yaml",
        [
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/{JOB}", 200, body(**finished)),
            vcr_interaction("GET", "https://example.com/other", 200, "{}"),
            vcr_interaction("POST", f"{API}/fine_tuning/jobs/{JOB}/pause", 200, body(**finished)),
        ],
    )


def test_the_finding_joins_the_later_result_and_names_the_earlier(
    paused_after_success: Path,
) -> None:
    results = [e for e in check_paths([paused_after_success]) if isinstance(e, Result)]
    assert [r.name for r in results] == ["interaction[0]", "interaction[2]"]
    assert results[0].valid
    assert results[1].failed
    ((name, message),) = session_findings(results)
    assert name == "interaction[2]"
    assert "interaction[0]" in message and "cannot be paused" in message
    violations: Any = results[1].as_dict()["violations"]
    assert [v["keyword"] for v in violations] == ["session"]


def test_no_sessions_checks_each_response_alone(paused_after_success: Path) -> None:
    results = [e for e in check_paths([paused_after_success], sessions=False)]
    assert all(r.valid for r in results if isinstance(r, Result))
    assert session_findings(results) == []


def test_worker_processes_and_counted_runs_give_the_same_findings(
    tmp_path: Path, paused_after_success: Path
) -> None:
    other = write_cassette(
        tmp_path / "more.yaml",
        [
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/{JOB}", 200, body(status="running")),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/{JOB}", 200, body(created_at=1)),
        ],
    )
    paths = [paused_after_success, other]
    serial = session_findings(list(check_paths(paths)))
    assert len(serial) == 2  # one per file: the files' sessions do not mix
    assert session_findings(list(check_paths(paths, jobs=2))) == serial
    assert session_findings(list(check_paths(paths, count_conforming=True))) == serial


def test_cli_fails_on_a_session_finding_and_no_sessions_turns_it_off(
    paused_after_success: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--format", "json", str(paused_after_success)]) == EXIT_VIOLATIONS
    document = json.loads(capsys.readouterr().out)
    keywords = [v["keyword"] for r in document["results"] for v in r["violations"]]
    assert keywords == ["session"]
    assert main(["check", "--no-sessions", str(paused_after_success)]) == EXIT_OK


def test_configuration_file_sessions_false_turns_them_off(
    tmp_path: Path, paused_after_success: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "contract.toml"
    config.write_text("sessions = false\n")
    assert main(["check", "--config", str(config), str(paused_after_success)]) == EXIT_OK
    config.write_text("sessions = true\n")
    assert main(["check", "--config", str(config), str(paused_after_success)]) == EXIT_VIOLATIONS
    config.write_text('sessions = "no"\n')
    assert main(["check", "--config", str(config), str(paused_after_success)]) == 2
    assert "sessions" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command_line", "environment", "ini", "file", "expected"),
    [
        (None, None, None, None, True),  # on by default
        (None, None, None, False, False),  # the file turns them off
        (None, None, "true", False, True),  # the ini file is stronger than the file
        (None, "no", "true", None, False),  # the environment is stronger than the ini file
        ("false", "yes", "true", None, False),  # the command line is strongest
        (None, None, "off", True, False),
    ],
)
def test_the_session_switch_is_one_setting_resolved_in_order(
    tmp_path: Path,
    command_line: str | None,
    environment: str | None,
    ini: str | None,
    file: bool | None,
    expected: bool,
) -> None:
    if file is not None:
        (tmp_path / "pyproject.toml").write_text(
            f"[tool.finetune-contract]\nsessions = {str(file).lower()}\n"
        )
    environ = {} if environment is None else {ENVIRONMENT["sessions"]: environment}
    chosen = settings(
        Choices(sessions=command_line),
        ini=Choices(sessions=ini),
        environ=environ,
        search_from=tmp_path,
    )
    assert chosen.sessions is expected
    # The request switch is resolved apart: turning sessions off leaves it alone.
    assert chosen.requests is True


def test_a_session_switch_that_is_not_yes_or_no_is_one_clear_error() -> None:
    with pytest.raises(AmendmentError, match=r"sessions \(environment\): 'maybe'"):
        settings(environ={ENVIRONMENT["sessions"]: "maybe"})


def test_pages_reached_with_after_in_a_recording(tmp_path: Path) -> None:
    def page(*ids: str, more: bool) -> str:
        return json.dumps(
            {"object": "list", "data": [json.loads(body(id=i)) for i in ids], "has_more": more}
        )

    url = f"{API}/fine_tuning/jobs"
    cassette = write_cassette(
        tmp_path / "pages.yaml",
        [
            vcr_interaction("GET", f"{url}?limit=2", 200, page("ftjob-1", "ftjob-2", more=True)),
            vcr_interaction(
                "GET", f"{url}?limit=2&after=ftjob-2", 200, page("ftjob-2", more=False)
            ),
        ],
    )
    ((name, message),) = session_findings(list(check_paths([cassette])))
    assert name == "interaction[1]" and "interaction[0] already listed it" in message


@pytest.mark.parametrize("profile", ["published", "observed", "azure"])
def test_the_real_azure_pause_and_resume_recordings_give_no_session_finding(
    profile: str,
) -> None:
    results = list(check_paths([AZURE_PAUSE, AZURE_RESUME], profile=profile))
    assert sum(isinstance(r, Result) for r in results) == 4
    assert session_findings(results) == []


def test_the_real_azure_recordings_are_read_as_one_job_over_time() -> None:
    """The session check sees them (not skipped): together, one job running, pausing,
    paused, resuming, which the azure lifecycle allows and a backwards order does not."""
    seen = [seen_of(i) for path in (AZURE_PAUSE, AZURE_RESUME) for i in read(path)]
    assert [s.body["status"] for s in seen] == ["running", "pausing", "paused", "resuming"]
    assert [s.operation for s in seen][1::2] == ["pauseFineTuningJob", "resumeFineTuningJob"]
    assert list(check(seen, "azure")) == []
    created_again = Seen("later", seen[0].operation, 200, {**seen[0].body, "status": "pending"})
    (found,) = check([*seen, created_again], "azure")
    assert found.label == "later" and "resuming" in found.violation.message


def test_a_place_the_response_check_faults_is_not_also_a_session_finding(
    tmp_path: Path,
) -> None:
    # The later seed is not an integer: one finding there (its type), not also "it changed";
    # the created_at that did change is still a session finding.
    url = f"{API}/fine_tuning/jobs/{JOB}"
    path = write_cassette(
        tmp_path / "jobs.yaml",
        [
            vcr_interaction("GET", url, 200, body(seed=7)),
            vcr_interaction("GET", url, 200, body(seed="x", created_at=1721764801)),
        ],
    )
    results = [e for e in check_paths([path]) if isinstance(e, Result)]
    later = results[1].violations
    assert [(v.path, v.keyword) for v in later if v.path == "/seed"] == [("/seed", "type")]
    assert [v.path for v in later if v.keyword == "session"] == ["/created_at"]
