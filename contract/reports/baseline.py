"""A baseline of known findings: CI fails on new findings only, and on old ones past their date.

An amendment accepts a *kind* of deviation everywhere; a baseline accepts
*this* finding in *this* place, until a date. The file is JSON::

    {"version": 1, "entries": [
      {"code": "FC106", "file": "cassettes/jobs.yaml", "item": "interaction[2]",
       "operation": "pauseFineTuningJob", "path": "/hyperparameters/n_epochs",
       "message": "51 is greater than the maximum of 50",
       "fingerprint": "9f2c…", "first_seen": "2026-12-07",
       "expires": "2027-03-01", "reason": "fixed upstream in March"}]}

``expires`` and ``reason`` are for a person to add; ``--update-baseline``
keeps them (and ``first_seen``) for entries still seen, adds new findings and
prunes entries no longer seen. The fingerprint survives reformatting of the
recording: it hashes the code, the file (relative to the baseline's folder
when it is a real file, else its label), the item's identity in its file
(``interaction[2]``, ``line[3]``, ``payload``), the operation and the JSON
Pointer (with, for ``required``, the missing name; for a deviation, its
amendment) — never a line number. The same fingerprint may be listed more than
once: each entry accepts one finding.

A run with a baseline (:class:`Matcher`) drops the findings it lists from
the results (the result is then valid if nothing else is wrong), lists the
entries no longer seen as resolved, and keeps as failures the findings whose
entry's ``expires`` date has passed.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.engine.results import Result, plural
from contract.violations import Violation

VERSION = 1
#: Most resolved or expired entries named one by one in the summary lines.
NAMED = 5


class BaselineError(ValueError):
    """An unreadable or malformed baseline file: one line naming the file and place."""


@dataclass(frozen=True)
class Entry:
    """One known finding."""

    code: str
    file: str
    item: str
    operation: str | None
    path: str
    message: str
    fingerprint: str
    first_seen: str
    expires: str | None = None
    reason: str | None = None

    def expired(self, today: datetime.date) -> bool:
        """Whether ``expires`` has passed (the day itself still counts as accepted)."""
        return self.expires is not None and datetime.date.fromisoformat(self.expires) < today

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {k: v for k, v in data.items() if v is not None or k == "operation"}

    def where(self) -> str:
        """``FC106 cassettes/jobs.yaml::interaction[2] /hyperparameters/n_epochs``"""
        return f"{self.code} {self.file}::{self.item} {self.path or '<root>'}"


def fingerprint(code: str, file: str, item: str, operation: str | None, path: str) -> str:
    """A stable hash of where a finding is (no line numbers, no values)."""
    data = json.dumps([code, file, item, operation or "", path], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _place(violation: Violation) -> str:
    """The pointer hashed: for ``required`` with the missing name, for a deviation its amendment.

    (``required`` and known deviations are reported at the object that lacks a property,
    so several of them can share a pointer.)
    """
    if violation.keyword == "required":
        return f"{violation.path}\0{violation.message}"
    if violation.amendment:
        return f"{violation.path}\0{violation.amendment}"
    return violation.path


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _item(result: Result) -> str:
    if result.name:
        return result.name
    return result.source[len(result.file) :].lstrip(":") or "payload"


class Baseline:
    """The entries of a baseline file, by fingerprint."""

    def __init__(self, entries: Iterable[Entry] = (), path: Path | None = None) -> None:
        self.entries = list(entries)
        self.path = path

    @property
    def folder(self) -> Path:
        return (self.path or Path("baseline.json")).resolve().parent

    def file_key(self, file: str) -> str:
        """A result's file as the baseline names it: relative to its folder when real."""
        if file.startswith("<") or not file:
            return file
        try:
            real = Path(file).resolve()
            if not real.is_file():
                return file
            return Path(os.path.relpath(real, self.folder)).as_posix()
        except (OSError, ValueError):
            return file

    def entry_of(
        self,
        result: Result,
        violation: Violation,
        today: datetime.date,
        file: str | None = None,
        side: str = "response",
    ) -> Entry:
        """The entry a finding would have (``first_seen`` today; ``file``: the real file).

        A finding on the recorded request has its request-side code (``FC4NN``), so its
        fingerprint differs from the same keyword's on the response.
        """
        file, item = self.file_key(file or result.file), _item(result)
        place = _place(violation)
        code = violation.code_on(side)
        return Entry(
            code=code,
            file=file,
            item=item,
            operation=result.operation,
            path=violation.path,
            message=violation.message,
            fingerprint=fingerprint(code, file, item, result.operation, place),
            first_seen=today.isoformat(),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str], missing_ok: bool = False) -> Baseline:
        """Read a baseline file (raises :class:`BaselineError`); missing: empty if allowed."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            if missing_ok:
                return cls((), file)
            raise BaselineError(f"{file}: no such baseline file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{file}: cannot read the baseline: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"{file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise BaselineError(f'{file}: not a baseline (expected {{"version": {VERSION}, ...}})')
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise BaselineError(f"{file}: entries: expected a list")
        return cls((_entry(file, i, e) for i, e in enumerate(entries)), file)

    def write(self, path: str | os.PathLike[str], entries: Iterable[Entry]) -> None:
        """Write ``entries`` (sorted, so the file diffs well) as a baseline file."""
        ordered = sorted(entries, key=lambda e: (e.file, e.item, e.path, e.code, e.fingerprint))
        document = {"version": VERSION, "entries": [e.as_dict() for e in ordered]}
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        Path(path).write_text(text, encoding="utf-8")


_REQUIRED = ("code", "file", "item", "path", "fingerprint", "first_seen")


def _entry(file: Path, index: int, data: Any) -> Entry:
    where = f"{file}: entries[{index}]"
    if not isinstance(data, dict):
        raise BaselineError(f"{where}: expected an object")
    for key in _REQUIRED:
        if not isinstance(data.get(key), str):
            raise BaselineError(f"{where}: {key}: expected a string")
    for key in ("first_seen", "expires"):
        value = data.get(key)
        if value is None and key == "expires":
            continue
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            raise BaselineError(f"{where}: {key}: {value!r} is not a date (YYYY-MM-DD)") from None
    for key in ("operation", "reason", "message"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise BaselineError(f"{where}: {key}: expected a string")
    return Entry(
        code=data["code"],
        file=data["file"],
        item=data["item"],
        operation=data.get("operation"),
        path=data["path"],
        message=data.get("message") or "",
        fingerprint=data["fingerprint"],
        first_seen=data["first_seen"],
        expires=data.get("expires"),
        reason=data.get("reason"),
    )


@dataclass
class Matcher:
    """One run's use of a baseline: what it accepted, what it no longer saw, what expired.

    ``update`` accepts every finding (``--update-baseline``); :meth:`entries`
    is then what the file is rewritten with.
    """

    baseline: Baseline
    today: datetime.date = field(default_factory=datetime.date.today)
    update: bool = False
    accepted: int = 0
    #: Entries of findings seen this run (the old entry when listed, else a new one).
    seen: list[Entry] = field(default_factory=list)
    expired: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._open: dict[str, list[Entry]] = {}
        for entry in self.baseline.entries:
            self._open.setdefault(entry.fingerprint, []).append(entry)

    def filter(self, result: Result, file: str | None = None) -> Result:
        """``result`` without the findings the baseline accepts (``file``: its real path);
        the response's and the recorded request's alike."""
        if not result.violations and not result.request_violations:
            return result
        response = self._kept(result, result.violations, file, "response")
        request = self._kept(result, result.request_violations, file, "request")
        if response == result.violations and request == result.request_violations:
            return result
        return dataclasses.replace(result, violations=response, request_violations=request)

    def _kept(
        self, result: Result, violations: tuple[Violation, ...], file: str | None, side: str
    ) -> tuple[Violation, ...]:
        kept: list[Violation] = []
        for violation in violations:
            found = self.baseline.entry_of(result, violation, self.today, file, side)
            listed = self._open.get(found.fingerprint)
            entry = listed.pop(0) if listed else None
            if entry is not None and entry.expired(self.today) and not self.update:
                self.expired.append(entry)
                self.seen.append(entry)
                kept.append(violation)
                continue
            self.seen.append(entry or found)
            if entry is not None or self.update:
                self.accepted += 1
            else:
                kept.append(violation)
        return violations if len(kept) == len(violations) else tuple(kept)

    def resolved(self) -> list[Entry]:
        """Entries no finding of this run matched."""
        return [e for listed in self._open.values() for e in listed]

    def merge(self, seen: Iterable[str], expired: Iterable[dict[str, Any]], accepted: int) -> None:
        """Count what another process's matcher saw (the pytest plugin under xdist)."""
        for print_ in seen:
            listed = self._open.get(print_)
            if listed:
                self.seen.append(listed.pop(0))
        self.expired.extend(_entry(Path("<worker>"), i, e) for i, e in enumerate(expired))
        self.accepted += accepted

    def entries(self) -> list[Entry]:
        """What ``--update-baseline`` writes: every finding seen, old entries' dates kept."""
        return list(self.seen)

    def lines(self) -> list[str]:
        """The summary lines for people."""
        name = str(self.baseline.path) if self.baseline.path else "baseline"
        lines = []
        if self.update:
            new = sum(1 for e in self.seen if e.first_seen == self.today.isoformat())
            lines.append(
                f"baseline {name}: wrote {_entries(len(self.seen))} "
                f"({new} new; {len(self.resolved())} resolved pruned)"
            )
            return lines
        lines.append(f"baseline {name}: {plural(self.accepted, 'known finding')} accepted")
        resolved = self.resolved()
        if resolved:
            lines.append(
                f"baseline: {_entries(len(resolved))} resolved (no longer seen; "
                f"--update-baseline prunes them): {_named(resolved)}"
            )
        if self.expired:
            lines.append(
                f"baseline: {_entries(len(self.expired))} expired and failing again: "
                + _named(self.expired, dated=True)
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The summary fields for machines (``summary.baseline``)."""
        return {
            "file": str(self.baseline.path) if self.baseline.path else None,
            "updated": self.update,
            "accepted": self.accepted,
            "resolved": [e.as_dict() for e in self.resolved()],
            "expired": [e.as_dict() for e in self.expired],
        }


def _named(entries: list[Entry], dated: bool = False) -> str:
    shown = [e.where() + (f" (expired {e.expires})" if dated else "") for e in entries[:NAMED]]
    if len(entries) > NAMED:
        shown.append(f"and {len(entries) - NAMED} more")
    return "; ".join(shown)


__all__ = ["VERSION", "Baseline", "BaselineError", "Entry", "Matcher", "fingerprint"]
