"""ContractValidator: the checks as an object that pickles cleanly and compiles where it lands."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import contract
from contract import profiles
from contract.validation import ContractValidator
from tests.helpers import minimal_job

JOBS: list[Any] = [
    minimal_job(),
    minimal_job(status="paused", hyperparameters={"n_epochs": 51}),
    minimal_job(metadata={"x" * 65: "v"}),
    {"id": 1},
]


@pytest.mark.parametrize(
    "validator",
    [
        ContractValidator(),
        ContractValidator("Metadata"),
        ContractValidator("FineTuningJob", "observed"),
        ContractValidator("FineTuningJob", profiles.resolve("observed")),
    ],
    ids=["default", "another type", "profile by name", "resolved profile"],
)
def test_a_validator_survives_pickling(validator: ContractValidator) -> None:
    data = pickle.dumps(validator)
    assert b"jsonschema_rs" not in data and b"Draft202012Validator" not in data
    copy = pickle.loads(data)
    assert copy == validator
    for job in JOBS:
        assert copy.violations(job) == contract.validation.violations_of(
            job, validator.schema, validator.profile
        )
        assert copy.is_valid(job) == (not copy.violations(job))


def test_a_validator_checks_like_the_functions() -> None:
    validator = ContractValidator()
    bad = JOBS[1]
    assert list(validator.iter_violations(bad)) == list(contract.iter_violations(bad))
    with pytest.raises(contract.ContractViolation) as caught:
        validator.validate(bad)
    assert caught.value.violations == tuple(contract.iter_violations(bad))
    validator.validate(JOBS[0])


def test_an_unknown_type_is_refused_when_the_validator_is_made() -> None:
    with pytest.raises(ValueError, match="unknown schema 'Nope'"):
        ContractValidator("Nope")


def test_validators_work_in_fresh_processes() -> None:
    # "spawn": the workers start from nothing, so they compile on first use.
    validator = ContractValidator()
    expected = [validator.violations(job) for job in JOBS]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        assert list(pool.map(validator.violations, JOBS)) == expected
        assert list(pool.map(validator.is_valid, JOBS)) == [not found for found in expected]
