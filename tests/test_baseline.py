"""The baseline of known findings: ``check --update-baseline`` / ``--baseline``, and the plugin.

Rules under test (docs/guides/baseline.md): updating then checking the same
recordings passes; a new bad file fails and only its finding is listed; an entry
whose ``expires`` date has passed fails again; entries no longer seen are listed
as resolved and pruned by the next update, which keeps ``first_seen``,
``expires`` and ``reason`` of the others; reformatting a recording keeps its
fingerprints.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.cli import main
from tests.recording_builders import (
    API,
    body,
    har_entry,
    pause_url,
    write_cassette,
    write_har,
)
from tests.recording_builders import vcr_interaction as vcr

PAST = "2001-01-01"


def _project(root: Path) -> Path:
    """Recordings with known findings: a HAR with two bad pauses, a cassette with one."""
    folder = root / "recordings"
    folder.mkdir()
    write_har(
        folder / "pauses.har",
        [
            har_entry("POST", pause_url("ftjob-1"), text=body(id="ftjob-1")),
            har_entry("POST", pause_url("ftjob-2"), text=body(id="ftjob-2", seed="x")),
            har_entry(
                "POST",
                pause_url("ftjob-3"),
                text=body(id="ftjob-3", hyperparameters={"n_epochs": 51}),
            ),
        ],
    )
    write_cassette(
        folder / "jobs.yaml",
        [vcr("POST", pause_url("ftjob-4"), text=body(id="ftjob-other"))],
    )
    return folder


def _check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def _entries(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text())
    assert document["version"] == 1
    entries: list[dict[str, Any]] = document["entries"]
    return entries


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for name in ("FINETUNE_CONTRACT_FORMAT", "FINETUNE_CONTRACT_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return _project(tmp_path)


def test_update_then_check_passes_and_a_new_bad_file_fails_alone(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    assert _check(capsys, project)[0] == 1
    status, out, _ = _check(capsys, project, "--update-baseline", "baseline.json")
    assert status == 0, out
    entries = _entries(Path("baseline.json"))
    assert sorted((e["code"], e["item"], e["path"]) for e in entries) == [
        ("FC004", "interaction[0]", "/id"),  # the cassette's job is another job
        ("FC101", "interaction[1]", "/seed"),
        ("FC106", "interaction[2]", "/hyperparameters/n_epochs"),
    ]
    assert {e["file"] for e in entries} == {"recordings/pauses.har", "recordings/jobs.yaml"}
    today = datetime.date.today().isoformat()
    assert all(e["first_seen"] == today and "expires" not in e for e in entries)

    status, out, _ = _check(capsys, project, "--baseline", "baseline.json")
    assert status == 0, out
    assert "3 known findings accepted" in out

    (project / "new.json").write_text(body(id="ftjob-9", status="sleeping"))
    status, out, _ = _check(capsys, project, "--baseline", "baseline.json")
    assert status == 1
    findings = [line for line in out.splitlines() if "[FC" in line]
    assert len(findings) == 1 and findings[0].startswith(f"{project / 'new.json'}:")
    assert "/status" in findings[0] and findings[0].endswith("[FC103]")

    document = json.loads(
        _check(capsys, project, "--baseline", "baseline.json", "--format", "json")[1]
    )
    assert document["summary"]["baseline"]["accepted"] == 3
    assert document["summary"]["invalid"] == 1


def test_expired_entries_fail_again(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _check(capsys, project, "--update-baseline", "baseline.json")
    path = Path("baseline.json")
    document = json.loads(path.read_text())
    for entry in document["entries"]:
        entry["expires"] = PAST
    path.write_text(json.dumps(document))
    status, out, _ = _check(capsys, project, "--baseline", "baseline.json")
    assert status == 1
    assert len([line for line in out.splitlines() if "[FC" in line]) == 3
    assert "3 entries expired and failing again" in out and f"(expired {PAST})" in out
    # An entry expiring today still holds.
    for entry in document["entries"]:
        entry["expires"] = datetime.date.today().isoformat()
    path.write_text(json.dumps(document))
    assert _check(capsys, project, "--baseline", "baseline.json")[0] == 0


def test_resolved_entries_are_listed_then_pruned_keeping_dates_and_reasons(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _check(capsys, project, "--update-baseline", "baseline.json")
    path = Path("baseline.json")
    document = json.loads(path.read_text())
    for entry in document["entries"]:
        entry.update(first_seen="2020-02-02", expires="2999-01-01", reason="ticket 7")
    path.write_text(json.dumps(document))
    (project / "jobs.yaml").unlink()  # its finding is resolved

    status, out, _ = _check(capsys, project, "--baseline", "baseline.json")
    assert status == 0
    assert "1 entry resolved" in out and "FC004 recordings/jobs.yaml::interaction[0] /id" in out

    status, out, _ = _check(capsys, project, "--update-baseline", "baseline.json")
    assert status == 0 and "1 resolved pruned" in out
    entries = _entries(path)
    assert [e["code"] for e in entries] == ["FC101", "FC106"]
    assert all(
        (e["first_seen"], e["expires"], e["reason"]) == ("2020-02-02", "2999-01-01", "ticket 7")
        for e in entries
    )


def _reformat_har(path: Path, indent: int | None, sort_keys: bool) -> None:
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document, indent=indent, sort_keys=sort_keys))


def _reformat_yaml(path: Path, indent: int, width: int) -> None:
    document = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(document, indent=indent, width=width, sort_keys=True))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    indent=st.one_of(st.none(), st.integers(0, 8)),
    sort_keys=st.booleans(),
    yaml_indent=st.integers(2, 9),
    width=st.integers(20, 200),
)
def test_reformatting_a_recording_keeps_its_fingerprints(
    tmp_path_factory: pytest.TempPathFactory,
    indent: int | None,
    sort_keys: bool,
    yaml_indent: int,
    width: int,
) -> None:
    root = tmp_path_factory.mktemp("reformat")
    folder = _project(root)
    baseline = root / "baseline.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert main(["check", "-q", str(folder), "--update-baseline", str(baseline)]) == 0
        before = sorted(e["fingerprint"] for e in _entries(baseline))
        _reformat_har(folder / "pauses.har", indent, sort_keys)
        _reformat_yaml(folder / "jobs.yaml", yaml_indent, width)
        assert main(["check", "-q", str(folder), "--baseline", str(baseline)]) == 0
        main(["check", "-q", str(folder), "--update-baseline", str(baseline)])
        assert sorted(e["fingerprint"] for e in _entries(baseline)) == before


def test_the_same_fingerprint_twice_accepts_two_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two required properties missing from one object: two entries, each accepting one."""
    monkeypatch.chdir(tmp_path)
    job = json.loads(body(id="ftjob-1"))
    del job["seed"], job["model"]
    Path("job.json").write_text(json.dumps(job))
    assert _check(capsys, "job.json", "--update-baseline", "b.json")[0] == 0
    entries = _entries(Path("b.json"))
    assert [e["code"] for e in entries] == ["FC102", "FC102"]
    assert len({e["fingerprint"] for e in entries}) == 2  # the missing names differ
    job.pop("status")
    Path("job.json").write_text(json.dumps(job))
    status, out, _ = _check(capsys, "job.json", "--baseline", "b.json")
    assert status == 1
    assert [line for line in out.splitlines() if "[FC" in line] == [
        'job.json:1: <root>: required property "status" is missing [FC102]'
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "b.json:1:2: not JSON"),
        ('{"version": 2, "entries": []}', 'not a baseline (expected {"version": 1'),
        ('{"version": 1, "entries": {}}', "entries: expected a list"),
        ('{"version": 1, "entries": [{"code": "FC1"}]}', "entries[0]: file: expected a string"),
    ],
)
def test_a_bad_baseline_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], project: Path, text: str, words: str
) -> None:
    Path("b.json").write_text(text)
    status, _, err = _check(capsys, project, "--baseline", "b.json")
    assert status == 2
    (line,) = err.splitlines()
    assert words in line and "Traceback" not in err


def test_a_bad_expires_date_is_named(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _check(capsys, project, "--update-baseline", "b.json")
    document = json.loads(Path("b.json").read_text())
    document["entries"][1]["expires"] = "next week"
    Path("b.json").write_text(json.dumps(document))
    status, _, err = _check(capsys, project, "--baseline", "b.json")
    assert status == 2 and "entries[1]: expires: 'next week' is not a date" in err


def test_the_configuration_names_the_baseline(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _check(capsys, project, "--update-baseline", "known.json")
    Path("pyproject.toml").write_text('[tool.finetune-contract]\nbaseline = "known.json"\n')
    status, out, _ = _check(capsys, project)
    assert status == 0 and "3 known findings accepted" in out


def test_a_request_finding_is_accepted_under_its_request_code(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    """A finding on the recorded request is a finding too: listed with its FC4NN code."""
    create = vcr("POST", f"{API}/fine_tuning/jobs", text=body(id="ftjob-5"))
    create["request"]["body"] = json.dumps(
        {"model": "gpt-4o-mini", "training_file": "file-1", "suffix": "x" * 65}
    )
    write_cassette(project / "create.yaml", [create])
    assert _check(capsys, project, "--update-baseline", "b.json")[0] == 0
    codes = sorted(e["code"] for e in _entries(Path("b.json")))
    assert "FC411" in codes and codes.count("FC411") == 1
    status, out, _ = _check(capsys, project, "--baseline", "b.json")
    assert status == 0, out
    create["request"]["body"] = json.dumps(
        {"model": "gpt-4o-mini", "training_file": "f", "seed": "x"}
    )
    write_cassette(project / "create.yaml", [create])  # another request finding: new
    status, out, _ = _check(capsys, project, "--baseline", "b.json")
    assert status == 1 and "request: " in out and "[FC4" in out
    assert "1 entry resolved" in out


# The baseline and the stale-amendments switch are settings: resolved once, in the order
# every setting is (command line, environment, pytest ini, configuration file).


def test_the_baseline_setting_follows_the_order_of_every_setting(tmp_path: Path) -> None:
    from contract.profiles import ENVIRONMENT, Choices
    from contract.profiles import settings as resolve

    (tmp_path / "pyproject.toml").write_text('[tool.finetune-contract]\nbaseline = "file.json"\n')
    env = {ENVIRONMENT["baseline"]: "env.json"}
    ini = Choices(baseline="ini.json")
    assert resolve(search_from=tmp_path, environ={}).baseline == tmp_path / "file.json"
    assert resolve(ini=ini, search_from=tmp_path, environ={}).baseline == Path("ini.json")
    assert resolve(ini=ini, search_from=tmp_path, environ=env).baseline == Path("env.json")
    said = Choices(baseline="cli.json")
    assert resolve(said, ini=ini, search_from=tmp_path, environ=env).baseline == Path("cli.json")
    (tmp_path / "pyproject.toml").unlink()
    assert resolve(search_from=tmp_path, environ={}).baseline is None


@pytest.mark.parametrize(
    ("env", "ini", "said", "stale"),
    [
        (None, None, None, False),
        (None, "true", None, True),
        ("0", "true", None, False),
        ("yes", "false", None, True),
        ("off", None, "true", True),
        ("", "true", None, True),  # set but empty: not said
    ],
)
def test_the_stale_amendments_switch_follows_the_same_order(
    tmp_path: Path, env: str | None, ini: str | None, said: str | None, stale: bool
) -> None:
    from contract.profiles import ENVIRONMENT, Choices
    from contract.profiles import settings as resolve

    environ = {} if env is None else {ENVIRONMENT["stale_amendments"]: env}
    chosen = resolve(
        Choices(stale_amendments=said),
        ini=Choices(stale_amendments=ini),
        search_from=tmp_path,
        environ=environ,
    )
    assert chosen.stale_amendments is stale


def test_a_bad_stale_amendments_variable_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINETUNE_CONTRACT_STALE_AMENDMENTS", "maybe")
    status, _, err = _check(capsys, project)
    assert status == 2
    assert "stale_amendments (environment): 'maybe' is not true or false" in err
    assert "Traceback" not in err


def test_check_reads_the_baseline_from_the_environment(
    capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(capsys, project, "--update-baseline", "known.json")
    monkeypatch.setenv("FINETUNE_CONTRACT_BASELINE", "known.json")
    status, out, _ = _check(capsys, project)
    assert status == 0 and "3 known findings accepted" in out
    monkeypatch.setenv("FINETUNE_CONTRACT_BASELINE", "missing.json")
    status, _, err = _check(capsys, project)
    assert status == 2 and "missing.json" in err


# The plugin reads the same file.


def _plugin_project(pytester: pytest.Pytester) -> Path:
    folder = _project(pytester.path)
    assert (
        main(
            ["check", "-q", str(folder), "--update-baseline", str(pytester.path / "baseline.json")]
        )
        == 0
    )
    return folder


@pytest.mark.parametrize("how", ["option", "ini", "config"])
def test_the_plugin_reads_the_same_baseline(pytester: pytest.Pytester, how: str) -> None:
    _plugin_project(pytester)
    args = ["--contract-recordings", "recordings", "-p", "no:randomly"]
    if how == "option":
        args += ["--contract-baseline", "baseline.json"]
    elif how == "ini":
        pytester.makeini("[pytest]\ncontract_baseline = baseline.json\n")
    else:
        pytester.makepyprojecttoml('[tool.finetune-contract]\nbaseline = "baseline.json"\n')
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["contract: baseline *baseline.json: 3 known findings accepted"])

    (pytester.path / "recordings" / "new.json").write_text(body(id="ftjob-9", seed="y"))
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["FAILED recordings/new.json::payload*"])


def test_the_plugin_fails_expired_entries_under_xdist(pytester: pytest.Pytester) -> None:
    _plugin_project(pytester)
    path = pytester.path / "baseline.json"
    document = json.loads(path.read_text())
    document["entries"][0]["expires"] = PAST
    path.write_text(json.dumps(document))
    (pytester.path / "recordings" / "jobs.yaml").unlink()  # the first entry (sorted) is its
    result = pytester.runpytest(
        "--contract-recordings", "recordings", "--contract-baseline", "baseline.json", "-n", "2"
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["contract: baseline: 1 entry resolved*FC004 recordings/jobs.yaml::interaction[[]0[]]*"]
    )
    document["entries"][1]["expires"] = PAST
    path.write_text(json.dumps(document))
    result = pytester.runpytest(
        "--contract-recordings",
        "recordings",
        "--contract-baseline",
        "baseline.json",
        "-n",
        "2",
        "--contract-item=file",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["contract: baseline: 1 entry expired and failing again: FC*"])
