"""``--format github``: GitHub Actions workflow commands, and a Markdown step summary.

Each violation becomes ``::error file=F,line=L,title=T::message [FC…]``
(the title starts with the rule code too; ``file``
relative to the repository root, ``$GITHUB_WORKSPACE`` or the working
directory; left out for files outside it, such as the bundled examples, and
for standard input). GitHub shows at most 10 error annotations per step, so
at most ``max_annotations`` (default 10, ``--max-annotations``) are written;
the other violations are written as plain log lines, followed by one
``::notice`` saying how many were not annotated. Unreadable inputs are
``::error`` lines too (within the same limit). Values are escaped as GitHub
requires: ``%`` ``\\r`` ``\\n`` in messages, and also ``:`` ``,`` in properties.

When ``$GITHUB_STEP_SUMMARY`` names a file, a Markdown summary is appended
to it: the summary line, a table of the first violations, and the traffic
coverage when asked for (see :mod:`contract.reports._markdown`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from contract._core.rules import code_of
from contract.engine.results import Result
from contract.reports import _markdown
from contract.reports._base import Format, Options, Run
from contract.reports._clean import for_person, person_cleaner
from contract.reports.text import result_lines, summary_lines

#: The code of an API error response failed by --fail-on-api-errors.
API_ERROR_CODE = code_of("api-error-response")


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file``, ``title``...), escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """``::name key=value,...::message`` with every part escaped (None values left out).

    Property values are input too (a file's name): redacted and escaped for a person.
    """
    shown = ",".join(
        f"{key}={escape_property(for_person(str(value)))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def log_line(text: str) -> str:
    """A plain log line that GitHub cannot read as a workflow command."""
    return " " + text if text.lstrip().startswith("::") else text


def relative_file(path: Path | None, root: str | None) -> str | None:
    """``path`` relative to ``root`` (POSIX separators), or None when it lies outside."""
    if path is None:
        return None
    base = Path(root) if root else Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def workspace(environ: dict[str, str] | None = None) -> str | None:
    """The repository root GitHub Actions checks out to, when running there."""
    env = os.environ if environ is None else environ
    return env.get("GITHUB_WORKSPACE") or None


class GitHubWriter:
    """Annotations for the first violations, log lines for the rest, then the summary."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out, self.options = out, options
        self.annotated = self.unannotated = 0
        self.clean = person_cleaner()  # (the configured keys, looked up once for the run)
        self.table = _markdown.Table()

    def _annotate(self, message: str, fallback: list[str], **properties: object) -> None:
        if self.annotated < self.options.max_annotations:
            self.out.write(command("error", message, **properties) + "\n")
            self.annotated += 1
        else:
            self.unannotated += 1
            for line in fallback:
                self.out.write(log_line(line) + "\n")

    def result(self, result: Result) -> None:
        locate = self.options.locator
        location = locate.locate(result) if locate is not None else None
        path = location.path if location is not None else None
        file = relative_file(path, self.options.root)
        findings = result.findings
        lines = location.violation_lines if location else (result.line,) * len(findings)
        clean = self.clean
        source = clean(result.source)
        for (side, violation), line in zip(findings, lines, strict=True):
            said = "request: " if side == "request" else ""
            code = violation.code_on(side)
            text = f"{source}: {said}{clean(str(violation))} [{code}]"
            kind = "request contract violation" if side == "request" else "contract violation"
            self._annotate(
                text,
                [text],
                file=file,
                line=line if file else None,
                title=f"{code} {kind} ({violation.keyword})",
            )
            self.table.add(result.source, line, f"{said}{violation.path}", violation.message)
        if result.api_error and result.fail_api_errors:
            text = f"{source}: {clean(result.api_error)} (an API error response)"
            line = location.line if location else result.line
            self._annotate(
                text,
                [text],
                file=file,
                line=line if file else None,
                title=f"{API_ERROR_CODE} API error response",
            )
            self.table.add(result.source, line, "", result.api_error)
        elif self.options.verbose:
            for text in result_lines(result, verbose=True, clean=clean):
                self.out.write(log_line(text) + "\n")

    def finish(self, run: Run) -> None:
        for error in run.errors:
            text = for_person(error)
            self._annotate(text, [f"error: {text}"], title="unreadable input")
        if self.unannotated:
            self.out.write(
                command(
                    "notice",
                    f"{self.unannotated} more problems are in the log, not annotated "
                    f"(at most {self.options.max_annotations} annotations are written; "
                    "GitHub shows at most 10 error annotations per step)",
                    title="finetune-contract",
                )
                + "\n"
            )
        for line in summary_lines(run):
            self.out.write(log_line(line) + "\n")
        self.out.flush()
        if self.options.step_summary:
            markdown = _markdown.summary(run, self.table)
            with open(self.options.step_summary, "a", encoding="utf-8") as handle:
                handle.write(markdown)


FORMAT = Format(
    "github",
    "GitHub Actions annotations (::error file=,line=) and a $GITHUB_STEP_SUMMARY section",
    GitHubWriter,
    uses_lines=True,
    failures_only=True,
)

__all__ = [
    "FORMAT",
    "GitHubWriter",
    "command",
    "escape_data",
    "escape_property",
    "log_line",
    "relative_file",
    "workspace",
]
