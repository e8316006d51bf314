"""The documents' own examples do not conform; the contract says exactly how."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import contract

DATA = Path(__file__).resolve().parent / "data" / "upstream"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _report(payload: Any) -> list[tuple[str, str, str]]:
    return sorted((v.path, v.keyword, v.message) for v in contract.iter_violations(payload))


@pytest.mark.parametrize("name", ["seed_example.json", "fine_tuning_job_object_example.json"])
def test_job_examples_miss_only_error(name: str) -> None:
    assert _report(_load(name)) == [("", "required", 'required property "error" is missing')]


@pytest.mark.parametrize("name", ["seed_example.json", "fine_tuning_job_object_example.json"])
def test_job_examples_conform_with_error_null(name: str) -> None:
    payload = dict(_load(name), error=None)
    assert _report(payload) == []
    contract.validate(payload)


def test_upstream_pause_example_has_six_violations() -> None:
    assert _report(_load("pause_response_example.json")) == sorted(
        [
            ("", "required", f'required property "{name}" is missing')
            for name in ("error", "finished_at", "hyperparameters", "trained_tokens", "seed")
        ]
        + [
            (
                "/status",
                "enum",
                '"paused" is not one of "validating_files", "queued", "running", '
                '"succeeded", "failed", "cancelled"',
            )
        ]
    )


def test_validate_raises_with_every_violation() -> None:
    with pytest.raises(contract.ContractViolation) as info:
        contract.validate(_load("pause_response_example.json"))
    assert len(info.value.violations) == 6
    assert str(info.value).startswith("6 contract violations of FineTuningJob:")
    assert '/status: "paused" is not one of' in str(info.value)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")
def test_copies_match_their_sources() -> None:
    published = json.loads((SHARED / "reference" / "openai-openapi-fine-tuning.json").read_text())
    assert (
        _load("pause_response_example.json")
        == published["pause_response_example_from_upstream_docs"]
    )
    assert (
        _load("fine_tuning_job_object_example.json")
        == published["fine_tuning_job_object_example_from_upstream_docs"]
    )
    seed = next((SHARED / "seed").glob("*.txt")).read_text()
    match = re.search(r"Example:\s*\n(\{.*?\n\})", seed, re.S)
    assert match is not None
    assert _load("seed_example.json") == json.loads(match.group(1))
