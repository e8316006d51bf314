"""Session records of the Azure SDK test proxy (.NET, Java, JS, Python, Go SDKs; openai-dotnet).

``{"Entries": [{"RequestUri", "RequestMethod", "RequestHeaders", "RequestBody", "StatusCode",
"ResponseHeaders", "ResponseBody"}], "Variables": {…}}``; each entry is a call named
``entry[i]``. Headers map a name to a value or a list of values. The body is stored
as a JSON value, not as text: a JSON object (or number, boolean) is the body itself
and is written back as JSON text; a text body is a string, or a list of strings (its
lines) when it spans several lines (so a JSON array body is stored as lines too); a
binary body is a base64 string; ``null`` or ``[]`` is no body.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.checks import header
from contract.recordings._fields import header_pairs, json_text, mapping, status_code
from contract.recordings._model import Call, Layout, RecordingError

#: Media types whose bodies the test proxy stores as text (the others as base64).
_TEXT_MARKERS = ("json", "xml", "javascript", "x-www-form-urlencoded")


def _is_text(headers: list[tuple[str, str]]) -> bool:
    media_type = (header(headers, "content-type") or "").split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or any(m in media_type for m in _TEXT_MARKERS)


def _body(
    entry: dict[str, Any], headers: list[tuple[str, str]], where: str, key: str = "ResponseBody"
) -> bytes | str:
    body = entry.get(key)
    if body is None or body == []:
        return b""
    if isinstance(body, list) and all(isinstance(line, str) for line in body):
        return "".join(body)  # a multi-line text body, one string per line
    if isinstance(body, str) and not _is_text(headers):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return body  # not base64 after all: read the text as it is
    if isinstance(body, str):
        return body
    return json_text(body, where)


def _request_body(
    entry: dict[str, Any], headers: list[tuple[str, str]], where: str
) -> bytes | str | None:
    if entry.get("RequestBody") is None:
        return None
    return _body(entry, headers, where, "RequestBody")


def detect(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("Entries"), list)


def calls(document: Any, label: str) -> Iterator[Call]:
    for index, entry in enumerate(document["Entries"]):
        name = f"entry[{index}]"
        where = f"{label}::{name}"
        entry = mapping(entry, where, "entry")
        method, url = entry.get("RequestMethod"), entry.get("RequestUri")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "entry has no RequestMethod or RequestUri")
        headers = header_pairs(entry.get("ResponseHeaders"), where, "ResponseHeaders")
        request_headers = header_pairs(entry.get("RequestHeaders"), where, "RequestHeaders")
        yield Call(
            name,
            method.upper(),
            url,
            status_code(entry.get("StatusCode"), where, "StatusCode"),
            headers,
            partial(_body, entry, headers, where),
            request_headers,
            partial(_request_body, entry, request_headers, where),
        )


LAYOUT = Layout("test-proxy session record", detect, calls)

__all__ = ["LAYOUT"]
