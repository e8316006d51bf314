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
from contract.amendments.model import Profile
from contract.profiles import ProfileLike, coerce
from contract.violations import ContractViolation, Violation


def overlay_of(profile: ProfileLike) -> Profile | None:
    """The profile whose amendments change the documents, or None (the published ones)."""
    if profile is None:
        return None
    resolved = coerce(profile)
    return resolved if resolved.amendments else None


@cache
def _rs_registry(profile: Profile | None = None) -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(
        [(doc["$id"], dict(doc)) for doc in _registry.documents(profile).values()]
    )


def fast_validator(schema: str, profile: ProfileLike = None) -> Any:
    """The compiled ``jsonschema-rs`` validator of a type (built once per profile)."""
    return _fast_validator(schema, overlay_of(profile))


@cache
def _fast_validator(schema: str, profile: Profile | None) -> Any:
    return jsonschema_rs.validator_for(
        dict(_registry.document(schema, profile)),
        registry=_rs_registry(profile),
        validate_formats=False,
    )


def reference_validator(schema: str, profile: ProfileLike = None) -> Draft202012Validator:
    """The ``jsonschema`` validator of a type, resolving ``$ref`` through the registry."""
    return _reference_validator(schema, overlay_of(profile))


@cache
def _reference_validator(schema: str, profile: Profile | None) -> Draft202012Validator:
    return Draft202012Validator(
        _registry.document(schema, profile), registry=_registry.registry(profile)
    )


def _fast_is_valid(payload: Any, schema: str, profile: Profile | None = None) -> bool | None:
    """The fast path's verdict, or None where it cannot represent the payload."""
    try:
        validator = fast_validator(schema) if profile is None else fast_validator(schema, profile)
        return bool(validator.is_valid(payload))
    except (ValueError, OverflowError, TypeError):
        return None


def is_valid(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> bool:
    """Whether ``payload`` conforms to ``schema`` under ``profile`` (fast path)."""
    overlay = overlay_of(profile)
    verdict = _fast_is_valid(payload, schema, overlay)
    if verdict is None:
        return bool(_reference_validator(schema, overlay).is_valid(payload))
    return verdict


def violations_of(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> list[Violation]:
    """Every violation of ``schema`` in ``payload``, as a list (empty when valid).

    ``profile`` (a name or a :class:`~contract.profiles.Profile`; default
    ``published``) says which amendments to the contract are accepted.
    """
    root = _registry.uri_of(schema)  # first, so an unknown name is a clear ValueError
    overlay = overlay_of(profile)
    if _fast_is_valid(payload, schema, overlay):
        return []
    return explain(_reference_validator(schema, overlay).iter_errors(payload), root, overlay)


def iter_violations(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> Iterator[Violation]:
    """Every violation of ``schema`` in ``payload``, not only the first."""
    return iter(violations_of(payload, schema, profile))


def validate(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> None:
    """Raise :class:`ContractViolation`, listing every violation, unless ``payload`` conforms."""
    found = violations_of(payload, schema, profile)
    if found:
        raise ContractViolation(found, schema)
