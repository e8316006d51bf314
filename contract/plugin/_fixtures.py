"""The fixtures users' tests ask for: ``contract``, ``contract_server`` and ``fake_jobs_api``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from contract.schema.amendments import Profile
    from contract.testing.contract import Contract
    from contract.testing.fake import FakeJobsAPI
    from contract.testing.server import ContractServer
from contract.plugin._keys import (
    _secrets,
)
from contract.plugin._options import _profile_of
from contract.plugin._run import ContractRun


@pytest.fixture
def contract(pytestconfig: pytest.Config) -> Contract:
    """The contract validator: ``check_response``, ``assert_response``, ``httpx_hook()``.

    It checks under the run's settings (``--contract-profile`` and the other
    profile options, the environment, the ini file, ``[tool.finetune-contract]``)
    and says known deviations in words.
    """
    from contract.testing.contract import Contract

    run = pytestconfig.pluginmanager.get_plugin("finetune_contract_run")
    if isinstance(run, ContractRun):
        profile, strict = run.profile, run.strict
    else:
        profile, strict = _profile_of(pytestconfig)
    return Contract(secrets=_secrets(), profile=profile, strict=strict, deviations=True)


@pytest.fixture
def contract_server(pytestconfig: pytest.Config) -> Iterator[ContractServer]:
    """A started :class:`~contract.testing.server.ContractServer` on 127.0.0.1, stopped after.

    Its ``serve_conforming``/``serve_nonconforming`` draw under the run's
    profile (``--contract-profile`` and the other profile options, the
    environment, the ini file, ``[tool.finetune-contract]``) unless told one.
    """
    from contract.testing.server import ContractServer

    with ContractServer(profile=_run_profile(pytestconfig)) as server:
        yield server


@pytest.fixture
def fake_jobs_api(request: pytest.FixtureRequest) -> Iterator[FakeJobsAPI]:
    """A fresh :class:`~contract.testing.fake.FakeJobsAPI` per test (manual clock, no faults).

    Its profile is the run's (``--contract-profile``; ``published`` by
    default), or the one given by indirect parametrization
    (``@pytest.mark.parametrize("fake_jobs_api", ["observed"], indirect=True)``).
    ``.url`` serves it on 127.0.0.1 on first use; ``.transport()`` reaches it
    in process. Stopped after the test.
    """
    from contract.testing.fake import FakeJobsAPI

    profile: Profile | str | None = getattr(request, "param", None)
    with FakeJobsAPI(_run_profile(request.config) if profile is None else profile) as fake:
        yield fake


def _run_profile(config: pytest.Config) -> Profile:
    """The profile of this pytest run's settings (resolved once per session)."""
    run = config.pluginmanager.get_plugin("finetune_contract_run")
    return run.profile if isinstance(run, ContractRun) else _profile_of(config)[0]
