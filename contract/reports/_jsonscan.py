"""The line of each interaction of a JSON recording, found by reading the file forward in blocks.

Which place of an interaction counts (:data:`ITEM_POINTER`, :data:`BODIES`) is
what :func:`contract.reports._locate.interaction_lines` finds from every
value of the file; here only the few levels that can hold such a place are
walked (the root, the list of interactions, an interaction, its response),
and every other value is passed over at C speed: strings and numbers by
regular expressions, containers by the stdlib JSON decoder when they are
whole in what is read (else a bracket at a time, runs of strings by a regular
expression). An interaction on one line is passed over whole the same way:
all its places are on that line. Lines are newlines counted between the
places visited.

:class:`InteractionLines` goes forward only as far as the interaction asked
for and keeps little: the lines of interactions not yet asked for, never those
of ones passed (asking for an earlier one reads the file again from its start).
It holds one block of the file and what is left of the one before, whatever
the file's size or the size of one value. A file that stops being JSON gives
no line from that place on, and never an exception.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO

import orjson

from contract._core import jsonpointer

#: Where recorder layouts keep their list of interactions.
CONTAINERS = ("/log/entries", "/interactions", "/http_interactions", "/Entries", "")
#: Where, inside one interaction, the recorded response body starts; the first found wins.
BODIES = ("/response/body", "/response/content", "/ResponseBody", "/response", "")
ITEM_POINTER = re.compile(
    r"^(?P<container>/log/entries|/interactions|/http_interactions|/Entries|)/(?P<index>\d+)"
    r"(?P<rest>/response/body|/response/content|/ResponseBody|/response|)$"
)
#: Pointers of the values walked into: those whose members may match :data:`ITEM_POINTER`.
HOLDS = re.compile(
    r"(?:/log|/log/entries|/interactions|/http_interactions|/Entries|)\Z"
    r"|(?:/log/entries|/interactions|/http_interactions|/Entries|)/\d+(?:/response)?\Z"
)
#: Opens the file: its (decompressed) bytes and the most of them to read.
Opener = Callable[[], AbstractContextManager[tuple[BinaryIO, int]]]
#: Bytes read at a time.
BLOCK = 1 << 20
#: An interaction with no newline in its first characters is tried as one line.
_NEAR = 200
#: Longest key kept whole (a longer one cannot name a place that counts).
_LONGEST_KEY = 1 << 12

_SPACE = re.compile(r"\s*")
#: What a string holds up to its closing quote (or the end of what is read).
_INSIDE = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
#: A run of anything but brackets and quotes, and of whole strings.
_FLAT = re.compile(r'[^"{}\[\]]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"{}\[\]]*)*', re.DOTALL)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: A key and its colon, with the space around them.
_KEY = re.compile(r'\s*"([^"\\]*(?:\\.[^"\\]*)*)"\s*:\s*', re.DOTALL)
_DECODER = json.JSONDecoder(strict=False)
_BARE = re.compile(r'[^\s{}\[\],:"]+')
_BARE_ON = re.compile(r'[^\s{}\[\],:"]*')


def _past(pattern: re.Pattern[str], text: str, start: int) -> int:
    """Where ``pattern`` (one that matches the empty string too) stops, from ``start``."""
    found = pattern.match(text, start)
    return found.end() if found is not None else start


class _Broken(Exception):
    """The text stops being JSON here (or ends early)."""


class _Text:
    """A file's text, decoded a block at a time; ``buf[pos:]`` is what is not read yet."""

    def __init__(self, stream: BinaryIO, block: int, limit: int) -> None:
        self._stream, self._block, self._left = stream, block, limit
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.eof = "", 0, False
        self._line, self._mark = 1, 0  # the line at buf[_mark]

    def more(self) -> bool:
        """Drop what is read, add the next block; False at the end of the file."""
        while not self.eof:
            self._line += self.buf.count("\n", self._mark, self.pos)
            self.buf, self.pos, self._mark = self.buf[self.pos :], 0, 0
            data = self._stream.read(self._block)
            self._left -= len(data)
            if self._left < 0:
                raise _Broken  # past the file size limit
            self.eof = not data
            text = self._decoder.decode(data, final=self.eof)
            if text:
                self.buf += text
                return True
        return False

    def line(self) -> int:
        """The line at ``pos`` (asked for at places in order)."""
        self._line += self.buf.count("\n", self._mark, self.pos)
        self._mark = self.pos
        return self._line

    def space(self) -> str:
        """Skip whitespace; the next character, or "" at the end."""
        while True:
            self.pos = _past(_SPACE, self.buf, self.pos)
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        if self.space() != char:
            raise _Broken
        self.pos += 1

    def string(self, keep: bool) -> str:
        """The raw content of the string at ``pos`` (its opening quote); "" if not ``keep``."""
        self.pos += 1
        parts: list[str] = []
        kept = 0
        while True:
            end = _past(_INSIDE, self.buf, self.pos)
            if keep and kept < _LONGEST_KEY:
                parts.append(self.buf[self.pos : end])
                kept += end - self.pos
            self.pos = end
            if end < len(self.buf) and self.buf[end] == '"':
                self.pos += 1
                return "".join(parts) if kept <= _LONGEST_KEY else "\0"
            if not self.more():
                raise _Broken

    def skip(self) -> None:
        """Pass over the value at ``pos``."""
        buf, pos = self.buf, self.pos
        first = buf[pos]
        if first == '"':
            found = _STRING.match(buf, pos)
            if found is None:  # it goes on past what is read
                self.string(keep=False)
            else:
                self.pos = found.end()
        elif first in "{[":
            end = self.decoded(pos)
            if end < 0:  # cut by the block's end (or not JSON): a bracket at a time
                self._skip_nested()
            else:
                self.pos = end
        else:
            found = _BARE.match(buf, pos)
            if found is None:
                raise _Broken
            self.pos = found.end()
            while self.pos == len(self.buf) and self.more():  # a number cut by a block's end
                self.pos = _past(_BARE_ON, self.buf, self.pos)

    def decoded(self, pos: int) -> int:
        """Where the container at ``pos`` ends if it is whole JSON in what is read, else -1."""
        try:
            return _DECODER.raw_decode(self.buf, pos)[1]
        except (ValueError, RecursionError):
            return -1

    def _skip_nested(self) -> None:
        depth = 0
        while True:
            end = self.pos = _past(_FLAT, self.buf, self.pos)
            if end == len(self.buf):
                if not self.more():
                    raise _Broken
                continue
            char = self.buf[end]
            if char == '"':  # a string that goes on past what is read
                self.string(keep=False)
                continue
            self.pos += 1
            if char in "{[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return


def _key(raw: str) -> str:
    """A key as :func:`contract.reports._locate.json_values` reads it."""
    if "\\" not in raw:
        return raw
    try:
        key = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return key if isinstance(key, str) else raw


class _Walk:
    """One walk over a file: ``best`` maps each interaction index to (rank of place, line)."""

    def __init__(self, opened: Opener, block: int) -> None:
        self._opened, self._block = opened, block
        self.container: str | None = None
        self.best: dict[int, tuple[int, int]] = {}
        #: The interaction being walked (its lines are not known yet).
        self.current: int | None = None
        self.text: _Text

    def run(self) -> Generator[int, None, None]:
        """Walks every top-level value; yields each interaction's index once it is passed."""
        with self._opened() as (stream, limit):
            self.text = _Text(stream, self._block, limit)
            while self.text.space():
                yield from self._value("")

    def _value(self, pointer: str) -> Iterator[int]:
        text = self.text
        first = text.buf[text.pos] if text.pos < len(text.buf) else text.space()
        if first.isspace():
            first = text.space()
        if not first:
            raise _Broken
        found = ITEM_POINTER.match(pointer)
        index = self._place(found, text.line()) if found is not None else None
        item = index is not None and found is not None and not found["rest"]
        if item:
            self.current = index
        if first not in "{[" or not HOLDS.match(pointer):
            text.skip()
        elif not item or not self._on_one_line():
            yield from self._members(pointer, first)
        if item and index is not None:
            self.current = None
            yield index

    def _on_one_line(self) -> bool:
        """Passes over the interaction at ``pos`` if it is on one line (all its places are)."""
        text = self.text
        pos = text.pos
        if text.buf.find("\n", pos, pos + _NEAR) >= 0:
            return False  # pretty-printed, surely
        # The usual case (one interaction a line, as json.dumps writes a HAR): the line is
        # tried as one value by orjson, much faster than the stdlib decoder at it. What
        # orjson takes whole, the stdlib decoder also ends where the line ends.
        newline = text.buf.find("\n", pos + _NEAR)  # none before: looked for above
        if newline >= 0:
            line = text.buf[pos:newline].rstrip()
            line = line[:-1].rstrip() if line.endswith(",") else line
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                pass
            else:
                text.pos = pos + len(line)
                return True
        end = text.decoded(pos)
        if end < 0 or text.buf.find("\n", pos, end) >= 0:
            return False
        text.pos = end
        return True

    def _place(self, found: re.Match[str], line: int) -> int | None:
        if self.container is None:
            self.container = found["container"]
        elif found["container"] != self.container:
            return None
        try:
            index = int(found["index"])
        except ValueError:  # too many digits for an int
            return None
        rank = BODIES.index(found["rest"])
        if index not in self.best or rank < self.best[index][0]:
            self.best[index] = (rank, line)
        return index

    def _members(self, pointer: str, bracket: str) -> Iterator[int]:
        text = self.text
        text.pos += 1
        close = "}" if bracket == "{" else "]"
        position = 0
        while True:
            char = text.space()
            if char == close:  # also after a trailing comma, as json_values reads it
                text.pos += 1
                return
            if bracket == "[":
                yield from self._value(f"{pointer}/{position}")
                position += 1
            else:
                found = _KEY.match(text.buf, text.pos)
                if found is not None and found.end() < len(text.buf):
                    text.pos = found.end()
                    raw = found[1]
                elif char == '"':  # cut by the block's end
                    raw = text.string(keep=True)
                    text.expect(":")
                else:
                    raise _Broken
                key = _key(raw)
                if "~" in key or "/" in key:
                    key = jsonpointer.escape(key)
                yield from self._value(f"{pointer}/{key}")
            char = text.space()
            if char == ",":
                text.pos += 1
            elif char != close:
                raise _Broken


class InteractionLines:
    """The line of each interaction of one JSON recording, read forward as asked.

    ``opened`` opens the file (again, when an earlier interaction than the last
    is asked for) and gives it with the most bytes to read from it. Opening
    and reading may raise OSError or ValueError: that ends the walk as a break
    in the text does, with no line from there on.
    """

    def __init__(self, opened: Opener, *, block: int = BLOCK) -> None:
        self._opened, self._block = opened, block
        self._walk: _Walk | None = None
        self._steps: Generator[int, None, None] | None = None
        self._asked = -1

    def line(self, index: int) -> int | None:
        """The line of interaction ``index`` (None: no such interaction, or none found)."""
        walk = self._walk
        if walk is None or index < self._asked:
            self.close()
            walk = self._walk = _Walk(self._opened, self._block)
            self._steps = walk.run()
        self._asked = index
        best = walk.best
        # Between steps no interaction is half-walked: one in ``best`` is passed.
        if index not in best and self._steps is not None:
            try:
                for passed in self._steps:
                    if passed == index:
                        break
                else:
                    self._steps = None
            except (_Broken, OSError, ValueError):
                self._steps = None
                if walk.current is not None:  # cut short: no line rather than a wrong one
                    best.pop(walk.current, None)
        found = best.get(index)
        for earlier in [i for i in best if i < index]:
            del best[earlier]
        return found[1] if found is not None else None

    def close(self) -> None:
        """Closes the file (a later question opens it again)."""
        if self._steps is not None:
            self._steps.close()
        self._walk, self._steps = None, None


__all__ = ["BLOCK", "BODIES", "CONTAINERS", "HOLDS", "ITEM_POINTER", "InteractionLines"]
