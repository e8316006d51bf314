"""Reading recording files with bounds: regular files only, a size limit, bounded inflation.

Recordings come from anywhere, so nothing here trusts the input: a FIFO or a
device is refused before anything is read from it (:mod:`contract._core.files`,
shared with configuration files), a file larger than
:data:`~contract.recordings._limits.MAX_FILE_BYTES` is refused, and
decompression stops at the inflation limit. That limit holds for a whole file:
:func:`within` makes one :class:`Budget` current while a file is read, and the
file's own gzip layer and every compressed body in it draw from it, so aliases
or repeated bodies cannot multiply it.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from contract._core import files as _files
from contract.recordings import _limits
from contract.recordings._model import RecordingError

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
#: Bytes read or inflated at a time where the total is not known yet.
_STEP = _files.STEP
_T = TypeVar("_T")


class Budget:
    """What one file may still inflate to: its limit (:func:`._limits.max_inflated`) and use."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = _limits.max_inflated(limit)
        self.used = 0

    @property
    def left(self) -> int:
        return self.limit - self.used

    def refuse(self, where: str, what: str) -> RecordingError:
        return RecordingError(
            where,
            f"{what} inflates past the limit of {self.limit} bytes decompressed per file "
            f"(raise it with --max-inflated or {_limits.INFLATED_VARIABLE})",
        )


_CURRENT: ContextVar[Budget | None] = ContextVar("inflation_budget", default=None)


def within(budget: Budget, items: Iterator[_T]) -> Iterator[_T]:
    """``items``, with ``budget`` current only while each item is produced.

    Set and reset around every step (not once for the whole generator), so
    two files read in alternation never draw from each other's budget.
    """
    while True:
        token = _CURRENT.set(budget)
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            _CURRENT.reset(token)
        yield item


def refuse_size(label: str, size: int | None = None) -> RecordingError:
    return RecordingError(label, _files.too_large(_limits.MAX_FILE_BYTES, size).reason)


def open_regular(path: Path, label: str) -> io.BufferedReader:
    """``path`` opened for reading; directories, FIFOs and devices are refused unread."""
    try:
        return _files.open_regular(path)
    except _files.Unreadable as exc:
        raise RecordingError(label, exc.reason) from None


def read_file(path: Path, label: str) -> bytes:
    """The bytes of a regular file, within the file size limit."""
    try:
        return _files.read_regular(path, _limits.MAX_FILE_BYTES)
    except _files.Unreadable as exc:
        raise RecordingError(label, exc.reason) from None


def read_stream(stream: BinaryIO, label: str, expected: int = 0) -> bytes:
    """Everything ``stream`` holds (``expected``: its size, if known), refused past the size limit.

    Read in steps, so no buffer is ever larger than what arrived (a stream that
    never ends costs the limit, not more).
    """
    try:
        return _files.read_limited(stream, _limits.MAX_FILE_BYTES, expected)
    except _files.Unreadable as exc:
        raise RecordingError(label, exc.reason) from None


def unreadable_reason(exc: BaseException) -> str:
    """Why a (possibly compressed) file could not be read, in a few words."""
    if isinstance(exc, gzip.BadGzipFile):
        return f"the file is not valid compressed data ({exc})"
    if isinstance(exc, EOFError):
        return "the file ends early (truncated compressed data)"
    if isinstance(exc, zlib.error):
        return f"the file is not valid compressed data ({exc})"
    strerror = getattr(exc, "strerror", None)
    return f"cannot be read ({strerror or exc})"


class _Inflating(io.RawIOBase):
    """A gzip file's content, inflated as it is read and counted against a budget."""

    def __init__(self, handle: BinaryIO, label: str, budget: Budget) -> None:
        self._inflated = gzip.GzipFile(fileobj=handle, mode="rb")
        self._label, self._budget = label, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inflated.read(min(len(buffer), _STEP))
        except (OSError, EOFError, zlib.error) as exc:
            raise RecordingError(self._label, unreadable_reason(exc)) from None
        self._budget.used += len(data)
        if self._budget.used > self._budget.limit:
            raise self._budget.refuse(self._label, "the file")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inflated.close()
        super().close()


def open_streamed(path: Path, label: str, budget: Budget) -> tuple[BinaryIO, BinaryIO]:
    """``path`` opened to be read a piece at a time: the regular file, refused past the
    file size limit, and the stream of its content, inflated as it is read (drawing from
    ``budget``) when it is gzip-compressed, else the file itself. The caller closes both."""
    handle = open_regular(path, label)
    try:
        size = os.fstat(handle.fileno()).st_size
        if size > _limits.MAX_FILE_BYTES:
            raise refuse_size(label, size)
        if is_gzip(handle.peek(2)[:2]):
            return handle, inflating(handle, label, budget)
    except BaseException:
        handle.close()
        raise
    return handle, handle


def inflating(handle: BinaryIO, label: str, budget: Budget) -> BinaryIO:
    """The gzip file ``handle`` as a stream of its inflated content, drawing from
    ``budget`` as it is read: a compressed file is never built whole."""
    return io.BufferedReader(_Inflating(handle, label, budget), _STEP)


class _PastRoom(Exception):
    """A compressed stream inflates to more than the room left."""


def _member(view: memoryview, wbits: int, room: int, where: str, what: str) -> tuple[int, int]:
    """How large the compressed stream at the start of ``view`` inflates, and where it ends.

    Input goes in and output comes out a step at a time and is discarded, so
    passing ``room`` is refused having held one step of each, never more.
    """
    decompressor = zlib.decompressobj(wbits)
    size = position = 0
    while not decompressor.eof and position < len(view):
        pending: bytes | memoryview = view[position : position + _STEP]
        position += len(pending)
        while True:
            part = decompressor.decompress(pending, _STEP)
            size += len(part)
            if size > room:
                raise _PastRoom
            pending = decompressor.unconsumed_tail
            # A full step may leave output inside the decompressor: ask again.
            if decompressor.eof or not (pending or len(part) == _STEP):
                break
    if not decompressor.eof:
        raise RecordingError(where, f"{what} ends early (truncated compressed data)")
    return size, position - len(decompressor.unused_data)


def _inflate(data: bytes, wbits: int, where: str, what: str) -> bytes:
    budget = _CURRENT.get() or Budget()
    view = memoryview(data)
    members: list[tuple[int, int]] = []
    start = total = 0
    try:
        while True:
            try:
                size, end = _member(view[start:], wbits, budget.left - total, where, what)
            except _PastRoom:
                raise budget.refuse(where, what) from None
            members.append((start, size))
            total += size
            start += end
            # gzip allows several members back to back; anything else after the end is ignored.
            if wbits != _GZIP_WBITS or not data.startswith(_GZIP_MAGIC, start):
                break
        # Sizes known: each member inflates into a buffer of exactly its size (no copies).
        parts = [zlib.decompress(view[at:], wbits, size) if size else b"" for at, size in members]
    except zlib.error as exc:
        raise RecordingError(where, f"{what} is not valid compressed data ({exc})") from None
    budget.used += total
    return parts[0] if len(parts) == 1 else b"".join(parts)


def gunzip(data: bytes, where: str, what: str = "the file") -> bytes:
    """``data`` gzip-decompressed, within the current inflation budget."""
    return _inflate(data, _GZIP_WBITS, where, what)


def inflate(data: bytes, where: str, what: str = "the body") -> bytes:
    """``data`` deflate-decompressed (zlib-wrapped or raw), within the current budget."""
    wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
    return _inflate(data, wbits, where, what)


def is_gzip(data: bytes) -> bool:
    """Whether ``data`` starts like a gzip stream."""
    return data.startswith(_GZIP_MAGIC)


__all__ = [
    "Budget",
    "gunzip",
    "inflate",
    "inflating",
    "is_gzip",
    "open_regular",
    "open_streamed",
    "read_file",
    "read_stream",
    "unreadable_reason",
    "within",
]
