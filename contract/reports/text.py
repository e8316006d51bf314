"""``--format text``: compiler-style lines for people, then the summary.

``source: /json/pointer: message [FC106]`` per violation (source as the user
named the file; the code is the rule's, see :mod:`contract._core.rules`;
``source: request: place: message [FC406]`` for a finding on the recorded
request), with ``-v`` also ``source: ok`` and API error responses; ``-q``
prints only the summary. A response of a recording is named with the line of
its body, ``cassettes/jobs.yaml:12: interaction[1]: …``, so an editor jumps to
it. Violations are sorted by place (``/data/2`` before ``/data/10``) and one
fault shared by several jobs of a list page is one line (see
:mod:`contract.reports._group`). Colour (see :mod:`contract.reports._color`) marks
places in bold, violations red, API errors yellow and conforming lines green;
without colour the lines are plain text. Input-controlled text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from contract.engine.results import Result
from contract.reports._base import Format, Options, Run
from contract.reports._clean import for_person, person_cleaner
from contract.reports._color import paint
from contract.reports._group import grouped
from contract.reports._locate import Locator

#: What a line says before a finding of each side (the response's need no word).
_SIDE = {"response": "", "request": "request: "}


def _where(result: Result, locator: Locator | None) -> str:
    """The result's source, with the line of its body for a response of a recording."""
    if locator is None or not result.name.startswith(("interaction[", "entry[")):
        return result.source
    line = locator.locate(result).line
    return f"{result.file}:{line}: {result.name}" if line is not None else result.source


def result_lines(
    result: Result,
    verbose: bool = False,
    color: bool = False,
    locator: Locator | None = None,
    clean: Callable[[str], str] | None = None,
) -> list[str]:
    """The lines of one result (plain when ``color`` is off; lines found by ``locator``).

    ``clean``: what makes input-controlled text printable, a writer's for all it writes
    (:func:`contract.reports._clean.person_cleaner`; None: one for this result's texts).
    """
    shown_error = bool(result.api_error) and (verbose or result.fail_api_errors)
    findings = result.violations or result.request_violations
    if not (findings or result.warnings or result.request_warnings or shown_error or verbose):
        return []  # the common case: nothing to print, so nothing to clean
    lines = []
    if clean is None:
        clean = person_cleaner()  # (one result's texts: the configured keys looked up once)
    if findings:
        where = paint(clean(_where(result, locator)), "bold", color)
        for group in grouped(result.violations):
            v = group.first
            place = paint(clean(v.path or "<root>"), "red", color)
            lines.append(f"{where}: {place}: {clean(v.message)} [{v.code}]{clean(group.note())}")
        for v in result.request_violations:
            place = paint(clean(v.path or "<root>"), "red", color)
            code = v.code_on("request")
            lines.append(f"{where}: {_SIDE['request']}{place}: {clean(v.message)} [{code}]")
    if not (result.warnings or result.request_warnings or shown_error or verbose):
        return lines  # (no more to say: an API error answer is counted, not printed)
    source = paint(clean(result.source), "bold", color)
    for side, w in result.all_warnings:
        place = paint(clean(w.path or "<root>"), "yellow", color)
        code = w.code_on(side)
        lines.append(f"{source}: {_SIDE[side]}warning: {place}: {clean(w.message)} [{code}]")
    if shown_error and result.api_error:
        style = "red" if result.fail_api_errors else "yellow"
        api_error = paint(clean(result.api_error), style, color)
        lines.append(f"{source}: {api_error} (an API error response)")
    elif verbose and result.valid:
        ok = paint("ok", "green", color)
        lines.append(f"{source}: {ok}" + (f" ({clean(result.note)})" if result.note else ""))
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
        self.clean = person_cleaner()  # (the configured keys, looked up once for the run)

    def result(self, result: Result) -> None:
        options = self.options
        if options.quiet:
            return
        lines = result_lines(result, options.verbose, options.color, options.locator, self.clean)
        for line in lines:
            self.out.write(line + "\n")

    def finish(self, run: Run) -> None:
        for line in summary_lines(run, self.options.color):
            self.out.write(line + "\n")
        self.out.flush()


FORMAT = Format(
    "text",
    "compiler-style lines, then a summary (colour on a terminal)",
    TextWriter,
    uses_lines=True,
    failures_only=True,
)

__all__ = ["FORMAT", "TextWriter", "result_lines", "summary_lines"]
