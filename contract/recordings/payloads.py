"""Bare payloads: a JSON file holding one response body, JSON Lines holding one per line.

A payload has no HTTP context, so only its body is checked (its shape tells
a job from a page of jobs or an error envelope: :func:`contract.response.assess_body`).
"""

from __future__ import annotations

from collections.abc import Iterator

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


def lines(data: bytes, label: str) -> Iterator[Interaction]:
    """One payload per non-blank line; a line that is not JSON is reported where it is.

    The other lines are still checked: a bad line is an interaction whose check
    reports the JSON problem, not an error that stops the file.
    """
    count = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        count += 1
        try:
            value: Decoded | None = decode(line)
        except JSONSyntaxError:
            value = None  # the check decodes it again and reports why it is not JSON
        yield Interaction(
            source=f"{label}:{number}", body=line, name=f"line[{number}]", decoded=value
        )
    if count == 0:
        raise RecordingError(label, "holds no payloads (every line is blank)")


__all__ = ["decoded", "lines", "payload"]
