"""Scripted replies on the fake: a given answer for one call, before the simulation answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.testing.fake import IN_PROCESS_URL, Durations, FakeJobsAPI, Replies
from tests.helpers import minimal_job

KEY = "sk-test-fake0123456789abcdef"
MODEL = "gpt-4o-mini-2024-07-18"
JOBS = IN_PROCESS_URL + "/fine_tuning/jobs"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def fake() -> FakeJobsAPI:
    return FakeJobsAPI("observed", seed=5, durations=Durations(running=60))


@pytest.fixture
def http(fake: FakeJobsAPI) -> Iterator[httpx.Client]:
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        yield client


def running_job(fake: FakeJobsAPI, http: httpx.Client) -> str:
    response = http.post(JOBS, json={"model": MODEL, "training_file": "file-train"})
    assert response.status_code == 200, response.text
    fake.clock.advance(5 + 5 + 1)  # validating, queued, then running
    job_id: str = response.json()["id"]
    assert fake.jobs[job_id]["status"] == "running"
    return job_id


def test_the_sdk_gets_the_scripted_reply_and_the_job_is_left_alone(
    fake: FakeJobsAPI, http: httpx.Client
) -> None:
    job_id = running_job(fake, http)
    paused = minimal_job(id=job_id, status="paused", error={})
    fake.replies.next("pause", paused)
    client = openai.OpenAI(
        api_key=KEY,
        base_url=IN_PROCESS_URL,
        http_client=httpx.Client(transport=fake.transport()),
        max_retries=0,
    )
    job = client.fine_tuning.jobs.pause(job_id)
    assert job.to_dict(mode="json") == paused
    assert fake.jobs[job_id]["status"] == "running"  # the simulation did not act
    assert (fake.requests[-1].scripted, fake.requests[-1].status) == (True, 200)
    assert len(fake.replies) == 0
    assert client.fine_tuning.jobs.pause(job_id).status == "pausing"  # the simulation again
    assert fake.requests[-1].scripted is False


def test_a_reply_for_one_job_goes_to_that_job_and_the_others_first_in_first_out(
    fake: FakeJobsAPI, http: httpx.Client
) -> None:
    fake.replies.next("retrieve", {"n": "mine"}, job_id="ftjob-mine")
    fake.replies.next("retrieve", {"n": "first"})
    fake.replies.next("retrieve", {"n": "second"})
    assert fake.replies.pending("retrieve") == 3 and fake.replies.pending("pause") == 0
    other = http.get(f"{JOBS}/ftjob-other")
    mine = http.get(f"{JOBS}/ftjob-mine")
    again = http.get(f"{JOBS}/ftjob-mine")
    assert [r.json() for r in (other, mine, again)] == [
        {"n": "first"},
        {"n": "mine"},
        {"n": "second"},
    ]
    unknown = http.get(f"{JOBS}/ftjob-mine")  # nothing queued: the simulation knows no such job
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


def test_a_reply_is_served_only_to_its_operation(fake: FakeJobsAPI, http: httpx.Client) -> None:
    fake.replies.next("listFineTuningEvents", {"object": "list", "data": [], "has_more": True})
    job_id = running_job(fake, http)  # the create is not the scripted operation
    assert http.get(JOBS).json()["data"][0]["id"] == job_id
    assert http.get(f"{JOBS}/{job_id}/events").json()["has_more"] is True
    assert http.get(f"{JOBS}/{job_id}/events").json()["data"]  # the simulation's events


def test_status_headers_and_body_are_served_as_given(fake: FakeJobsAPI, http: httpx.Client) -> None:
    fake.replies.next("create", b"{not json", status=502, headers={"Content-Type": "text/plain"})
    fake.replies.next("list", "[]", status=201)
    broken = http.post(JOBS, json={"model": "no such model", "suffix": "x" * 99})
    assert (broken.status_code, broken.content) == (502, b"{not json")
    assert broken.headers["content-type"] == "text/plain"
    assert "x-request-id" not in broken.headers  # given headers replace the fake's
    listed = http.get(JOBS)
    assert (listed.status_code, listed.json(), listed.headers["content-type"]) == (
        201,
        [],
        "application/json",
    )
    assert listed.headers["x-request-id"].startswith("req_fake")
    assert fake.jobs == {}  # neither call reached the simulation (the bad create was not checked)


def test_a_request_without_a_key_is_refused_and_leaves_the_reply(fake: FakeJobsAPI) -> None:
    fake.replies.next("list", {"scripted": True})
    with httpx.Client(transport=fake.transport()) as anonymous:
        assert anonymous.get(JOBS).status_code == 401
    assert len(fake.replies) == 1
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        assert client.get(JOBS).json() == {"scripted": True}


def test_rejecting_faults_answer_first_and_damaging_faults_damage_the_reply(
    fake: FakeJobsAPI, http: httpx.Client
) -> None:
    fake.replies.next("list", {"scripted": 1})
    fake.faults.next("429")
    fake.faults.next("malformed")
    assert http.get(JOBS).status_code == 429
    assert len(fake.replies) == 1  # still queued for the retry
    damaged = http.get(JOBS)
    assert damaged.status_code == 200 and damaged.content == b'{"scripted": 1,}'
    with pytest.raises(json.JSONDecodeError):
        json.loads(damaged.content)
    assert len(fake.replies) == 0


def test_scripting_an_unknown_operation_or_a_job_for_create_is_refused(
    fake: FakeJobsAPI,
) -> None:
    with pytest.raises(ValueError, match="known: create, list, retrieve"):
        fake.replies.next("delete", {})
    with pytest.raises(ValueError, match="names no job"):
        fake.replies.next("create", {}, job_id="ftjob-x")
    assert len(fake.replies) == 0


def test_replies_reach_clients_over_loopback_and_concurrently() -> None:
    with FakeJobsAPI("published") as fake:
        jobs = [f"ftjob-c{n}" for n in range(40)]
        for job in reversed(jobs):
            fake.replies.next("pause", minimal_job(id=job), job_id=job)
        results: dict[str, Any] = {}

        def pause(job: str) -> None:
            response = httpx.post(f"{fake.url}/fine_tuning/jobs/{job}/pause", headers=AUTH)
            results[job] = (response.status_code, response.json()["id"])

        threads = [threading.Thread(target=pause, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert results == {job: (200, job) for job in jobs}
        assert len(fake.replies) == 0
        assert sum(r.scripted for r in fake.requests) == len(jobs)


CALLS = st.tuples(st.sampled_from(["pause", "retrieve"]), st.sampled_from([None, "a", "b"]))


@given(pushed=st.lists(CALLS, max_size=12), asked=st.lists(CALLS, max_size=20))
def test_each_reply_is_served_once_to_a_call_it_was_queued_for(
    pushed: list[tuple[str, str | None]], asked: list[tuple[str, str | None]]
) -> None:
    replies = Replies()
    for n, (operation, job) in enumerate(pushed):
        replies.next(operation, n, job_id=job)
    served: list[int] = []
    for operation, job in asked:
        reply = replies.take(replies_id(operation), job or "z")
        if reply is None:
            # Nothing left that this call may take: none for its job, none for any job.
            assert not any(
                op == operation and queued in (None, job or "z")
                for n, (op, queued) in enumerate(pushed)
                if n not in served
            )
            continue
        n = int(reply.body)
        assert n not in served
        op, queued = pushed[n]
        assert op == operation and queued in (None, job or "z")
        if queued is None:  # a reply for any job only when none was kept for this one
            assert not any(
                pushed[m] == (operation, job or "z") for m in range(len(pushed)) if m not in served
            )
        # The oldest of its kind first.
        assert not any(pushed[m] == pushed[n] for m in range(n) if m not in served)
        served.append(n)
    assert len(replies) == len(pushed) - len(served)


def replies_id(operation: str) -> str:
    return {"pause": "pauseFineTuningJob", "retrieve": "retrieveFineTuningJob"}[operation]


def test_a_payload_is_served_as_given_even_what_json_parsers_refuse(
    fake: FakeJobsAPI, http: httpx.Client
) -> None:
    fake.replies.next("list", {"big": 2**70, "nan": float("nan"), "name": "é"})
    response = http.get(JOBS)
    assert response.content == '{"big": 1180591620717411303424, "nan": NaN, "name": "é"}'.encode()
