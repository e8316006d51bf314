"""The openai-node #2528 bug, caught with the fake: a polling loop that stops at validating_files.

openai-node's fine-tuning example polled while the job was ``queued`` or
``running``; a new job is ``validating_files``, so the loop ended at once and
reported a job that had not even started (fixed in openai-node #2528). The
same check, run on the buggy loop and on the fixed one, is red and green.
The fake's manual clock stands in for the sleep: no test waits.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import openai
import pytest
from openai.types.fine_tuning import FineTuningJob

from contract.testing.fake import IN_PROCESS_URL, FakeJobsAPI

Wait = Callable[[openai.OpenAI, str, Callable[[], None]], FineTuningJob]
TERMINAL = ("succeeded", "failed", "cancelled")


def wait_buggy(client: openai.OpenAI, job_id: str, sleep: Callable[[], None]) -> FineTuningJob:
    """The loop as openai-node's example had it before #2528."""
    job = client.fine_tuning.jobs.retrieve(job_id)
    while job.status in ("queued", "running"):
        sleep()
        job = client.fine_tuning.jobs.retrieve(job_id)
    return job


def wait_fixed(client: openai.OpenAI, job_id: str, sleep: Callable[[], None]) -> FineTuningJob:
    """Poll until the job reaches a terminal status."""
    job = client.fine_tuning.jobs.retrieve(job_id)
    while job.status not in TERMINAL:
        sleep()
        job = client.fine_tuning.jobs.retrieve(job_id)
    return job


def check_waits_for_the_end(wait: Wait, outcome: str = "succeeded") -> None:
    """The check a suite would hold: the loop returns the job as it ended."""
    fake = FakeJobsAPI("observed", seed=2528)
    http = httpx.Client(transport=fake.transport())
    client = openai.OpenAI(api_key="sk-test", base_url=IN_PROCESS_URL, http_client=http)
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file="file-t")
    if outcome == "failed":
        fake.clock.advance(30)
        fake.fail(job.id)
    polls: list[float] = []

    def sleep() -> None:
        polls.append(fake.clock.advance(30))
        assert len(polls) < 1000, "the loop never stopped polling"

    ended = wait(client, job.id, sleep)
    assert ended.status == outcome, f"the loop returned a job still {ended.status!r}"
    if outcome == "succeeded":
        assert ended.fine_tuned_model is not None


def test_the_fixed_loop_waits_for_the_end() -> None:
    check_waits_for_the_end(wait_fixed)
    check_waits_for_the_end(wait_fixed, "failed")


def test_the_buggy_loop_is_caught() -> None:
    with pytest.raises(AssertionError, match="still 'validating_files'"):
        check_waits_for_the_end(wait_buggy)
