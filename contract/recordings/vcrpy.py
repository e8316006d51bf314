"""vcrpy cassettes, as vcrpy and pytest-recording write them, in YAML or with the JSON serializer.

``{"interactions": [{"request": {"method", "uri", …}, "response": {…}}], "version": 1}``;
each interaction is a call named ``interaction[i]``. The response is
``{"status": {"code", "message"}, "headers": {name: [values]}, "body": {"string": …}}``,
or in the layout vcrpy's httpx stubs wrote before (which vcrpy still reads)
``{"status_code": 200, "headers": …, "content": "…"}``. A body stored as
``!!binary`` (bytes) whose ``Content-Encoding`` is gzip or deflate is
decompressed; aiohttp's stub records an empty body as ``{}``. The request's
``body`` is text, bytes or null (no body); vcrpy 9 also writes a top-level
``metadata`` mapping (values a test stored with ``cassette.get_metadata``),
which is read and must be a mapping, and its YAML loader reads the request
bodies older versions wrote with Python tags (see :mod:`contract.recordings._yaml`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.recordings._bodies import decompressed
from contract.recordings._fields import listed
from contract.recordings._model import Call, Layout, RecordingError


def _headers(message: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = message.get("headers") or {}
    if not isinstance(found, dict):
        raise RecordingError(where, "headers is not a mapping")
    pairs: list[tuple[str, str]] = []
    for name, values in found.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def _status(response: dict[str, Any], where: str) -> int:
    status = response.get("status", response.get("status_code"))
    code = status.get("code") if isinstance(status, dict) else status
    text = code.strip() if isinstance(code, str) else ""
    # ASCII and short: int() refuses other Unicode digits ("²") and overlong numbers.
    if text.isascii() and text.isdigit() and len(text) <= 3:
        code = int(text)
    if not isinstance(code, int) or isinstance(code, bool):
        raise RecordingError(where, "response.status.code is not an integer")
    return code


def _body(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    body = response["content"] if "content" in response else response.get("body")
    if isinstance(body, dict):
        body = body.get("string", b"")
    if body is None:
        return b""
    if not isinstance(body, (bytes, str)):
        raise RecordingError(where, "response.body.string is not a string")
    return decompressed(body, headers, where)


def _request_body(request: dict[str, Any], where: str) -> bytes | str | None:
    body = request.get("body")
    if isinstance(body, dict):  # the aiohttp stub's layout, like the response's
        body = body.get("string")
    if body is None or isinstance(body, (bytes, str)):
        return body
    raise RecordingError(where, "request.body is not a string")


def metadata(document: Any, label: str) -> dict[str, Any]:
    """vcrpy 9's top-level ``metadata`` mapping (empty when absent)."""
    found = document.get("metadata") if isinstance(document, dict) else None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise RecordingError(label, "the cassette's metadata is not a mapping")
    return found


def detect(document: Any) -> bool:
    found = listed(document, "interactions")
    if found is None:
        return False
    first = found[0] if found else {}
    request = first.get("request") if isinstance(first, dict) else None
    # go-vcr writes "url" and "code"; vcrpy writes "uri".
    return not found or (isinstance(request, dict) and "uri" in request)


def calls(document: Any, label: str) -> Iterator[Call]:
    metadata(document, label)
    for index, entry in enumerate(listed(document, "interactions") or []):
        name = f"interaction[{index}]"
        where = f"{label}::{name}"
        request = entry.get("request") if isinstance(entry, dict) else None
        response = entry.get("response") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            raise RecordingError(where, "interaction has no request and response mappings")
        method, url = request.get("method"), request.get("uri")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or uri")
        headers = _headers(response, where)
        yield Call(
            name,
            method,
            url,
            _status(response, where),
            headers,
            partial(_body, response, headers, where),
            _headers(request, where),
            partial(_request_body, request, where),
        )


LAYOUT = Layout("vcrpy cassette", detect, calls)

__all__ = ["LAYOUT"]
