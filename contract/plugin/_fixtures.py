"""The fixtures users' tests ask for: ``contract`` and ``contract_server``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from contract.testing.contract import Contract
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
def contract_server() -> Iterator[ContractServer]:
    """A started :class:`~contract.testing.server.ContractServer` on 127.0.0.1, stopped after.

    Stopped after the test.
    """
    from contract.testing.server import ContractServer

    with ContractServer() as server:
        yield server
