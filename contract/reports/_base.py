"""What every report format shares: the options, the end-of-run data and the writer protocol.

A format is one module of :mod:`contract.reports` defining ``FORMAT =
Format(name, description, writer)``, listed once in
:data:`contract.reports.FORMATS`. ``writer(out, options)`` returns a
:class:`Writer`: :meth:`Writer.result` is called for each checked response as
it comes (in input order), :meth:`Writer.finish` once at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from contract.engine.results import Result, Summary
    from contract.reports._locate import Locator
    from contract.traffic import TrafficCoverage

#: GitHub shows at most 10 error annotations per step; the ``github`` format emits no more.
DEFAULT_MAX_ANNOTATIONS = 10
#: Bytes of what a report holds for its end kept in memory before they go to a file.
SPOOL_BYTES = 8 << 20


def spool() -> IO[str]:
    """Where a report holds text it can only write at its end (JUnit's testcases wait for
    the counts that head them, SARIF's results for the rules listed before them): in
    memory up to :data:`SPOOL_BYTES`, then in a temporary file with no name, gone with
    the process whatever happens. The text is already redacted."""
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""
    )


def pour(held: IO[str], out: TextIO) -> None:
    """Write everything a :func:`spool` holds to ``out``, and close it."""
    with held:
        held.seek(0)
        shutil.copyfileobj(held, out)


@dataclass
class Options:
    """How to write: chosen on the command line (or in the configuration)."""

    verbose: bool = False
    quiet: bool = False
    color: bool = False
    #: Most ``::error`` annotations the ``github`` format writes (then one notice).
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS
    #: File the ``github`` format appends its Markdown summary to (``$GITHUB_STEP_SUMMARY``).
    step_summary: str | None = None
    #: Finds the line of a result or violation in its file (formats with lines use it).
    locator: Locator | None = None
    #: Repository root that ``github`` and ``sarif`` make paths relative to, if any.
    root: str | None = None


@dataclass
class Run:
    """What is known once every result is in."""

    summary: Summary
    errors: Sequence[str] = ()
    notes: Sequence[str] = ()
    coverage: TrafficCoverage | None = None
    tool_version: str = field(default="")


class Writer(Protocol):
    """Writes one report, a result at a time."""

    def result(self, result: Result) -> None:
        """One checked response or payload, in input order."""

    def finish(self, run: Run) -> None:
        """The end: summary, errors, coverage."""


@dataclass(frozen=True)
class Format:
    """A report format: its ``--format`` name, one line of help, and how to write it."""

    name: str
    description: str
    writer: Callable[[TextIO, Options], Writer]
    #: Whether the format reports line numbers (the CLI builds a locator only then).
    uses_lines: bool = False
    #: Whether it writes nothing of a conforming result unless verbose (the CLI then lets
    #: conforming JSON Lines payloads be counted rather than handed over one by one).
    failures_only: bool = False


__all__ = [
    "DEFAULT_MAX_ANNOTATIONS",
    "SPOOL_BYTES",
    "Format",
    "Options",
    "Run",
    "Writer",
    "pour",
    "spool",
]
