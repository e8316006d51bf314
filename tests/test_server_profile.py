"""ContractServer and the ``contract_server`` fixture draw under the run's settings.

Under ``observed`` a conforming pause answer may be one only ``observed``
accepts (``"status": "paused"``, ``"error": {}``...); under ``published`` no
drawn payload is ever invalid under ``published``. The :class:`FirstInvalid`
stand-in for Hypothesis's ``data`` searches the server's own strategy for a
payload ``published`` rejects, so which profile the server drew under shows
deterministically, whatever the seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, find, settings
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

import contract
from contract import profiles
from contract.testing.server import ContractServer


def pyproject(folder: Path, profile: str) -> None:
    (folder / "pyproject.toml").write_text(f'[tool.finetune-contract]\nprofile = "{profile}"\n')


class FirstInvalid:
    """Draws the first payload of a strategy that ``published`` rejects (NoSuchExample if none)."""

    def draw(self, strategy: SearchStrategy[Any], label: str | None = None) -> Any:
        return find(
            strategy,
            lambda payload: not contract.is_valid(payload, profile="published"),
            settings=settings(max_examples=150, database=None, phases=[Phase.generate]),
        )


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in profiles.ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


# -- the library object ---------------------------------------------------------------------


def test_the_default_profile_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert ContractServer().profile.name == "published"  # no source says one
    pyproject(tmp_path, "observed")
    assert ContractServer().profile.name == "observed"
    assert ContractServer(profile="published").profile.name == "published"  # given wins
    monkeypatch.setenv(profiles.ENVIRONMENT["profile"], "azure")
    assert ContractServer().profile.name == "azure"  # the environment beats the file
    chosen = profiles.resolve("observed", no_amend=["status-paused"])
    assert ContractServer(profile=chosen).profile is chosen


def test_serve_conforming_draws_under_the_servers_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, "observed")
    server = ContractServer()  # not started: serving only queues
    payload = server.serve_conforming(FirstInvalid())  # type: ignore[arg-type]
    assert contract.is_valid(payload, profile="observed")
    assert not contract.is_valid(payload, profile="published")
    assert server.pending == 1
    with pytest.raises(NoSuchExample):  # a profile named in the call still wins
        server.serve_conforming(FirstInvalid(), profile="published")  # type: ignore[arg-type]
    with pytest.raises(NoSuchExample):
        ContractServer(profile="published").serve_conforming(FirstInvalid())  # type: ignore[arg-type]


# -- the fixture, with the profile said only in pyproject.toml -------------------------------

FIXTURE_TEST = """
import httpx
import pytest
from hypothesis import Phase, find, given, settings, strategies as st
from hypothesis.errors import NoSuchExample

import contract as fc

PROFILE = {profile!r}


class FirstInvalid:
    def draw(self, strategy, label=None):
        return find(
            strategy,
            lambda payload: not fc.is_valid(payload, profile="published"),
            settings=settings(max_examples=150, database=None, phases=[Phase.generate]),
        )


def _pause(server, job_id):
    return httpx.post(server.pause_url(job_id))


def test_a_payload_only_observed_accepts(contract, contract_server):
    assert contract_server.profile.name == PROFILE
    if PROFILE == "published":
        with pytest.raises(NoSuchExample):
            contract_server.serve_conforming(FirstInvalid())
        return
    payload = contract_server.serve_conforming(FirstInvalid())
    response = _pause(contract_server, payload["id"])
    assert response.json() == payload
    args = (response.status_code, response.headers, response.content, payload["id"])
    assert contract.check_response(*args) == []
    assert fc.Contract(profile="published").check_response(*args)


def test_every_served_payload_passes_the_run_profile(contract, contract_server):
    @settings(max_examples=20, deadline=None, database=None)
    @given(data=st.data())
    def served(data):
        payload = contract_server.serve_conforming(data)
        response = _pause(contract_server, payload["id"])
        contract.assert_response(
            response.status_code, response.headers, response.content, payload["id"]
        )

    served()


def test_every_served_mutant_fails_the_run_profile(contract, contract_server):
    @settings(max_examples=20, deadline=None, database=None)
    @given(data=st.data())
    def caught(data):
        mutant = contract_server.serve_nonconforming(data)
        response = _pause(contract_server, "ftjob-any")
        found = contract.check_response(response.status_code, response.headers, response.content)
        assert found, mutant.description

    caught()
"""


@pytest.mark.parametrize("profile", ["observed", "published"])
def test_the_fixture_serves_under_the_profile_of_pyproject(
    pytester: pytest.Pytester, profile: str
) -> None:
    pyproject(pytester.path, profile)
    pytester.makepyfile(test_served=FIXTURE_TEST.format(profile=profile))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_the_fixture_follows_the_command_line_over_pyproject(pytester: pytest.Pytester) -> None:
    pyproject(pytester.path, "published")
    pytester.makepyfile(test_served=FIXTURE_TEST.format(profile="observed"))
    result = pytester.runpytest("--contract-profile=observed")
    result.assert_outcomes(passed=3)
