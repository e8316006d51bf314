"""Validating decoded payloads against the schema documents.

Two independent validators read the same documents: ``jsonschema-rs``
(compiled once per type and profile, the fast path that decides validity and
whose errors explain failures) and ``jsonschema`` with the ``referencing``
registry (the reference: the test suite checks that both agree, and it
explains the failures jsonschema-rs's errors cannot, see
:mod:`contract.validation._rs`). A payload the fast path accepts is never re-checked.

:class:`ContractValidator` is the same checks as an object that pickles as
its names (for other processes) and compiles on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from contract import schema as _registry
from contract.profiles import ProfileLike, coerce
from contract.schema.amendments import Profile
from contract.strictjson import MAX_DEPTH
from contract.strictjson._scan import value_deeper_than
from contract.validation import _rs as _rs_explain
from contract.validation._explain import explain
from contract.violations import ContractViolation, Violation


def overlay_of(profile: ProfileLike) -> Profile | None:
    """The profile whose amendments change the documents, or None (the published ones)."""
    if profile is None:
        return None
    resolved = coerce(profile)
    return resolved if resolved.amendments else None


@cache
def rs_registry(profile: Profile | None = None) -> jsonschema_rs.Registry:
    """The ``jsonschema-rs`` registry of the documents as ``profile`` amends them (built once)."""
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
        registry=rs_registry(profile),
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
        return bool(_fast_validator(schema, profile).is_valid(payload))
    except (ValueError, OverflowError, TypeError):
        return None


def _too_deep(payload: Any) -> list[Violation]:
    """The one violation of a payload nested too deeply for the reference validator."""
    if not value_deeper_than(payload, MAX_DEPTH):
        return []
    message = f"payload is nested more than {MAX_DEPTH} levels deep, too deep to explain"
    return [Violation("", "json", message)]


def _reference_violations(payload: Any, schema: str, profile: Profile | None) -> list[Violation]:
    """The reference validator's explanation (jsonschema: slower, but it reads anything)."""
    too_deep = _too_deep(payload)
    if too_deep:
        return too_deep
    errors = _reference_validator(schema, profile).iter_errors(payload)
    return explain(errors, _registry.uri_of(schema), profile)


def _explained(
    payload: Any, schema: str, profile: Profile | None, errors: list[Any] | None = None
) -> list[Violation]:
    """The violations of a payload the fast path rejected (or could not read)."""
    validator = _fast_validator(schema, profile)
    found = _rs_explain.violations(validator, payload, profile, errors)
    if found is None:
        found = _reference_violations(payload, schema, profile)
    return found


def is_valid(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> bool:
    """Whether ``payload`` conforms to ``schema`` under ``profile`` (fast path)."""
    overlay = None if profile is None else overlay_of(profile)
    verdict = _fast_is_valid(payload, schema, overlay)
    if verdict is None:
        if _too_deep(payload):
            return False
        return bool(_reference_validator(schema, overlay).is_valid(payload))
    return verdict


def violations_of(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> list[Violation]:
    """Every violation of ``schema`` in ``payload``, as a list (empty when valid).

    ``profile`` (a name or a :class:`~contract.profiles.Profile`; default
    ``published``) says which amendments to the contract are accepted.
    """
    return violations_and_errors(payload, schema, profile)[0]


def violations_and_errors(
    payload: Any, schema: str, profile: ProfileLike = None
) -> tuple[list[Violation], list[Any] | None]:
    """:func:`violations_of`, and the jsonschema-rs errors they were read from (None when
    it found the payload valid or could not read it): what the deviation probes compare
    (:mod:`contract.checks.deviations`), so that they need not validate again."""
    _registry.uri_of(schema)  # first, so an unknown name is a clear ValueError
    overlay = overlay_of(profile)
    if _fast_is_valid(payload, schema, overlay):
        return [], None
    errors: list[Any] = []
    found = _explained(payload, schema, overlay, errors)
    return found, errors or None


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


@dataclass(frozen=True)
class ContractValidator:
    """The checks of one type under one profile, as an object for other processes.

    It holds only the names (a profile name or a resolved
    :class:`~contract.profiles.Profile`), so it pickles small and cleanly; the
    validators are compiled on first use in each process. An unknown type
    name raises :class:`ValueError` at once.
    """

    schema: str = _registry.DEFAULT_SCHEMA
    profile: ProfileLike = None

    def __post_init__(self) -> None:
        _registry.uri_of(self.schema)

    def is_valid(self, payload: Any) -> bool:
        """Whether ``payload`` conforms."""
        return is_valid(payload, self.schema, self.profile)

    def violations(self, payload: Any) -> list[Violation]:
        """Every violation in ``payload`` (empty when it conforms)."""
        return violations_of(payload, self.schema, self.profile)

    def iter_violations(self, payload: Any) -> Iterator[Violation]:
        """Every violation in ``payload``, not only the first."""
        return iter(self.violations(payload))

    def validate(self, payload: Any) -> None:
        """Raise :class:`ContractViolation` unless ``payload`` conforms."""
        validate(payload, self.schema, self.profile)
