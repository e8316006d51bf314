"""One run's hooks: collecting recordings, the live item, counting verdicts, the summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contract.plugin._items import LiveItem, RecordingFile
from contract.plugin._keys import _MAX_WARNINGS, _WORKER_OUTPUT, BATCH
from contract.plugin._options import _baseline_of, _settings_of
from contract.plugin._properties import Counts

if TYPE_CHECKING:
    from contract.traffic import TrafficCoverage


def pytest_configure(config: pytest.Config) -> None:
    """Register a :class:`ContractRun` only when an option asks for one."""
    paths = [*config.getoption("contract_recordings"), *config.getini("contract_recordings")]
    live = bool(config.getoption("contract_live"))
    if paths or live:
        config.pluginmanager.register(ContractRun(config, paths, live), "finetune_contract_run")


def _is_within(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


class ContractRun:
    """The hooks of a run that checks recordings or the live API."""

    def __init__(self, config: pytest.Config, paths: list[Any], live: bool) -> None:
        self.config = config
        #: An xdist worker: its reports are counted by the controller, which reads them.
        self.worker = hasattr(config, "workerinput")
        self.files: set[Path] = set()
        #: Files found by walking a folder (not named), and notes said of them.
        self.walked: set[Path] = set()
        self.notes: list[str] = []
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
        self.request_counts: dict[str, int] = {}
        self.jobs = 0
        self.per_file = (
            config.getoption("contract_item") or config.getini("contract_item")
        ) == "file"
        self.coverage: TrafficCoverage | None = None
        if config.getoption("contract_coverage") or config.getini("contract_coverage"):
            from contract.traffic import TrafficCoverage

            self.coverage = TrafficCoverage()
        self._configure_profile()
        #: The baseline of known findings, if one is named: the one items filter with (each
        #: xdist worker loads its own), and the one the summary counts their reports with.
        self.baseline = _baseline_of(config)
        self.baseline_summary = _baseline_of(config) if self.baseline is not None else None
        self.unknown: list[str] = []
        #: Files a folder walk skipped: links leading out of the folder.
        self.outside: list[Path] = []
        if live:
            self._configure_live()
        if paths:
            self._configure_recordings(paths)

    def _configure_profile(self) -> None:
        from contract.checks.deviations import Usage

        chosen = _settings_of(self.config)
        self.profile, self.strict = chosen.profile, chosen.strict
        #: Whether each recorded request is checked too.
        self.requests = chosen.requests
        #: Check the responses about one job within a recording together.
        self.sessions = chosen.sessions
        self.usage = Usage(self.profile)

    def _configure_live(self) -> None:
        self.job_id = self.config.getoption("contract_job_id")
        if not self.job_id:
            raise pytest.UsageError("--contract-live needs --contract-job-id (the job to pause)")
        from contract.testing import live

        self.base_url = self.config.getoption("contract_base_url") or live.DEFAULT_BASE_URL
        try:
            live.ensure_safe_base_url(self.base_url)
        except live.InsecureURLError as exc:
            raise pytest.UsageError(f"--contract-base-url: {exc.message}") from None

    def _configure_recordings(self, paths: list[Any]) -> None:
        from contract.recordings import RecordingError, expand

        roots: list[tuple[Path, list[Path]]] = []
        for path in paths:
            try:
                found = [Path(f).resolve() for f in expand([path], self.outside.append) if f != "-"]
            except RecordingError as exc:
                raise pytest.UsageError(f"--contract-recordings: {exc}") from None
            self.files.update(found)
            root = Path(path).resolve()
            if root.is_dir():
                self.walked.update(found)
            # A file whose name holds "::" cannot be a command-line argument: collect its folder.
            roots.append((root.parent if "::" in root.name else root, found))
        # Collected like test files (node ids, -k, --lf, -x and xdist work as usual). Only the
        # roots are added, not every file: pytest then walks each folder once, so collection
        # stays linear in the number of files. A root already under an argument is not added,
        # nor one an argument narrows to some of its recordings (a node id of one, pasted
        # back; a subfolder). An argument inside a root that holds none of its recordings
        # (pytest's default, the working folder, below the recordings) narrows nothing.
        args = self.config.args
        given = [Path(a.split("::", 1)[0]).resolve() for a in args]
        for root, files in roots:
            if not any(
                _is_within(root, arg)
                or (_is_within(arg, root) and any(_is_within(f, arg) for f in files))
                for arg in given
            ):
                args.append(str(root))
                given.append(root)

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        if file_path.resolve() in self.files:
            collector = RecordingFile.from_parent(parent, path=file_path, run=self)
            # A file's name is input: its id (and every id under it) redacted and escaped,
            # so a key or a newline in a name reaches no line pytest prints.
            from contract.redact import for_terminal

            nodeid, name = for_terminal(collector.nodeid), for_terminal(collector.name)
            if (nodeid, name) != (collector.nodeid, collector.name):
                collector = RecordingFile.from_parent(
                    parent, path=file_path, run=self, name=name, nodeid=nodeid
                )
            return collector
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        if self.job_id:
            from contract.redact import for_terminal

            name = f"contract-live[{for_terminal(self.job_id)}]"
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
        if report.when != "call" or self.worker or not report.user_properties:
            return
        properties = dict(report.user_properties)
        batch: Any = properties.get(BATCH)
        if batch is not None:  # a file item: the sums of the responses it checked
            counts = Counts.from_data(batch)
            self.other += counts.other
            if not counts.responses:
                self.empty[report.nodeid.rsplit("::", 1)[0]] = counts.other
            self._add(counts)
        counts = Counts()
        counts.add(report.nodeid, properties)
        self._add(counts)

    def _add(self, counts: Counts) -> None:
        """Add the verdicts, jobs, amendments, coverage and warnings of checked responses."""
        for verdict, number in counts.verdicts.items():
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + number
        for key, number in counts.requests.items():
            self.request_counts[key] = self.request_counts.get(key, 0) + number
        self.jobs += counts.jobs
        if counts.payloads:
            from contract.checks.deviations import Usage

            self.usage.merge(Usage(self.profile, counts.payloads, counts.needed, counts.deviations))
        if self.coverage is not None and counts.observed:
            from contract.traffic import Observation

            for observed in counts.observed:
                self.coverage.add(Observation.from_list(list(observed)))
        self.unknown.extend(counts.unknown)
        if self.baseline_summary is not None:
            known = counts.baseline
            self.baseline_summary.merge(known["seen"], known["expired"], int(known["accepted"]))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.worker or self.config.option.collectonly:
            return
        from contract.engine.results import Summary, plural
        from contract.redact import for_terminal

        counts = self.verdicts
        requests = self.request_counts
        summary = Summary(
            checked=sum(counts.get(v, 0) for v in ("valid", "invalid", "api-error")),
            valid=counts.get("valid", 0),
            invalid=counts.get("invalid", 0),
            api_errors=counts.get("api-error", 0),
            jobs=self.jobs,
            skipped=self.other,
            requests_checked=requests.get("requests", 0),
            requests_invalid=requests.get("requests-invalid", 0),
        )
        line = summary.pytest_line(unreadable=counts.get("unreadable", 0))
        terminalreporter.write_line(line)
        if summary.requests_checked:
            terminalreporter.write_line(f"contract: {summary.requests_line()}")
        for note in self.notes:
            terminalreporter.write_line(f"contract: note: {note}")
        for name, skipped in sorted(self.empty.items()):
            terminalreporter.write_line(
                f"contract: warning: {name}: nothing checked "
                f"(no fine-tuning jobs call; {plural(skipped, 'other interaction')} skipped)",
                yellow=True,
            )
        for link in self.outside:
            terminalreporter.write_line(
                f"contract: note: {for_terminal(str(link))}: skipped "
                "(a link leading out of the folder walked)",
                yellow=True,
            )
        self._amendment_summary(terminalreporter)
        if self.baseline_summary is not None:
            for line in self.baseline_summary.lines():
                terminalreporter.write_line(f"contract: {line}")
        if self.coverage is not None:
            for line in self.coverage.lines():
                terminalreporter.write_line(f"contract: {line}")

    def _amendment_summary(self, terminalreporter: Any) -> None:
        from contract.redact._terminal import escape

        if self.profile.amendments or self.usage.deviations:
            stale = _settings_of(self.config).stale_amendments
            for line in self.usage.lines(stale):
                terminalreporter.write_line(f"contract: {line}")
        for line in self.unknown[:_MAX_WARNINGS]:
            terminalreporter.write_line(f"contract: warning: {escape(line)}", yellow=True)
        if len(self.unknown) > _MAX_WARNINGS:
            more = len(self.unknown) - _MAX_WARNINGS
            terminalreporter.write_line(f"contract: … and {more} more unknown properties")
