"""One configuration: every entry point judges under the settings, whatever their source.

A pause answered 200 with ``"status": "paused"`` (and otherwise conforming) is
valid under ``observed`` and invalid under ``published``. With the profile
said only in ``pyproject.toml`` (or only in the environment, the ini file, a
``--config`` file or on the command line), each entry point must judge it
under that profile, and each must fail it under ``published``.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

import contract
from contract import profiles
from contract.cli import main
from contract.profiles import Choices, settings
from contract.schema.amendments import AmendmentError
from contract.testing import live
from tests.helpers import minimal_job
from tests.recording_builders import pause_url, vcr_interaction, write_cassette

JOB = "ftjob-abc123"
PAUSED = json.dumps(minimal_job(status="paused"))
HEADERS = {"Content-Type": "application/json"}
VERDICTS = [("observed", True), ("published", False)]


def pyproject(folder: Path, profile: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f'[tool.finetune-contract]\nprofile = "{profile}"\n')
    return path


def cassette(folder: Path) -> Path:
    return write_cassette(
        folder / "pause.yaml", [vcr_interaction("POST", pause_url(JOB), 200, PAUSED)]
    )


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in profiles.ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


# -- the resolution order ---------------------------------------------------------------


def test_defaults_without_any_source(tmp_path: Path) -> None:
    chosen = settings(search_from=tmp_path, environ={})
    assert chosen.profile.name == "published"
    assert chosen.strict == "off"
    assert chosen.config is None


def test_each_source_alone_is_read(tmp_path: Path) -> None:
    pyproject(tmp_path, "observed")
    assert settings(search_from=tmp_path, environ={}).profile.name == "observed"
    other = tmp_path / "other"
    other.mkdir()
    env = {profiles.ENVIRONMENT["profile"]: "azure"}
    assert settings(search_from=other, environ=env).profile.name == "azure"
    ini = Choices(profile="azure")
    assert settings(ini=ini, search_from=other, environ={}).profile.name == "azure"
    assert settings(Choices(profile="azure"), search_from=other, environ={}).profile.name == "azure"


def test_command_line_beats_environment_beats_ini_beats_file(tmp_path: Path) -> None:
    pyproject(tmp_path, "published")
    env = {profiles.ENVIRONMENT["profile"]: "azure"}
    ini = Choices(profile="published")
    assert settings(ini=ini, search_from=tmp_path, environ={}).profile.name == "published"
    stronger_ini = settings(ini=Choices(profile="observed"), search_from=tmp_path, environ={})
    assert stronger_ini.profile.name == "observed"
    assert settings(ini=ini, search_from=tmp_path, environ=env).profile.name == "azure"
    both = settings(Choices(profile="observed"), ini=ini, search_from=tmp_path, environ=env)
    assert both.profile.name == "observed"
    assert dict(both.sources)["profile"] == "command line"


def test_a_stronger_source_switches_an_amendment_back(tmp_path: Path) -> None:
    env = {profiles.ENVIRONMENT["no_amend"]: "status-paused"}
    off = settings(Choices(profile="observed"), search_from=tmp_path, environ=env)
    assert not off.profile.holds("status-paused")
    on = settings(
        Choices(profile="observed", amend=("status-paused",)), search_from=tmp_path, environ=env
    )
    assert on.profile.holds("status-paused")


def test_config_named_in_the_environment_is_read(tmp_path: Path) -> None:
    config = tmp_path / "contract.toml"
    config.write_text('profile = "observed"\nstrict = "warn"\n')
    chosen = settings(
        search_from=tmp_path, environ={profiles.ENVIRONMENT["config"]: str(config)}
    )
    assert (chosen.profile.name, chosen.strict) == ("observed", "warn")


def test_a_bad_strict_mode_names_its_source(tmp_path: Path) -> None:
    with pytest.raises(AmendmentError, match=r"strict \(environment\): 'loud'"):
        settings(search_from=tmp_path, environ={profiles.ENVIRONMENT["strict"]: "loud"})


# -- the CLI --------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
@pytest.mark.parametrize("source", ["pyproject", "config", "environment", "option"])
def test_cli_check_judges_under_the_settings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
    profile: str,
    valid: bool,
) -> None:
    recording = cassette(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["check", str(recording)]
    if source == "pyproject":
        pyproject(tmp_path, profile)
    elif source == "config":
        (tmp_path / "c.toml").write_text(f'profile = "{profile}"\n')
        args += ["--config", "c.toml"]
    elif source == "environment":
        monkeypatch.setenv(profiles.ENVIRONMENT["profile"], profile)
    else:
        args += ["--profile", profile]
    status = main(args)
    out = capsys.readouterr().out
    assert status == (0 if valid else 1), out
    assert ("1 payload: 1 valid, 0 invalid" in out) is valid, out


# -- the plugin -------------------------------------------------------------------------

FIXTURE_TEST = f"""
import json

BODY = {PAUSED!r}


def test_pause_answer(contract):
    contract.assert_response(200, {{"Content-Type": "application/json"}}, BODY, "{JOB}")
"""


def _configure(pytester: pytest.Pytester, source: str, profile: str) -> list[str]:
    if source == "pyproject":
        pyproject(pytester.path, profile)
    elif source == "ini":
        pytester.makeini(f"[pytest]\ncontract_profile = {profile}\n")
    elif source == "environment":
        pytester._monkeypatch.setenv(profiles.ENVIRONMENT["profile"], profile)
    else:
        return [f"--contract-profile={profile}"]
    return []


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
@pytest.mark.parametrize("source", ["pyproject", "ini", "environment", "option"])
def test_recording_items_judge_under_the_settings(
    pytester: pytest.Pytester, source: str, profile: str, valid: bool
) -> None:
    recording = cassette(pytester.path)
    args = _configure(pytester, source, profile)
    result = pytester.runpytest(f"--contract-recordings={recording}", *args)
    result.assert_outcomes(passed=1) if valid else result.assert_outcomes(failed=1)


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
@pytest.mark.parametrize("source", ["pyproject", "ini", "environment", "option"])
def test_contract_fixture_judges_under_the_settings(
    pytester: pytest.Pytester, source: str, profile: str, valid: bool
) -> None:
    pytester.makepyfile(test_fixture=FIXTURE_TEST)
    args = _configure(pytester, source, profile)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1) if valid else result.assert_outcomes(failed=1)


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
@pytest.mark.parametrize("source", ["pyproject", "ini", "environment"])
def test_live_item_judges_under_the_settings(
    pytester: pytest.Pytester, httpserver: HTTPServer, source: str, profile: str, valid: bool
) -> None:
    httpserver.expect_request(f"/v1/fine_tuning/jobs/{JOB}/pause", method="POST").respond_with_data(
        PAUSED, status=200, headers=HEADERS
    )
    args = _configure(pytester, source, profile)
    pytester._monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-SETTINGSlive0123456789abcdef")
    result = pytester.runpytest(
        "--contract-live",
        f"--contract-job-id={JOB}",
        f"--contract-base-url={httpserver.url_for('/v1')}",
        *args,
    )
    result.assert_outcomes(passed=1) if valid else result.assert_outcomes(failed=1)


# -- the library objects: the httpx hook and the live check ---------------------------------


def _pause_transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, headers=HEADERS, text=PAUSED))


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
@pytest.mark.parametrize("source", ["pyproject", "environment"])
def test_httpx_hook_judges_under_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, profile: str, valid: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    if source == "pyproject":
        pyproject(tmp_path, profile)
    else:
        monkeypatch.setenv(profiles.ENVIRONMENT["profile"], profile)
    hook = contract.httpx_hook(raise_on_violation=False)
    with httpx.Client(transport=_pause_transport(), event_hooks={"response": [hook]}) as client:
        client.post(pause_url(JOB))
    assert hook.checked == 1
    assert (hook.findings == []) is valid


def test_an_explicit_profile_beats_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, "observed")
    assert contract.Contract().check_response(200, HEADERS, PAUSED, JOB) == []
    assert contract.Contract(profile="published").check_response(200, HEADERS, PAUSED, JOB)


@pytest.mark.parametrize(("profile", "valid"), VERDICTS)
def test_live_check_judges_under_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str, valid: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, profile)
    result = live.check(
        JOB,
        api_key="sk-proj-SETTINGSlive0123456789abcdef",
        base_url="http://127.0.0.1:9/v1",
        transport=_pause_transport(),
    )
    assert (result.violations == []) is valid


# -- the fuzzers --------------------------------------------------------------------------

REJECT_PAUSED = textwrap.dedent(
    """
    import json, sys
    for line in sys.stdin:
        payload = json.loads(line)
        paused = isinstance(payload, dict) and payload.get("status") == "paused"
        print(json.dumps({"ok": not paused, "error": "unknown status"}), flush=True)
    """
)


@pytest.mark.parametrize(("profile", "paused_conforms"), VERDICTS)
def test_fuzz_exec_draws_under_the_settings(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    profile: str,
    paused_conforms: bool,
) -> None:
    """A parser that rejects ``"paused"`` is only wrong where ``"paused"`` conforms."""
    parser = tmp_path / "parser.py"
    parser.write_text(REJECT_PAUSED)
    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, profile)
    status = main(
        [
            "fuzz",
            "--exec",
            f"{sys.executable} {parser}",
            "--protocol",
            "jsonl",
            "--mode",
            "tolerant",
            "-n",
            "120",
            "--seed",
            "3",
            "--no-shrink",
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    rejected = [f for f in report["findings"] if f["kind"] == "rejected-conforming"]
    if paused_conforms:
        assert status == 1
        assert rejected and all(f["payload"]["status"] == "paused" for f in rejected)
    else:
        assert status == 0, report["findings"]
        assert rejected == []


@pytest.mark.parametrize(("profile", "paused_conforms"), VERDICTS)
def test_check_parser_draws_under_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str, paused_conforms: bool
) -> None:
    def parse(payload: object) -> object:
        if isinstance(payload, dict) and payload.get("status") == "paused":
            raise ValueError("unknown status")
        return payload

    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, profile)
    report = contract.fuzz.check_parser(
        parse, mode="tolerant", max_examples=120, seed=3, shrink_time=0, timeout=None
    )
    kinds = {f.kind for f in report.findings}
    assert ("rejected-conforming" in kinds) is paused_conforms


def test_settings_order_is_documented_once_in_the_cli_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for variable in profiles.ENVIRONMENT.values():
        assert variable.removeprefix("FINETUNE_CONTRACT") in text
    assert os.path.basename("pyproject.toml") in text
