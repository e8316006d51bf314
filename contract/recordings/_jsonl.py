"""Reading JSON Lines a line at a time, so memory stays flat whatever the file's size.

A line is read with a bound (:data:`~contract.recordings._limits.MAX_LINE_BYTES`):
a longer one is a :class:`RecordingError` naming the file and line, never an
unbounded read. A gzip-compressed file is inflated as it is read, within the
file's inflation budget (:class:`~contract.recordings._io.Budget`). Files are
opened as :func:`~contract.recordings._io.read_file` opens them (regular files
only), but no file size limit applies: nothing is held beyond one line.

Standard input is sniffed (:func:`sniff`): JSON Lines are streamed the same
way; a single document (a payload or a recording) is read whole, as before.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO, Protocol

from contract.recordings import _limits
from contract.recordings._io import Budget, is_gzip, open_regular, read_stream
from contract.recordings._io import unreadable_reason as _reason
from contract.recordings._model import RecordingError
from contract.strictjson import JSONSyntaxError, decode

#: One line of a JSON Lines file: its 1-based number and its bytes, without the newline.
Line = tuple[int, bytes]

#: Why a JSON Lines file with no line but blank ones is refused.
ALL_BLANK = "holds no payloads (every line is blank)"


class Readable(Protocol):
    """What lines are read from: a binary file, standard input, a gzip stream."""

    def readline(self, size: int = -1, /) -> bytes: ...


def numbered(
    handle: Readable, label: str, *, first: int = 1, budget: Budget | None = None
) -> Iterator[Line]:
    """The lines of ``handle`` from line number ``first`` on, each read within the line bound.

    With ``budget`` (a compressed source), the bytes read count against it.
    """
    limit = _limits.MAX_LINE_BYTES + 1
    readline = handle.readline
    number = first - 1
    try:
        while True:
            text = readline(limit)
            if not text:
                return
            number += 1
            if text[-1:] == b"\n":
                text = text[:-1]
            elif len(text) == limit:
                raise RecordingError(
                    f"{label}:{number}",
                    f"line is longer than the limit of {_limits.MAX_LINE_BYTES} bytes",
                )
            if budget is not None:
                budget.used += len(text) + 1
                if budget.used > budget.limit:
                    raise budget.refuse(label, "the file")
            yield number, text
    except (OSError, EOFError, zlib.error) as exc:
        raise RecordingError(label, _reason(exc)) from None


def _compressed(path: Path, handle: io.BufferedReader) -> bool:
    """Whether a JSON Lines file is read inflated: by its name, or its first bytes."""
    return path.name.lower().endswith(".gz") or is_gzip(handle.peek(2)[:2])


def file_lines(path: Path, label: str, max_inflated: int | None = None) -> Iterator[Line]:
    """Every line of the JSON Lines file ``path`` (gzip-compressed or not), read as needed.

    ``max_inflated`` bounds what a compressed file inflates to (default: the
    process's inflation limit). The file is closed when the lines are exhausted
    or the iterator is closed.
    """
    handle = open_regular(path, label)
    try:
        if _compressed(path, handle):
            budget = Budget(max_inflated)
            with gzip.GzipFile(fileobj=handle, mode="rb") as inflated:
                yield from numbered(inflated, label, budget=budget)
        else:
            yield from numbered(handle, label)
    finally:
        handle.close()


def _read(read: Callable[[int], bytes], size: int, label: str) -> bytes:
    """``read(size)``, an error of the system as a :class:`RecordingError` naming ``label``."""
    try:
        return read(size)
    except OSError as exc:
        raise RecordingError(label, _reason(exc)) from None


def sniff(stream: BinaryIO, label: str) -> tuple[Iterator[Line] | None, bytes]:
    """Standard input as JSON Lines to stream, or ``(None, data)``: one document, read whole.

    It is JSON Lines when its first non-blank line is a JSON text on its own
    and another non-blank line follows; anything else (a pretty-printed
    document, a one-line recording, compressed data, text that is not JSON)
    is read whole within the file size limit, as a file would be.
    """
    limit = _limits.MAX_LINE_BYTES + 1
    head: list[bytes] = []

    def whole() -> bytes:
        data = b"".join(head) + read_stream(stream, label)
        if len(data) > _limits.MAX_FILE_BYTES:
            limit_text = f"is larger than the limit of {_limits.MAX_FILE_BYTES} bytes"
            raise RecordingError(label, limit_text)
        return data

    def next_content() -> bytes | None:
        """The next non-blank line (kept in ``head``), None at the end of input."""
        while True:
            text = _read(stream.readline, limit, label)
            if not text:
                return None
            head.append(text)
            if text.strip():
                return text

    first = next_content()
    if first is None:
        return None, b"".join(head)
    if is_gzip(b"".join(head)[:2]) or not first.endswith(b"\n"):
        return None, whole()
    try:
        decode(first)
    except JSONSyntaxError:
        return None, whole()
    if next_content() is None:
        return None, b"".join(head)
    read = [(number, text.removesuffix(b"\n")) for number, text in enumerate(head, start=1)]
    return chain(read, numbered(stream, label, first=len(head) + 1)), b""


#: Bytes of whole lines in one :class:`Span` (at least; a span ends at a line's end).
SPAN_BYTES = 1 << 20
#: Bytes read at a time while cutting a file into spans.
_BLOCK = 1 << 18
_BLANK = b" \t\n\r\x0b\x0c"  # what ``bytes.strip`` strips


@dataclass(frozen=True)
class Span:
    """A stretch of whole lines of an uncompressed JSON Lines file: the bytes from
    ``start`` to ``end`` (None: to the end of the file), the first of them on line
    number ``first``."""

    start: int
    end: int | None
    first: int


def file_spans(path: Path, label: str, size: int = SPAN_BYTES) -> Iterator[Span] | None:
    """The file cut into spans of whole lines of about ``size`` bytes, found without
    reading it a line at a time; None for a compressed file (read it with
    :func:`file_lines`).

    Read in order, the spans' lines (:func:`span_lines`) are :func:`file_lines`'s,
    refusals included: a line over the line bound ends the spans with one running
    to the end of the file, whose reader refuses that line as :func:`file_lines`
    would; a file of blank lines only is a :class:`RecordingError` (:data:`ALL_BLANK`)
    once it has been read through.
    """
    handle = open_regular(path, label)
    try:
        compressed = _compressed(path, handle)
    except OSError as exc:
        handle.close()
        raise RecordingError(label, _reason(exc)) from None
    if compressed:
        handle.close()
        return None
    return _spans(handle, label, size)


def _spans(handle: BinaryIO, label: str, size: int) -> Iterator[Span]:
    limit = _limits.MAX_LINE_BYTES
    # A block no longer than the bound: a line over it then either spans a whole block
    # without a newline, or ends at a block's first newline.
    step = max(1, min(_BLOCK, limit))
    start, first = 0, 1  # the span being cut
    number, line_start, read = 1, 0, 0  # the line being read, where it starts, bytes read
    content = False
    with handle:
        while True:
            data = _read(handle.read, step, label)
            if not data:
                break
            content = content or bool(data.translate(None, _BLANK))
            newline = data.find(b"\n")
            longest = (read + len(data) if newline < 0 else read + newline) - line_start
            if longest > limit:
                yield Span(start, None, first)
                return
            read += len(data)
            if newline < 0:
                continue
            number += data.count(b"\n")
            line_start = read - len(data) + data.rfind(b"\n") + 1
            if line_start - start >= size:
                yield Span(start, line_start, first)
                start, first = line_start, number
    if not content:
        raise RecordingError(label, ALL_BLANK)
    if start < read:
        yield Span(start, None, first)


class _Window:
    """A file's lines up to a byte offset."""

    def __init__(self, handle: BinaryIO, end: int | None, at: int) -> None:
        self.handle, self.end, self.at = handle, end, at

    def readline(self, size: int = -1, /) -> bytes:
        if self.end is None:
            return self.handle.readline(size)
        left = self.end - self.at
        if left <= 0:
            return b""
        text = self.handle.readline(left if size < 0 else min(size, left))
        self.at += len(text)
        return text


def span_lines(path: Path, label: str, span: Span) -> Iterator[Line]:
    """The non-blank lines of one span of ``path`` (:func:`file_spans`), each read within
    the line bound."""
    handle = open_regular(path, label)
    with handle:
        try:
            handle.seek(span.start)
        except OSError as exc:
            raise RecordingError(label, _reason(exc)) from None
        window = _Window(handle, span.end, span.start)
        for number, text in numbered(window, label, first=span.first):
            if text.strip():
                yield number, text


__all__ = [
    "ALL_BLANK",
    "SPAN_BYTES",
    "Line",
    "Span",
    "file_lines",
    "file_spans",
    "numbered",
    "sniff",
    "span_lines",
]
