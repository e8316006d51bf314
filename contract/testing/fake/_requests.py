"""What the fake checks in a request: the key, the create body, the list parameters.

A problem is a :class:`Refusal`: the status, message, ``param`` and ``code``
of the API's error envelope. The create body is checked against the request
contract (``CreateFineTuningJobRequest``) when the schema set has it, and by
the documented rules otherwise; either way ``param`` names the field at
fault (``suffix``, ``hyperparameters.n_epochs``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract import schema as _registry
from contract import validation
from contract.schema.amendments import Profile

REQUEST_SCHEMA = "CreateFineTuningJobRequest"

#: The fields a create request may carry.
_CREATE_FIELDS = (
    "model",
    "training_file",
    "validation_file",
    "suffix",
    "seed",
    "hyperparameters",
    "method",
    "integrations",
    "metadata",
)
_SEED_MAX = 2_147_483_647
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
    """The request body as JSON; a 400 :class:`Refusal` if it is not."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
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
    for name in request:
        if name not in _CREATE_FIELDS:
            raise Refusal(
                400, f"Unrecognized request argument supplied: {name[:64]}", param=name[:64]
            )
    if REQUEST_SCHEMA in _registry.schema_names():
        found = validation.violations_of(request, REQUEST_SCHEMA, profile)
        if found:
            first = found[0]
            raise Refusal(
                400, f"Invalid request: {first.message}", param_of(first.path), code="invalid_value"
            )
        return request
    _check_by_rules(request, profile)
    return request


def _missing(name: str) -> Refusal:
    return Refusal(
        400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
    )


def _invalid(name: str, what: str) -> Refusal:
    return Refusal(400, f"Invalid value for '{name}': {what}", param=name, code="invalid_value")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_by_rules(request: Mapping[str, Any], profile: Profile | None) -> None:
    """The documented rules of a create body (the request contract, written out)."""
    for name in ("model", "training_file"):
        if name not in request:
            raise _missing(name)
        if not isinstance(request[name], str) or not request[name]:
            raise _invalid(name, "expected a non-empty string.")
    validation_file = request.get("validation_file")
    if validation_file is not None and not isinstance(validation_file, str):
        raise _invalid("validation_file", "expected a string or null.")
    suffix = request.get("suffix")
    if suffix is not None and not (isinstance(suffix, str) and 1 <= len(suffix) <= 64):
        raise _invalid("suffix", "expected a string of 1 to 64 characters, or null.")
    seed = request.get("seed")
    if seed is not None and not (_is_int(seed) and 0 <= seed <= _SEED_MAX):
        raise _invalid("seed", f"expected an integer from 0 to {_SEED_MAX}, or null.")
    hyper = request.get("hyperparameters")
    if hyper is not None:
        _check_hyperparameters(hyper)
    _check_schema(request, "method", "FineTuneMethod", profile)
    _check_schema(request, "metadata", "Metadata", profile)
    integrations = request.get("integrations")
    if integrations is not None:
        if not isinstance(integrations, list):
            raise _invalid("integrations", "expected an array or null.")
        for index, item in enumerate(integrations):
            found = validation.violations_of(item, "FineTuningIntegration", profile)
            if found:
                raise _invalid(
                    param_of(f"/integrations/{index}{found[0].path}") or "integrations",
                    found[0].message,
                )


def _check_schema(
    request: Mapping[str, Any], name: str, schema: str, profile: Profile | None
) -> None:
    if request.get(name) is None:
        return
    found = validation.violations_of(request[name], schema, profile)
    if found:
        raise _invalid(param_of(f"/{name}{found[0].path}") or name, found[0].message)


_HYPER_RANGES = {"batch_size": (1, 256), "n_epochs": (1, 50)}


def _check_hyperparameters(hyper: Any) -> None:
    if not isinstance(hyper, dict):
        raise _invalid("hyperparameters", "expected an object.")
    for key, value in hyper.items():
        param = f"hyperparameters.{key[:64]}"
        if key not in ("batch_size", "learning_rate_multiplier", "n_epochs"):
            raise Refusal(400, f"Unrecognized request argument supplied: {param}", param=param)
        if value == "auto":
            continue
        if key == "learning_rate_multiplier":
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not (number and math.isfinite(value) and value > 0):
                raise _invalid(param, "expected 'auto' or a number greater than 0.")
            continue
        low, high = _HYPER_RANGES[key]
        if not (_is_int(value) and low <= value <= high):
            raise _invalid(param, f"expected 'auto' or an integer from {low} to {high}.")


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
