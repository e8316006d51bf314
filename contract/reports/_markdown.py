"""The Markdown summary the ``github`` format appends to ``$GITHUB_STEP_SUMMARY``.

Input-controlled text is written as plain Markdown text with every ASCII
punctuation character backslash-escaped (so no link, image, HTML or table
cell can be injected) and each cell clipped; the table holds at most
:data:`MAX_ROWS` rows, which keeps the summary far below GitHub's 1 MiB
limit per step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from contract.reports._base import Run
from contract.reports._clean import for_person

#: Most violations listed in the summary's table.
MAX_ROWS = 50
#: Longest cell, in characters, before it is clipped.
MAX_CELL = 300

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def text(value: str, limit: int = MAX_CELL) -> str:
    """``value`` as inert Markdown text on one line, clipped to ``limit`` characters."""
    shown = for_person(value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return _PUNCTUATION.sub(r"\\\1", shown)


@dataclass
class Table:
    """The first :data:`MAX_ROWS` violations; how many more there were."""

    rows: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    more: int = 0

    def add(self, source: str, line: int | None, path: str, message: str) -> None:
        if len(self.rows) < MAX_ROWS:
            self.rows.append((source, line, path, message))
        else:
            self.more += 1


def summary(run: Run, table: Table) -> str:
    """The whole Markdown section for one run."""
    lines = ["### finetune-contract check", "", f"**{text(run.summary.line())}**", ""]
    lines += [f"- {text(detail)}" for detail in run.summary.details]
    if table.rows:
        lines += ["", "| where | line | place | problem |", "|---|---:|---|---|"]
        for source, line, path, message in table.rows:
            shown = str(line) if line is not None else ""
            lines.append(
                f"| {text(source)} | {shown} | {text(path or '<root>')} | {text(message)} |"
            )
        if table.more:
            lines += ["", f"… and {table.more} more (see the job's log)."]
    if run.errors:
        lines += ["", "**Unreadable input:**", ""]
        lines += [f"- {text(error)}" for error in run.errors[:MAX_ROWS]]
    if run.coverage is not None:
        lines += ["", "<details><summary>Traffic coverage</summary>", ""]
        lines += [f"- {text(line.strip(), 4000)}" for line in run.coverage.lines()]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n\n"


__all__ = ["MAX_CELL", "MAX_ROWS", "Table", "summary", "text"]
