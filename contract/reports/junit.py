"""``--format junit``: JUnit XML, the structure pytest's ``--junitxml`` writes.

``<testsuites>`` holding one ``<testsuite name="finetune-contract">`` with one
``<testcase>`` per checked response or payload: ``classname`` is the file as
the user named it, ``name`` the item in it (``interaction[2]``, ``line[3]``,
``payload``). A response that breaks the contract has one ``<failure>``
whose text lists every violation as ``file:line: /pointer: message`` (the
line as :mod:`contract.reports._locate` finds it); an unreadable file is a
testcase ``recording`` of that file with a ``<failure type="unreadable
recording">`` (as the pytest plugin reports it); an API error response passes, its error in
``<system-out>`` (a failure with ``--fail-on-api-errors``). The suite's
``<properties>`` carry the run's other counts (jobs, API errors, skipped
calls, and any extra summary field as JSON); ``<system-out>`` the summary
line and its details and, with ``--coverage``, the
traffic coverage. Valid against the JUnit XSD that Jenkins and pytest's own
tests use (``tests/data/reports/junit-10.xsd``).

The counts that head the document are known only at the end, so each testcase is
kept until then (:func:`contract.reports._base.spool`: in memory up to 8 MiB, then in
a temporary file), so a run of any size holds a bounded amount.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from contract.engine.results import Result, plural
from contract.reports._base import Format, Options, Run, pour, spool
from contract.reports._clean import person_cleaner
from contract.reports.text import summary_lines
from contract.violations import Violation

SUITE = "finetune-contract"


def _attr(text: str, clean: Callable[[str], str]) -> str:
    return quoteattr(clean(text))


def _text(lines: list[str], clean: Callable[[str], str]) -> str:
    return escape("\n".join(clean(line) for line in lines))


def _said(side: str, violation: Violation) -> str:
    """A violation as a line of the report (``… [FC106]``), ``request: …`` when the request's."""
    said = f"{violation} [{violation.code_on(side)}]"
    return f"request: {said}" if side == "request" else said


class JUnitWriter:
    """Keeps each testcase's XML (a few lines) and writes the document at the end."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out, self.options = out, options
        self.cases = spool()  # (open until finish() copies it out)
        self.tests = self.failures = 0
        self.started = time.time()
        self.last = time.perf_counter()
        self.clean = person_cleaner()  # (the configured keys, looked up once for the run)

    def _elapsed(self) -> str:
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        return f"{elapsed:.3f}"

    def result(self, result: Result) -> None:
        location = self.options.locator.locate(result) if self.options.locator else None
        clean = self.clean
        findings = result.findings
        lines = location.violation_lines if location else (result.line,) * len(findings)
        file = location.file if location is not None else result.file
        name, classname = _attr(result.name or result.source, clean), _attr(file, clean)
        head = f'<testcase classname={classname} name={name} time="{self._elapsed()}"'
        body: list[str] = []
        if findings:
            details = []
            for (side, violation), line in zip(findings, lines, strict=True):
                where = f"{file}:{line}" if line is not None else result.source
                details.append(f"{where}: {_said(side, violation)}")
            message = plural(len(findings), "contract violation")
            first = _said(*findings[0])
            body.append(
                f'<failure type="contract violation" message={_attr(f"{message}: {first}", clean)}>'
                f"{_text(details, clean)}</failure>"
            )
        if result.api_error:
            if result.fail_api_errors and not findings:
                body.append(
                    f'<failure type="API error response" message={_attr(result.api_error, clean)}>'
                    f"{_text([f'{result.source}: {result.api_error}'], clean)}</failure>"
                )
            body.append(f"<system-out>{_text([result.api_error], clean)}</system-out>")
        elif result.note:
            body.append(f"<system-out>{_text([result.note], clean)}</system-out>")
        if result.failed:
            self.failures += 1
        self._case(f"{head}>{''.join(body)}</testcase>" if body else f"{head}/>")

    def _case(self, xml: str) -> None:
        self.cases.write(xml + "\n")
        self.tests += 1

    def finish(self, run: Run) -> None:
        clean = self.clean
        for error in run.errors:
            file, _, reason = error.partition(": ")
            self.failures += 1
            self._case(
                f'<testcase classname={_attr(file, clean)} name="recording" time="0.000">'
                f'<failure type="unreadable recording" message={_attr(reason or error, clean)}>'
                f"{_text([error], clean)}</failure></testcase>"
            )
        summary = run.summary
        tests, errors = self.tests, 0
        elapsed = f"{time.time() - self.started:.3f}"
        counts = f'tests="{tests}" failures="{self.failures}" errors="{errors}"'
        stamp = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        properties = {
            "jobs": summary.jobs,
            "api_errors": summary.api_errors,
            "skipped_calls": summary.skipped,
            **({"stopped": summary.stopped} if summary.stopped else {}),
            **{key: json.dumps(value, ensure_ascii=False) for key, value in summary.extra.items()},
        }
        out = self.out
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(f'<testsuites name="{SUITE}" {counts} time="{elapsed}">\n')
        out.write(
            f'<testsuite name="{SUITE}" {counts} skipped="0" time="{elapsed}" '
            f"timestamp={_attr(stamp, clean)} hostname={_attr(socket.gethostname(), clean)}>\n"
        )
        out.write("<properties>")
        for key, value in properties.items():
            name, shown = _attr("contract." + key, clean), _attr(str(value), clean)
            out.write(f"<property name={name} value={shown}/>")
        out.write("</properties>\n")
        pour(self.cases, out)
        out.write(f"<system-out>{_text(summary_lines(run), clean)}</system-out>\n")
        out.write("</testsuite>\n</testsuites>\n")
        out.flush()


FORMAT = Format(
    "junit",
    "JUnit XML (one testcase per checked response), as CI systems read pytest's",
    JUnitWriter,
    uses_lines=True,
)

__all__ = ["FORMAT", "JUnitWriter"]
