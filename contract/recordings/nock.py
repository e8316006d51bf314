"""nock fixtures (nock back, ``nock.recorder.rec({output_objects: true})``): a JSON array of calls.

``[{"scope": "https://api.openai.com:443", "method", "path", "status", "response",
"rawHeaders": [name, value, …]}]`` (older nock: ``"headers": {name: value}``); each
element is a call named ``interaction[i]``. ``response`` is the body as nock kept it:
a JSON value (written back as JSON text), a string, a hex string when
``responseIsBinary`` is true, or, when the answer was content-encoded, a list of hex
chunks of the still compressed body.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from contract.checks import header
from contract.recordings._bodies import decompressed
from contract.recordings._fields import header_pairs, json_text, mapping, status_code
from contract.recordings._model import Call, Layout, RecordingError


def _raw_headers(found: Any, where: str) -> list[tuple[str, str]]:
    """``rawHeaders``: a flat ``[name, value, …]`` list, a list of pairs, or a mapping."""
    if not isinstance(found, list):
        return header_pairs(found, where, "rawHeaders")
    if all(isinstance(item, list) and len(item) == 2 for item in found):
        return [(str(name), str(value)) for name, value in found]
    if len(found) % 2:
        raise RecordingError(where, "rawHeaders does not hold name, value pairs")
    return [(str(found[i]), str(found[i + 1])) for i in range(0, len(found), 2)]


def _origin(scope: str) -> str:
    """nock's scope without the default port it always writes (``https://host:443``)."""
    scope = scope.rstrip("/")
    for scheme, port in (("https://", ":443"), ("http://", ":80")):
        if scope.startswith(scheme) and scope.endswith(port):
            return scope.removesuffix(port)
    return scope


def _hex(chunks: list[Any] | str, where: str) -> bytes:
    try:
        if isinstance(chunks, str):
            return bytes.fromhex(chunks)
        return b"".join(bytes.fromhex(chunk) for chunk in chunks)
    except (TypeError, ValueError):
        raise RecordingError(where, "response is not hex-encoded as nock writes binary") from None


def _encoded(headers: list[tuple[str, str]]) -> bool:
    coding = (header(headers, "content-encoding") or "").strip().lower()
    return coding not in ("", "identity")


def _body(entry: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    if "response" not in entry:
        return b""
    response = entry["response"]
    if entry.get("responseIsBinary") is True and isinstance(response, str):
        return decompressed(_hex(response, where), headers, where)
    if (
        isinstance(response, list)
        and response
        and all(isinstance(chunk, str) for chunk in response)
        and _encoded(headers)
    ):
        return decompressed(_hex(response, where), headers, where)
    if isinstance(response, str):
        return response
    return json_text(response, where)


def _request_body(entry: dict[str, Any], where: str) -> bytes | str | None:
    """The body nock matched the request on: a JSON value, a string, or absent."""
    if "body" not in entry:
        return None
    body = entry["body"]
    return body if isinstance(body, str) else json_text(body, where)


def detect(document: Any) -> bool:
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(item, dict) and isinstance(item.get("scope"), str) and "method" in item
            for item in document
        )
    )


def calls(document: Any, label: str) -> Iterator[Call]:
    for index, entry in enumerate(document):
        name = f"interaction[{index}]"
        where = f"{label}::{name}"
        entry = mapping(entry, where, "call")
        method, path = entry.get("method"), entry.get("path", "/")
        if not isinstance(method, str) or not isinstance(path, str):
            raise RecordingError(where, "call has no method or path")
        if "rawHeaders" in entry:
            headers = _raw_headers(entry["rawHeaders"], where)
        else:
            headers = header_pairs(entry.get("headers"), where, "headers")
        yield Call(
            name,
            method.upper(),
            _origin(str(entry["scope"])) + path,
            # nock replies 200 when a definition has no status.
            status_code(entry.get("status", 200), where, "status"),
            headers,
            partial(_body, entry, headers, where),
            header_pairs(entry.get("reqheaders"), where, "reqheaders"),
            partial(_request_body, entry, where),
        )


LAYOUT = Layout("nock fixture", detect, calls)

__all__ = ["LAYOUT"]
