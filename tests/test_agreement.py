"""Both validators agree on every payload the suite carries as data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract import validation
from contract.schema._paths import example_recordings_dir
from contract.validation import _rs as _rs_explain
from tests.helpers import changed
from tests.test_rules import BASES, CASES

DATA = Path(__file__).resolve().parent / "data"


def _data_payloads() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for root in (DATA, example_recordings_dir()):
        for path in sorted(root.rglob("*.json")) + sorted(root.rglob("*.jsonl")):
            lines = path.read_text().splitlines() if path.suffix == ".jsonl" else [path.read_text()]
            for number, line in enumerate(lines, 1):
                try:
                    found.append((f"{path.name}:{number}", json.loads(line)))
                except ValueError:
                    continue  # deliberately broken input files
    return found


PAYLOADS = _data_payloads() + [
    (f"rule {i}", changed(BASES[schema], pointer, value))
    for i, (schema, pointer, value, _) in enumerate(CASES)
]


def test_the_suite_has_payloads() -> None:
    assert len(PAYLOADS) > len(CASES)


@pytest.mark.parametrize("schema", ["FineTuningJob", "FineTuneMethod", "Metadata", "EvalItem"])
def test_validators_agree_on_every_payload(schema: str) -> None:
    fast = validation.fast_validator(schema)
    reference = validation.reference_validator(schema)
    disagreements = [
        where
        for where, payload in PAYLOADS
        if fast.is_valid(payload) != reference.is_valid(payload)
    ]
    assert disagreements == []


@pytest.mark.parametrize("schema", ["FineTuningJob", "FineTuneMethod", "Metadata", "EvalItem"])
def test_validators_explain_every_payload_alike(schema: str) -> None:
    # Explanations built from jsonschema-rs's errors equal those from jsonschema's,
    # and the fast path gives them itself except where a name on the path is empty
    # (jsonschema-rs leaves those out of its paths).
    explained = 0
    for where, payload in PAYLOADS:
        if validation.fast_validator(schema).is_valid(payload):
            continue
        fast = _rs_explain.violations(validation.fast_validator(schema), payload)
        if fast is None:
            assert '"": ' in json.dumps(payload), where
            continue
        assert fast == validation._reference_violations(payload, schema, None), where
        explained += 1
    assert explained > 20


def test_cross_check_catches_a_disagreement(monkeypatch: pytest.MonkeyPatch) -> None:
    # The autouse fixture must fail a test when the validators disagree:
    # make the fast path lie and watch it.
    class Liar:
        def is_valid(self, payload: Any) -> bool:
            return True

    monkeypatch.setattr(validation, "_fast_validator", lambda schema, profile: Liar())
    with pytest.raises(AssertionError, match="validators disagree"):
        validation.is_valid({"not": "a job"})


def test_cross_check_catches_a_disagreement_on_a_payload_checked_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The reference's verdict on a payload is remembered (tests/conftest.py): a fast answer
    # given later on the same payload is still compared with it.
    payload = {"not": "a job", "checked": "twice"}
    assert validation.is_valid(payload) is False  # (agreed, and the reference's verdict kept)

    class Liar:
        def is_valid(self, payload: Any) -> bool:
            return True

    monkeypatch.setattr(validation, "_fast_validator", lambda schema, profile: Liar())
    with pytest.raises(AssertionError, match="validators disagree"):
        validation.is_valid(dict(payload))
