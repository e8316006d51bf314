"""Non-conforming payloads: each breaks one labelled rule, and both validators say so."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from contract import schema as registry
from contract.generate import strategies
from contract.generate.strategies import Context, Mutant
from contract.validation import fast_validator, reference_validator, violations_of

NO_SHRINK = settings(
    max_examples=20_000,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _check(mutant: Mutant, name: str) -> None:
    assert not fast_validator(name).is_valid(mutant.payload), mutant
    assert not reference_validator(name).is_valid(mutant.payload), mutant
    found = violations_of(mutant.payload, name)
    at_path = {v.keyword for v in found if v.path == mutant.path}
    assert at_path, (mutant, found)
    # The label names the rule the report names at that path.
    assert mutant.keyword in at_path, (mutant, found)


@pytest.mark.parametrize(
    ("name", "count", "context"),
    [
        ("FineTuningJob", 400, "minimal"),
        ("FineTuningJob", 300, "full"),
        ("Metadata", 150, "minimal"),
        ("Metadata", 100, "full"),
        ("FineTuneReinforcementMethod", 200, "minimal"),
        ("EvalItemContent", 150, "full"),
    ],
)
def test_mutants_are_rejected_by_both_validators_at_the_labelled_path(
    name: str, count: int, context: Context
) -> None:
    @settings(max_examples=count, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.nonconforming(name, context=context))
    def check(mutant: Mutant) -> None:
        _check(mutant, name)

    check()


def test_arbitrary_mode_mutants_are_rejected_too() -> None:
    @settings(max_examples=200, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.nonconforming(realistic=False))
    def check(mutant: Mutant) -> None:
        _check(mutant, "FineTuningJob")

    check()


def _at(payload: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        payload = payload[int(part)] if isinstance(payload, list) else payload[part]
    return payload


def _is_bool(m: Mutant) -> bool:
    return isinstance(_at(m.payload, m.path), bool)


#: (operator, type drawn from, the mutant it must produce)
_OPERATORS: list[tuple[str, str, Callable[[Mutant], bool]]] = [
    ("missing property", "FineTuningJob", lambda m: m.keyword == "required" and m.path == ""),
    (
        "boolean for integer",
        "FineTuneSupervisedHyperparameters",
        lambda m: m.keyword == "type" and m.path == "/n_epochs" and _is_bool(m),
    ),
    (
        "null not nullable",
        "FineTuningJobError",
        lambda m: m.path == "/code" and _at(m.payload, m.path) is None,
    ),
    ("outside enum", "GraderStringCheck", lambda m: m.keyword == "enum" and m.path == "/operation"),
    (
        "other than const",
        "FineTuningIntegration",
        lambda m: m.keyword == "const" and m.path == "/type",
    ),
    (
        "above maximum",
        "FineTuneSupervisedHyperparameters",
        lambda m: m.description == "n_epochs above maximum 50",
    ),
    (
        "below minimum",
        "FineTuneDPOHyperparameters",
        lambda m: m.keyword == "minimum" and m.path == "/batch_size",
    ),
    (
        "at exclusive bound",
        "FineTuneDPOHyperparameters",
        lambda m: (
            m.keyword == "exclusiveMinimum" and m.path == "/beta" and _at(m.payload, m.path) == 0
        ),
    ),
    ("string too long", "Metadata", lambda m: m.keyword == "maxLength"),
    ("key too long", "Metadata", lambda m: m.keyword == "propertyNames" and m.path == ""),
    ("too many pairs", "Metadata", lambda m: m.keyword == "maxProperties" and m.path == ""),
    (
        "too many items",
        "FineTuningJob",
        lambda m: m.keyword == "maxItems" and m.path == "/integrations",
    ),
    ("too few items", "GraderScoreModel", lambda m: m.keyword == "minItems" and m.path == "/range"),
    (
        "no oneOf branch",
        "FineTuneReinforcementMethod",
        lambda m: m.keyword == "oneOf" and m.path == "/grader/type",
    ),
]


@pytest.mark.parametrize(("operator", "name", "holds"), _OPERATORS, ids=[o[0] for o in _OPERATORS])
def test_every_kind_of_mutation_is_drawn(
    operator: str, name: str, holds: Callable[[Mutant], bool]
) -> None:
    mutant = find(strategies.nonconforming(name), holds, settings=NO_SHRINK)
    _check(mutant, name)


_JOB = registry.document("FineTuningJob")


def _first_step(mutant: Mutant) -> str | None:
    return mutant.path.split("/")[1] if mutant.path else None


@settings(max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.nonconforming())
def test_minimal_context_has_only_required_properties_off_the_route(mutant: Mutant) -> None:
    payload = mutant.payload
    if not isinstance(payload, dict):  # the whole job of a wrong type
        return
    off_route = set(payload) - {_first_step(mutant)}
    assert off_route <= set(_JOB["required"]), mutant
    for key in off_route:
        if isinstance(payload[key], list):  # arrays hold their minimum number of items
            assert len(payload[key]) == _JOB["properties"][key].get("minItems", 0), mutant


def test_minimal_context_varies_the_position_of_the_broken_item() -> None:
    mutant = find(
        strategies.nonconforming("FineTuningIntegration"),
        lambda m: m.path.startswith("/wandb/tags/") and m.path != "/wandb/tags/0",
        settings=NO_SHRINK,
    )
    _check(mutant, "FineTuningIntegration")


def test_full_context_carries_optional_properties_off_the_route() -> None:
    optional = set(_JOB["properties"]) - set(_JOB["required"])
    mutant = find(
        strategies.nonconforming(context="full"),
        lambda m: (
            isinstance(m.payload, dict) and bool(optional & (set(m.payload) - {_first_step(m)}))
        ),
        settings=NO_SHRINK,
    )
    _check(mutant, "FineTuningJob")


def test_unknown_context_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown context 'tiny': expected one of minimal, full"):
        strategies.nonconforming(context="tiny")  # type: ignore[arg-type]


def test_mutants_shrink_to_the_smallest_violation() -> None:
    mutant = find(
        strategies.nonconforming("FineTuneSupervisedHyperparameters"),
        lambda m: m.keyword == "maximum",
        settings=settings(database=None),
    )
    # One property, just past its bound: {"batch_size": 257} or {"n_epochs": 51}.
    assert len(mutant.payload) == 1, mutant
    assert mutant.payload in ({"batch_size": 257}, {"n_epochs": 51}), mutant


def test_mutant_label_and_immutability() -> None:
    mutant = Mutant({"a": 1}, "/a", "type", "a of wrong type string")
    assert mutant.label() == {
        "path": "/a",
        "keyword": "type",
        "description": "a of wrong type string",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        mutant.path = "/b"  # type: ignore[misc]
