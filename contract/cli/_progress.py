"""How far ``check`` has got through its input, in bytes: so its progress bar has a total and
can say how long is left.

The total is the size of every file behind the paths (compressed files at their
size on disk). A file counts as read once the results move past it. Inside a
plain JSON Lines file, results and counted conforming lines advance through it
line by line: its lines are counted before the run (a newline count, about a
gigabyte a second), so a single dump of millions of jobs shows its progress
too. Standard input has no size: the bar then counts payloads without a total.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from contract.engine import Conforming, Event
from contract.engine.results import Result
from contract.recordings import LINE_SUFFIXES, RecordingError, expand

_CHUNK = 1 << 20


@dataclass
class _File:
    label: str
    size: int
    #: Lines of a plain JSON Lines file (None for other files: read as one piece).
    lines: int | None


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            count, last = 0, b"\n"
            while chunk := handle.read(_CHUNK):
                count += chunk.count(b"\n")
                last = chunk[-1:]
            return count + (last != b"\n")
    except OSError:
        return None


def _files(paths: Iterable[str | Path], labels: Mapping[str, str]) -> list[_File] | None:
    """The files behind ``paths`` with their sizes (None: standard input, or nothing to size)."""
    found: list[_File] = []
    try:
        for file in expand(paths):
            if not isinstance(file, Path):
                return None  # standard input: no size
            try:
                size = os.stat(file).st_size
            except OSError:
                continue
            lines = _count_lines(file) if file.suffix.lower() in LINE_SUFFIXES else None
            found.append(_File(labels.get(str(file), str(file)), size, lines))
    except RecordingError:
        return None
    return found or None


class Meter:
    """Bytes of input read so far, estimated from the events as they come (in input order)."""

    def __init__(self, files: list[_File]) -> None:
        self.files = files
        self.index = {f.label: i for i, f in reversed(list(enumerate(files)))}
        self.total = sum(f.size for f in files)
        self.current = 0
        self.lines = 0
        self.finished = 0  # bytes of the files before the current one

    @classmethod
    def of(cls, paths: Iterable[str | Path], labels: Mapping[str, str]) -> Meter | None:
        files = _files(paths, labels)
        return cls(files) if files else None

    def _move_to(self, index: int) -> None:
        while self.current < index:
            self.finished += self.files[self.current].size
            self.current += 1
            self.lines = 0

    def add(self, event: Event) -> None:
        """Move on by one event."""
        if isinstance(event, Result):
            index = self.index.get(event.file)
            if index is not None and index > self.current:
                self._move_to(index)
            self._advance(1)
        elif isinstance(event, Conforming):
            self._advance(event.payloads)

    def _advance(self, lines: int) -> None:
        file = self.files[self.current]
        if file.lines is None:
            return
        self.lines += lines
        # More lines than the file holds: the run is in the next JSON Lines file.
        while self.lines > (self.files[self.current].lines or 0) and self.current + 1 < len(
            self.files
        ):
            spill = self.lines - (self.files[self.current].lines or 0)
            self._move_to(self.current + 1)
            self.lines = spill if self.files[self.current].lines is not None else 0

    def finish(self) -> None:
        """The run is over: everything was read."""
        self.finished, self.current, self.lines = self.total, len(self.files) - 1, 0

    @property
    def done(self) -> int:
        """Bytes read, estimated (never more than the total)."""
        file = self.files[self.current]
        inside = 0
        if file.lines and self.finished < self.total:
            inside = file.size * min(self.lines, file.lines) // file.lines
        return min(self.total, self.finished + inside)


__all__ = ["Meter"]
