"""Every answer of the fake conforms to its profile: random operations, clock moves, faults.

A Hypothesis state machine drives the fake in process through httpx. Each
answer is checked with ``contract.validation`` under the fake's profile and
against the life cycle: a job's status only moves along the graph, fields are
filled as its state says, fields that never change do not, a state-changing
operation answers 200 exactly when the graph allows it, and a fault is the
fault that was asked for.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from contract import validation
from contract.schema.lifecycle import lifecycle
from contract.testing.fake import FAULT_HEADER, KINDS, Durations, FakeJobsAPI, Faults

AUTH = {"Authorization": "Bearer sk-machine"}
JOBS = "http://fake.test/v1/fine_tuning/jobs"
FIXED = ("id", "created_at", "model", "training_file", "validation_file", "seed", "organization_id")
PAGE_SCHEMAS = {
    "jobs": "ListPaginatedFineTuningJobsResponse",
    "events": "ListFineTuningJobEventsResponse",
    "checkpoints": "ListFineTuningJobCheckpointsResponse",
}
REJECTING = {"429", "500", "503"}

faults = st.none() | st.sampled_from(KINDS)
asked_by = st.sampled_from(["script", "header"])


class FakeMachine(RuleBasedStateMachine):
    jobs = Bundle("jobs")

    @initialize(
        profile=st.sampled_from(["published", "observed", "azure"]),
        seed=st.integers(0, 2**16),
        failure_rate=st.sampled_from([0.0, 0.5]),
    )
    def start(self, profile: str, seed: int, failure_rate: float) -> None:
        self.profile = profile
        self.graph = lifecycle(profile)
        durations = Durations(pending=1, validating_files=3, queued=3, running=30, steps=6)
        self.fake = FakeJobsAPI(
            profile,
            seed=seed,
            durations=durations,
            failure_rate=failure_rate,
            faults=Faults(seed=seed, slow_seconds=0.0),
        )
        self.client = httpx.Client(transport=self.fake.transport(), headers=AUTH)
        self.last: dict[str, dict[str, Any]] = {}

    def teardown(self) -> None:
        if hasattr(self, "client"):
            self.client.close()

    # -- sending and checking ----------------------------------------------------------

    def send(
        self, method: str, url: str, fault: str | None, how: str, **kwargs: Any
    ) -> httpx.Response | None:
        """The answer, or None when the fault asked for left none to read (checked here)."""
        headers = {}
        if fault is not None and how == "script":
            self.fake.faults.next(fault)
        elif fault is not None:
            headers[FAULT_HEADER] = fault
        try:
            response = self.client.request(method, url, headers=headers, **kwargs)
        except httpx.RemoteProtocolError:
            assert fault in ("drop", "truncated")
            return None
        assert fault not in ("drop", "truncated")
        assert response.headers["content-type"] == "application/json"
        assert response.headers["content-length"] == str(len(response.content))
        if fault == "malformed":  # any answer, its body broken
            try:
                json.loads(response.content)
            except ValueError:
                return None
            raise AssertionError("a malformed answer parsed as JSON")
        if fault in REJECTING:
            self.check_error(response, int(fault))
            if fault == "429":
                assert int(response.headers["retry-after"]) >= 1
            return None
        return response

    def check_error(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, (response.status_code, response.text)
        body = response.json()
        assert validation.is_valid(body, "ErrorResponse", self.profile), body
        error: dict[str, Any] = body["error"]
        return error

    def check_valid(self, body: Any, schema: str) -> None:
        found = validation.violations_of(body, schema, self.profile)
        assert not found, (schema, [str(v) for v in found], body)

    def check_job(self, body: dict[str, Any]) -> None:
        """A job body: valid, on the graph, filled as its state says, fixed fields unchanged."""
        self.check_valid(body, "FineTuningJob")
        status = body["status"]
        assert status in self.graph.states
        for field, fill in self.graph.fills(status).items():
            empty = body.get(field) in (None, [], {})
            assert not (fill == "set" and empty), (status, field, body.get(field))
            assert not (fill == "null" and not empty), (status, field, body.get(field))
        before = self.last.get(body["id"])
        if before is not None:
            assert self.graph.reachable(before["status"], status), (before["status"], status)
            for field in FIXED:
                assert body[field] == before[field], field
            if before["finished_at"] is not None:
                assert body["finished_at"] == before["finished_at"]
        self.last[body["id"]] = body

    # -- rules ---------------------------------------------------------------------------

    @rule(
        target=jobs,
        suffix=st.none() | st.text("abc-", max_size=70),
        metadata=st.none() | st.dictionaries(st.sampled_from("ab"), st.sampled_from("xy")),
        fault=faults,
        how=asked_by,
    )
    def create(
        self, suffix: str | None, metadata: dict[str, str] | None, fault: str | None, how: str
    ) -> Any:
        payload: dict[str, Any] = {"model": "gpt-4o-mini-2024-07-18", "training_file": "file-t"}
        if suffix is not None:
            payload["suffix"] = suffix
        if metadata is not None:
            payload["metadata"] = metadata
        count = len(self.fake.jobs)
        response = self.send("POST", JOBS, fault, how, json=payload)
        if fault in REJECTING or fault == "drop":
            assert len(self.fake.jobs) == count  # refused before the operation
        if response is None:
            return multiple()
        if suffix is not None and not 1 <= len(suffix) <= 64:
            assert self.check_error(response, 400)["param"] == "suffix"
            return multiple()
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == self.graph.initial
        self.check_job(body)
        return body["id"]

    @rule(job=jobs, fault=faults, how=asked_by)
    def retrieve(self, job: str, fault: str | None, how: str) -> None:
        response = self.send("GET", f"{JOBS}/{job}", fault, how)
        if response is not None:
            assert response.status_code == 200
            self.check_job(response.json())

    @rule(
        job=jobs,
        action=st.sampled_from(["cancel", "pause", "resume"]),
        fault=faults,
        how=asked_by,
    )
    def act(self, job: str, action: str, fault: str | None, how: str) -> None:
        operation = f"{action}FineTuningJob"
        before = self.fake.jobs[job]["status"]  # the manual clock stands: the job's state now
        response = self.send("POST", f"{JOBS}/{job}/{action}", fault, how)
        if response is None:
            return
        if self.graph.allows(operation, before):
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["status"] == self.graph.answer_state(operation, before)
            self.check_job(body)
        else:
            self.check_error(response, 400)
            assert self.fake.jobs[job]["status"] == before

    @rule(
        limit=st.integers(1, 6),
        after=st.none() | jobs,
        team=st.none() | st.sampled_from("xy"),
        fault=faults,
        how=asked_by,
    )
    def list_jobs(
        self, limit: int, after: str | None, team: str | None, fault: str | None, how: str
    ) -> None:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        if team is not None:
            params["metadata[a]"] = team
        response = self.send("GET", JOBS, fault, how, params=params)
        if response is None:
            return
        page = response.json()
        self.check_valid(page, PAGE_SCHEMAS["jobs"])
        ordered = list(self.fake.jobs)[::-1]
        if after is not None:
            ordered = ordered[ordered.index(after) + 1 :]
        if team is not None:
            wanted = [j for j in ordered if (self.fake.jobs[j]["metadata"] or {}).get("a") == team]
        else:
            wanted = ordered
        assert [job["id"] for job in page["data"]] == wanted[:limit]
        assert page["has_more"] == (len(wanted) > limit)
        for job in page["data"]:
            self.check_job(job)

    @rule(
        job=jobs,
        kind=st.sampled_from(["events", "checkpoints"]),
        limit=st.integers(1, 30),
        fault=faults,
        how=asked_by,
    )
    def list_of_job(self, job: str, kind: str, limit: int, fault: str | None, how: str) -> None:
        response = self.send("GET", f"{JOBS}/{job}/{kind}", fault, how, params={"limit": limit})
        if response is None:
            return
        page = response.json()
        self.check_valid(page, PAGE_SCHEMAS[kind])
        times = [item["created_at"] for item in page["data"]]
        assert times == sorted(times, reverse=True)
        assert len(page["data"]) <= limit
        if kind == "checkpoints":
            assert all(item["fine_tuning_job_id"] == job for item in page["data"])

    @rule(job=jobs)
    def ask_unknown_or_bad(self, job: str) -> None:
        self.check_error(self.client.get(f"{JOBS}/{job}x"), 404)
        self.check_error(self.client.get(JOBS, params={"limit": 0}), 400)
        self.check_error(self.client.get(JOBS, headers={"Authorization": "Basic x"}), 401)

    @rule(seconds=st.floats(0, 40, allow_nan=False))
    def advance(self, seconds: float) -> None:
        self.fake.clock.advance(seconds)

    @invariant()
    def every_job_conforms_now(self) -> None:
        if hasattr(self, "fake"):
            for body in self.fake.jobs.values():
                self.check_job(body)


FakeMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestFakeMachine = FakeMachine.TestCase
