"""Worked example: the official ``openai`` SDK's FineTuningJob model as a strict parser.

``FineTuningJob.model_validate(payload, strict=True)`` is fuzzed with the
contract's payloads, and every place where the SDK and the contract disagree
is pinned here, so that a change on either side shows up as a failing test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from openai.types.fine_tuning import FineTuningJob

import contract
from contract.fuzz import check_parser
from tests.helpers import DELETE, changed, minimal_job


def sdk_parse(payload: Any) -> FineTuningJob:
    return FineTuningJob.model_validate(payload, strict=True)


def sdk_accepts(payload: Any) -> bool:
    try:
        sdk_parse(payload)
    except ValueError:  # pydantic.ValidationError
        return False
    return True


BASE = minimal_job()
WANDB = {"type": "wandb", "wandb": {"project": "p"}}


def hp(**values: Any) -> dict[str, Any]:
    return changed(BASE, "/hyperparameters", values)


def method(value: Any) -> dict[str, Any]:
    return changed(BASE, "/method", value)


#: name -> (payload, contract accepts, SDK strict accepts). Where the two
#: columns differ, that is a known disagreement; the rest pin agreements.
PROBES: dict[str, tuple[Any, bool, bool]] = {
    # The SDK gives five required properties a default of None: missing is fine.
    "missing error": (changed(BASE, "/error", DELETE), False, True),
    "missing finished_at": (changed(BASE, "/finished_at", DELETE), False, True),
    "missing fine_tuned_model": (changed(BASE, "/fine_tuned_model", DELETE), False, True),
    "missing trained_tokens": (changed(BASE, "/trained_tokens", DELETE), False, True),
    "missing validation_file": (changed(BASE, "/validation_file", DELETE), False, True),
    "error without param": (changed(BASE, "/error", {"code": "c", "message": "m"}), False, True),
    # Integers written with a fraction part: JSON Schema integers, not SDK ints.
    "created_at 1.0": (changed(BASE, "/created_at", 1721764800.0), True, False),
    "seed 7.0": (changed(BASE, "/seed", 7.0), True, False),
    "trained_tokens 5.0": (changed(BASE, "/trained_tokens", 5.0), True, False),
    "estimated_finish 1.0": (changed(BASE, "/estimated_finish", 1721764800.0), True, False),
    "batch_size 8.0": (hp(batch_size=8.0), True, False),
    # Bounds the SDK does not encode.
    "batch_size 0": (hp(batch_size=0), False, True),
    "batch_size 257": (hp(batch_size=257), False, True),
    "n_epochs 51": (hp(n_epochs=51), False, True),
    "learning_rate_multiplier 0": (hp(learning_rate_multiplier=0), False, True),
    "learning_rate_multiplier -1.5": (hp(learning_rate_multiplier=-1.5), False, True),
    "dpo beta 3": (method({"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}), False, True),
    "metadata 17 pairs": (
        changed(BASE, "/metadata", {f"k{i}": "v" for i in range(17)}),
        False,
        True,
    ),
    "metadata key of 65": (changed(BASE, "/metadata", {"k" * 65: "v"}), False, True),
    "metadata value of 513": (changed(BASE, "/metadata", {"k": "v" * 513}), False, True),
    "6 integrations": (changed(BASE, "/integrations", [WANDB] * 6), False, True),
    # null where the contract has no null.
    "learning_rate_multiplier null": (hp(learning_rate_multiplier=None), False, True),
    "n_epochs null": (hp(n_epochs=None), False, True),
    "dpo beta null": (
        method({"type": "dpo", "dpo": {"hyperparameters": {"beta": None}}}),
        False,
        True,
    ),
    "method null": (changed(BASE, "/method", None), False, True),
    "method.supervised null": (method({"type": "supervised", "supervised": None}), False, True),
    "supervised hyperparameters null": (
        method({"type": "supervised", "supervised": {"hyperparameters": None}}),
        False,
        True,
    ),
    "wandb tags null": (
        changed(
            BASE, "/integrations", [{"type": "wandb", "wandb": {"project": "p", "tags": None}}]
        ),
        False,
        True,
    ),
    # Agreements worth pinning.
    "minimal job": (BASE, True, True),
    "status paused": (changed(BASE, "/status", "paused"), False, False),
    "error {}": (changed(BASE, "/error", {}), False, False),
    "error with param null": (
        changed(BASE, "/error", {"code": "c", "message": "m", "param": None}),
        True,
        True,
    ),
    "created_at true": (changed(BASE, "/created_at", True), False, False),
    "created_at '1'": (changed(BASE, "/created_at", "1"), False, False),
    "learning_rate_multiplier 1 (int)": (hp(learning_rate_multiplier=1), True, True),
    "learning_rate_multiplier '0.1'": (hp(learning_rate_multiplier="0.1"), False, False),
    "batch_size null": (hp(batch_size=None), True, True),
    "batch_size 'Auto'": (hp(batch_size="Auto"), False, False),
    "metadata value 1": (changed(BASE, "/metadata", {"k": 1}), False, False),
    "unknown property": (changed(BASE, "/user_provided_suffix", "x"), True, True),
    "object misspelt": (changed(BASE, "/object", "fine_tuning.jobs"), False, False),
    "method type rlhf": (method({"type": "rlhf"}), False, False),
    "created_at 2**80": (changed(BASE, "/created_at", 2**80), True, True),
}

#: The SDK accepts what the contract forbids (it is wider) ...
SDK_WIDER = sorted(name for name, (_, c, s) in PROBES.items() if s and not c)
#: ... and rejects what the contract allows (it is narrower).
SDK_NARROWER = sorted(name for name, (_, c, s) in PROBES.items() if c and not s)


def test_known_disagreements_are_what_the_table_says() -> None:
    assert SDK_NARROWER == [
        "batch_size 8.0",
        "created_at 1.0",
        "estimated_finish 1.0",
        "seed 7.0",
        "trained_tokens 5.0",
    ]
    assert len(SDK_WIDER) == 23
    assert {name.split()[0] for name in SDK_WIDER} >= {"missing", "metadata", "method"}


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe(name: str) -> None:
    payload, contract_accepts, sdk_strict_accepts = PROBES[name]
    assert contract.is_valid(payload) is contract_accepts, "the contract changed"
    assert sdk_accepts(payload) is sdk_strict_accepts, "the SDK model changed"


#: Non-conforming rules the SDK model does not enforce, as (keyword, path pattern).
SDK_UNCHECKED_RULES = [
    ("minimum|maximum|exclusiveMinimum", r"(/method/\w+)?/hyperparameters/\w+"),
    ("minimum", r"/method/reinforcement/grader(/graders)?/sampling_params/max_completions_tokens"),
    ("minItems|maxItems", r"/method/reinforcement/grader(/graders)?/range"),
    ("maxItems", r"/integrations"),
    ("maxProperties|propertyNames", r"/metadata"),
    ("maxLength", r"/metadata/.*"),
    ("required", r"/error"),  # param
    ("required", r""),  # error, finished_at, fine_tuned_model, trained_tokens, validation_file
    ("type", r"(/method/\w+(/hyperparameters(/\w+)?)?|.*/sampling_params|.*/wandb/tags)"),
]


def explained(label: dict[str, str]) -> bool:
    return any(
        re.fullmatch(keyword, label["keyword"]) and re.fullmatch(path, label["path"])
        for keyword, path in SDK_UNCHECKED_RULES
    )


def test_sdk_model_fuzzed_in_strict_mode() -> None:
    report = check_parser(
        sdk_parse, max_examples=150, seed=20, database=None, max_findings=8, shrink_time=5
    )
    # Every conforming payload drawn parses (the generator draws no 7.0-style integers).
    assert report.counts["conforming"]["rejected"] == 0, str(report)
    assert report.findings, "the SDK model is known to accept some non-conforming payloads"
    for finding in report.findings:
        assert finding.kind == "accepted-nonconforming", str(finding)
        assert finding.label is not None and explained(dict(finding.label)), str(finding)
        assert not contract.is_valid(finding.payload)
        assert sdk_accepts(finding.payload)


def test_arbitrary_mode_finds_the_sdk_rejecting_integral_floats() -> None:
    report = check_parser(
        sdk_parse, realistic=False, max_examples=60, seed=21, database=None, shrink_time=2
    )
    rejected = [f for f in report.findings if f.kind == "rejected-conforming"]
    assert rejected, str(report)
    for finding in rejected:
        assert contract.is_valid(finding.payload)
        floats = _integral_floats(finding.payload)
        assert floats, str(finding)  # the shrunk payload still holds a 7.0-style integer
        assert "int" in (finding.exception or ""), str(finding)


def _integral_floats(value: Any) -> list[float]:
    if isinstance(value, float) and value.is_integer():
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [f for item in value for f in _integral_floats(item)]
    return []
