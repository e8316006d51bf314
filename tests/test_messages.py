"""Violation messages: one readable sentence naming the value and what was allowed."""

from __future__ import annotations

from typing import Any

import pytest

import contract
from tests.helpers import minimal_job


def _only(payload: Any, schema: str = "FineTuningJob") -> contract.Violation:
    (violation,) = contract.iter_violations(payload, schema=schema)
    return violation


@pytest.mark.parametrize(
    ("hyperparameters", "path", "keyword", "message"),
    [
        (
            {"batch_size": 0},
            "/hyperparameters/batch_size",
            "minimum",
            "0 is less than the minimum of 1",
        ),
        (
            {"n_epochs": 51},
            "/hyperparameters/n_epochs",
            "maximum",
            "51 is greater than the maximum of 50",
        ),
        (
            {"learning_rate_multiplier": 0},
            "/hyperparameters/learning_rate_multiplier",
            "exclusiveMinimum",
            "0 is not greater than the exclusive minimum of 0",
        ),
        (
            {"n_epochs": "Auto"},
            "/hyperparameters/n_epochs",
            "const",
            '"Auto" is not the allowed value "auto"',
        ),
        (
            {"n_epochs": True},
            "/hyperparameters/n_epochs",
            "type",
            'true is not "auto" or of type integer',
        ),
        (
            {"batch_size": []},
            "/hyperparameters/batch_size",
            "type",
            '[] is not "auto" or of type integer or null',
        ),
    ],
)
def test_one_of_reports_the_branch_meant(
    hyperparameters: dict[str, Any], path: str, keyword: str, message: str
) -> None:
    violation = _only(minimal_job(hyperparameters=hyperparameters))
    assert (violation.path, violation.keyword, violation.message) == (path, keyword, message)


def test_schema_path_names_the_document_holding_the_keyword() -> None:
    violation = _only(minimal_job(hyperparameters={"n_epochs": 51}))
    assert violation.schema_path == "Hyperparameters.json#/$defs/n_epochs/oneOf/1/maximum"
    violation = _only(minimal_job(error={"code": "c", "message": "m"}))
    assert violation.schema_path == "FineTuningJobError.json#/required"


def test_unknown_grader_kind_names_the_known_kinds() -> None:
    violation = _only({"grader": {"type": "regex", "name": "g"}}, "FineTuneReinforcementMethod")
    assert violation.path == "/grader/type"
    assert violation.message == (
        '"regex" is not one of the known kinds "string_check", "text_similarity", "python", '
        '"score_model", "multi"'
    )


def test_long_values_are_cut_short() -> None:
    violation = _only(minimal_job(metadata={"k": "v" * 513}))
    assert violation.message.endswith("is 513 characters long, more than the maximum of 512")
    assert len(violation.message) < 140


def test_bad_metadata_key_is_named() -> None:
    violation = _only(minimal_job(metadata={"x" * 65: "v"}))
    assert (violation.path, violation.keyword) == ("/metadata", "propertyNames")
    assert (
        violation.message.startswith('key "xxx')
        and "65 characters long, more than the maximum of 64" in violation.message
    )


def test_pointer_escapes_slash_and_tilde() -> None:
    violation = _only(minimal_job(metadata={"a/b~c": 1}))
    assert violation.path == "/metadata/a~1b~0c"


def test_every_violation_not_only_the_first() -> None:
    payload = minimal_job(
        seed="7", status="paused", hyperparameters={"n_epochs": 0, "batch_size": 300}
    )
    assert {(v.path, v.keyword) for v in contract.iter_violations(payload)} == {
        ("/seed", "type"),
        ("/status", "enum"),
        ("/hyperparameters/n_epochs", "minimum"),
        ("/hyperparameters/batch_size", "maximum"),
    }


def test_is_valid_handles_integers_beyond_64_bits() -> None:
    assert contract.is_valid(minimal_job(seed=2**70))
    assert not contract.is_valid(minimal_job(seed=2**70, status="paused"))


WANDB = {"type": "wandb", "wandb": {"project": "p"}}


@pytest.mark.parametrize(
    ("changes", "path", "keyword", "message"),
    [
        (
            {"integrations": [WANDB] * 6},
            "/integrations",
            "maxItems",
            "array has 6 items, more than the maximum of 5",
        ),
        (
            {"metadata": {str(i): "v" for i in range(17)}},
            "/metadata",
            "maxProperties",
            "object has 17 properties, more than the maximum of 16",
        ),
        ({"metadata": {"k": 1}}, "/metadata/k", "type", "1 is not of type string"),
        ({"created_at": 1.5}, "/created_at", "type", "1.5 is not of type integer"),
        ({"object": "job"}, "/object", "const", '"job" is not the allowed value "fine_tuning.job"'),
    ],
)
def test_sizes_types_and_constants_are_worded(
    changes: dict[str, Any], path: str, keyword: str, message: str
) -> None:
    violation = _only(minimal_job(**changes))
    assert (violation.path, violation.keyword, violation.message) == (path, keyword, message)


def test_several_missing_properties_are_one_violation_each() -> None:
    job = minimal_job()
    del job["seed"], job["error"]
    found = [(v.path, v.keyword, v.message) for v in contract.iter_violations(job)]
    assert sorted(found) == [
        ("", "required", 'required property "error" is missing'),
        ("", "required", 'required property "seed" is missing'),
    ]
