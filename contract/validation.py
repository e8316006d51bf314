"""Validating decoded payloads against the schema documents.

Two independent validators read the same documents: ``jsonschema-rs``
(compiled once per type, the fast path that decides validity) and
``jsonschema`` with the ``referencing`` registry (the reference, which
explains failures). A payload the fast path accepts is never re-checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from contract import registry as _registry
from contract._explain import explain
from contract.violations import ContractViolation, Violation


@cache
def _rs_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(
        [(doc["$id"], dict(doc)) for doc in _registry.documents().values()]
    )


@cache
def fast_validator(schema: str) -> Any:
    """The compiled ``jsonschema-rs`` validator of a type (built once)."""
    return jsonschema_rs.validator_for(
        dict(_registry.document(schema)), registry=_rs_registry(), validate_formats=False
    )


@cache
def reference_validator(schema: str) -> Draft202012Validator:
    """The ``jsonschema`` validator of a type, resolving ``$ref`` through the registry."""
    return Draft202012Validator(_registry.document(schema), registry=_registry.registry())


def _fast_is_valid(payload: Any, schema: str) -> bool | None:
    """The fast path's verdict, or None where it cannot represent the payload."""
    try:
        return bool(fast_validator(schema).is_valid(payload))
    except (ValueError, OverflowError, TypeError):
        return None


def is_valid(payload: Any, schema: str = _registry.DEFAULT_SCHEMA) -> bool:
    """Whether ``payload`` conforms to ``schema`` (fast path)."""
    verdict = _fast_is_valid(payload, schema)
    if verdict is None:
        return bool(reference_validator(schema).is_valid(payload))
    return verdict


def violations_of(payload: Any, schema: str = _registry.DEFAULT_SCHEMA) -> list[Violation]:
    """Every violation of ``schema`` in ``payload``, as a list (empty when valid)."""
    root = _registry.uri_of(schema)  # first, so an unknown name is a clear ValueError
    if _fast_is_valid(payload, schema):
        return []
    return explain(reference_validator(schema).iter_errors(payload), root)


def iter_violations(payload: Any, schema: str = _registry.DEFAULT_SCHEMA) -> Iterator[Violation]:
    """Every violation of ``schema`` in ``payload``, not only the first."""
    return iter(violations_of(payload, schema))


def validate(payload: Any, schema: str = _registry.DEFAULT_SCHEMA) -> None:
    """Raise :class:`ContractViolation`, listing every violation, unless ``payload`` conforms."""
    found = violations_of(payload, schema)
    if found:
        raise ContractViolation(found, schema)
