"""Violations as a person reads them: sorted by place, numerically, and one line per fault.

A list page whose 19 jobs share one fault reads as one line, ``/data/0/error:
required property "code" is missing [FC102] (and 18 more jobs: /data/1 …)``,
not 19 near-identical lines; places sort as numbers (``/data/2`` before
``/data/10``). Machine formats (JSON, SARIF, JUnit, GitHub) keep every
violation: only the lines written for people are grouped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contract.violations import Violation

#: A job's place in a list page: ``/data/N`` at the start of a pointer.
_JOB = re.compile(r"\A/data/(\d+)(?=/|\Z)")
#: Places named after the first in the "and N more jobs" note.
NAMED = 3


def natural(path: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key of a JSON Pointer that orders array indexes as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in path.split("/")[1:])


def _job_of(path: str) -> str:
    job = _JOB.match(path)
    return job[0] if job else path


@dataclass(frozen=True)
class Group:
    """One fault: its first violation, and the other jobs of a list page that show it."""

    first: Violation
    others: tuple[str, ...] = ()

    def note(self) -> str:
        """``(and 18 more jobs: /data/1, /data/2, /data/3, …)``, or nothing."""
        if not self.others:
            return ""
        count = len(self.others)
        named = ", ".join(self.others[:NAMED]) + (", …" if count > NAMED else "")
        return f" (and {count} more job{'s' if count != 1 else ''}: {named})"


def grouped(violations: Sequence[Violation] | Iterable[Violation]) -> list[Group]:
    """``violations`` sorted by place (numerically) and grouped across the jobs of a page."""
    if isinstance(violations, Sequence) and len(violations) == 1:
        return [Group(violations[0])]  # (most results: one fault, nothing to sort or merge)
    ordered = sorted(violations, key=lambda v: natural(v.path))
    groups: dict[tuple[object, ...], list[Violation]] = {}
    for index, violation in enumerate(ordered):
        job = _JOB.match(violation.path)
        if job is None:  # not in a page's job: never merged, not even with its twin
            groups[(index,)] = [violation]
            continue
        rest = violation.path[job.end() :]
        key = (rest, violation.keyword, violation.message, violation.amendment)
        groups.setdefault(key, []).append(violation)
    found = []
    for members in groups.values():
        first, *others = members
        found.append(Group(first, tuple(_job_of(v.path) for v in others)))
    return sorted(found, key=lambda g: natural(g.first.path))


__all__ = ["Group", "grouped", "natural"]
