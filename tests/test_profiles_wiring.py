"""Profiles in ``finetune-contract check`` and in the pytest plugin, on recordings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contract.cli import main
from tests.recording_builders import body, vcr_interaction, write_cassette

API = "https://api.openai.com/v1"
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
needs_corpus = pytest.mark.skipif(
    not REALWORLD.is_dir(), reason="../shared is not beside this checkout"
)

#: Real OpenAI recordings and payloads of the corpus that break only known deviations.
OPENAI = [
    "ruby-vcr-finetunes_create-2024-10.yml",
    "ruby-vcr-finetunes_create-2023-11.yml",
    "ruby-vcr-finetunes_list-2023-11.yml",
    "ruby-vcr-finetunes_cancel-404.yml",
    "dotnet-sessionrecord-MinimalRequiredParams.json",
    "dotnet-sessionrecord-AllParameters.json",
    "dotnet-sessionrecord-GetJobs.json",
    "dotnet-sessionrecord-GetJobsWithAfter.json",
    "imint-double_fences-create-curl-2025-08.json",
    "issue-cequence-scala-80-create-error-empty-2024-09.json",
    "issue-openai-php-227-create-2023-11.json",
    "issue-openai-openapi-pr81-running-2023-09.json",
    "js-comment-retrieve-succeeded-2024-06.json",
    "llamaindex-nb-openai_fine_tuning-running-2023-08.json",
    "openai-guide-sft-completed-job-2025-05.json",
    "upstream-example-create-epochs.json",
    "upstream-example-create-reinforcement.json",
]
AZURE = [
    "azure-docs-finetune-tutorial-create-pending-2024-05.json",
    "azure-learnmodule-create-pending-method-null-2025-09.json",
    # Recordings: retrieve + pause, retrieve + resume, create (201) + cancel + a 404.
    "azure-ai-projects-py-testproxy-pause-pausing-2025-12.json",
    "azure-ai-projects-py-testproxy-resume-resuming-2025-12.json",
    "azure-openai-net-sessionrecord-CreateCancelDelete-V2025_01_01_Preview-2025-04.json",
]
ERROR_EMPTY_LINE = (
    "/error: {} is an empty object; the contract allows null or an object with code, message "
    "and param (known deviation error-empty-object; accepted by profile observed)"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["check", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(REALWORLD / name, folder / name)
    return folder


@needs_corpus
def test_observed_passes_real_openai_traffic_that_breaks_only_known_deviations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy(OPENAI, tmp_path / "openai")
    status, out, _ = run(capsys, "--format", "json", str(folder))
    assert status == 1  # the default profile's verdicts are unchanged
    # SOURCES.md: "error": {} in 1 ruby, 2 + 2 (.NET create/cancel), 19 + 38 (.NET list pages)
    # recorded jobs and in 5 of the pasted bodies copied here.
    deviation = "(known deviation error-empty-object; accepted by profile observed)"
    messages = [v["message"] for r in json.loads(out)["results"] for v in r["violations"]]
    assert sum(deviation in m for m in messages) == 1 + 2 + 2 + 19 + 38 + 5
    # The text report says each once per body: a list page's jobs share one line.
    status, out, _ = run(capsys, str(folder))
    assert out.count(deviation) == 1 + 2 + 2 + 1 + 2 + 5
    status, out, _ = run(capsys, "--profile", "observed", str(folder))
    assert status == 0, out
    assert "stale amendments" not in out  # said only when asked
    status, out, _ = run(capsys, "--profile", "observed", "--stale-amendments", str(folder))
    assert status == 0, out
    # Counted per checked body (a list page once): "error": {} in 1 ruby, 2 + 2 .NET create and
    # cancel, 1 + 2 .NET list pages, 5 pasted bodies; no seed in 2 ruby bodies and 3 pasted ones.
    assert out.splitlines()[1:] == [
        "amendments needed (profile observed): error-absent-legacy (2), error-empty-object (13), "
        "error-null-fields (1), hyperparameters-absent-non-supervised (1), seed-absent-legacy (5)",
        "stale amendments (enabled, needed by nothing): event-data-null, status-created-legacy, "
        "status-paused, status-pausing, status-resuming",
    ]
    status, out, _ = run(capsys, "--profile", "azure", str(folder))
    assert status == 1


@needs_corpus
def test_a_real_break_still_fails_under_observed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _copy(["dotnet-sessionrecord-GetJobs.json"], tmp_path / "broken")
    record = folder / "dotnet-sessionrecord-GetJobs.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["Entries"][0]["ResponseBody"]["data"][3]["status"] = "archived"
    record.write_text(json.dumps(data), encoding="utf-8")
    status, out, _ = run(capsys, "--profile", "observed", str(folder))
    assert status == 1
    assert out.splitlines()[0] == (
        f'{record}:1: entry[0]: /data/3/status: "archived" is not one of "validating_files", '
        '"queued", "running", "succeeded", "failed", "cancelled", "paused", "pausing", "resuming" '
        "[FC103]"
    )


@needs_corpus
def test_azure_passes_the_azure_jobs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = _copy(AZURE, tmp_path / "azure")
    assert run(capsys, str(folder))[0] == 1
    assert run(capsys, "--profile", "observed", str(folder))[0] == 1
    status, out, _ = run(capsys, "--profile", "azure", "--format", "json", str(folder))
    assert status == 0
    # Per SOURCES.md: 2 pasted jobs (pending, -1 settings, organization and result files null;
    # one method null); 6 recorded jobs: retrieve (running) + pause (pausing), retrieve (paused)
    # + resume (resuming), create (201, pending) + cancel. Every recorded job leaves out error,
    # fine_tuned_model, organization_id, trained_tokens, validation_file (and finished_at but
    # on the cancel); result_files except the two of the resumed job; -1 settings except those
    # two. The 404 envelope lacks type and param (an API error: not a checked body).
    assert json.loads(out)["summary"]["amendments"] == {
        "profile": "azure",
        "payloads": 8,
        "needed": {
            "azure-absent-when-null": 6,
            "azure-create-201": 1,
            "azure-error-envelope-no-type": 1,
            "azure-hyperparameters-minus-one": 2 + 4,
            "azure-method-null": 1,
            "azure-organization-null": 2 + 6,
            "azure-result-files-null": 2 + 4,
            "azure-status-pending": 2 + 1,
            "status-paused": 1,
            "status-pausing": 1,
            "status-resuming": 1,
        },
        # No DPO or reinforcement job in Azure's traffic here.
        "stale": ["hyperparameters-absent-non-supervised"],
        "deviations": {},
    }


def _job_file(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "job.json"
    path.write_text(body(**changes), encoding="utf-8")
    return path


def test_single_amendments_switch_on_and_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _job_file(tmp_path, error={})
    status, out, _ = run(capsys, str(path))
    assert status == 1 and out.splitlines()[0] == f"{path}:1: {ERROR_EMPTY_LINE} [FC201]"
    assert run(capsys, "--amend", "error-empty-object", str(path))[0] == 0
    status, out, _ = run(
        capsys,
        "--profile",
        "observed",
        "--no-amend",
        "error-empty-object",
        "--stale-amendments",
        str(path),
    )
    assert status == 1 and out.splitlines()[0] == f"{path}:1: {ERROR_EMPTY_LINE} [FC201]"
    assert "stale amendments (enabled, needed by nothing): error-absent-legacy" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--profile", "nope"],
            "unknown profile 'nope'; known profiles: published, observed, azure",
        ),
        (["--amend", "nope"], "unknown amendment 'nope'; known amendments: "),
        (["--config", "missing.toml"], "missing.toml: cannot read: "),
    ],
)
def test_bad_profile_options_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv, str(_job_file(tmp_path)))
    assert (status, out) == (2, "")
    assert err.startswith(f"finetune-contract check: error: {message}") and err.count("\n") == 1


def test_a_bad_configuration_file_names_file_and_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "contract.toml"
    config.write_text('[amendments.x]\ndescription = "d"\n', encoding="utf-8")
    status, _, err = run(capsys, "--config", str(config), str(_job_file(tmp_path)))
    assert status == 2
    assert err == (
        f"finetune-contract check: error: {config}: amendments.x: "
        "'evidence' is a required property\n"
    )


def test_pyproject_in_the_working_directory_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _job_file(tmp_path, error={}, status="paused")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.finetune-contract]\nprofile = "observed"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, str(path))
    assert status == 0
    assert out.splitlines()[1] == (
        "amendments needed (profile observed): error-empty-object (1), status-paused (1)"
    )
    assert run(capsys, "--profile", "published", str(path))[0] == 1


def test_strict_lists_unknown_properties_and_fails_only_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _job_file(tmp_path, usage_metrics=None)
    status, out, _ = run(capsys, str(path))
    assert status == 0 and "unknown property" not in out
    status, out, _ = run(capsys, "--strict", str(path))
    assert status == 0
    assert out.splitlines()[0] == (
        f'{path}:1: warning: /usage_metrics: unknown property "usage_metrics": the contract does '
        "not name it (allowed; listed in strict mode) [FC202]"
    )
    status, out, _ = run(capsys, "--strict=fail", str(path))
    assert status == 1 and out.splitlines()[0].startswith(
        f"{path}:1: /usage_metrics: unknown property"
    )
    status, out, _ = run(capsys, "--strict", "--format", "json", str(path))
    (result,) = json.loads(out)["results"]
    assert result["valid"] is True
    assert [w["keyword"] for w in result["warnings"]] == ["unknown-property"]


# -- the pytest plugin ------------------------------------------------------------------


def _cassette(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_cassette(
        folder / "jobs.yaml",
        [
            vcr_interaction("POST", f"{API}/fine_tuning/jobs", text=body(error={})),
            vcr_interaction(
                "POST", f"{API}/fine_tuning/jobs/ftjob-abc123/pause", text=body(status="paused")
            ),
            vcr_interaction("GET", f"{API}/fine_tuning/jobs/ftjob-abc123", text=body(extra=1)),
        ],
    )


def test_plugin_checks_under_the_profile_and_reports_usage(pytester: pytest.Pytester) -> None:
    _cassette(pytester.path / "cassettes")
    result = pytester.runpytest(
        "--contract-recordings",
        "cassettes",
        "--contract-profile",
        "observed",
        "--contract-stale-amendments",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "contract: amendments needed (profile observed): "
            "error-empty-object (1), status-paused (1)",
            "contract: stale amendments (enabled, needed by nothing): error-absent-legacy, *",
        ]
    )


def test_plugin_ini_options_and_the_deviation_line(pytester: pytest.Pytester) -> None:
    _cassette(pytester.path / "cassettes")
    pytester.makeini(
        "[pytest]\ncontract_recordings = cassettes\ncontract_profile = observed\n"
        "contract_no_amend =\n    error-empty-object\ncontract_strict = warn\n"
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"  {ERROR_EMPTY_LINE} [[]FC201[]]",
            "contract: warning: cassettes/jobs.yaml::interaction?2?: /extra: unknown property *",
        ]
    )


def test_plugin_fixture_uses_the_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import json\n\n\ndef test_body(contract):\n"
        f"    contract.assert_body(dict(json.loads({body()!r}), error={{}}))\n"
    )
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.runpytest("--contract-profile", "observed").assert_outcomes(passed=1)


def test_plugin_bad_profile_is_a_usage_error(pytester: pytest.Pytester) -> None:
    _cassette(pytester.path / "cassettes")
    result = pytester.runpytest("--contract-recordings", "cassettes", "--contract-profile", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*finetune-contract: unknown profile 'nope'; known profiles: *"])


def test_plugin_adds_usage_up_from_reports_as_xdist_delivers_them(
    pytester: pytest.Pytester,
) -> None:
    # Under xdist, items run in workers; the controller sees only each report's
    # user_properties (tuples arrive as lists). The summary is built from those alone.
    from contract.plugin import DEVIATIONS, NEEDED, UNKNOWN, VERDICT, ContractRun

    _cassette(pytester.path / "cassettes")
    config = pytester.parseconfigure(
        "--contract-recordings", "cassettes", "--contract-profile", "observed"
    )
    run = config.pluginmanager.get_plugin("finetune_contract_run")
    assert isinstance(run, ContractRun)

    class Report:
        when = "call"

        def __init__(self, nodeid: str, **properties: object) -> None:
            self.nodeid = nodeid
            self.user_properties = [(VERDICT, "valid"), *properties.items()]

    run.pytest_runtest_logreport(Report("a", **{NEEDED: ["error-empty-object"], DEVIATIONS: []}))
    run.pytest_runtest_logreport(Report("b", **{NEEDED: ["status-paused"], DEVIATIONS: []}))
    run.pytest_runtest_logreport(
        Report("c", **{NEEDED: [], DEVIATIONS: ["azure-status-pending"], UNKNOWN: ["/x: unknown"]})
    )
    assert run.usage.lines(stale=True) == [
        "amendments needed (profile observed): error-empty-object (1), status-paused (1)",
        "stale amendments (enabled, needed by nothing): error-absent-legacy, error-null-fields, "
        "event-data-null, hyperparameters-absent-non-supervised, seed-absent-legacy, "
        "status-created-legacy, status-pausing, status-resuming",
        "known deviations outside the profile: azure-status-pending (1)",
    ]
    assert run.unknown == ["c: /x: unknown"]
