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
import zlib
from collections.abc import Iterator
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


def file_lines(path: Path, label: str, max_inflated: int | None = None) -> Iterator[Line]:
    """Every line of the JSON Lines file ``path`` (gzip-compressed or not), read as needed.

    ``max_inflated`` bounds what a compressed file inflates to (default: the
    process's inflation limit). The file is closed when the lines are exhausted
    or the iterator is closed.
    """
    handle = open_regular(path, label)
    try:
        if path.name.lower().endswith(".gz") or is_gzip(handle.peek(2)[:2]):
            budget = Budget(max_inflated)
            with gzip.GzipFile(fileobj=handle, mode="rb") as inflated:
                yield from numbered(inflated, label, budget=budget)
        else:
            yield from numbered(handle, label)
    finally:
        handle.close()


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
            try:
                text = stream.readline(limit)
            except OSError as exc:
                raise RecordingError(label, _reason(exc)) from None
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


__all__ = ["Line", "file_lines", "numbered", "sniff"]
