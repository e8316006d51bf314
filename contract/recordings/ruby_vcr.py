"""Ruby VCR cassettes, and the recorders that share their layout: Betamax and Schemathesis.

``{"http_interactions": [{"request": {"method", "uri", "headers", "body"}, "response":
{"status": {"code", "message"}, "headers": {name: [values]}, "body": {…}}}], "recorded_with": …}``;
each interaction is a call named ``interaction[i]``. A body is ``{"encoding", "string"}``
(text, or bytes when YAML tags it binary) or ``{"encoding", "base64_string"}``; the
``encoding`` is a character set, not a Content-Encoding. Ruby VCR writes the method in
lower case. Schemathesis writes the status code as a quoted string (``'200'``) and
``response: null`` for a request that got no answer (a call with no status).
Schemathesis 4.27 and later keep only the start of a large body and write
``truncated_from: SIZE`` beside it (read beside ``body`` or inside its mapping): such a
body is cut, and not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.recordings._bodies import decoded_base64, decompressed
from contract.recordings._fields import header_pairs, mapping, status_code, text
from contract.recordings._model import Call, Layout, RecordingError


def _stored(message: dict[str, Any], where: str, what: str) -> bytes | str | None:
    """The body of a request or response as stored (None when there is no body at all)."""
    body = message.get("body")
    if isinstance(body, dict):
        if body.get("base64_string") is not None:
            encoded = text(body["base64_string"], where, f"{what}.body.base64_string")
            return decoded_base64(encoded, where, f"{what}.body.base64_string")
        body = body.get("string")
    if body is None or isinstance(body, (bytes, str)):
        return body
    raise RecordingError(where, f"{what}.body.string is not a string")


def _body(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    body = _stored(response, where, "response")
    return b"" if body is None else decompressed(body, headers, where)


def _cut(response: dict[str, Any]) -> str:
    """Why the body is not checked, when Schemathesis kept only its start."""
    body = response.get("body")
    size = response.get("truncated_from")
    if size is None and isinstance(body, dict):  # written inside the body mapping
        size = body.get("truncated_from")
    if size is None:
        return ""
    return f"body cut by the recorder (truncated from {size} bytes): not checked"


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
            partial(_stored, request, where, "request"),
            _cut(response),
        )


LAYOUT = Layout("Ruby VCR / Betamax / Schemathesis cassette", detect, calls)

__all__ = ["LAYOUT"]
