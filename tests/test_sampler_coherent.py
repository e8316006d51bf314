"""Coherent jobs, from both generators: fields agree with the status and the method.

The rules checked here are written from the README's statement of them, not
taken from the implementation.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import islice
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from contract.generate import sampler, strategies
from contract.validation import fast_validator, reference_validator

NOT_STARTED = ("validating_files", "queued")
METHOD_KEYS = ("supervised", "dpo", "reinforcement")


def problems(job: dict[str, Any]) -> list[str]:
    """Every way the job's fields disagree with its status, method and timestamps."""
    found: list[str] = []
    status = job["status"]

    def must(condition: bool, what: str) -> None:
        if not condition:
            found.append(f"{status}: {what}")

    if status in (*NOT_STARTED, "running"):
        for prop in ("error", "fine_tuned_model", "finished_at", "trained_tokens"):
            must(job[prop] is None, f"{prop} is {job[prop]!r}")
    if status in NOT_STARTED:
        must(job["result_files"] == [], "has result files")
    if status == "succeeded":
        must(job["error"] is None, "has an error")
        must(isinstance(job["fine_tuned_model"], str), "no fine_tuned_model")
        must(job["finished_at"] is not None, "no finished_at")
        must(job["trained_tokens"] is not None, "no trained_tokens")
        must(len(job["result_files"]) >= 1, "no result file")
    if status == "failed":
        must(isinstance(job["error"], dict), "no error object")
        must(job["fine_tuned_model"] is None, "has a fine_tuned_model")
    if status == "cancelled":
        must(job["error"] is None, "has an error")
        must(job["fine_tuned_model"] is None, "has a fine_tuned_model")
    for later in ("finished_at", "estimated_finish"):
        if job.get(later) is not None:
            must(job["created_at"] <= job[later], f"{later} before created_at")
    method = job.get("method")
    if isinstance(method, dict):
        named = [k for k in METHOD_KEYS if k in method]
        must(named == [method["type"]], f"method {method['type']!r} holds {named}")
    return found


def valid(job: Any, name: str = "FineTuningJob") -> bool:
    return bool(fast_validator(name).is_valid(job)) and bool(
        reference_validator(name).is_valid(job)
    )


@pytest.mark.parametrize("realistic", [True, False])
def test_sampled_coherent_jobs_conform_and_agree(realistic: bool) -> None:
    seed = random.SystemRandom().randrange(2**32)
    statuses: Counter[str] = Counter()
    failed_finished: set[bool] = set()
    for job in islice(sampler.conforming(seed=seed, realistic=realistic, coherent=True), 2000):
        assert problems(job) == [], (seed, job)
        statuses[job["status"]] += 1
        if job["status"] == "failed":
            failed_finished.add(job["finished_at"] is None)
    for job in islice(sampler.conforming(seed=seed, realistic=realistic, coherent=True), 200):
        assert valid(job), (seed, job)
    # Still every status, and what the rules leave open still varies.
    assert len(statuses) == 6, (seed, statuses)
    assert failed_finished == {True, False}, seed


@settings(max_examples=150, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.conforming(coherent=True))
def test_strategy_coherent_jobs_conform_and_agree(job: dict[str, Any]) -> None:
    assert problems(job) == [], job
    assert valid(job)


def test_arbitrary_jobs_stay_the_default() -> None:
    seed = random.SystemRandom().randrange(2**32)
    jobs = islice(sampler.conforming(seed=seed), 2000)
    assert any(problems(job) for job in jobs), seed


def test_jobs_inside_a_list_response_are_coherent() -> None:
    name = "ListPaginatedFineTuningJobsResponse"
    seed = random.SystemRandom().randrange(2**32)
    pages = list(islice(sampler.conforming(name, seed=seed, coherent=True), 300))
    jobs = [job for page in pages for job in page["data"]]
    assert jobs, seed
    assert all(problems(job) == [] for job in jobs), seed
    assert all(valid(page, name) for page in pages[:50]), seed
