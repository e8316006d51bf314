"""go-vcr cassettes (dnaeon/go-vcr): ``version: 1`` (go-vcr v1, v2) and ``version: 2`` (v3, v4).

``{"version": …, "interactions": [{"request": {"method", "url", "headers", "body"}, "response":
{"code": 200, "status": "200 OK", "headers": {name: [values]}, "body": "…"}}]}``;
each interaction is a call named ``interaction[i]``. Version 2 adds ``proto``,
``content_length``, ``uncompressed`` and more, which are not needed here. The body
is a string (YAML tags it binary when it is not text); the status code is ``code``,
or read from ``status`` when ``code`` is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.recordings._bodies import decompressed
from contract.recordings._fields import header_pairs, listed, mapping, status_code
from contract.recordings._model import Call, Layout, RecordingError


def _body(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    body = response.get("body")
    if body is None:
        return b""
    if not isinstance(body, (bytes, str)):
        raise RecordingError(where, "response.body is not a string")
    return decompressed(body, headers, where)


def _request_body(request: dict[str, Any], where: str) -> bytes | str | None:
    body = request.get("body")
    if body is None or isinstance(body, (bytes, str)):
        return body
    raise RecordingError(where, "request.body is not a string")


def detect(document: Any) -> bool:
    found = listed(document, "interactions")
    if not found or not isinstance(found[0], dict):
        return False
    request = found[0].get("request")
    # vcrpy writes "uri"; go-vcr writes "url".
    return isinstance(request, dict) and "url" in request and "uri" not in request


def calls(document: Any, label: str) -> Iterator[Call]:
    for index, entry in enumerate(listed(document, "interactions") or []):
        name = f"interaction[{index}]"
        where = f"{label}::{name}"
        entry = mapping(entry, where, "interaction")
        request = mapping(entry.get("request"), where, "request")
        response = mapping(entry.get("response"), where, "response")
        method, url = request.get("method"), request.get("url")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or url")
        code = response.get("code")
        if code in (None, 0):
            code = response.get("status")
        headers = header_pairs(response.get("headers"), where, "response.headers")
        yield Call(
            name,
            method.upper(),
            url,
            status_code(code, where, "response.code"),
            headers,
            partial(_body, response, headers, where),
            header_pairs(request.get("headers"), where, "request.headers"),
            partial(_request_body, request, where),
        )


LAYOUT = Layout("go-vcr cassette", detect, calls)

__all__ = ["LAYOUT"]
