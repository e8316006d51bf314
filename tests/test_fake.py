"""The fake jobs API in process: the documented rules, through the real openai SDK and httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from contract import validation
from contract.schema.lifecycle import lifecycle
from contract.testing.fake import (
    FAULT_HEADER,
    IN_PROCESS_URL,
    MAX_BODY,
    Clock,
    Durations,
    FakeJobsAPI,
    Faults,
    FaultSpecError,
    parse_spec,
)

KEY = "sk-test-fake0123456789abcdef"
MODEL = "gpt-4o-mini-2024-07-18"
JOBS = IN_PROCESS_URL + "/fine_tuning/jobs"
AUTH = {"Authorization": f"Bearer {KEY}"}
MINUTE = Durations(running=60)  # a one-minute training run


def sdk(fake: FakeJobsAPI) -> openai.OpenAI:
    http = httpx.Client(transport=fake.transport())
    return openai.OpenAI(api_key=KEY, base_url=IN_PROCESS_URL, http_client=http, max_retries=0)


@pytest.fixture
def observed() -> FakeJobsAPI:
    return FakeJobsAPI("observed", seed=3, durations=MINUTE)


@pytest.fixture
def http(observed: FakeJobsAPI) -> Iterator[httpx.Client]:
    with httpx.Client(transport=observed.transport(), headers=AUTH) as client:
        yield client


def valid(body: Any, schema: str, profile: str) -> None:
    found = validation.violations_of(body, schema, profile)
    assert not found, [str(v) for v in found]


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    valid(body, "ErrorResponse", "published")
    error: dict[str, Any] = body["error"]
    return error


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    payload = {"model": MODEL, "training_file": "file-train", **fields}
    response = client.post(JOBS, json=payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- the life cycle -------------------------------------------------------------------


def test_a_job_runs_pauses_resumes_and_succeeds_on_the_manual_clock(observed: FakeJobsAPI) -> None:
    client = sdk(observed)
    job = client.fine_tuning.jobs.create(model=MODEL, training_file="file-train", suffix="mine")
    assert job.status == "validating_files" and job.finished_at is None
    assert client.fine_tuning.jobs.retrieve(job.id).status == "validating_files"  # clock stands
    observed.clock.advance(5)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "queued"
    observed.clock.advance(5 + 20)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
    assert client.fine_tuning.jobs.pause(job.id).status == "pausing"
    observed.clock.advance(3)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
    observed.clock.advance(10_000)  # a paused job stays paused
    assert client.fine_tuning.jobs.retrieve(job.id).status == "paused"
    assert client.fine_tuning.jobs.resume(job.id).status == "resuming"
    observed.clock.advance(3)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
    observed.clock.advance(39.9)  # 20 s ran before the pause, 40 are left
    assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
    observed.clock.advance(0.1)
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    assert done.fine_tuned_model is not None and done.fine_tuned_model.endswith(job.id[-8:])
    assert ":mine:" in done.fine_tuned_model
    assert done.finished_at is not None and done.finished_at >= done.created_at
    assert done.trained_tokens and done.result_files
    assert (done.created_at, done.model, done.seed) == (job.created_at, job.model, job.seed)
    valid(observed.jobs[job.id], "FineTuningJob", "observed")


@pytest.mark.parametrize("profile", ["published", "observed", "azure"])
def test_every_state_fills_its_fields_as_the_lifecycle_says(profile: str) -> None:
    fake = FakeJobsAPI(profile, seed=1, durations=MINUTE)
    client = sdk(fake)
    graph = lifecycle(profile)
    jobs = [client.fine_tuning.jobs.create(model=MODEL, training_file="f") for _ in range(3)]
    assert jobs[0].status == graph.initial
    client.fine_tuning.jobs.cancel(jobs[1].id)
    fake.fail(jobs[2].id)
    seen = set()
    for _ in range(40):
        for body in fake.jobs.values():
            seen.add(body["status"])
            valid(body, "FineTuningJob", profile)
            for field, rule in graph.fills(body["status"]).items():
                value = body.get(field)
                if rule == "set":
                    assert value not in (None, [], {}), (body["status"], field)
                elif rule == "null":
                    assert value in (None, [], {}), (body["status"], field)
        fake.clock.advance(2)
    assert {"succeeded", "failed", "cancelled", "running", "queued"} <= seen


def test_azure_jobs_start_pending() -> None:
    fake = FakeJobsAPI("azure")
    client = sdk(fake)
    job = client.fine_tuning.jobs.create(model=MODEL, training_file="f")
    assert job.status == "pending"
    fake.clock.advance(2)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "validating_files"


def test_illegal_transitions_answer_400_in_the_envelope(
    observed: FakeJobsAPI, http: httpx.Client
) -> None:
    job = create(http)
    error = error_of(http.post(f"{JOBS}/{job['id']}/pause"), 400)  # still validating
    assert "validating_files" in error["message"] and error["type"] == "invalid_request_error"
    observed.clock.advance(20)
    error_of(http.post(f"{JOBS}/{job['id']}/resume"), 400)  # running, not paused
    assert http.post(f"{JOBS}/{job['id']}/cancel").json()["status"] == "cancelled"
    for action in ("cancel", "pause", "resume"):
        error_of(http.post(f"{JOBS}/{job['id']}/{action}"), 400)
    assert observed.jobs[job["id"]]["status"] == "cancelled"


def test_published_has_no_paused_status_so_pause_is_refused() -> None:
    fake = FakeJobsAPI("published")
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        job = create(client)
        fake.clock.advance(20)
        assert fake.jobs[job["id"]]["status"] == "running"
        error_of(client.post(f"{JOBS}/{job['id']}/pause"), 400)


def test_unknown_jobs_and_urls_answer_404(http: httpx.Client) -> None:
    for url in (
        f"{JOBS}/ftjob-nope",
        f"{JOBS}/ftjob-nope/events",
        f"{JOBS}/ftjob-nope/checkpoints",
    ):
        assert error_of(http.get(url), 404)["param"] == "fine_tuning_job_id"
    error_of(http.post(f"{JOBS}/ftjob-nope/pause"), 404)
    error_of(http.get(IN_PROCESS_URL + "/models"), 404)
    error_of(http.delete(f"{JOBS}/ftjob-nope"), 404)
    error_of(http.get(IN_PROCESS_URL.removesuffix("/v1") + "/fine_tuning/jobs"), 404)


# -- requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}, {"Authorization": KEY}],
)
def test_a_missing_or_malformed_key_answers_401(observed: FakeJobsAPI, headers: Any) -> None:
    with httpx.Client(transport=observed.transport(), headers=headers) as client:
        for response in (client.get(JOBS), client.post(JOBS, json={"model": "m"})):
            error = error_of(response, 401)
            assert KEY not in response.text and "abc" not in error["message"]
    assert observed.jobs == {}


def test_the_key_is_never_kept(observed: FakeJobsAPI, http: httpx.Client) -> None:
    create(http)
    with httpx.Client(transport=observed.transport(), headers={"api-key": KEY}) as azure_style:
        assert azure_style.get(JOBS).status_code == 200
    assert len(observed.requests) == 2
    assert all(KEY not in repr(request) for request in observed.requests)


BAD_CREATES = [
    ({"training_file": "f"}, "model"),
    ({"model": MODEL}, "training_file"),
    ({"model": MODEL, "training_file": "f", "suffix": "x" * 65}, "suffix"),
    ({"model": MODEL, "training_file": "f", "suffix": ""}, "suffix"),
    ({"model": MODEL, "training_file": "f", "seed": -1}, "seed"),
    ({"model": MODEL, "training_file": "f", "hyperparameters": {"n_epochs": 0}}, "n_epochs"),
    (
        {"model": MODEL, "training_file": "f", "metadata": {str(i): "v" for i in range(17)}},
        "metadata",
    ),
    ({"model": MODEL, "training_file": "f", "method": {"type": "magic"}}, "method"),
    ({"model": 7, "training_file": "f"}, "model"),
]


@pytest.mark.parametrize(("payload", "param"), BAD_CREATES)
def test_a_bad_create_answers_400_naming_the_field(
    observed: FakeJobsAPI, http: httpx.Client, payload: Any, param: str
) -> None:
    error = error_of(http.post(JOBS, json=payload), 400)
    assert error["param"] is not None and param in error["param"]
    assert observed.jobs == {}


def test_a_body_that_is_not_a_json_object_answers_400(http: httpx.Client) -> None:
    for body in (b"{", b"[1]", b'"x"', b"[" * 100_000):
        error = error_of(http.post(JOBS, content=body), 400)
        assert error["param"] is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"model": "m", "training_file": "\\ud800"}',  # a lone surrogate: no UTF-8 for it
        b'{"model": "m", "training_file": "f", "metadata": {"k": "\\udfff"}}',
        b'{"model": "m", "training_file": "f", "seed": NaN}',
    ],
)
def test_json_the_fake_could_not_answer_back_is_refused(
    observed: FakeJobsAPI, http: httpx.Client, body: bytes
) -> None:
    error_of(http.post(JOBS, content=body), 400)
    assert observed.jobs == {}
    assert http.get(JOBS).status_code == 200  # nothing stored that poisons the list


def test_what_the_fake_keeps_is_bounded() -> None:
    fake = FakeJobsAPI("observed", max_jobs=3, max_job_bytes=10_000)
    http = httpx.Client(transport=fake.transport(), headers=AUTH)
    made = [http.post(JOBS, json={"model": "m", "training_file": "f"}) for _ in range(4)]
    assert [r.status_code for r in made] == [200, 200, 200, 400]
    assert made[-1].json()["error"]["code"] == "fake_limit_reached"
    fake = FakeJobsAPI("observed", max_job_bytes=10_000)
    http = httpx.Client(transport=fake.transport(), headers=AUTH)
    big = {"model": "m", "training_file": "f" * 6_000}
    assert [http.post(JOBS, json=big).status_code for _ in range(2)] == [200, 400]
    assert len(fake.jobs) == 1
    assert http.get(JOBS).status_code == 200  # it goes on serving what it has


def test_an_oversized_body_answers_413(observed: FakeJobsAPI, http: httpx.Client) -> None:
    error_of(http.post(JOBS, content=b" " * (MAX_BODY + 1)), 413)
    assert observed.requests[-1].body == b""  # a long body is not kept


def test_the_sdk_sees_the_400_for_a_65_character_suffix(observed: FakeJobsAPI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk(observed).fine_tuning.jobs.create(model=MODEL, training_file="f", suffix="s" * 65)
    assert raised.value.status_code == 400
    assert isinstance(raised.value.body, dict) and raised.value.body["param"] == "suffix"


# -- lists ------------------------------------------------------------------------------


def test_jobs_page_newest_first_each_once(observed: FakeJobsAPI) -> None:
    client = sdk(observed)
    made = []
    for _ in range(5):
        made.append(client.fine_tuning.jobs.create(model=MODEL, training_file="f").id)
        observed.clock.advance(1)
    seen: list[str] = []
    pages = 0
    page = client.fine_tuning.jobs.list(limit=2)
    while True:
        pages += 1
        seen.extend(job.id for job in page.data)
        assert len(page.data) <= 2
        if not page.has_next_page():
            break
        page = page.get_next_page()
    assert seen == made[::-1] and pages == 3
    assert client.fine_tuning.jobs.list(limit=10, after=made[0]).data == []


@pytest.mark.parametrize("limit", ["0", "101", "-1", "two", "1e3", ""])
def test_a_limit_out_of_range_answers_400(http: httpx.Client, limit: str) -> None:
    assert error_of(http.get(JOBS, params={"limit": limit}), 400)["param"] == "limit"


def test_the_metadata_filter(http: httpx.Client) -> None:
    a = create(http, metadata={"team": "a", "env": "prod"})
    b = create(http, metadata={"team": "b"})
    plain = create(http)

    def ids(params: Any) -> list[str]:
        response = http.get(JOBS, params=params)
        valid(response.json(), "ListPaginatedFineTuningJobsResponse", "observed")
        return [job["id"] for job in response.json()["data"]]

    assert ids({"metadata[team]": "a"}) == [a["id"]]
    assert ids({"metadata[team]": "a", "metadata[env]": "dev"}) == []
    assert ids({"metadata[team]": "b"}) == [b["id"]]
    assert ids({"metadata": "null"}) == [plain["id"]]
    assert ids({}) == [plain["id"], b["id"], a["id"]]
    error_of(http.get(JOBS, params={"metadata": "yes"}), 400)


def test_events_and_checkpoints_page_newest_first(observed: FakeJobsAPI) -> None:
    client = sdk(observed)
    job = client.fine_tuning.jobs.create(
        model=MODEL, training_file="f", hyperparameters={"n_epochs": 3}
    )
    observed.clock.advance(40)  # half way through the run
    running = client.fine_tuning.jobs.list_events(job.id, limit=100).data
    assert any(event.type == "metrics" for event in running)
    observed.clock.advance(100)
    events = client.fine_tuning.jobs.list_events(job.id, limit=100)
    assert not events.has_more
    times = [event.created_at for event in events.data]
    assert times == sorted(times, reverse=True)
    assert {event.level for event in events.data} <= {"info", "warn", "error"}
    first = client.fine_tuning.jobs.list_events(job.id, limit=3)
    assert first.has_more and [e.id for e in first.data] == [e.id for e in events.data[:3]]
    rest = client.fine_tuning.jobs.list_events(job.id, limit=100, after=first.data[-1].id)
    assert [e.id for e in first.data + rest.data] == [e.id for e in events.data]
    raw = httpx.Client(transport=observed.transport(), headers=AUTH)
    page = raw.get(f"{JOBS}/{job.id}/checkpoints").json()
    valid(page, "ListFineTuningJobCheckpointsResponse", "observed")
    valid(raw.get(f"{JOBS}/{job.id}/events").json(), "ListFineTuningJobEventsResponse", "observed")
    steps = [checkpoint["step_number"] for checkpoint in page["data"]]
    assert len(steps) == 3 and steps == sorted(steps, reverse=True)
    assert page["first_id"] == page["data"][0]["id"] and page["last_id"] == page["data"][-1]["id"]
    final = page["data"][0]
    assert final["fine_tuning_job_id"] == job.id
    assert final["created_at"] == observed.jobs[job.id]["finished_at"]  # the final one at success


def test_the_same_seed_gives_the_same_answers() -> None:
    def run(seed: int) -> list[Any]:
        fake = FakeJobsAPI(
            "observed", seed=seed, failure_rate=0.5, faults="429=0.3", durations=MINUTE
        )
        with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
            answers = []
            for _ in range(6):
                response = client.post(JOBS, json={"model": MODEL, "training_file": "f"})
                fake.clock.advance(30)
                answers.append((response.status_code, response.text))
            fake.clock.advance(200)
            answers.append(json.dumps(fake.jobs, sort_keys=True))
            return answers

    assert run(5) == run(5)
    assert run(5) != run(6)


# -- faults ----------------------------------------------------------------------------


def test_a_scripted_429_carries_retry_after_and_rate_limit_headers(
    observed: FakeJobsAPI, http: httpx.Client
) -> None:
    observed.faults.next("429", count=2)
    for _ in range(2):
        response = http.post(JOBS, json={"model": MODEL, "training_file": "f"})
        error = error_of(response, 429)
        assert error["code"] == "rate_limit_exceeded"
        assert response.headers["retry-after"].isdigit()
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["x-ratelimit-remaining-requests"] == "0"
        assert "x-ratelimit-reset-requests" in response.headers
    assert observed.jobs == {}  # refused before the operation
    assert http.get(JOBS).status_code == 200


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_come_in_the_envelope(
    observed: FakeJobsAPI, http: httpx.Client, status: str
) -> None:
    observed.faults.next(status)
    assert error_of(http.get(JOBS), int(status))["type"] == "server_error"


def test_a_fault_asked_for_by_header(observed: FakeJobsAPI, http: httpx.Client) -> None:
    error_of(http.get(JOBS, headers={FAULT_HEADER: "503"}), 503)
    assert http.get(JOBS, headers={FAULT_HEADER: "no-such-fault"}).status_code == 200
    assert observed.faults.served["503"] == 1


def test_malformed_truncated_and_dropped_answers(observed: FakeJobsAPI, http: httpx.Client) -> None:
    observed.faults.next("malformed")
    response = http.post(JOBS, json={"model": MODEL, "training_file": "f"})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert len(observed.jobs) == 1  # performed, answered broken
    observed.faults.next("truncated")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(JOBS)
    observed.faults.next("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(JOBS, json={"model": MODEL, "training_file": "f"})
    assert len(observed.jobs) == 1  # a dropped request was not performed
    assert http.get(JOBS).status_code == 200


def test_slow_answers_wait_then_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr("contract.testing.fake._transport.time.sleep", waited.append)
    fake = FakeJobsAPI(faults=Faults(seed=0, slow_seconds=2.5))
    fake.faults.next("slow")
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        assert client.get(JOBS).status_code == 200
    assert waited == [2.5]


def test_rates_give_about_the_asked_share() -> None:
    fake = FakeJobsAPI(faults="429=0.5", seed=11)
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        statuses = [client.get(JOBS).status_code for _ in range(400)]
    assert set(statuses) == {200, 429}
    assert 150 <= statuses.count(429) <= 250  # binomial(400, 0.5): far beyond 4 sigma


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("429", "has no rate"),
        ("418=0.1", "unknown fault '418'"),
        ("429=lots", "not a number"),
        ("429=1.5", "between 0 and 1"),
        ("429=nan", "between 0 and 1"),
        ("429=0.6,500=0.6", "add up to 1.2"),
        ("429=0.1,429=0.2", "given twice"),
    ],
)
def test_a_bad_fault_spec_says_what_is_wrong(spec: str, words: str) -> None:
    with pytest.raises(FaultSpecError, match=words):
        parse_spec(spec)


def test_a_good_fault_spec() -> None:
    assert parse_spec(" 429=0.2, 500=0.05,malformed=0.05 ") == {
        "429": 0.2,
        "500": 0.05,
        "malformed": 0.05,
    }
    assert parse_spec("") == {}


# -- clock and bounds --------------------------------------------------------------------


def test_the_scaled_clock_runs_at_its_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr("contract.testing.fake._clock.time.monotonic", lambda: now[0])
    clock = Clock(speed=200)
    start = clock.now()
    now[0] += 0.5
    assert clock.now() == pytest.approx(start + 100)
    clock.advance(7)
    assert clock.now() == pytest.approx(start + 107)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="positive"):
        Clock(speed=0)


def test_durations_are_configurable_and_checked() -> None:
    fake = FakeJobsAPI("observed", durations=Durations(validating_files=0, queued=0, running=10))
    client = sdk(fake)
    job = client.fine_tuning.jobs.create(model=MODEL, training_file="f")
    fake.clock.advance(10)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
    with pytest.raises(ValueError, match="running"):
        Durations(running=-1)
    with pytest.raises(ValueError, match="steps"):
        Durations(steps=0)


def test_kept_requests_are_bounded() -> None:
    fake = FakeJobsAPI(keep_requests=3)
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        for limit in range(1, 8):
            client.get(JOBS, params={"limit": str(limit)})
    assert [r.query for r in fake.requests] == [(("limit", str(n)),) for n in (5, 6, 7)]
