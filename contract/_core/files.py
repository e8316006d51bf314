"""Opening input files without trusting them: regular files only, read within a size limit.

Recordings and configuration files are both read this way: a FIFO, socket or
device is refused before anything is read from it (it is opened without
blocking, then checked, so a FIFO with no writer cannot hang the open), and
reading stops one byte past the limit, whatever the file claims its size is
(``/dev/zero`` and files that grow while read alike).
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

#: Bytes read at a time where the total is not known yet.
STEP = 1 << 20


class Unreadable(Exception):
    """A file that cannot be read; ``reason`` says why in a few words (no file name)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """``path`` opened for reading; directories, FIFOs and devices are refused unread."""
    try:
        fd = os.open(Path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Unreadable("is a directory")
        if not stat.S_ISREG(mode):
            raise Unreadable("is not a regular file (a pipe, socket or device)")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return io.open(fd, "rb")  # noqa: UP020 (typed as a BufferedReader, unlike os.fdopen)


def too_large(limit: int, size: int | None = None) -> Unreadable:
    what = f"is {size} bytes, larger" if size is not None else "is larger"
    return Unreadable(f"{what} than the limit of {limit} bytes")


def read_limited(stream: BinaryIO, limit: int, expected: int = 0) -> bytes:
    """Everything ``stream`` holds (``expected``: its size, if known), refused past ``limit``.

    Read in steps, so no buffer is ever larger than what arrived (a stream that
    never ends costs the limit, not more).
    """
    parts: list[bytes] = []
    total, step = 0, expected + 1
    while total <= limit:
        try:
            part = stream.read(min(step, limit + 1 - total))
        except OSError as exc:
            raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
        if part is None:  # a non-blocking stream with nothing to read yet
            raise Unreadable("cannot be read (nothing to read without waiting)")
        if not part:
            return parts[0] if len(parts) == 1 else b"".join(parts)
        parts.append(part)
        total += len(part)
        step = STEP
    raise too_large(limit)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path``, refused past ``limit`` bytes."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise too_large(limit, size)
        return read_limited(handle, limit, size)


__all__ = ["STEP", "Unreadable", "open_regular", "read_limited", "read_regular", "too_large"]
