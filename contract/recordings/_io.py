"""Reading recording files with bounds: regular files only, a size limit, bounded inflation.

Recordings come from anywhere, so nothing here trusts the input: a FIFO or a
device is refused before it is opened for reading, a file larger than
:data:`MAX_FILE_BYTES` is refused, and a compressed file or body is inflated
to at most :data:`MAX_INFLATED_BYTES`.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

from contract.recordings._model import RecordingError

#: Largest recording file read, in bytes (a 200 MB capture is fine).
MAX_FILE_BYTES = 1 << 30
#: Largest size a compressed file or body may inflate to, in bytes.
MAX_INFLATED_BYTES = 256 << 20

_GZIP_MAGIC = b"\x1f\x8b"


def read_file(path: Path, label: str) -> bytes:
    """The bytes of a regular file, within :data:`MAX_FILE_BYTES`."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise RecordingError(label, "is a directory") from None
    except OSError as exc:
        raise RecordingError(label, f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise RecordingError(label, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise RecordingError(label, "is not a regular file (a pipe, socket or device)")
        if info.st_size > MAX_FILE_BYTES:
            raise RecordingError(
                label, f"is {info.st_size} bytes, larger than the limit of {MAX_FILE_BYTES}"
            )
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise RecordingError(label, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise RecordingError(label, f"is larger than the limit of {MAX_FILE_BYTES} bytes")
    return data


def _inflate(decompressor: zlib._Decompress, data: bytes, what: str, where: str) -> bytes:
    out = bytearray()
    try:
        pending = data
        while pending:
            out += decompressor.decompress(pending, MAX_INFLATED_BYTES + 1 - len(out))
            if len(out) > MAX_INFLATED_BYTES:
                raise RecordingError(
                    where, f"{what} inflates to more than the limit of {MAX_INFLATED_BYTES} bytes"
                )
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                # gzip allows several members back to back.
                rest = decompressor.unused_data
                if rest.startswith(_GZIP_MAGIC):
                    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    pending = rest
                else:
                    pending = b""
        if not decompressor.eof:
            raise RecordingError(where, f"{what} ends early (truncated compressed data)")
    except zlib.error as exc:
        raise RecordingError(where, f"{what} is not valid compressed data ({exc})") from None
    return bytes(out)


def gunzip(data: bytes, where: str, what: str = "the file") -> bytes:
    """``data`` gzip-decompressed, within :data:`MAX_INFLATED_BYTES`."""
    return _inflate(zlib.decompressobj(16 + zlib.MAX_WBITS), data, what, where)


def inflate(data: bytes, where: str, what: str = "the body") -> bytes:
    """``data`` deflate-decompressed (zlib-wrapped or raw), within the limit."""
    wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
    return _inflate(zlib.decompressobj(wbits), data, what, where)


def is_gzip(data: bytes) -> bool:
    """Whether ``data`` starts like a gzip stream."""
    return data.startswith(_GZIP_MAGIC)


__all__ = ["MAX_FILE_BYTES", "MAX_INFLATED_BYTES", "gunzip", "inflate", "is_gzip", "read_file"]
