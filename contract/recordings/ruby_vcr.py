"""Ruby VCR cassettes, and the recorders that share their layout: Betamax and Schemathesis.

``{"http_interactions": [{"request": {"method", "uri", "headers", "body"}, "response":
{"status": {"code", "message"}, "headers": {name: [values]}, "body": {…}}}], "recorded_with": …}``;
each interaction is a call named ``interaction[i]``. A body is ``{"encoding", "string"}``
(text, or bytes when YAML tags it binary) or ``{"encoding", "base64_string"}``; the
``encoding`` is a character set, not a Content-Encoding. Ruby VCR writes the method in
lower case. Schemathesis writes the status code as a quoted string (``'200'``) and
``response: null`` for a request that got no answer (a call with no status).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.recordings._bodies import decoded_base64, decompressed
from contract.recordings._fields import header_pairs, mapping, status_code, text
from contract.recordings._model import Call, Layout, RecordingError


def _body(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    body = response.get("body")
    if isinstance(body, dict):
        if body.get("base64_string") is not None:
            encoded = text(body["base64_string"], where, "response.body.base64_string")
            raw = decoded_base64(encoded, where, "response.body.base64_string")
            return decompressed(raw, headers, where)
        body = body.get("string")
    if body is None:
        return b""
    if not isinstance(body, (bytes, str)):
        raise RecordingError(where, "response.body.string is not a string")
    return decompressed(body, headers, where)


def _no_body() -> bytes:
    return b""


def detect(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("http_interactions"), list)


def calls(document: Any, label: str) -> Iterator[Call]:
    for index, entry in enumerate(document["http_interactions"]):
        name = f"interaction[{index}]"
        where = f"{label}::{name}"
        entry = mapping(entry, where, "interaction")
        request = mapping(entry.get("request"), where, "request")
        method, url = request.get("method"), request.get("uri")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or uri")
        request_headers = header_pairs(request.get("headers"), where, "request.headers")
        response = entry.get("response")
        if response is None:
            # Schemathesis: the request failed (timeout, connection error): no answer.
            yield Call(name, method.upper(), url, None, [], _no_body, request_headers)
            continue
        response = mapping(response, where, "response")
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else status
        headers = header_pairs(response.get("headers"), where, "response.headers")
        yield Call(
            name,
            method.upper(),
            url,
            status_code(code, where, "response.status.code"),
            headers,
            partial(_body, response, headers, where),
            request_headers,
        )


LAYOUT = Layout("Ruby VCR / Betamax / Schemathesis cassette", detect, calls)

__all__ = ["LAYOUT"]
