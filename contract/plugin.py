"""pytest plugin, registered through the ``pytest11`` entry point ``finetune_contract``.

A thin shell over the library; nothing here is needed to use it without pytest.

Options (none is on by default; without them the plugin only defines its
fixtures and imports nothing beyond the standard library):

``--contract-recordings PATH`` (repeatable; ini ``contract_recordings``)
    every recorded pause interaction under PATH becomes its own test item,
    ``<file>::interaction[i]`` (archives, cassettes), ``<file>::line[n]``
    (JSON Lines) or ``<file>::payload`` (JSON). Calls of other operations are
    counted and skipped.
``--contract-live --contract-job-id ID [--contract-base-url URL]``
    one real pause request (key from ``OPENAI_API_KEY``), checked.

Fixtures: ``contract`` (:class:`contract.checker.Contract`) and
``contract_server`` (:class:`contract.server.ContractServer`, started).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contract.checker import Contract
    from contract.recordings import Interaction
    from contract.server import ContractServer

#: Keyword on every item that checks a pause interaction (survives xdist's report transfer).
ITEM_KEYWORD = "contract_interaction"
_WORKER_OUTPUT = "finetune_contract_other"


def _secrets() -> tuple[str, ...]:
    key = os.environ.get("OPENAI_API_KEY")
    return (key,) if key else ()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finetune-contract", "contract tests of the pause operation")
    group.addoption(
        "--contract-recordings",
        action="append",
        default=[],
        metavar="PATH",
        dest="contract_recordings",
        help="check every recorded pause interaction in PATH (file or directory; "
        ".json, .jsonl, .ndjson, .har, .yaml/.yml cassettes) as its own test; repeatable",
    )
    parser.addini(
        "contract_recordings",
        type="paths",
        default=[],
        help="recording files or directories to check, like --contract-recordings",
    )
    group.addoption(
        "--contract-live",
        action="store_true",
        default=False,
        dest="contract_live",
        help="send one real pause request (needs --contract-job-id; key from OPENAI_API_KEY); "
        "pausing changes the job",
    )
    group.addoption(
        "--contract-job-id",
        metavar="ID",
        default=None,
        dest="contract_job_id",
        help="the job --contract-live pauses",
    )
    group.addoption(
        "--contract-base-url",
        metavar="URL",
        default=None,
        dest="contract_base_url",
        help="API base URL for --contract-live (default: https://api.openai.com/v1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register a :class:`ContractRun` only when an option asks for one."""
    paths = [*config.getoption("contract_recordings"), *config.getini("contract_recordings")]
    live = bool(config.getoption("contract_live"))
    if paths or live:
        config.pluginmanager.register(ContractRun(config, paths, live), "finetune_contract_run")


class ContractRun:
    """The hooks of a run that checks recordings or the live API."""

    def __init__(self, config: pytest.Config, paths: list[Any], live: bool) -> None:
        self.config = config
        self.files: set[Path] = set()
        self.job_id: str | None = None
        self.base_url = ""
        self.checked = 0
        self.other = 0
        if live:
            self._configure_live()
        if paths:
            self._configure_recordings(paths)

    def _configure_live(self) -> None:
        self.job_id = self.config.getoption("contract_job_id")
        if not self.job_id:
            raise pytest.UsageError("--contract-live needs --contract-job-id (the job to pause)")
        from contract import live

        self.base_url = self.config.getoption("contract_base_url") or live.DEFAULT_BASE_URL
        try:
            live.ensure_safe_base_url(self.base_url)
        except live.InsecureURLError as exc:
            raise pytest.UsageError(f"--contract-base-url: {exc.message}") from None

    def _configure_recordings(self, paths: list[Any]) -> None:
        from contract.recordings import RecordingError, expand

        try:
            files = [Path(f).resolve() for f in expand(paths) if f != "-"]
        except RecordingError as exc:
            raise pytest.UsageError(f"--contract-recordings: {exc}") from None
        self.files = set(files)
        # Collected like test files, so node ids, -k, --lf, -x and xdist work as usual.
        args = self.config.args
        args.extend(str(f) for f in files if str(f) not in args)

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        if file_path.resolve() in self.files:
            return RecordingFile.from_parent(parent, path=file_path, run=self)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        if self.job_id:
            name = f"contract-live[{self.job_id}]"
            # An explicit id: derived from the session it would read "::contract-live[…]".
            items.append(LiveItem.from_parent(session, name=name, nodeid=name, run=self))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: tell the controller
            workeroutput[_WORKER_OUTPUT] = self.other

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: every worker collects every file, so any one's count is the total."""
        output = getattr(node, "workeroutput", None) or {}
        self.other = max(self.other, int(output.get(_WORKER_OUTPUT, 0)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and ITEM_KEYWORD in report.keywords:
            self.checked += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or self.config.option.collectonly:
            return
        terminalreporter.write_line(
            f"contract: {_count(self.checked, 'pause interaction')} checked, "
            f"{_count(self.other, 'other interaction')} skipped"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- collection -------------------------------------------------------------------------


class ContractFailure(Exception):
    """A check failed; the message is the whole (redacted) report."""


class RecordingFile(pytest.File):
    """One recording file; its pause interactions are the items."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def collect(self) -> Iterator[pytest.Item]:
        from contract.recordings import RecordingError, read

        try:
            interactions = list(read(self.path, include_other=True, label=self.nodeid))
        except RecordingError as exc:
            raise self.CollectError(f"contract: {exc}") from None
        for interaction in interactions:
            if interaction.is_pause:
                # The id is given as a string so that pytest parses "name[i]" the
                # way it parses ids read back from its cache (--lf, --deselect).
                yield InteractionItem.from_parent(
                    self,
                    name=interaction.name,
                    nodeid=f"{self.nodeid}::{interaction.name}",
                    interaction=interaction,
                )
            else:
                self.run.other += 1


class ContractItem(pytest.Item):
    """An item checking one pause interaction; a failure shows the report, not a traceback."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keywords[ITEM_KEYWORD] = True

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ContractFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.nodeid


class InteractionItem(ContractItem):
    """One recorded pause interaction, checked against the contract."""

    def __init__(self, *, interaction: Interaction, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.interaction = interaction

    def runtest(self) -> None:
        from contract.checker import Contract

        violations = self.interaction.check()
        if violations:
            raise ContractFailure(Contract(_secrets()).report(self.interaction, violations))


class LiveItem(ContractItem):
    """One real pause request (``--contract-live``)."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def runtest(self) -> None:
        from contract import live
        from contract.checker import Contract
        from contract.redact import redact

        job_id, base_url, secrets = self.run.job_id or "", self.run.base_url, _secrets()
        try:
            result = live.check(job_id, api_key=os.environ.get("OPENAI_API_KEY"), base_url=base_url)
        except live.LiveError as exc:
            message = (
                f"live pause of {job_id} at {base_url} failed: {exc.kind}: {exc.message}\n"
                "(not a contract violation: there was no pause response to check)"
            )
            raise ContractFailure(redact(message, secrets)) from None
        if result.violations:
            raise ContractFailure(Contract(secrets).report(result.interaction, result.violations))


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def contract() -> Contract:
    """The contract validator: ``check_response``, ``assert_response``, ``httpx_hook()``."""
    from contract.checker import Contract

    return Contract(secrets=_secrets())


@pytest.fixture
def contract_server() -> Iterator[ContractServer]:
    """A started :class:`~contract.server.ContractServer` on 127.0.0.1, stopped after the test."""
    from contract.server import ContractServer

    with ContractServer() as server:
        yield server
