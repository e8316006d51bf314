"""What the fake checks in a request: the key, the create body, the list parameters.

A problem is a :class:`Refusal`: the status, message, ``param`` and ``code``
of the API's error envelope. The create body is checked against the request
contract (``CreateFineTuningJobRequest``) under the fake's profile; ``param``
names the field at fault (``suffix``, ``hyperparameters.n_epochs``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from contract import schema as _registry
from contract import validation
from contract.redact import redact
from contract.schema.amendments import Profile

REQUEST_SCHEMA = "CreateFineTuningJobRequest"

_BEARER = re.compile(r"Bearer [!-~]{1,512}")


@dataclass(frozen=True)
class Refusal(Exception):
    """A request the API refuses: the parts of its error envelope."""

    status: int
    message: str
    param: str | None = None
    code: str | None = None
    type: str = "invalid_request_error"

    def envelope(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def check_key(headers: Mapping[str, str]) -> None:
    """Raise a 401 :class:`Refusal` unless the request carries a well-formed key.

    ``Authorization: Bearer KEY`` (any key of printable characters), or Azure's
    ``api-key: KEY``. The key is never echoed.
    """
    authorization = headers.get("authorization")
    if authorization is None:
        if headers.get("api-key", "").strip():
            return
        raise Refusal(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    if not _BEARER.fullmatch(authorization):
        raise Refusal(
            401,
            "The Authorization header is malformed: expected 'Bearer' followed by your API key.",
            code="invalid_api_key",
        )


def param_of(pointer: str) -> str | None:
    """``/hyperparameters/n_epochs`` -> ``hyperparameters.n_epochs``; ``/integrations/0`` ->
    ``integrations[0]``; the whole body -> None."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    shown = ""
    for part in parts:
        shown += f"[{part}]" if part.isdigit() else (f".{part}" if shown else part)
    return shown or None


def read_json(body: bytes) -> Any:
    """The request body as JSON; a 400 :class:`Refusal` if it is not.

    orjson, not :mod:`json`: it refuses what the fake could not answer back —
    a lone UTF-16 surrogate (``"\\ud800"``), ``NaN``, nesting past 1024 levels.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Refusal(
            400,
            "We could not parse the JSON body of your request. The OpenAI API expects a "
            "JSON payload.",
        ) from None


def check_create(body: bytes, profile: Profile | None) -> dict[str, Any]:
    """The create request, checked; a 400 :class:`Refusal` naming the field otherwise."""
    request = read_json(body)
    if not isinstance(request, dict):
        raise Refusal(400, "The request body must be a JSON object.")
    known = _registry.document(REQUEST_SCHEMA, profile).get("properties", {})
    for name in request:
        if name not in known:
            raise Refusal(
                400, f"Unrecognized request argument supplied: {name[:64]}", param=name[:64]
            )
    for name in ("model", "training_file"):
        if name not in request:
            raise _missing(name)
    found = validation.violations_of(request, REQUEST_SCHEMA, profile)
    if found:
        first = found[0]
        raise Refusal(
            400,
            f"Invalid request: {redact(first.message)}",
            param_of(first.path),
            code="invalid_value",
        )
    return request


def _missing(name: str) -> Refusal:
    return Refusal(
        400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
    )


def page_limit(query: Sequence[tuple[str, str]], default: int) -> int:
    """The ``limit`` query parameter (1 to 100); a 400 :class:`Refusal` naming it otherwise."""
    values = [v for k, v in query if k == "limit"]
    if not values:
        return default
    raw = values[-1]
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw[:6]) <= 100):
        raise Refusal(
            400, "Invalid 'limit': expected an integer from 1 to 100.", "limit", "invalid_value"
        )
    return int(raw)


def metadata_filter(query: Sequence[tuple[str, str]]) -> dict[str, str] | None:
    """``metadata[k]=v`` pairs as a dict; ``{}`` for ``metadata=null`` (jobs without any);
    None when the list is not filtered."""
    pairs: dict[str, str] = {}
    null = False
    for key, value in query:
        if key == "metadata":
            if value != "null":
                raise Refusal(
                    400,
                    "Invalid 'metadata': use metadata[KEY]=VALUE, or metadata=null.",
                    "metadata",
                    "invalid_value",
                )
            null = True
        elif key.startswith("metadata[") and key.endswith("]"):
            pairs[key[len("metadata[") : -1]] = value
    if null and pairs:
        raise Refusal(400, "metadata=null cannot be combined with metadata[KEY]=VALUE.", "metadata")
    if null:
        return {}
    return pairs or None
