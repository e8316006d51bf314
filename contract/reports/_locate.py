"""The line of a result, or of one of its violations, in the file it came from.

What "line" means, by input:

- JSON Lines: the line of the payload (as in the result's source, ``jobs.jsonl:3``);
- a JSON payload file: the line where the offending value starts, found from
  the violation's JSON Pointer by a light scan of the text (for a missing
  property, the line of the object that lacks it; a compact one-line file is
  all line 1);
- a recording (YAML cassette, HAR, session record, nock, JSON cassette): the
  line of the interaction's recorded response body (the ``body:`` key in
  vcrpy, Ruby VCR and go-vcr cassettes, ``content`` in HAR, ``ResponseBody``
  in test-proxy records, ``response`` in nock files), else where the
  interaction starts. Every violation of that response gets this line: its
  body is one string in the file;
- standard input, or a file no longer readable: no line.

A call the reader saw on a line of its own (a large HAR written one entry per
line, as the validating proxy writes it) carries that line
(:attr:`contract.engine.results.Result.body_line`), and its file is not read
again. Other files are read again only by formats that report lines, one file at a time
(the last one is kept), within the readers' size and inflation limits. A JSON
recording is read forward in blocks only as far as the interaction asked for
(:mod:`contract.reports._jsonscan`), so its memory stays flat at any size;
YAML cassettes and payload files are read whole and scanned here
(:func:`interaction_lines` over :func:`json_values` is also what the block
reader is tested against).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from contract._core import jsonpointer
from contract.engine.results import Result
from contract.reports._jsonscan import BODIES as _BODIES
from contract.reports._jsonscan import HOLDS, InteractionLines, Opener
from contract.reports._jsonscan import ITEM_POINTER as _ITEM_POINTER

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
_ITEM = re.compile(r"^(?:interaction|entry)\[(\d+)\]$")


def _segment(key: Any) -> str:
    return "/" + jsonpointer.escape(key)


def json_values(text: str) -> Iterator[tuple[str, int]]:
    """``(JSON Pointer, line)`` of every value in a JSON text, in order (a tolerant scan)."""
    line, position = 1, 0
    # Per open container: [is_object, current key or index, pointer of the container].
    stack: list[list[Any]] = []
    expect_key = False
    for found in _TOKEN.finditer(text):
        start = found.start()
        line += text.count("\n", position, start)
        position = start
        token = found.group()
        first = token[0]
        if expect_key:
            if first == '"':
                try:
                    stack[-1][1] = json.loads(token)
                except ValueError:
                    stack[-1][1] = token[1:-1]
                expect_key = False
            elif first == "}" and stack:
                stack.pop()
                expect_key = False
            continue
        if first == ":":
            continue
        if first == ",":
            if stack and stack[-1][0]:
                expect_key = True
            elif stack:
                stack[-1][1] += 1
            continue
        if first in "}]":
            if stack:
                stack.pop()
            continue
        pointer = stack[-1][2] + _segment(stack[-1][1]) if stack else ""
        yield pointer, line
        if first == "{":
            stack.append([True, None, pointer])
            expect_key = True
        elif first == "[":
            stack.append([False, 0, pointer])


def yaml_values(
    data: bytes, into: Callable[[str], object] | None = None
) -> Iterator[tuple[str, int]]:
    """``(JSON Pointer, line)`` of every node of a YAML document, in order; with ``into``,
    only the members of the collections whose pointer it accepts (the others are
    given, and their contents passed over)."""
    import yaml
    from yaml import events

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    ends = (events.MappingEndEvent, events.SequenceEndEvent)
    # Per open collection: [is_mapping, key or index, pointer, expecting a key, key's line].
    stack: list[list[Any]] = []
    passing = 0  # depth within a collection passed over
    parser = loader(data)
    try:
        while (event := parser.get_event()) is not None:
            if passing:
                if isinstance(event, events.CollectionStartEvent):
                    passing += 1
                elif isinstance(event, ends):
                    passing -= 1
                    if not passing:
                        _advance(stack)
                continue
            if isinstance(event, ends):
                if stack.pop()[2] != "\0":
                    _advance(stack)
                continue
            if not isinstance(event, (events.NodeEvent, events.CollectionStartEvent)):
                continue
            if stack and stack[-1][0] and stack[-1][3]:  # a mapping key
                stack[-1][1] = event.value if isinstance(event, events.ScalarEvent) else "?"
                stack[-1][3] = False
                stack[-1][4] = _line_of(event)
                if isinstance(event, events.CollectionStartEvent):
                    # A complex key: skipped as a whole (recorders never write one).
                    stack.append([False, 0, "\0", False, 0])
                continue
            pointer = stack[-1][2] + _segment(stack[-1][1]) if stack else ""
            # A mapping's value is placed at its key's line (``body:``), not where it starts.
            in_mapping = bool(stack) and stack[-1][0]
            yield pointer, stack[-1][4] if in_mapping else _line_of(event)
            if (
                into is not None
                and isinstance(event, events.CollectionStartEvent)
                and not into(pointer)
            ):
                passing = 1
            elif isinstance(event, events.MappingStartEvent):
                stack.append([True, None, pointer, True, 0])
            elif isinstance(event, events.SequenceStartEvent):
                stack.append([False, 0, pointer, False, 0])
            else:
                _advance(stack)
    finally:
        parser.dispose()


def _line_of(event: Any) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


def _advance(stack: list[list[Any]]) -> None:
    if not stack:
        return
    if stack[-1][0]:
        stack[-1][3] = True
    else:
        stack[-1][1] += 1


def pointer_lines(values: Iterator[tuple[str, int]], wanted: set[str]) -> dict[str, int]:
    """The line of each wanted pointer found in ``values`` (stops once all are found)."""
    found: dict[str, int] = {}
    for pointer, line in values:
        if pointer in wanted and pointer not in found:
            found[pointer] = line
            if len(found) == len(wanted):
                break
    return found


def _ancestors(pointer: str) -> list[str]:
    parts = pointer.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]


def interaction_lines(values: Iterator[tuple[str, int]]) -> dict[int, int]:
    """For each interaction index of a recording, the line of its response body (or start)."""
    best: dict[int, tuple[int, int]] = {}  # index -> (rank of the place found, line)
    container: str | None = None
    for pointer, line in values:
        found = _ITEM_POINTER.match(pointer)
        if found is None:
            continue
        if container is None:
            container = found["container"]
        elif found["container"] != container:
            continue
        index, rank = int(found["index"]), _BODIES.index(found["rest"])
        if index not in best or rank < best[index][0]:
            best[index] = (rank, line)
    return {index: line for index, (_, line) in best.items()}


@dataclass(frozen=True)
class Location:
    """Where a result is: its file (as the user named it), and lines (None when unknown)."""

    file: str
    path: Path | None
    line: int | None
    violation_lines: tuple[int | None, ...]


#: Labels whose file a :class:`Locator` remembers at most (then it forgets them all).
_FILES_KEPT = 1024


class Locator:
    """Finds lines in the files results came from; ``paths`` maps a source's file label to
    the file's real path when they differ (the bundled examples)."""

    def __init__(self, paths: Mapping[str, str | Path] | None = None) -> None:
        self.paths = {str(k): Path(v) for k, v in (paths or {}).items()}
        self._last: tuple[Path, Any] | None = None
        #: The file behind each label met lately (a run's results come file after file).
        self._files: dict[str, Path | None] = {}

    def _file(self, label: str) -> Path | None:
        """The readable file behind a result's file ``label`` (None: standard input, or
        no such file)."""
        if label in self._files:
            return self._files[label]
        path: Path | None = None
        if label not in ("-", "<stdin>"):
            path = self.paths.get(label, Path(label))
            path = path if path.is_file() else None
        if len(self._files) >= _FILES_KEPT:
            self._files.clear()
        self._files[label] = path
        return path

    def locate(self, result: Result) -> Location:
        """The file and lines of ``result`` and of each of its violations (those of the
        response, then those of the request: :attr:`Result.findings`)."""
        label = result.file
        path = self._file(label)
        count = len(result.violations) + len(result.request_violations)
        line: int | None = result.line
        lines: list[int | None] = [line] * count
        item = _ITEM.match(result.name)
        try:
            if path is not None and item is not None:
                # The reader's line, when it saw the call on a line of its own, is the one
                # reading the file again would find: the file is read once.
                line = result.body_line
                if line is None:
                    line = self._interaction_line(path, int(item[1]))
                lines = [line] * count
            elif path is not None and result.name == "payload":
                wanted = {a for v in result.violations for a in _ancestors(v.path)} | {""}
                found = pointer_lines(json_values(self._text(path)), wanted)
                line = found.get("", line)
                lines = [
                    next((found[a] for a in _ancestors(v.path) if a in found), line)
                    for v in result.violations
                ] + [line] * len(result.request_violations)
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # no line rather than no report
        return Location(label, path, line, tuple(lines))

    def _data(self, path: Path) -> bytes:
        from contract.recordings._io import gunzip, is_gzip, read_file

        data = read_file(path, str(path))
        return gunzip(data, str(path)) if is_gzip(data) else data

    def _text(self, path: Path) -> str:
        if self._last is not None and self._last[0] == path and isinstance(self._last[1], str):
            return self._last[1]
        self.close()
        text = self._data(path).decode("utf-8")
        self._last = (path, text)
        return text

    def _interaction_line(self, path: Path, index: int) -> int | None:
        if self._last is None or self._last[0] != path or isinstance(self._last[1], str):
            self.close()
            name = path.name.lower().removesuffix(".gz")
            if name.endswith((".yaml", ".yml")):
                import yaml

                try:
                    values = yaml_values(self._data(path), into=HOLDS.match)
                    self._last = (path, interaction_lines(values))
                except yaml.YAMLError:
                    self._last = (path, {})
            else:  # JSON, read as far as asked in blocks (see _jsonscan)
                self._last = (path, InteractionLines(_opener(path)))
        lines = self._last[1]
        return lines.line(index) if isinstance(lines, InteractionLines) else lines.get(index)

    def close(self) -> None:
        """Closes the file read last, if still open (the next question opens it again)."""
        if self._last is not None and isinstance(self._last[1], InteractionLines):
            self._last[1].close()
        self._last = None


def _opener(path: Path) -> Opener:
    """Opens ``path`` as the recordings' readers do: a regular file within the size limit,
    inflated as it is read if compressed (within a fresh inflation budget)."""
    from contract.recordings import _io, _limits

    @contextmanager
    def opened() -> Iterator[tuple[BinaryIO, int]]:
        handle, stream = _io.open_streamed(path, str(path), _io.Budget())
        with handle, stream:
            # An inflated stream is bounded by its budget, a plain file by the size limit.
            yield stream, _limits.MAX_FILE_BYTES if stream is handle else 1 << 62

    return opened


__all__ = [
    "Location",
    "Locator",
    "interaction_lines",
    "json_values",
    "pointer_lines",
    "yaml_values",
]
