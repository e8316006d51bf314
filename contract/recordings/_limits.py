"""The limits that keep reading a hostile recording bounded in time and memory.

Every reader stays within these; going past one is a :class:`RecordingError`
naming the file, never a crash or an unbounded read. Only the inflation limit
is meant to be raised (a large compressed capture): per call with
``max_inflated=``, or for the process with the environment variable
:data:`INFLATED_VARIABLE` (the CLI's ``--max-inflated``).
"""

from __future__ import annotations

import os
import re

from contract.recordings._model import RecordingError

#: Largest recording file (or standard input) read, in bytes.
MAX_FILE_BYTES = 1 << 30
#: Longest line of a JSON Lines file (one payload), in bytes. JSON Lines files are read a
#: line at a time, whatever their size, so this bounds what one line can make the reader hold.
MAX_LINE_BYTES = 16 << 20
#: HAR files at least this large are read an entry at a time (memory flat in the file's size).
STREAM_HAR_BYTES = 16 << 20
#: Default for the bytes decompressed per file: the file itself (``.gz``) and every
#: gzip or deflate body in it together.
MAX_INFLATED_BYTES = 256 << 20
#: Environment variable that replaces :data:`MAX_INFLATED_BYTES` (bytes, or a size like ``1G``).
INFLATED_VARIABLE = "FINETUNE_CONTRACT_MAX_INFLATED"
#: Deepest nesting of collections in a YAML recording, aliases followed. Recorders write
#: fewer than ten levels (bodies are text), so this leaves room and keeps every reader,
#: redaction and report far from Python's recursion limit.
MAX_YAML_DEPTH = 100
#: Most nodes YAML aliases may add by repeating what an anchor holds (counted as if each
#: alias were written out), which refuses "billion laughs" before anything is built.
MAX_ALIAS_NODES = 1_000_000
#: Most characters of text YAML aliases may add, counted the same way: a few aliases of one
#: large string build as much as a billion small nodes do once anything copies or writes them.
MAX_ALIAS_BYTES = 64 << 20

_SIZE = re.compile(r"\s*(\d+)\s*(?:([KMG])(?:i?B)?|B)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str) -> int:
    """A size in bytes written as ``1048576``, ``512K``, ``256M``, ``1G`` (or ``1GiB``); at least 1.

    Raises ValueError (naming what is accepted) for anything else.
    """
    found = _SIZE.fullmatch(text)
    size = int(found.group(1)) * _UNITS[(found.group(2) or "").upper()] if found else 0
    if size < 1:
        raise ValueError(
            f"not a size: {text[:40]!r} (write a number of bytes, or one with K, M or G)"
        )
    return size


def max_inflated(override: int | None = None) -> int:
    """The inflation limit in force: ``override``, else :data:`INFLATED_VARIABLE`, else the default.

    A bad value of the variable is a :class:`RecordingError` naming it.
    """
    if override is not None:
        if override < 1:
            raise ValueError(f"max_inflated must be at least 1 byte, got {override}")
        return override
    text = os.environ.get(INFLATED_VARIABLE, "").strip()
    if not text:
        return MAX_INFLATED_BYTES
    try:
        return parse_size(text)
    except ValueError as exc:
        raise RecordingError(INFLATED_VARIABLE, str(exc)) from None


__all__ = [
    "INFLATED_VARIABLE",
    "MAX_ALIAS_BYTES",
    "MAX_ALIAS_NODES",
    "MAX_FILE_BYTES",
    "MAX_INFLATED_BYTES",
    "MAX_LINE_BYTES",
    "MAX_YAML_DEPTH",
    "STREAM_HAR_BYTES",
    "max_inflated",
    "parse_size",
]
