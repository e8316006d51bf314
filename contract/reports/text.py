"""``--format text``: compiler-style lines for people, then the summary.

``source: /json/pointer: message`` per violation (source as the user named
the file; ``source: request: place: message`` for a finding on the recorded
request), with ``-v`` also ``source: ok`` and API error responses; ``-q``
prints only the summary. Colour (see :mod:`contract.reports._color`) marks
places in bold, violations red, API errors yellow and conforming lines green;
without colour the lines are plain text. Input-controlled text is escaped.
"""

from __future__ import annotations

from typing import TextIO

from contract.engine.results import Result
from contract.reports._base import Format, Options, Run
from contract.reports._clean import for_person
from contract.reports._color import paint

#: What a line says before a finding of each side (the response's need no word).
_SIDE = {"response": "", "request": "request: "}


def result_lines(result: Result, verbose: bool = False, color: bool = False) -> list[str]:
    """The lines of one result (plain when ``color`` is off)."""
    if result.valid and not result.warnings and not result.request_warnings and not verbose:
        return []  # the common case: nothing to print, so nothing to clean
    source = paint(for_person(result.source), "bold", color)
    lines = []
    for side, v in result.findings:
        place = paint(for_person(v.path or "<root>"), "red", color)
        lines.append(f"{source}: {_SIDE[side]}{place}: {for_person(v.message)}")
    for side, w in result.all_warnings:
        place = paint(for_person(w.path or "<root>"), "yellow", color)
        lines.append(f"{source}: {_SIDE[side]}warning: {place}: {for_person(w.message)}")
    if result.api_error and (verbose or result.fail_api_errors):
        style = "red" if result.fail_api_errors else "yellow"
        api_error = paint(for_person(result.api_error), style, color)
        lines.append(f"{source}: {api_error} (an API error response)")
    elif verbose and result.valid:
        ok = paint("ok", "green", color)
        lines.append(f"{source}: {ok}" + (f" ({for_person(result.note)})" if result.note else ""))
    return lines


def summary_lines(run: Run, color: bool = False) -> list[str]:
    """The summary line, the run's extra details, and traffic coverage if asked for."""
    failed = run.summary.invalid > 0 or bool(run.errors)
    lines = [paint(run.summary.line(), "red" if failed else "green", color)]
    lines += [for_person(line) for line in run.summary.details]
    if run.coverage is not None:
        lines += run.coverage.lines()
    return lines


class TextWriter:
    """Prints each result's lines as they come, then the summary."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out, self.options = out, options

    def result(self, result: Result) -> None:
        if self.options.quiet:
            return
        for line in result_lines(result, self.options.verbose, self.options.color):
            self.out.write(line + "\n")

    def finish(self, run: Run) -> None:
        for line in summary_lines(run, self.options.color):
            self.out.write(line + "\n")
        self.out.flush()


FORMAT = Format(
    "text",
    "compiler-style lines, then a summary (colour on a terminal)",
    TextWriter,
    failures_only=True,
)

__all__ = ["FORMAT", "TextWriter", "result_lines", "summary_lines"]
