"""The test items: one recorded response, one recording file, an unreadable file, the live check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contract.plugin._keys import (
    _MAX_FAILURES_SHOWN,
    BATCH,
    ITEM_KEYWORD,
    JOBS,
    VERDICT,
    _secrets,
)
from contract.plugin._properties import Counts, check_response

if TYPE_CHECKING:
    from contract.plugin._run import ContractRun
    from contract.recordings import Interaction
    from contract.violations import Violation


class ContractFailure(Exception):
    """A check failed; the message is the whole (redacted) report."""


class RecordingFile(pytest.File):
    """One recording file; its jobs interactions and payloads are the items."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self._interactions: list[Interaction] = []
        self._session: dict[str, tuple[Violation, ...]] | None = None

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """A reader that crashed: its frames hold the file's raw text and headers."""
        return _failure_text(self, excinfo, style)

    def session_findings(self, name: str) -> tuple[Violation, ...]:
        """The session findings of the interaction ``name`` (all the file's, found once,
        when its first item runs: the later item of a contradiction fails)."""
        if not self.run.sessions:
            return ()
        if self._session is None:
            from contract.engine._sessions import attach_all

            self._session = attach_all(self._interactions, self.run.profile)
        return self._session.get(name, ())

    def collect(self) -> Iterator[pytest.Item]:
        from contract.recordings import RecordingError, read
        from contract.redact import for_terminal

        if self.run.per_file:
            yield FileItem.from_parent(self, name="recording", run=self.run)
            return
        # Only the responses to check are kept, and only up to MAX_KEPT_BYTES for the file:
        # past that, one file item checks the file as it reads it again at run time.
        interactions: list[Interaction] = []
        kept = other = 0
        try:
            for interaction in read(self.path, include_other=True, label=self.nodeid):
                if not interaction.to_check:
                    other += 1
                    continue
                kept += _held(interaction)
                if kept > MAX_KEPT_BYTES:
                    interactions.clear()
                    yield FileItem.from_parent(self, name="recording", run=self.run)
                    return
                interactions.append(interaction)
        except RecordingError as exc:
            yield UnreadableItem.from_parent(self, name="recording", reason=str(exc))
            return
        if interactions and interactions[0].foreign and self.path.resolve() in self.run.walked:
            # Met while walking a folder, and no fine-tuning payload (package.json): skipped.
            self.run.notes.append(f"skipped {self.nodeid}: {interactions[0].foreign}")
            return
        self._interactions = [i for i in interactions if i.to_check and not i.unchecked]
        for interaction in interactions:
            # The id is given as a string so that pytest parses "name[i]" the
            # way it parses ids read back from its cache (--lf, --deselect).
            name = for_terminal(interaction.name)
            yield InteractionItem.from_parent(
                self,
                name=name,
                nodeid=f"{self.nodeid}::{name}",
                interaction=interaction,
                run=self.run,
            )
        self.run.other += other
        if not interactions:
            self.run.empty[self.nodeid] = other


#: Bytes of recorded responses one file's items may hold between collection and their run
#: (bodies and headers; a decoded payload counts thrice). A larger file is one item
#: (as with ``--contract-item=file``) that reads the file again as it checks it.
MAX_KEPT_BYTES = 256 << 20


def _held(interaction: Interaction) -> int:
    """Roughly what keeping ``interaction`` costs, in bytes."""
    body = len(interaction.body) * (3 if interaction.decoded is not None else 1)
    headers = sum(len(str(n)) + len(str(v)) for n, v in _pairs(interaction.headers))
    return body + headers + 512


def _pairs(headers: Any) -> Any:
    if headers is None:
        return ()
    return headers.items() if hasattr(headers, "items") else headers


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


class FileItem(pytest.Item):
    """Every response of one recording file (``--contract-item=file``): one item, one report."""

    def __init__(self, *, run: ContractRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keywords[ITEM_KEYWORD] = True
        self.run = run

    def runtest(self) -> None:
        from contract.engine._sessions import findings_of, session
        from contract.recordings import RecordingError, read
        from contract.redact import redact

        parent = self.parent
        assert parent is not None
        counts = Counts()
        failures: list[str] = []
        sessions = session(self.run.sessions, self.run.profile)
        try:
            for interaction in read(self.path, include_other=True, label=parent.nodeid):
                if not interaction.to_check or interaction.unchecked:
                    counts.other += 1
                    continue
                # The same check and properties as an item per response, without making
                # one pytest node per response.
                properties: list[tuple[str, Any]] = []
                found = findings_of(sessions, interaction)
                failure = check_response(interaction, self.run, properties, found, self.path)
                if failure is not None:
                    failures.append(failure)
                counts.add(f"{parent.nodeid}::{interaction.name}", dict(properties))
        except RecordingError as exc:
            self.user_properties.append((VERDICT, "unreadable"))
            reason = redact(str(exc), _secrets())
            raise ContractFailure(f"contract: unreadable recording: {reason}") from None
        self.user_properties.append((BATCH, counts.as_data()))
        if failures:
            shown = failures[:_MAX_FAILURES_SHOWN]
            if len(failures) > len(shown):
                shown.append(f"… and {len(failures) - len(shown)} more failing responses")
            head = f"{len(failures)} of {counts.responses} responses failed:"
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
        if self.interaction.unchecked:  # the recorder cut the body, or kept none: a note
            pytest.skip(self.interaction.unchecked)
        parent = self.parent
        session = parent.session_findings(self.name) if isinstance(parent, RecordingFile) else ()
        failure = check_response(
            self.interaction, self.run, self.user_properties, session, self.path
        )
        if failure is not None:
            raise ContractFailure(failure)


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
        from contract.redact import redact
        from contract.testing import live
        from contract.testing.contract import Contract

        job_id, base_url, secrets = self.run.job_id or "", self.run.base_url, _secrets()
        try:
            result = live.check(
                job_id,
                api_key=secrets[0] if secrets else None,
                base_url=base_url,
                profile=self.run.profile,
                strict=self.run.strict,
            )
        except live.LiveError as exc:
            message = (
                f"live pause of {job_id} at {base_url} failed: {exc.kind}: {exc.message}\n"
                "(not a contract violation: there was no pause response to check)"
            )
            raise ContractFailure(redact(message, secrets)) from None
        self.user_properties.append((VERDICT, "invalid" if result.violations else "valid"))
        self.user_properties.append((JOBS, 1))
        if result.violations:
            raise ContractFailure(
                Contract(secrets, profile=self.run.profile, strict=self.run.strict).report(
                    result.interaction, result.violations
                )
            )
