"""Reading HTTP Archive 1.2 files (``.har``): browsers' and proxies' recordings.

Each entry of ``log.entries`` becomes an :class:`~contract.recordings.Interaction`
named ``interaction[i]`` (its index in the list). Response bodies saved with
``"encoding": "base64"`` are decoded; HAR stores bodies already uncompressed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from contract.recordings import Interaction, RecordingError, _read_bytes, recorded_call
from contract.strictjson import JSONSyntaxError, decode


def _object(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordingError(where, f"{what} is not an object")
    return value


def _headers(message: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = message.get("headers", [])
    if not isinstance(found, list):
        raise RecordingError(where, "headers is not a list")
    pairs: list[tuple[str, str]] = []
    for item in found:
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise RecordingError(where, "a header is not a {name, value} object")
        pairs.append((str(item["name"]), str(item["value"])))
    return pairs


def _content(response: dict[str, Any], where: str) -> bytes | str:
    content = response.get("content", {})
    if not isinstance(content, dict):
        raise RecordingError(where, "response.content is not an object")
    text = content.get("text")
    if text is None:
        # Saved without bodies: the check reports the empty body, never a pass.
        return b""
    if not isinstance(text, str):
        raise RecordingError(where, "response.content.text is not a string")
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise RecordingError(where, "response.content.text is not valid base64") from None
    if content.get("encoding") not in (None, ""):
        raise RecordingError(where, f"unknown response.content.encoding {content['encoding']!r}")
    return text


def read_har(path: Path, label: str) -> Iterator[Interaction]:
    """Every entry of a HAR file, pause calls with their bodies."""
    data = _read_bytes(path, label)
    try:
        document = decode(data).value
    except JSONSyntaxError as exc:
        raise RecordingError(label, f"is not a HAR file (not JSON: {exc})") from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise RecordingError(label, "is not a HAR file (no log.entries list)")
    for index, entry in enumerate(entries):
        where = f"{label}::interaction[{index}]"
        entry = _object(entry, where, "entry")
        request = _object(entry.get("request"), where, "request")
        response = _object(entry.get("response"), where, "response")
        method, url, status = request.get("method"), request.get("url"), response.get("status")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or url")
        if not isinstance(status, int) or isinstance(status, bool):
            raise RecordingError(where, "response.status is not an integer")
        yield recorded_call(
            label,
            index,
            method,
            url,
            status,
            _headers(response, where),
            partial(_content, response, where),
            _headers(request, where),
        )


__all__ = ["read_har"]
