"""``--format sarif``: SARIF 2.1.0, for code scanning dashboards.

One run of the tool ``finetune-contract``. Rules: one per rule code that
failed (``FC102`` for ``required``, ``FC106`` for ``maximum``, ``FC001`` for
``status``...; see :mod:`contract._core.rules`; the keyword is the rule's name) and,
for known deviations, one per amendment a violation names (the hierarchical id
``FC201/<name>``, described from the amendment catalogue); ``FC006`` for API
error responses failed by ``--fail-on-api-errors``; a finding on the recorded
request has its request-side code (``FC4NN``, the keyword's ``FC1NN``). Each violation is a result
at level ``error`` whose location is the file (relative to the repository root
when inside it, ``uriBaseId`` ``SRCROOT``; an absolute ``file:`` URI
otherwise) and the line (see :mod:`contract.reports._locate`), with the JSON
Pointer as a logical location. Unreadable inputs are tool execution
notifications; the summary (and the traffic coverage, when asked) are the
run's properties. Valid against the OASIS SARIF 2.1.0 schema (tested).

The rules, listed before the results, are known only at the end, so each result's
text waits until then (:func:`contract.reports._base.spool`: in memory up to 8 MiB,
then in a temporary file); the log is the text ``json.dumps(log, indent=2)`` gives.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from contract import __version__
from contract._core import rules
from contract.engine.results import Result
from contract.reports._base import Format, Options, Run, pour, spool
from contract.reports._clean import for_machine, json_item, json_text, machine_cleaner
from contract.reports.github import relative_file
from contract.violations import Violation

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "finetune-contract"
API_ERROR_RULE = rules.code_of("api-error-response")
#: How deep ``json.dumps(log, indent=2)`` writes an item of the run's results (log, runs,
#: run, results), and how it ends them, a level up.
_RESULT_DEPTH = 4
_RESULTS_END = "\n" + "  " * (_RESULT_DEPTH - 1) + "]"


def rule_id(violation: Violation, side: str = "response") -> str:
    """The SARIF rule of a violation: its code on its side (``FC106``, a request's ``FC406``),
    with its amendment (``FC201/<name>``) if any."""
    code = violation.code_on(side)
    return f"{code}/{violation.amendment}" if violation.amendment else code


def _amendment_text(name: str) -> str:
    try:
        from contract import profiles

        return profiles.catalogue().amendment(name).description
    except (ImportError, ValueError, LookupError):
        return f"A known deviation from the published contract ({name})."


def _rule(identifier: str, keyword: str) -> dict[str, Any]:
    code, _, amendment = identifier.partition("/")
    known = rules.rule(code)
    if amendment:
        text, kind, name = _amendment_text(amendment), "amendment", f"{keyword}-{amendment}"
    else:
        text, kind, name = known.title + ".", known.kind, keyword
    if known.side == "request":
        name = f"request-{name}"
    return {
        "id": identifier,
        "name": name,
        "shortDescription": {"text": for_machine(text)},
        "fullDescription": {"text": for_machine(known.meaning)},
        "help": {"text": for_machine(f"{known.why} {known.accept}")},
        "defaultConfiguration": {"level": "error"},
        "properties": {"kind": kind, "code": code, "docs": rules.table().link(known)},
    }


def artifact(path: Path | None, label: str, root: str | None) -> dict[str, Any] | None:
    """The ``artifactLocation`` of a file: relative to the root when inside it."""
    if path is None:
        return None
    relative = relative_file(path, root)
    # A name is input: redacted, then written byte for byte (undecodable bytes too).
    if relative is not None:
        return {"uri": quote(os.fsencode(for_machine(relative)), safe="/"), "uriBaseId": "SRCROOT"}
    return {"uri": "file://" + quote(os.fsencode(for_machine(path.resolve().as_posix())), safe="/")}


class SARIFWriter:
    """Keeps the rules (a few) and each result's text (spooled), and writes the log at
    the end."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out, self.options = out, options
        self.rules: dict[str, int] = {}
        self.keywords: dict[str, str] = {}
        self.results = spool()  # (open until finish() copies it out)
        self.count = 0
        self.clean = machine_cleaner()  # (the configured keys, looked up once for the run)

    def _add(self, item: dict[str, Any]) -> None:
        """One result, as its text will stand in the log."""
        self.results.write(f"{',' if self.count else ''}{json_item(item, _RESULT_DEPTH)}")
        self.count += 1

    def _index(self, identifier: str, keyword: str) -> int:
        self.keywords.setdefault(identifier, keyword)
        return self.rules.setdefault(identifier, len(self.rules))

    def _location(
        self, where: dict[str, Any] | None, line: int | None, place: str, source: str
    ) -> dict[str, Any]:
        location: dict[str, Any] = {
            "logicalLocations": [
                {"fullyQualifiedName": self.clean(f"{source}{place}"), "kind": "member"}
            ]
        }
        if where is not None:
            physical: dict[str, Any] = {"artifactLocation": where}
            if line is not None and line >= 1:
                physical["region"] = {"startLine": line}
            location["physicalLocation"] = physical
        return location

    def result(self, result: Result) -> None:
        locate = self.options.locator
        location = locate.locate(result) if locate is not None else None
        where = artifact(location.path if location else None, result.file, self.options.root)
        findings = result.findings
        lines = location.violation_lines if location else (result.line,) * len(findings)
        clean = self.clean
        source = clean(result.source)
        for (side, violation), line in zip(findings, lines, strict=True):
            identifier = rule_id(violation, side)
            properties = {
                "source": source,
                "side": side,
                "path": violation.path,
                "keyword": violation.keyword,
                "code": violation.code_on(side),
            }
            said = "request: " if side == "request" else ""
            if violation.schema_path:
                properties["schemaPath"] = violation.schema_path
            if result.operation:
                properties["operation"] = result.operation
            self._add(
                {
                    "ruleId": identifier,
                    "ruleIndex": self._index(identifier, violation.keyword),
                    "level": "error",
                    "message": {"text": f"{source}: {said}{clean(str(violation))}"},
                    "locations": [self._location(where, line, violation.path, source)],
                    "properties": properties,
                }
            )
        if result.api_error and result.fail_api_errors:
            line = location.line if location else result.line
            self._add(
                {
                    "ruleId": API_ERROR_RULE,
                    "ruleIndex": self._index(API_ERROR_RULE, "api-error-response"),
                    "level": "error",
                    "message": {"text": f"{source}: {clean(result.api_error)}"},
                    "locations": [self._location(where, line, "", source)],
                    "properties": {"source": source, "code": API_ERROR_RULE},
                }
            )

    def finish(self, run: Run) -> None:
        root = Path(self.options.root) if self.options.root else Path.cwd()
        properties: dict[str, Any] = {"summary": run.summary.as_dict()}
        if run.coverage is not None:
            properties["coverage"] = run.coverage.as_dict()
        # Where the spooled results go: a string no input can hold (drawn for this run).
        marker = f"results-{secrets.token_hex(16)}"
        log = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": TOOL,
                            "version": __version__,
                            "rules": [
                                _rule(identifier, self.keywords[identifier])
                                for identifier in self.rules
                            ],
                        }
                    },
                    "originalUriBaseIds": {
                        "SRCROOT": {"uri": root.resolve().as_uri().rstrip("/") + "/"}
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not run.errors,
                            "toolExecutionNotifications": [
                                {"level": "error", "message": {"text": for_machine(e)}}
                                for e in run.errors
                            ],
                        }
                    ],
                    "results": marker,
                    "properties": properties,
                }
            ],
        }
        head, _, tail = json_text(log, indent=2).partition(f'"{marker}"')
        out = self.out
        if self.count:
            out.write(head + "[")
            pour(self.results, out)
            out.write(_RESULTS_END)
        else:
            self.results.close()
            out.write(head + "[]")
        out.write(tail + "\n")
        out.flush()


FORMAT = Format(
    "sarif",
    "SARIF 2.1.0 (code scanning): one rule per code (FC…) or amendment, results with file and line",
    SARIFWriter,
    uses_lines=True,
    failures_only=True,
)

__all__ = ["FORMAT", "SARIFWriter", "artifact", "rule_id"]
