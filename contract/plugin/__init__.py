"""pytest plugin, registered through the ``pytest11`` entry point ``finetune_contract``.

A thin shell over the library; nothing here is needed to use it without pytest.

Options (none is on by default; without them the plugin only defines its
fixtures and imports nothing beyond the standard library):

``--contract-recordings PATH`` (repeatable; ini ``contract_recordings``)
    every recorded response of a fine-tuning jobs operation (create, list,
    retrieve, cancel, resume, pause) and every bare payload under PATH
    becomes its own test item, ``<file>::interaction[i]`` (recorders' files),
    ``<file>::entry[i]`` (test-proxy session records), ``<file>::line[n]``
    (JSON Lines) or ``<file>::payload`` (JSON). Calls of other APIs are
    counted and skipped; an API error response is counted and passes unless
    ``--contract-fail-api-errors``; a file that cannot be read is one failing
    item, ``<file>::recording``.
``--contract-item=file`` (ini ``contract_item = file``)
    one item per recording file, ``<file>::recording``, checking all its
    responses (a failure lists each failing one): for very large corpora, where
    pytest's own cost per item dominates and ``-n`` needs fewer, larger items.
``--contract-live --contract-job-id ID [--contract-base-url URL]``
    one real pause request (key from ``OPENAI_API_KEY``), checked.
``--contract-profile NAME``, ``--contract-amend NAME``, ``--contract-no-amend NAME``,
``--contract-config FILE``, ``--contract-strict[=fail]`` (ini ``contract_profile``,
``contract_amend``, ``contract_no_amend``, ``contract_config``, ``contract_strict``)
    which known deviations recordings may show (see :mod:`contract.profiles`);
    without ``--contract-config`` the ``[tool.finetune-contract]`` table of
    the rootdir's ``pyproject.toml`` is read. The terminal summary says which
    amendments the recordings needed and which enabled ones none did.

Fixtures: ``contract`` (:class:`contract.testing.contract.Contract`),
``contract_server`` (:class:`contract.testing.server.ContractServer`, started) and
``fake_jobs_api`` (:class:`contract.testing.fake.FakeJobsAPI`, fresh per test).
"""

from __future__ import annotations

from contract.plugin._fixtures import contract, contract_server, fake_jobs_api
from contract.plugin._items import (
    HIDDEN_LOCALS,
    ContractFailure,
    ContractItem,
    FileItem,
    InteractionItem,
    LiveItem,
    RecordingFile,
    UnreadableItem,
)
from contract.plugin._keys import (
    BATCH,
    DEVIATIONS,
    ITEM_KEYWORD,
    JOBS,
    NEEDED,
    OBSERVED,
    UNKNOWN,
    VERDICT,
)
from contract.plugin._options import pytest_addoption
from contract.plugin._run import ContractRun, pytest_configure

__all__ = [
    "BATCH",
    "DEVIATIONS",
    "HIDDEN_LOCALS",
    "ITEM_KEYWORD",
    "JOBS",
    "NEEDED",
    "OBSERVED",
    "UNKNOWN",
    "VERDICT",
    "ContractFailure",
    "ContractItem",
    "ContractRun",
    "FileItem",
    "InteractionItem",
    "LiveItem",
    "RecordingFile",
    "UnreadableItem",
    "contract",
    "contract_server",
    "fake_jobs_api",
    "pytest_addoption",
    "pytest_configure",
]
