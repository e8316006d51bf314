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
    from contract.amendments.model import Profile
    from contract.checker import Contract
    from contract.config import Strict
    from contract.recordings import Interaction
    from contract.server import ContractServer
    from contract.traffic import TrafficCoverage

#: Keyword on every item that checks a recorded or live response (survives xdist's transfer).
ITEM_KEYWORD = "contract_interaction"
#: ``user_properties`` key holding an item's verdict: valid, invalid, api-error, unreadable.
VERDICT = "contract_verdict"
#: ``user_properties`` key holding how many jobs the checked body held.
JOBS = "contract_jobs"
#: ``user_properties`` key holding what the body exercised (``--contract-coverage``).
OBSERVED = "contract_observed"
#: ``user_properties`` keys: the profile's amendments the body needed, the known deviations
#: outside the profile it showed, and its unknown properties (strict mode).
NEEDED, DEVIATIONS, UNKNOWN = "contract_needed", "contract_deviations", "contract_unknown"
_MAX_WARNINGS = 20
_WORKER_OUTPUT = "finetune_contract_collection"
#: ``user_properties`` key of a file item: each checked response's (nodeid, properties),
#: its other recorded calls, and whether nothing in it was checked.
BATCH = "contract_batch"
_MAX_FAILURES_SHOWN = 20


def _secrets() -> tuple[str, ...]:
    """The API key from the environment, as a :class:`~contract.redact.Secret` (masked repr)."""
    from contract.redact import secret

    key = secret(os.environ.get("OPENAI_API_KEY"))
    return (key,) if key else ()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finetune-contract", "contract tests of the fine-tuning jobs API")
    group.addoption(
        "--contract-recordings",
        action="append",
        default=[],
        metavar="PATH",
        dest="contract_recordings",
        help="check every recorded fine-tuning jobs response and payload in PATH (file or "
        "directory; HAR, VCR cassettes of vcrpy/Ruby/go-vcr/Betamax/Schemathesis, test-proxy "
        "session records, nock, .json, .jsonl, any of them .gz) as its own test; repeatable",
    )
    parser.addini(
        "contract_recordings",
        type="paths",
        default=[],
        help="recording files or directories to check, like --contract-recordings",
    )
    group.addoption(
        "--contract-fail-api-errors",
        action="store_true",
        default=False,
        dest="contract_fail_api_errors",
        help="fail recorded API error responses (undocumented statuses) instead of counting them",
    )
    parser.addini(
        "contract_fail_api_errors",
        type="bool",
        default=False,
        help="like --contract-fail-api-errors",
    )
    group.addoption(
        "--contract-coverage",
        action="store_true",
        default=False,
        dest="contract_coverage",
        help="add traffic coverage to the summary: the operations, statuses, methods, graders, "
        "enum values, null and absent cases the recordings exercised, and those they never did",
    )
    parser.addini("contract_coverage", type="bool", default=False, help="like --contract-coverage")
    group.addoption(
        "--contract-profile",
        metavar="NAME",
        default=None,
        dest="contract_profile",
        help="profile recordings are checked under: published (default), observed (the OpenAI "
        "API as it answers), azure, or one of the configuration file",
    )
    parser.addini("contract_profile", type="string", default="", help="like --contract-profile")
    group.addoption(
        "--contract-amend",
        action="append",
        default=[],
        metavar="NAME",
        dest="contract_amend",
        help="also accept this amendment; repeatable",
    )
    parser.addini("contract_amend", type="linelist", default=[], help="like --contract-amend")
    group.addoption(
        "--contract-no-amend",
        action="append",
        default=[],
        metavar="NAME",
        dest="contract_no_amend",
        help="do not accept this amendment of the profile; repeatable",
    )
    parser.addini("contract_no_amend", type="linelist", default=[], help="like --contract-no-amend")
    group.addoption(
        "--contract-config",
        metavar="FILE",
        default=None,
        dest="contract_config",
        help="amendments and profiles file (TOML or JSON; default: [tool.finetune-contract] "
        "of the rootdir's pyproject.toml)",
    )
    parser.addini("contract_config", type="string", default="", help="like --contract-config")
    # Two spellings rather than an optional value, so a following path is never read as it.
    group.addoption(
        "--contract-strict",
        action="store_const",
        const="warn",
        default=None,
        dest="contract_strict",
        help="list unknown properties (allowed by the contract) in the summary",
    )
    group.addoption(
        "--contract-strict=fail",
        action="store_const",
        const="fail",
        dest="contract_strict",
        help="make unknown properties failures",
    )
    parser.addini("contract_strict", type="string", default="", help="like --contract-strict")
    group.addoption(
        "--contract-item",
        choices=("interaction", "file"),
        default=None,
        dest="contract_item",
        help="what a test item is: each recorded response (interaction, the default) or each "
        "recording file (file: fewer items for very large corpora, and -n then pays off)",
    )
    parser.addini("contract_item", default="interaction", help="like --contract-item")
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


def _profile_of(config: pytest.Config) -> tuple[Profile, Strict]:
    """The profile and strict mode the options and ini values ask for."""
    from contract.amendments.model import AmendmentError
    from contract.profiles import for_run

    strict = config.getoption("contract_strict") or config.getini("contract_strict") or None
    if strict not in (None, "off", "warn", "fail"):
        raise pytest.UsageError(f"contract_strict: {strict!r} is not one of off, warn, fail")
    try:
        return for_run(
            config.getoption("contract_profile") or config.getini("contract_profile") or None,
            amend=[*config.getini("contract_amend"), *config.getoption("contract_amend")],
            no_amend=[*config.getini("contract_no_amend"), *config.getoption("contract_no_amend")],
            config_file=config.getoption("contract_config")
            or config.getini("contract_config")
            or None,
            search_from=config.rootpath,
            strict=strict,
        )
    except AmendmentError as exc:
        raise pytest.UsageError(f"finetune-contract: {exc}") from None


def _is_within(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


class ContractRun:
    """The hooks of a run that checks recordings or the live API."""

    def __init__(self, config: pytest.Config, paths: list[Any], live: bool) -> None:
        self.config = config
        self.files: set[Path] = set()
        self.job_id: str | None = None
        self.base_url = ""
        self.fail_api_errors = bool(
            config.getoption("contract_fail_api_errors")
            or config.getini("contract_fail_api_errors")
        )
        #: Recorded calls of other APIs, and files in which nothing was checked.
        self.other = 0
        self.empty: dict[str, int] = {}
        self.verdicts: dict[str, int] = {}
        self.jobs = 0
        self.per_file = (
            config.getoption("contract_item") or config.getini("contract_item")
        ) == "file"
        self.coverage: TrafficCoverage | None = None
        if config.getoption("contract_coverage") or config.getini("contract_coverage"):
            from contract.traffic import TrafficCoverage

            self.coverage = TrafficCoverage()
        self._configure_profile()
        self.unknown: list[str] = []
        if live:
            self._configure_live()
        if paths:
            self._configure_recordings(paths)

    def _configure_profile(self) -> None:
        from contract.amendments.deviations import Usage

        self.profile, self.strict = _profile_of(self.config)
        self.usage = Usage(self.profile)

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

        roots: list[Path] = []
        for path in paths:
            try:
                found = [Path(f).resolve() for f in expand([path]) if f != "-"]
            except RecordingError as exc:
                raise pytest.UsageError(f"--contract-recordings: {exc}") from None
            self.files.update(found)
            root = Path(path).resolve()
            # A file whose name holds "::" cannot be a command-line argument: collect its folder.
            roots.append(root.parent if "::" in root.name else root)
        # Collected like test files (node ids, -k, --lf, -x and xdist work as usual). Only the
        # roots are added, not every file: pytest then walks each folder once, so collection
        # stays linear in the number of files. A root already under an argument is not added,
        # nor one an argument narrows (a node id of one of its recordings, pasted back).
        args = self.config.args
        given = [Path(a.split("::", 1)[0]).resolve() for a in args]
        for root in roots:
            if not any(_is_within(root, arg) or _is_within(arg, root) for arg in given):
                args.append(str(root))
                given.append(root)

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
            workeroutput[_WORKER_OUTPUT] = {"other": self.other, "empty": self.empty}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: every worker collects every file, so any one's count is the total."""
        output = (getattr(node, "workeroutput", None) or {}).get(_WORKER_OUTPUT) or {}
        self.other = max(self.other, int(output.get("other", 0)))
        self.empty.update(output.get("empty", {}))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        properties = dict(report.user_properties)
        batch: Any = properties.get(BATCH)
        if batch is not None:  # a file item: account for each response it checked
            responses, other, empty = batch
            self.other += int(other)
            if empty:
                self.empty[report.nodeid.rsplit("::", 1)[0]] = int(other)
            for nodeid, sub in responses:
                self.pytest_runtest_logreport(_Checked(nodeid, sub))  # type: ignore[arg-type]
        verdict = properties.get(VERDICT)
        if verdict is not None:
            self.verdicts[str(verdict)] = self.verdicts.get(str(verdict), 0) + 1
            jobs = properties.get(JOBS, 0)
            self.jobs += jobs if isinstance(jobs, int) else 0
        if self.coverage is not None and OBSERVED in properties:
            from contract.traffic import Observation

            observed: Any = properties[OBSERVED]
            self.coverage.add(Observation.from_list(list(observed)))
        if NEEDED in properties or DEVIATIONS in properties:
            self.usage.add(_Found(properties.get(NEEDED, ()), properties.get(DEVIATIONS, ())))
        unknown: Any = properties.get(UNKNOWN, ())
        self.unknown.extend(f"{report.nodeid}: {line}" for line in unknown)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or self.config.option.collectonly:
            return
        from contract.report import plural

        counts = self.verdicts
        checked = sum(counts.get(v, 0) for v in ("valid", "invalid", "api-error"))
        line = f"contract: {plural(checked, 'response')} checked"
        if self.jobs > checked:  # pages of jobs were among them
            line += f" ({plural(self.jobs, 'job')})"
        line += f": {counts.get('valid', 0)} valid, {counts.get('invalid', 0)} invalid"
        if counts.get("api-error"):
            line += f", {plural(counts['api-error'], 'API error response')}"
        line += f"; {plural(self.other, 'other interaction')} skipped"
        if counts.get("unreadable"):
            line += f"; {plural(counts['unreadable'], 'unreadable recording')}"
        terminalreporter.write_line(line)
        for name, skipped in sorted(self.empty.items()):
            terminalreporter.write_line(
                f"contract: warning: {name}: nothing checked "
                f"(no fine-tuning jobs call; {plural(skipped, 'other interaction')} skipped)",
                yellow=True,
            )
        self._amendment_summary(terminalreporter)
        if self.coverage is not None:
            for line in self.coverage.lines():
                terminalreporter.write_line(f"contract: {line}")

    def _amendment_summary(self, terminalreporter: Any) -> None:
        from contract._terminal import escape

        if self.profile.amendments or self.usage.deviations:
            for line in self.usage.lines():
                terminalreporter.write_line(f"contract: {line}")
        for line in self.unknown[:_MAX_WARNINGS]:
            terminalreporter.write_line(f"contract: warning: {escape(line)}", yellow=True)
        if len(self.unknown) > _MAX_WARNINGS:
            more = len(self.unknown) - _MAX_WARNINGS
            terminalreporter.write_line(f"contract: … and {more} more unknown properties")


class _Found:
    """What the usage accounting reads of one item's properties."""

    def __init__(self, needed: Any, deviations: Any) -> None:
        self.needed = tuple(str(n) for n in needed)
        self.deviations = tuple(str(d) for d in deviations)


# -- collection -------------------------------------------------------------------------


class ContractFailure(Exception):
    """A check failed; the message is the whole (redacted) report."""


class RecordingFile(pytest.File):
    """One recording file; its jobs interactions and payloads are the items."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """A reader that crashed: its frames hold the file's raw text and headers."""
        return _failure_text(self, excinfo, style)

    def collect(self) -> Iterator[pytest.Item]:
        from contract.recordings import RecordingError, read

        if self.run.per_file:
            yield FileItem.from_parent(self, name="recording", run=self.run)
            return
        checked = other = 0
        try:
            interactions = list(read(self.path, include_other=True, label=self.nodeid))
        except RecordingError as exc:
            yield UnreadableItem.from_parent(self, name="recording", reason=str(exc))
            return
        for interaction in interactions:
            if interaction.to_check:
                checked += 1
                # The id is given as a string so that pytest parses "name[i]" the
                # way it parses ids read back from its cache (--lf, --deselect).
                yield InteractionItem.from_parent(
                    self,
                    name=interaction.name,
                    nodeid=f"{self.nodeid}::{interaction.name}",
                    interaction=interaction,
                    run=self.run,
                )
            else:
                other += 1
        self.run.other += other
        if not checked:
            self.run.empty[self.nodeid] = other


#: Closes the rendering of a crash in a contract item.
HIDDEN_LOCALS = "(arguments and local variables not shown: they hold recorded headers and bodies)"


def _failure_text(
    item: pytest.Item | pytest.Collector,
    excinfo: pytest.ExceptionInfo[BaseException],
    style: Any,
) -> str:
    """What ``item`` (or a recording file that crashed while collected) shows for a
    failure: the report, or the crash's traceback redacted.

    The frames of a crash hold recorded headers, bodies and the API key, and pytest
    cuts and wraps the reprs of arguments and locals (``-l``) so that no rule could
    find a key in what is left: they are left out. The exception, the source lines and
    the chain are shown from this module's frame on (everything with ``--fulltrace``),
    redacted and escaped.
    """
    if isinstance(excinfo.value, ContractFailure):
        return str(excinfo.value)
    from contract.redact import clip, for_terminal

    config, secrets = item.config, _secrets()
    fulltrace = bool(config.getoption("fulltrace", False))
    if not fulltrace:  # pytest's own frames (its runner) say nothing about this failure
        excinfo.traceback = excinfo.traceback.cut(path=Path(__file__))
    tbstyle = config.getoption("tbstyle", "auto")
    chosen: Any = style or (tbstyle if tbstyle in ("short", "native") else "long")
    rendered = excinfo.getrepr(
        funcargs=False,
        showlocals=False,
        style="long" if fulltrace else chosen,
        tbfilter=not fulltrace,
    )
    # The exception first: the line pytest's short summary and JUnit's message show.
    crash = clip(excinfo.exconly(), 200, secrets, squeeze=True)
    shown = for_terminal(str(rendered), secrets, multiline=True)
    return f"{crash}\n{shown}\n{HIDDEN_LOCALS}"


class ContractItem(pytest.Item):
    """An item checking one response; a failure shows the report, not a traceback."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keywords[ITEM_KEYWORD] = True

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        return _failure_text(self, excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name


class _Checked:
    """One response of a file item, as :meth:`ContractRun.pytest_runtest_logreport` reads it."""

    when = "call"

    def __init__(self, nodeid: str, properties: Any) -> None:
        self.nodeid = nodeid
        self.user_properties = [tuple(p) for p in properties]


class FileItem(pytest.Item):
    """Every response of one recording file (``--contract-item=file``): one item, one report."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keywords[ITEM_KEYWORD] = True
        self.run = run

    def runtest(self) -> None:
        from contract.recordings import RecordingError, read
        from contract.redact import redact

        parent = self.parent
        assert parent is not None
        responses: list[tuple[str, list[tuple[str, Any]]]] = []
        failures: list[str] = []
        other = 0
        try:
            for interaction in read(self.path, include_other=True, label=parent.nodeid):
                if not interaction.to_check:
                    other += 1
                    continue
                nodeid = f"{parent.nodeid}::{interaction.name}"
                item = InteractionItem.from_parent(
                    parent,
                    name=interaction.name,
                    nodeid=nodeid,
                    interaction=interaction,
                    run=self.run,
                )
                try:
                    item.runtest()
                except ContractFailure as exc:
                    failures.append(str(exc))
                responses.append((nodeid, item.user_properties))
        except RecordingError as exc:
            self.user_properties.append((VERDICT, "unreadable"))
            reason = redact(str(exc), _secrets())
            raise ContractFailure(f"contract: unreadable recording: {reason}") from None
        self.user_properties.append((BATCH, (responses, other, not responses)))
        if failures:
            shown = failures[:_MAX_FAILURES_SHOWN]
            if len(failures) > len(shown):
                shown.append(f"… and {len(failures) - len(shown)} more failing responses")
            head = f"{len(failures)} of {len(responses)} responses failed:"
            raise ContractFailure("\n\n".join([head, *shown]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        return _failure_text(self, excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name


class UnreadableItem(ContractItem):
    """A recording that cannot be read: one failing item with the one-line reason."""

    def __init__(self, *, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self) -> None:
        from contract.redact import redact

        self.user_properties.append((VERDICT, "unreadable"))
        raise ContractFailure(f"contract: unreadable recording: {redact(self.reason, _secrets())}")


class InteractionItem(ContractItem):
    """One recorded response or payload, checked against the contract."""

    def __init__(self, *, interaction: Interaction, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.interaction = interaction
        self.run = run

    def runtest(self) -> None:
        from contract.checker import Contract
        from contract.redact import redact

        run = self.run
        found = self.interaction.assess(profile=run.profile, strict=run.strict, deviations=True)
        verdict = "invalid" if found.violations else "api-error" if found.api_error else "valid"
        fail_api_error = verdict == "api-error" and self.run.fail_api_errors
        self.user_properties.append((VERDICT, "invalid" if fail_api_error else verdict))
        self.user_properties.append((JOBS, found.jobs))
        if run.coverage is not None:
            from contract.traffic import observe

            observed = observe(self.interaction, found).as_list()
            # Values outside an enum are the input's: redacted before JUnit XML shows them.
            observed[3] = [
                [kind, place, redact(label, _secrets()) if kind == "outside" else label, count]
                for kind, place, label, count in observed[3]
            ]
            self.user_properties.append((OBSERVED, observed))
        if found.api_error is None:
            self.user_properties.append((NEEDED, found.needed))
            self.user_properties.append((DEVIATIONS, found.deviations))
        if found.warnings:
            unknown = [redact(str(w), _secrets()) for w in found.warnings]
            self.user_properties.append((UNKNOWN, unknown))
        if found.violations:
            raise ContractFailure(Contract(_secrets()).report(self.interaction, found.violations))
        if fail_api_error:
            raise ContractFailure(
                redact(f"{self.interaction.source}: {found.api_error}", _secrets())
                + "\n(an API error response; --contract-fail-api-errors makes it a failure)"
            )


class LiveItem(ContractItem):
    """One real pause request (``--contract-live``).

    The key is only held as a :class:`~contract.redact.Secret`, and whatever
    pytest renders for a failure (any ``--tb`` style, ``-l`` locals, JUnit XML)
    is redacted and escaped before it is shown.
    """

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def runtest(self) -> None:
        from contract import live
        from contract.checker import Contract
        from contract.redact import redact

        job_id, base_url, secrets = self.run.job_id or "", self.run.base_url, _secrets()
        try:
            result = live.check(job_id, api_key=secrets[0] if secrets else None, base_url=base_url)
        except live.LiveError as exc:
            message = (
                f"live pause of {job_id} at {base_url} failed: {exc.kind}: {exc.message}\n"
                "(not a contract violation: there was no pause response to check)"
            )
            raise ContractFailure(redact(message, secrets)) from None
        self.user_properties.append((VERDICT, "invalid" if result.violations else "valid"))
        self.user_properties.append((JOBS, 1))
        if result.violations:
            raise ContractFailure(Contract(secrets).report(result.interaction, result.violations))


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def contract(pytestconfig: pytest.Config) -> Contract:
    """The contract validator: ``check_response``, ``assert_response``, ``httpx_hook()``.

    It checks under the run's profile (``--contract-profile`` and the other
    profile options) and says known deviations in words.
    """
    from contract.checker import Contract

    run = pytestconfig.pluginmanager.get_plugin("finetune_contract_run")
    profile: Profile | None
    if isinstance(run, ContractRun):
        profile, strict = run.profile, run.strict
    else:
        profile, strict = _fixture_profile(pytestconfig)
    return Contract(secrets=_secrets(), profile=profile, strict=strict, deviations=True)


def _fixture_profile(config: pytest.Config) -> tuple[Profile | None, Strict]:
    """The profile options of a run that checks no recordings (for the fixture)."""
    if not any(
        [
            config.getoption("contract_profile"),
            config.getini("contract_profile"),
            config.getoption("contract_amend"),
            config.getini("contract_amend"),
            config.getoption("contract_no_amend"),
            config.getini("contract_no_amend"),
            config.getoption("contract_config"),
            config.getini("contract_config"),
            config.getoption("contract_strict"),
            config.getini("contract_strict"),
        ]
    ):
        return None, "off"
    return _profile_of(config)


@pytest.fixture
def contract_server() -> Iterator[ContractServer]:
    """A started :class:`~contract.server.ContractServer` on 127.0.0.1, stopped after the test."""
    from contract.server import ContractServer

    with ContractServer() as server:
        yield server
