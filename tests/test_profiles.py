"""Profiles: resolving them, passing them to the validators, and the real-world corpus."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import contract
from contract import profiles, validation
from contract.checks.deviations import assess
from contract.schema.amendments import AmendmentError, Profile
from tests.helpers import minimal_job

REALWORLD = Path(__file__).resolve().parent.parent.parent / "shared" / "realworld"
needs_corpus = pytest.mark.skipif(
    not REALWORLD.is_dir(), reason="../shared is not beside this checkout"
)

#: Bare OpenAI job payloads of the corpus that break only known deviations (SOURCES.md verdicts).
OPENAI_JOBS = [
    "imint-double_fences-create-curl-2025-08.json",
    "issue-cequence-scala-80-create-error-empty-2024-09.json",
    "issue-openai-openapi-pr81-running-2023-09.json",
    "issue-openai-openapi-pr81-succeeded-2023-09.json",
    "issue-openai-php-227-create-2023-11.json",
    "js-comment-create-2024-06.json",
    "js-comment-retrieve-succeeded-2024-06.json",
    "llamaindex-nb-openai_fine_tuning-running-2023-08.json",
    "llamaindex-nb-openai_fine_tuning_functions-succeeded-2023-10.json",
    "openai-guide-sft-completed-job-2025-05.json",
    "upstream-example-create-epochs.json",
    "upstream-example-create-reinforcement.json",
    "upstream-example-retrieve.json",
]
AZURE_JOBS = [
    "azure-docs-finetune-tutorial-create-pending-2024-05.json",
    "azure-learnmodule-create-pending-method-null-2025-09.json",
]
#: OpenAI's examples of pause, resume and cancel (and DPO) need one amendment no profile holds.
DOCS_EXAMPLES = [
    "upstream-example-pause.json",
    "upstream-example-resume.json",
    "upstream-example-cancel.json",
    "upstream-example-create-dpo.json",
]


def _job(name: str) -> Any:
    return json.loads((REALWORLD / name).read_text(encoding="utf-8"))


def test_the_default_is_published_without_amendments() -> None:
    assert profiles.resolve().name == "published"
    assert profiles.resolve().amendments == ()
    assert profiles.names() == ("published", "observed", "azure")
    assert profiles.coerce(None) == profiles.resolve("published")


def test_single_amendments_switch_on_and_off() -> None:
    chosen = profiles.resolve("observed", amend=["azure-method-null"], no_amend=["status-paused"])
    assert "azure-method-null" in chosen.names and "status-paused" not in chosen.names
    assert chosen.describe() == "observed +azure-method-null -status-paused"
    assert not validation.is_valid(minimal_job(status="paused"), profile=chosen)
    assert validation.is_valid(minimal_job(method=None, error={}), profile=chosen)
    # Switching off what the profile does not hold changes nothing.
    assert profiles.resolve("azure", no_amend=["error-empty-object"]) == profiles.resolve("azure")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: profiles.resolve("nope"),
            r"unknown profile 'nope'; known profiles: published, observed, azure",
        ),
        (
            lambda: profiles.resolve(amend=["nope"]),
            r"unknown amendment 'nope'; known amendments: azure-",
        ),
        (
            lambda: profiles.resolve(amend=["status-paused"], no_amend=["status-paused"]),
            r"'status-paused' is both switched on and switched off",
        ),
    ],
)
def test_unknown_names_are_clear_errors(call: Any, message: str) -> None:
    with pytest.raises(AmendmentError, match=message):
        call()
    assert issubclass(AmendmentError, ValueError)


def test_profile_accepts_a_name_or_a_profile_everywhere() -> None:
    payload = minimal_job(error={})
    observed = profiles.resolve("observed")
    assert not contract.is_valid(payload)
    for profile in ("observed", observed):
        assert contract.is_valid(payload, profile=profile)
        assert list(contract.iter_violations(payload, profile=profile)) == []
        contract.validate(payload, profile=profile)
    with pytest.raises(contract.ContractViolation):
        contract.validate(payload, profile="azure")


def test_profiles_pickle() -> None:
    observed = profiles.resolve("observed", amend=["azure-method-null"])
    copy = pickle.loads(pickle.dumps(observed))
    assert isinstance(copy, Profile)
    assert copy == observed and hash(copy) == hash(observed)
    assert copy.describe() == observed.describe()
    assert validation.is_valid(minimal_job(method=None), profile=copy)


@needs_corpus
@pytest.mark.parametrize("name", OPENAI_JOBS)
def test_observed_passes_real_openai_jobs_that_break_only_known_deviations(name: str) -> None:
    job = _job(name)
    assert not validation.is_valid(job)  # the default profile's verdict is unchanged
    assert validation.violations_of(job, profile="observed") == []
    # Only a job whose one deviation is a left-out null property is Azure-shaped too.
    azure_shaped = name == "upstream-example-retrieve.json"
    assert validation.is_valid(job, profile="azure") == azure_shaped


@needs_corpus
@pytest.mark.parametrize("name", AZURE_JOBS)
def test_azure_passes_the_azure_jobs(name: str) -> None:
    job = _job(name)
    assert not validation.is_valid(job)
    assert not validation.is_valid(job, profile="observed")
    assert validation.violations_of(job, profile="azure") == []


@needs_corpus
@pytest.mark.parametrize("name", DOCS_EXAMPLES)
def test_openai_docs_examples_need_the_docs_amendment(name: str) -> None:
    job = _job(name)
    assert not validation.is_valid(job, profile="observed")
    with_docs = profiles.resolve("observed", amend=["docs-example-fields-absent"])
    assert validation.violations_of(job, profile=with_docs) == []


@needs_corpus
@pytest.mark.parametrize(
    ("name", "profile", "pointer", "value", "line"),
    [
        (
            "js-comment-create-2024-06.json",
            "observed",
            "status",
            "archived",
            '/status: "archived" is not one of "validating_files", "queued", "running", '
            '"succeeded", "failed", "cancelled", "paused", "pausing", "resuming"',
        ),
        (
            "azure-learnmodule-create-pending-method-null-2025-09.json",
            "azure",
            "seed",
            "105",
            '/seed: "105" is not of type integer',
        ),
    ],
)
def test_a_real_break_still_fails(
    tmp_path: Path, name: str, profile: str, pointer: str, value: Any, line: str
) -> None:
    broken = _job(name)
    broken[pointer] = value
    copy = tmp_path / name
    copy.write_text(json.dumps(broken), encoding="utf-8")
    result = assess(json.loads(copy.read_text()), profile=profile)
    assert [str(v) for v in result.violations] == [line]
