"""Reading recorded traffic: what a recording file holds, one interaction at a time.

Every reader yields :class:`Interaction` objects; a payload file has only a
body, a recorder's file also carries method, URL, status and headers. Readers
never modify what they read.

A file is recognised by its content, not only its suffix: ``.jsonl`` /
``.ndjson`` hold one payload per line; any other file is decoded (YAML for
``.yaml`` / ``.yml``, JSON otherwise) and read by the first recorder layout of
:data:`contract.recordings.layouts.LAYOUTS` that recognises it (HAR, vcrpy,
Ruby VCR, go-vcr, test-proxy session records, nock...); a JSON document in no
known layout is one payload. Any of these may be gzip-compressed (``.gz``).

:func:`read` yields the interactions to check (bare payloads, and recorded
calls of the jobs operations) unless asked for all; calls of other APIs are
there to be counted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import chain
from pathlib import Path
from typing import Any

from contract.recordings import _jsonl as _lines
from contract.recordings import _limits, har, payloads
from contract.recordings._io import (
    Budget,
    gunzip,
    is_gzip,
    open_streamed,
    read_file,
    within,
)
from contract.recordings._model import (
    Call,
    Interaction,
    Layout,
    NotARecording,
    RecordingError,
    from_call,
)
from contract.strictjson import JSONSyntaxError, decode

#: Suffixes of files holding one payload per line.
LINE_SUFFIXES = (".jsonl", ".ndjson")
#: Suffixes of YAML recordings (cassettes).
YAML_SUFFIXES = (".yaml", ".yml")
#: Every suffix a directory walk picks up (each may also end in ``.gz``).
SUFFIXES = (".json", ".har", *LINE_SUFFIXES, *YAML_SUFFIXES)

#: Keys that mark a document as a recording even when its layout is not one we read.
_RECORDING_KEYS = ("interactions", "http_interactions", "Entries", "log", "recorded_with")


def _inner_name(path: Path) -> str:
    name = path.name.lower()
    return name[: -len(".gz")] if name.endswith(".gz") else name


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def is_recording_name(path: Path) -> bool:
    """Whether a directory walk picks up ``path`` (by its suffix, ``.gz`` allowed)."""
    return _suffix(_inner_name(path)) in SUFFIXES


def _describe(document: Any) -> str:
    if isinstance(document, dict):
        keys = ", ".join(repr(str(k)) for k in list(document)[:6])
        more = ", …" if len(document) > 6 else ""
        return f"a mapping with keys {keys}{more}" if document else "an empty mapping"
    if isinstance(document, list):
        return f"a list of {len(document)} items"
    return f"a single {type(document).__name__} value" if document is not None else "empty"


def _known() -> str:
    from contract.recordings.layouts import LAYOUTS

    return ", ".join(layout.name for layout in LAYOUTS)


def _looks_like_recording(document: Any) -> bool:
    if isinstance(document, dict):
        return any(key in document for key in _RECORDING_KEYS)
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(item, dict) and ("request" in item or "scope" in item) for item in document
        )
    )


def _from_layout(document: Any, label: str) -> Iterator[Interaction] | None:
    from contract.recordings.layouts import detect

    layout = detect(document)
    if layout is None:
        return None
    return (from_call(label, call) for call in layout.calls(document, label))


def _read_document(data: bytes, name: str, label: str) -> Iterator[Interaction]:
    from contract.recordings import payloads

    suffix = _suffix(name)
    if suffix in LINE_SUFFIXES:
        yield from payloads.lines(data, label)
        return
    if suffix in YAML_SUFFIXES:
        from contract.recordings import _yaml

        document = _yaml.load(data, label)
        found = _from_layout(document, label)
        if found is None and _looks_like_recording(document):
            raise RecordingError(
                label,
                f"looks like a recording ({_describe(document)}) but is in no layout "
                f"this toolkit reads (known layouts: {_known()})",
            )
        if found is None:
            raise NotARecording(
                label,
                f"is not a recording in a layout this toolkit reads ({_describe(document)}; "
                f"known layouts: {_known()})",
            )
        yield from found
        return
    try:
        value = decode(data)
    except JSONSyntaxError as exc:
        if suffix == ".har":
            raise RecordingError(label, f"is not a HAR file (not JSON: {exc})") from None
        raise RecordingError(label, str(exc)) from None
    found = _from_layout(value.value, label)
    if found is not None:
        yield from found
    elif _looks_like_recording(value.value):
        raise RecordingError(
            label,
            f"looks like a recording ({_describe(value.value)}) but is in no layout "
            f"this toolkit reads (known layouts: {_known()})",
        )
    elif suffix == ".har":
        raise RecordingError(label, "is not a HAR file (no log.entries list)")
    else:
        yield payloads.payload(data, label, value)


def _read_bytes(data: bytes, name: str, label: str, include_other: bool) -> Iterator[Interaction]:
    inner = name.lower()
    if inner.endswith(".gz") or is_gzip(data):
        data = gunzip(data, label)
        inner = inner.removesuffix(".gz")
    for interaction in _read_document(data, inner, label):
        if include_other or interaction.to_check:
            yield interaction


def read_bytes(
    data: bytes,
    name: str,
    label: str | None = None,
    include_other: bool = False,
    *,
    max_inflated: int | None = None,
) -> Iterator[Interaction]:
    """The interactions in ``data``, a recording file called ``name`` (``.gz`` allowed).

    The file and its compressed bodies inflate to at most ``max_inflated``
    bytes in all (default: ``FINETUNE_CONTRACT_MAX_INFLATED``, else 256 MiB).
    """
    label = label or name
    yield from within(Budget(max_inflated), _read_bytes(data, name, label, include_other))


def is_lines_name(path: str | Path) -> bool:
    """Whether ``path`` names a JSON Lines file (``.jsonl``, ``.ndjson``, ``.gz`` allowed)."""
    return _suffix(_inner_name(Path(path))) in LINE_SUFFIXES


def read_lines(
    path: str | Path, label: str | None = None, *, max_inflated: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """The numbered lines of a JSON Lines file, read one at a time (constant memory).

    A line longer than :data:`~contract.recordings._limits.MAX_LINE_BYTES`, or
    a compressed file inflating past ``max_inflated``, is a :class:`RecordingError`.
    """
    path = Path(path)
    return _lines.file_lines(path, label or str(path), max_inflated)


Span = _lines.Span
SpanLines = _lines.SpanLines
Joined = _lines.Joined


def file_spans(path: str | Path, label: str | None = None) -> Iterator[Span] | None:
    """An uncompressed JSON Lines file cut into spans of whole lines, reading only from
    each cut to the next line end (no line is counted here); None for a compressed file.

    Each span's lines are read where it is checked (:class:`SpanLines`, numbered from
    1 within the span); joined in order (:class:`Joined`) they are :func:`read_lines`'s
    lines, blank ones left out, with its numbers and refusals: for workers that read
    their own lines.
    """
    path = Path(path)
    return _lines.file_spans(path, label or str(path))


def read(
    path: str | Path,
    include_other: bool = False,
    label: str | None = None,
    *,
    max_inflated: int | None = None,
) -> Iterator[Interaction]:
    """The interactions to check in one recording file (``-`` for standard input).

    Calls of other APIs (and calls the recorder kept no answer for) are left
    out unless ``include_other`` is true; :attr:`Interaction.to_check` tells
    them apart. ``label`` names the file in sources and errors (default: the
    path); ``max_inflated`` bounds decompression (:func:`read_bytes`). Raises
    :class:`RecordingError` for a file that cannot be read. JSON Lines files
    are read a line at a time, whatever their size (:func:`read_lines`).
    """
    if str(path) == "-":
        yield from read_stdin(include_other=include_other, max_inflated=max_inflated)
        return
    path = Path(path)
    label = label or str(path)
    if is_lines_name(path):
        yield from payloads.numbered(read_lines(path, label, max_inflated=max_inflated), label)
        return
    if _is_large_har(path):
        streamed = _streamed_har(path, label, include_other, max_inflated)
        if streamed is not None:
            yield from streamed
            return
    data = read_file(path, label)
    yield from read_bytes(data, path.name, label, include_other, max_inflated=max_inflated)


def _is_large_har(path: Path) -> bool:
    """A HAR file read an entry at a time: a large plain one, or any compressed one (what it
    inflates to is not known before, and a 0.3 MB file may build gigabytes whole)."""
    name = path.name.lower()
    if name.endswith(".har.gz"):
        return True
    if not name.endswith(".har"):
        return False
    try:
        return path.stat().st_size >= _limits.STREAM_HAR_BYTES
    except OSError:
        return False  # the whole read says what is wrong


def _streamed_har(
    path: Path, label: str, include_other: bool, max_inflated: int | None
) -> Iterator[Interaction] | None:
    """The interactions of a large or compressed HAR file, one entry held at a time; None
    when it is not read that way (no ``log.entries`` item: the whole read then decides)."""
    budget = Budget(max_inflated)
    handle, stream = open_streamed(path, label, budget)
    first = None
    try:
        found = har.streamed_calls(stream, label)
        # Broken before its first entry: the whole read words it.
        with suppress(RecordingError):
            first = next(found, None)
    except BaseException:
        stream.close()
        handle.close()
        raise
    if first is None:
        stream.close()
        handle.close()
        return None

    def interactions() -> Iterator[Interaction]:
        with handle, stream:
            for call in chain([first], found):
                interaction = from_call(label, call)
                if include_other or interaction.to_check:
                    yield interaction

    return within(budget, interactions())


def stdin_lines(
    label: str = "<stdin>", *, max_inflated: int | None = None
) -> tuple[Iterator[tuple[int, bytes]] | None, Iterator[Interaction]]:
    """Standard input as ``(lines, ())`` when it holds JSON Lines (read as needed), else
    ``(None, interactions)`` of the one document it holds (every call, to be filtered)."""
    found, data = _lines.sniff(sys.stdin.buffer, label)
    if found is not None:
        return found, iter(())
    return None, _stdin_document(data, label, max_inflated)


def _stdin_document(data: bytes, label: str, max_inflated: int | None) -> Iterator[Interaction]:
    try:
        decode(data)
    except JSONSyntaxError:
        if data.strip() and b"\n" in data.strip():
            yield from read_bytes(data, "stdin.jsonl", label, True, max_inflated=max_inflated)
            return
    yield from read_bytes(data, "stdin.json", label, True, max_inflated=max_inflated)


def read_stdin(
    label: str = "<stdin>", include_other: bool = False, *, max_inflated: int | None = None
) -> Iterator[Interaction]:
    """Standard input: one JSON payload or recording, or JSON Lines when it holds several
    (then read a line at a time)."""
    found, document = stdin_lines(label, max_inflated=max_inflated)
    if found is not None:
        yield from payloads.numbered(found, label)
        return
    for interaction in document:
        if include_other or interaction.to_check:
            yield interaction


def expand(
    paths: Iterable[str | Path], outside: Callable[[Path], None] | None = None
) -> Iterator[Path | str]:
    """The recording files behind ``paths``: directories are walked, ``-`` is kept.

    A walk stays inside its directory: a file reached through a symbolic link
    that leads out of it is skipped and passed to ``outside`` (when given), so
    the caller can note it; links inside it are followed as usual. Directory
    links are never walked into; one leading out is passed to ``outside`` too.
    Raises :class:`RecordingError` for a path that does not exist or a
    directory with no recordings in it (callers that check several paths catch
    it per path).
    """
    for path in paths:
        if str(path) == "-":
            yield "-"
            continue
        path = Path(path)
        if path.is_dir():
            root = path.resolve()
            files = []
            for found in sorted(path.rglob("*")):
                if found.is_dir():  # rglob does not walk into a linked directory
                    leaves = found.is_symlink() and not found.resolve().is_relative_to(root)
                    if leaves and outside is not None:
                        outside(found)
                elif not (found.is_file() and is_recording_name(found)):
                    continue
                elif found.resolve().is_relative_to(root):
                    files.append(found)
                elif outside is not None:
                    outside(found)
            if not files:
                known = ", ".join(SUFFIXES)
                raise RecordingError(str(path), f"directory holds no recordings ({known})")
            yield from files
        elif path.exists() or path.is_symlink():
            yield path
        else:
            raise RecordingError(str(path), "no such file or directory")


__all__ = [
    "SUFFIXES",
    "Call",
    "Interaction",
    "Joined",
    "Layout",
    "NotARecording",
    "RecordingError",
    "Span",
    "SpanLines",
    "expand",
    "file_spans",
    "is_lines_name",
    "is_recording_name",
    "read",
    "read_bytes",
    "read_lines",
    "read_stdin",
    "stdin_lines",
]
