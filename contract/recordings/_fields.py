"""Reading the fields most recorder layouts share: header maps, status codes, JSON bodies."""

from __future__ import annotations

import json
import re
from typing import Any

from contract.recordings._model import RecordingError

_LEADING_CODE = re.compile(r"\s*(\d{3})\b")


def listed(document: Any, key: str) -> list[Any] | None:
    """``document[key]`` when the document is a mapping and that is a list, else None."""
    found = document.get(key) if isinstance(document, dict) else None
    return found if isinstance(found, list) else None


def mapping(value: Any, where: str, what: str) -> dict[str, Any]:
    """``value`` when it is a mapping; RecordingError naming ``what`` otherwise."""
    if not isinstance(value, dict):
        raise RecordingError(where, f"{what} is not a mapping")
    return value


def header_pairs(found: Any, where: str, what: str = "headers") -> list[tuple[str, str]]:
    """Headers stored as ``{name: value}`` or ``{name: [values]}`` (absent: none), as pairs."""
    if found is None:
        return []
    pairs: list[tuple[str, str]] = []
    for name, values in mapping(found, where, what).items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def status_code(value: Any, where: str, what: str) -> int:
    """A status code stored as ``200``, ``'200'`` or ``"200 OK"``."""
    if isinstance(value, str):
        found = _LEADING_CODE.match(value)
        value = int(found.group(1)) if found else value
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordingError(where, f"{what} is not a status code")
    return value


def json_text(value: Any, where: str) -> str:
    """A body a recorder stored as a JSON value (not as text), written back as JSON text.

    A YAML file can hold values JSON cannot write (bytes, dates, non-string keys,
    integers past Python's conversion limit): a RecordingError naming ``where``.
    """
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise RecordingError(where, f"the body cannot be written as JSON ({exc})") from None


def text(value: Any, where: str, what: str) -> str:
    """``value`` when it is a string; RecordingError naming ``what`` otherwise."""
    if not isinstance(value, str):
        raise RecordingError(where, f"{what} is not a string")
    return value


__all__ = ["header_pairs", "json_text", "listed", "mapping", "status_code", "text"]
