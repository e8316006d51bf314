"""Bare payloads: a JSON file holding one response body, JSON Lines holding one per line.

JSON Lines are turned into payloads as they are read (:func:`numbered`), so a
file of any size is checked in constant memory.

A payload has no HTTP context, so only its body is checked (its shape tells
a job from a page of jobs or an error envelope: :func:`contract.checks.assess_body`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contract.recordings._jsonl import Line
from contract.recordings._model import Interaction, RecordingError
from contract.strictjson import Decoded, JSONSyntaxError, decode


def decoded(data: bytes, where: str) -> Decoded:
    """``data`` decoded; RecordingError unless it is JSON at all (RFC problems go to the check)."""
    try:
        return decode(data)
    except JSONSyntaxError as exc:
        raise RecordingError(where, str(exc)) from None


def payload(data: bytes, label: str, value: Decoded | None = None) -> Interaction:
    """The one payload of a JSON file (``value``: the file as already decoded)."""
    return Interaction(
        source=f"{label}:1",
        body=data,
        name="payload",
        decoded=value if value is not None else decoded(data, label),
    )


def line(label: str, number: int, text: bytes) -> Interaction:
    """The payload on line ``number`` of a JSON Lines file; decoded when it is checked.

    A line that is not JSON is reported by its check (a ``json`` violation), so the
    other lines of the file are still checked.
    """
    return Interaction(source=f"{label}:{number}", body=text, name=f"line[{number}]")


def nonblank(found: Iterable[Line], label: str) -> Iterator[Line]:
    """The non-blank lines of ``found``; a file with none is a :class:`RecordingError`."""
    count = 0
    for number, text in found:
        if text.strip():
            count += 1
            yield number, text
    if count == 0:
        raise RecordingError(label, "holds no payloads (every line is blank)")


def numbered(found: Iterable[Line], label: str) -> Iterator[Interaction]:
    """One payload per non-blank line of ``found`` (numbered lines), as they are read."""
    for number, text in nonblank(found, label):
        yield line(label, number, text)


def lines(data: bytes, label: str) -> Iterator[Interaction]:
    """One payload per non-blank line of ``data``, JSON Lines held in memory."""
    return numbered(enumerate(data.split(b"\n"), start=1), label)


__all__ = ["decoded", "line", "lines", "nonblank", "numbered", "payload"]
