"""Explanations built from jsonschema-rs's errors say exactly what jsonschema's would.

The fast explanation (``contract.validation._rs``) must give the same violations,
in the same order, as the reference one (jsonschema's errors through the same
wording), and must say so itself (not by falling back) wherever its errors
carry enough; where they do not, the reference answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contract
from contract import schema as registry
from contract import validation
from contract.generate import strategies
from contract.validation import _rs as _rs_explain
from contract.violations import Violation
from tests.helpers import minimal_job

#: Every type a mutant can be drawn for (a type with no constraint has none).
MUTABLE = [name for name in registry.schema_names() if name != "Hyperparameters"]


def _fast(payload: Any, schema: str = "FineTuningJob") -> list[Violation] | None:
    return _rs_explain.violations(validation.fast_validator(schema), payload)


def _reference(payload: Any, schema: str = "FineTuningJob") -> list[Violation]:
    return validation._reference_violations(payload, schema, None)


def _has_empty_name(value: Any) -> bool:
    if isinstance(value, dict):
        return "" in value or any(_has_empty_name(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_empty_name(v) for v in value)
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutants_are_explained_alike_by_the_fast_path(data: st.DataObject) -> None:
    schema = data.draw(st.sampled_from(MUTABLE))
    mutant = data.draw(
        strategies.nonconforming(
            schema,
            realistic=data.draw(st.booleans()),
            context=data.draw(st.sampled_from(["minimal", "full"])),
        )
    )
    fast = _fast(mutant.payload, schema)
    if fast is None:
        # Only where jsonschema-rs's paths are ambiguous (empty names) may it pass.
        assert _has_empty_name(mutant.payload)
    else:
        assert fast == _reference(mutant.payload, schema)


@pytest.mark.parametrize(
    ("payload", "schema", "expected"),
    [
        (
            minimal_job(hyperparameters={"batch_size": 0}),
            "FineTuningJob",
            [("/hyperparameters/batch_size", "minimum", "0 is less than the minimum of 1")],
        ),
        (
            minimal_job(hyperparameters={"n_epochs": True}),
            "FineTuningJob",
            [("/hyperparameters/n_epochs", "type", 'true is not "auto" or of type integer')],
        ),
        (
            {"grader": {"type": "regex", "name": "g"}},
            "FineTuneReinforcementMethod",
            [
                (
                    "/grader/type",
                    "oneOf",
                    '"regex" is not one of the known kinds "string_check", "text_similarity", '
                    '"python", "score_model", "multi"',
                )
            ],
        ),
        (
            minimal_job(metadata={"x" * 65: "v", "y" * 66: "v"}),
            "FineTuningJob",
            [
                (
                    "/metadata",
                    "propertyNames",
                    'key "' + "x" * 58 + "… is 65 characters long, more than the maximum of 64",
                ),
                (
                    "/metadata",
                    "propertyNames",
                    'key "' + "y" * 58 + "… is 66 characters long, more than the maximum of 64",
                ),
            ],
        ),
        (
            {"id": "ftjob-1"},
            "FineTuningJob",
            [
                ("", "required", f'required property "{name}" is missing')
                for name in registry.document("FineTuningJob")["required"]
                if name != "id"
            ],
        ),
    ],
    ids=["minimum in a branch", "no branch's kind", "unknown kind", "two bad keys", "required"],
)
def test_documented_messages_come_from_the_fast_path(
    payload: Any, schema: str, expected: list[tuple[str, str, str]]
) -> None:
    fast = _fast(payload, schema)
    assert fast is not None
    assert [(v.path, v.keyword, v.message) for v in fast] == expected


def test_integers_beyond_64_bits_are_explained_by_the_fast_path() -> None:
    payload = minimal_job(seed=2**70, hyperparameters={"n_epochs": 10**30})
    fast = _fast(payload)
    assert fast == _reference(payload)
    assert [(v.path, v.message) for v in fast or []] == [
        ("/hyperparameters/n_epochs", f"{10**30} is greater than the maximum of 50")
    ]


# --- where the fast path's errors cannot say it, the reference does


def test_an_empty_name_on_the_path_is_found_by_the_failing_value() -> None:
    # jsonschema-rs leaves empty names out of its instance paths: /metadata/ comes as
    # /metadata; the one place there holding the failing value settles it.
    payload = minimal_job(metadata={"": "v" * 513, "k": "short"})
    fast = _fast(payload)
    assert fast is not None and fast == _reference(payload)
    (violation,) = fast
    assert (violation.path, violation.keyword) == ("/metadata/", "maxLength")
    assert violation.message.endswith("is 513 characters long, more than the maximum of 512")


def test_empty_names_at_every_step_are_followed() -> None:
    payload = minimal_job(metadata={"": "v" * 513}, hyperparameters={"": {}, "n_epochs": 0})
    fast = _fast(payload)
    assert fast is not None and fast == _reference(payload)
    assert [v.path for v in fast] == ["/hyperparameters/n_epochs", "/metadata/"]


def test_an_empty_name_two_places_could_stand_for_is_left_to_the_reference() -> None:
    # An unknown property "" at the top holding the same metadata: /metadata/k and
    # /""/metadata/k both hold the failing value, so the fast path cannot tell them apart.
    metadata = {"k": "v" * 513}
    payload = {**minimal_job(metadata=metadata), "": {"metadata": dict(metadata)}}
    assert _fast(payload) is None
    (violation,) = contract.iter_violations(payload)
    assert (violation.path, violation.keyword) == ("/metadata/k", "maxLength")


def test_a_keyword_not_worded_here_is_left_to_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = minimal_job(status="paused")
    expected = list(contract.iter_violations(payload))
    monkeypatch.setattr(_rs_explain, "WORDED", _rs_explain.WORDED - {"enum"})
    assert _fast(payload) is None
    assert list(contract.iter_violations(payload)) == expected


def test_the_cross_check_catches_a_wrong_explanation(monkeypatch: pytest.MonkeyPatch) -> None:
    # The autouse fixture must fail a test when the explanations differ.
    def wrong(
        validator: Any, payload: Any, profile: Any = None, errors: Any = None
    ) -> list[Violation]:
        return [Violation("/status", "enum", "wrong words")]

    monkeypatch.setattr(_rs_explain, "violations", wrong)
    with pytest.raises(AssertionError, match="explanations differ"):
        contract.iter_violations(minimal_job(status="paused"))


# --- payloads handed over already decoded, nested about as deep as Python's stack allows


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [300, 511])
def test_a_deep_wrong_value_within_the_limit_is_explained(depth: int) -> None:
    # 300 is past what jsonschema-rs converts; the whole payload is within 512 levels.
    found = list(contract.iter_violations(minimal_job(status=_nested(depth))))
    assert [(v.path, v.keyword) for v in found] == [("/status", "enum"), ("/status", "type")]
    assert found[1].message.startswith("[[[[") and found[1].message.endswith(
        "… is not of type string"
    )


@pytest.mark.parametrize("depth", [512, 960, 990, 1100, 20_000])
def test_a_deep_wrong_value_beyond_the_limit_is_one_json_violation(depth: int) -> None:
    payload = minimal_job(status=_nested(depth))
    assert not contract.is_valid(payload)
    assert list(contract.iter_violations(payload)) == [
        Violation("", "json", "payload is nested more than 512 levels deep, too deep to explain")
    ]


@pytest.mark.parametrize("depth", [990, 20_000])
def test_deep_unknown_properties_do_not_stop_the_fast_path(depth: int) -> None:
    payload = minimal_job(extra=_nested(depth))
    assert contract.is_valid(payload)
    assert list(contract.iter_violations(payload)) == []
    wrong = dict(payload, status="paused")
    assert [(v.path, v.keyword) for v in contract.iter_violations(wrong)] == [("/status", "enum")]


def test_a_member_named_like_an_integer_is_explained_by_the_fast_path() -> None:
    # jsonschema-rs names a member "0", "00" or "+1" with an integer in its paths.
    for names in (("0", "1"), ("00", "+1"), ("0", "00")):  # the last pair: both give 0
        payload = minimal_job(metadata={names[0]: "x" * 513, names[1]: "v"})
        fast = _fast(payload, "FineTuningJob")
        assert fast is not None, names
        assert fast == _reference(payload, "FineTuningJob")
        assert [v.path for v in fast] == [f"/metadata/{names[0]}"]
