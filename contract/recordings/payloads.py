"""Bare payloads: a JSON file holding one response body, JSON Lines holding one per line.

JSON Lines are turned into payloads as they are read (:func:`numbered`), so a
file of any size is checked in constant memory.

A payload has no HTTP context, so only its body is checked (its shape tells
a job from a page of jobs or an error envelope: :func:`contract.checks.assess_body`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from contract import schema as _registry
from contract.recordings._jsonl import ALL_BLANK, Line
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
    value = value if value is not None else decoded(data, label)
    return Interaction(
        source=f"{label}:1",
        body=data,
        name="payload",
        decoded=value,
        foreign=foreign(value.value),
    )


#: Payloads a file may hold that carry no ``object`` marker.
_PAYLOADS_WITHOUT_OBJECT = ("CreateFineTuningJobRequest", "ErrorResponse")


@cache
def _known() -> tuple[frozenset[str], frozenset[str]]:
    """The ``object`` values of the contract's top-level objects (jobs, pages, events...)
    and the property names of those, of the create request and of the error envelope."""
    objects: set[str] = set()
    names: set[str] = set()
    for name, document in _registry.documents().items():
        properties = document.get("properties")
        if not isinstance(properties, dict):
            continue
        if "object" not in properties and name not in _PAYLOADS_WITHOUT_OBJECT:
            continue
        names.update(properties)
        marker = properties.get("object")
        if isinstance(marker, dict):
            if isinstance(marker.get("const"), str):
                objects.add(marker["const"])
            objects.update(v for v in marker.get("enum", ()) if isinstance(v, str))
    return frozenset(objects), frozenset(names)


def foreign(value: Any) -> str:
    """Why a decoded JSON document is no fine-tuning payload (``package.json``); "" when it
    may be one: an object whose ``object`` is one the contract names, or that has at least
    two of the properties the contract's types name (an error envelope's ``error`` is one)."""
    if not isinstance(value, dict):
        return "it is no fine-tuning payload (not a JSON object)"
    objects, names = _known()
    marker = value.get("object")
    if isinstance(marker, str):
        if marker in objects:
            return ""
        return f'it is no fine-tuning payload ("object" is {marker[:40]!r})'
    if "error" in value or len(names.intersection(value)) >= 2:
        return ""
    return "it is no fine-tuning payload (none of the contract's types has its properties)"


def line(label: str, number: int, text: bytes, decoded: Decoded | None = None) -> Interaction:
    """The payload on line ``number`` of a JSON Lines file; decoded when it is checked
    (``decoded``: ``text`` already decoded strictly).

    A line that is not JSON is reported by its check (a ``json`` violation), so the
    other lines of the file are still checked.
    """
    source, name = names(label, number)
    return Interaction(source=source, body=text, name=name, decoded=decoded)


def names(label: str, number: int) -> tuple[str, str]:
    """The source and the name of the payload on line ``number`` (see :func:`line`)."""
    return f"{label}:{number}", f"line[{number}]"


def nonblank(found: Iterable[Line], label: str) -> Iterator[Line]:
    """The non-blank lines of ``found``; a file with none is a :class:`RecordingError`."""
    count = 0
    for number, text in found:
        if text.strip():
            count += 1
            yield number, text
    if count == 0:
        raise RecordingError(label, ALL_BLANK)


def numbered(found: Iterable[Line], label: str) -> Iterator[Interaction]:
    """One payload per non-blank line of ``found`` (numbered lines), as they are read."""
    for number, text in nonblank(found, label):
        yield line(label, number, text)


def lines(data: bytes, label: str) -> Iterator[Interaction]:
    """One payload per non-blank line of ``data``, JSON Lines held in memory."""
    return numbered(enumerate(data.split(b"\n"), start=1), label)


__all__ = ["decoded", "line", "lines", "names", "nonblank", "numbered", "payload"]
