"""The constraint walk and the labelled coverage corpus."""

from __future__ import annotations

import pytest

from contract import schema as registry
from contract.generate import constraints
from contract.validation import reference_validator, violations_of


@pytest.mark.parametrize("name", registry.schema_names())
def test_every_constraint_has_a_passing_and_a_failing_case(name: str) -> None:
    rows = constraints.coverage(name)
    assert [r for r in rows if not r.covered] == []


@pytest.mark.parametrize("name", registry.schema_names())
def test_corpus_labels_agree_with_both_validators(name: str) -> None:
    validator = reference_validator(name)
    for case in constraints.corpus(name):
        assert validator.is_valid(case.payload) == case.valid, case
        if not case.valid:
            assert case.path in {v.path for v in violations_of(case.payload, name)}, case


def test_the_walk_reaches_every_kind_of_constraint() -> None:
    # The job and the create request (its suffix has the only minLength) hold every kind.
    keywords = {
        c.keyword
        for name in ("FineTuningJob", "CreateFineTuningJobRequest")
        for c in constraints.constraints(name)
    }
    assert keywords == set(constraints.KEYWORDS)


def test_shared_definitions_are_listed_once_with_every_route() -> None:
    found = [
        c
        for c in constraints.constraints("FineTuningJob")
        if c.location == "Hyperparameters.json#/$defs/batch_size/oneOf/1" and c.keyword == "maximum"
    ]
    assert len(found) == 1
    # job hyperparameters, and the supervised, dpo and reinforcement methods
    assert len(found[0].routes) == 4
    assert found[0].argument == 256  # read from the schema, a documented fact of the contract


def test_boundary_cases_of_batch_size() -> None:
    cases = [
        c
        for c in constraints.corpus("FineTuningJob")
        if c.location == "Hyperparameters.json#/$defs/batch_size/oneOf/1"
        and c.keyword in ("minimum", "maximum")
    ]
    values = {(c.keyword, c.valid, c.payload["hyperparameters"]["batch_size"]) for c in cases}
    assert values == {
        ("minimum", True, 1),
        ("minimum", False, 0),
        ("maximum", True, 256),
        ("maximum", False, 257),
    }
    assert {c.path for c in cases} == {"/hyperparameters/batch_size"}


def test_corpus_is_deterministic() -> None:
    first = constraints.corpus.__wrapped__("FineTuningJob")
    second = constraints.corpus.__wrapped__("FineTuningJob")
    assert first == second
    assert len(first) > len(constraints.constraints("FineTuningJob"))
