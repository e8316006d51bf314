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


class LineTooLong(RecordingError):
    """A line over the line bound (:data:`~contract.recordings._limits.MAX_LINE_BYTES`)."""

    def __init__(self, label: str, number: int) -> None:
        self.number = number
        reason = f"line is longer than the limit of {_limits.MAX_LINE_BYTES} bytes"
        super().__init__(f"{label}:{number}", reason)


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
                raise LineTooLong(label, number)
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


@dataclass(frozen=True)
class Span:
    """A stretch of whole lines of an uncompressed JSON Lines file: the bytes from
    ``start`` to ``end`` (None: to the end of the file; the file's last span)."""

    start: int
    end: int | None


def file_spans(path: Path, label: str, size: int = SPAN_BYTES) -> Iterator[Span] | None:
    """The file cut into spans of whole lines of about ``size`` bytes; None for a
    compressed file (read it with :func:`file_lines`).

    Only the bytes from each cut to the next line end are read: no line is counted
    or checked here. Whoever reads a span numbers its lines from 1
    (:class:`SpanLines`), and :class:`Joined` puts the spans back together, in
    order: the lines' numbers in the file, and :func:`file_lines`'s refusals (a
    line over the bound, a file of blank lines only). A cut that finds no line end
    within the line bound ends the spans with one running to the end of the file,
    whose reader refuses that line.
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
    limit = _limits.MAX_LINE_BYTES + 1
    start = 0
    with handle:
        while True:
            cut = start + max(1, size) - 1  # the span ends at the first line end from here
            try:
                handle.seek(cut)
                rest = handle.readline(limit)
            except OSError as exc:
                raise RecordingError(label, _reason(exc)) from None
            if rest[-1:] != b"\n":  # the end of the file, or a line over the bound
                yield Span(start, None)
                return
            end = cut + len(rest)
            yield Span(start, end)
            start = end


class SpanLines:
    """The non-blank lines of one span of ``path`` (:func:`file_spans`), numbered from 1
    within the span, each read within the line bound; iterate once.

    Once read: ``lines`` (how many lines were read, blank ones included), ``content``
    (whether any is not blank), and why reading stopped early, if it did: ``refused``,
    the number within the span of a line over the bound, or ``failed``, the text of
    any other error (plain data, to send to whoever joins the spans).
    """

    def __init__(self, path: Path, label: str, span: Span) -> None:
        self.path, self.label, self.span = path, label, span
        self.lines, self.content = 0, False
        self.refused: int | None = None
        self.failed: str | None = None

    def __iter__(self) -> Iterator[Line]:
        try:
            with open_regular(self.path, self.label) as handle:
                try:
                    handle.seek(self.span.start)
                except OSError as exc:
                    raise RecordingError(self.label, _reason(exc)) from None
                if self.span.end is None:  # the file's last span: a line at a time
                    for number, text in numbered(handle, self.label):
                        self.lines = number
                        if text.strip():
                            self.content = True
                            yield number, text
                    return
                # Any other holds SPAN_BYTES and less than a line more (file_spans): at once.
                data = _read(handle.read, self.span.end - self.span.start, self.label)
            yield from self._split(data)
        except LineTooLong as exc:
            self.refused = exc.number
        except RecordingError as exc:
            self.failed = str(exc)

    def _split(self, data: bytes) -> Iterator[Line]:
        """The lines of a span read whole, as :func:`numbered` reads them: the first
        over the bound ends them, refused."""
        lines = data.split(b"\n")
        if not lines[-1]:
            lines.pop()  # (the line end closing the span)
        limit = _limits.MAX_LINE_BYTES
        over = None
        if lines and max(map(len, lines)) > limit:
            over = next(i for i, text in enumerate(lines) if len(text) > limit)
            del lines[over:]
        found = [(number, text) for number, text in enumerate(lines, 1) if text.strip()]
        self.lines, self.content = len(lines), bool(found)
        yield from found
        if over is not None:
            raise LineTooLong(self.label, over + 1)


class Joined:
    """The spans of one file, read elsewhere, joined again in order (see :func:`file_spans`).

    For each span in turn: :meth:`number` gives a line's number in the file, then
    :meth:`close` the error to report after its lines, if any. After an error the
    file's later spans are not to be reported (``stopped``), as :func:`file_lines`
    reads no further.

    ::

        joined = Joined(label)
        for span in spans:                       # in order
            lines = SpanLines(path, label, span)  # (read elsewhere)
            if not joined.stopped:
                found += [(joined.number(n), text) for n, text in lines]
            error = joined.close(lines.lines, lines.content, lines.refused, lines.failed,
                                 last=span.end is None)

    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.before = 0  # lines of the spans joined so far
        self.content = self.stopped = False

    def number(self, number: int) -> int:
        """The number in the file of line ``number`` of the span being joined."""
        return self.before + number

    def close(
        self, lines: int, content: bool, refused: int | None, failed: str | None, last: bool
    ) -> str | None:
        """The span being joined held ``lines`` lines (``content``: some not blank); its
        reading stopped at a line over the bound (``refused``, numbered in the span) or
        at another error (``failed``); ``last``: it is the file's last span. What to
        report after its lines, as :func:`file_lines` words it: that error, or, at the
        file's end, that the file holds only blank lines; None for nothing (and always
        once the file has stopped)."""
        if self.stopped:
            return None
        if refused is not None or failed is not None:
            self.stopped = True
            return failed if refused is None else str(LineTooLong(self.label, self.number(refused)))
        self.before += lines
        self.content = self.content or content
        if last and not self.content:
            return str(RecordingError(self.label, ALL_BLANK))
        return None


__all__ = [
    "ALL_BLANK",
    "SPAN_BYTES",
    "Joined",
    "Line",
    "LineTooLong",
    "Span",
    "SpanLines",
    "file_lines",
    "file_spans",
    "numbered",
    "sniff",
]
