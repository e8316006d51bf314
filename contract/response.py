"""HTTP-level checks of one pause response."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contract import registry as _registry
from contract._explain import show
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.validation import violations_of
from contract.violations import Violation

#: Headers as a mapping or as (name, value) pairs; names compare case-insensitively.
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def header(headers: Headers | None, name: str) -> str | None:
    """The value of header ``name`` (case-insensitive), or None when absent."""
    if headers is None:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    for key, value in items:
        if str(key).lower() == wanted:
            return str(value)
    return None


def documented_response() -> tuple[int, str, str]:
    """The operation's documented success: status code, media type, body schema name."""
    ((status, response),) = _registry.operation()["responses"].items()
    schema = _registry.name_of(response["schema"]).removesuffix(".json")
    return int(status), str(response["content_type"]), schema


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def error_summary(body: Any) -> str:
    """The API's own message (": API error CODE: message") when the decoded ``body``
    is its error envelope; "" otherwise."""
    if violations_of(body, "ErrorResponse"):
        return ""
    error = body["error"]
    kind = error.get("code") or error.get("type")
    return f": API error {kind}: {error['message']}"


_UNDECODABLE = object()


def _decode_body(body: bytes | str | Decoded | Any) -> tuple[list[Violation], Any]:
    """Decode a raw body strictly; the RFC 8259 problems met, and the value (or _UNDECODABLE).

    A :class:`Decoded` (a body already decoded strictly) is taken as it is.
    """
    if isinstance(body, Decoded):
        decoded = body
    elif not isinstance(body, (bytes, str)):
        return [], body
    else:
        try:
            decoded = decode(body)
        except JSONSyntaxError as exc:
            return [Violation("", "json", f"body {exc}")], _UNDECODABLE
    problems = [
        Violation("", "json", f"body is not interoperable JSON: {p}") for p in decoded.problems
    ]
    return problems, decoded.value


def check_body(body: bytes | str | Decoded | Any, schema: str | None = None) -> list[Violation]:
    """Check a body: raw bytes/str are decoded strictly first; other values are taken as decoded."""
    found, payload = _decode_body(body)
    if payload is _UNDECODABLE:
        return found
    return found + violations_of(payload, schema or documented_response()[2])


def check_response(
    status_code: int,
    headers: Headers | None,
    body: bytes | str | Any,
    job_id: str | None = None,
) -> list[Violation]:
    """Every way one HTTP response breaks the pause operation's contract.

    Checks the status code (only the documented one is accepted), the
    ``Content-Type`` (``application/json``, parameters such as ``charset``
    allowed), that the body is RFC 8259 JSON, the body against the response
    schema, and, when ``job_id`` is given, that the body's ``id`` is that job.
    Returns an empty list when the response conforms.
    """
    status, media_type, schema = documented_response()
    problems, payload = _decode_body(body)
    if status_code != status:
        detail = "" if payload is _UNDECODABLE else error_summary(payload)
        operation = _registry.operation()["operationId"]
        return [
            Violation(
                "",
                "status",
                f"status {status_code} is not a documented response of {operation} "
                f"(documented: {status}){detail}",
            )
        ]
    found: list[Violation] = []
    content_type = header(headers, "content-type")
    if content_type is None:
        found.append(
            Violation("", "content-type", f"no Content-Type header; expected {media_type}")
        )
    elif _media_type(content_type) != media_type:
        found.append(
            Violation("", "content-type", f"Content-Type {show(content_type)} is not {media_type}")
        )
    found.extend(problems)
    if payload is _UNDECODABLE:
        return found
    found.extend(violations_of(payload, schema))
    returned = payload.get("id") if isinstance(payload, dict) else None
    if job_id is not None and isinstance(returned, str) and returned != job_id:
        found.append(
            Violation(
                "/id",
                "job-id",
                f"{show(returned)} is not the job the request paused ({show(job_id)})",
            )
        )
    return found
