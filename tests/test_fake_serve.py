"""The fake over real HTTP: ``finetune-contract serve`` driven by the official openai SDK,
faults on a real connection, 200 concurrent clients, the CLI's errors, the pytest fixture."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import openai
import pytest

from contract import cli
from contract.checks import assess_response
from contract.testing.fake import FakeJobsAPI

MODEL = "gpt-4o-mini-2024-07-18"
AUTH = {"Authorization": "Bearer sk-serve-test"}


@contextmanager
def served(*options: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``finetune-contract serve OPTIONS`` in a child process; its base URL; stopped after."""
    command = [sys.executable, "-m", "contract", "serve", *options]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the server printed no URL within 60 s"
        url = process.stdout.readline().strip()
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(30)


class Recorder:
    """Every answer an httpx client received, kept to be checked afterwards."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, int, httpx.Headers, bytes]] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        self.answers.append(
            (
                request.method,
                str(request.url),
                response.status_code,
                response.headers,
                response.content,
            )
        )

    def check_all(self, profile: str) -> int:
        """Assert every answer conforms to its operation under ``profile``; how many there were."""
        for method, url, status, headers, content in self.answers:
            result = assess_response(
                status, headers, content, method=method, url=url, profile=profile
            )
            assert not result.violations, (method, url, status, [str(v) for v in result.violations])
            if status >= 400:
                assert result.api_error is not None, (url, status, content)
        return len(self.answers)


def client_for(url: str, recorder: Recorder) -> openai.OpenAI:
    http = httpx.Client(event_hooks={"response": [recorder]}, timeout=30)
    return openai.OpenAI(api_key="sk-serve-test", base_url=url, http_client=http, max_retries=0)


def wait_for(client: openai.OpenAI, job_id: str, statuses: set[str]) -> str:
    for _ in range(5000):
        status = client.fine_tuning.jobs.retrieve(job_id).status
        if status in statuses:
            return status
    raise AssertionError(f"{job_id} never reached {statuses}")


def test_the_sdk_drives_a_whole_life_cycle_against_serve() -> None:
    recorder = Recorder()
    with served("--profile", "observed", "--speed", "200") as (url, process):
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        client = client_for(url, recorder)
        job = client.fine_tuning.jobs.create(model=MODEL, training_file="file-abc", seed=7)
        assert job.status == "validating_files"
        assert wait_for(client, job.id, {"running", "succeeded"}) == "running"
        assert client.fine_tuning.jobs.pause(job.id).status == "pausing"
        assert wait_for(client, job.id, {"paused"}) == "paused"
        assert client.fine_tuning.jobs.resume(job.id).status == "resuming"
        assert wait_for(client, job.id, {"running", "succeeded"}) in {"running", "succeeded"}
        done = client.fine_tuning.jobs.retrieve(job.id)
        if done.status != "succeeded":
            wait_for(client, job.id, {"succeeded"})
            done = client.fine_tuning.jobs.retrieve(job.id)
        assert done.fine_tuned_model and done.finished_at
        with pytest.raises(openai.BadRequestError) as paused_late:
            client.fine_tuning.jobs.pause(job.id)
        assert paused_late.value.status_code == 400
        with pytest.raises(openai.BadRequestError) as long_suffix:
            client.fine_tuning.jobs.create(model=MODEL, training_file="file-abc", suffix="s" * 65)
        assert isinstance(long_suffix.value.body, dict)
        assert long_suffix.value.body["param"] == "suffix"
        with pytest.raises(openai.NotFoundError):
            client.fine_tuning.jobs.retrieve("ftjob-unknown")
        made = {client.fine_tuning.jobs.create(model=MODEL, training_file="f").id for _ in range(4)}
        made.add(job.id)
        seen: list[str] = []
        page = client.fine_tuning.jobs.list(limit=2)
        while True:
            assert len(page.data) <= 2
            seen.extend(j.id for j in page.data)
            if not page.has_next_page():
                break
            page = page.get_next_page()
        assert sorted(seen) == sorted(made)  # each once
        events = client.fine_tuning.jobs.list_events(job.id, limit=50).data
        assert {"message", "metrics"} <= {event.type for event in events}
        checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
        assert checkpoints and checkpoints[0].fine_tuning_job_id == job.id
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    assert recorder.check_all("observed") > 20


def test_half_the_calls_meet_a_429_with_faults_at_one_half() -> None:
    recorder = Recorder()
    with served("--faults", "429=0.5", "--seed", "4") as (url, process):
        client = client_for(url, recorder)
        limited = 0
        for _ in range(40):
            try:
                client.fine_tuning.jobs.list(limit=1)
            except openai.RateLimitError as error:
                limited += 1
                assert int(error.response.headers["retry-after"]) >= 1
                assert isinstance(error.body, dict) and error.body["code"] == "rate_limit_exceeded"
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    assert 8 <= limited <= 32  # binomial(40, 0.5): outside this, far beyond 3.5 sigma
    assert recorder.check_all("published") == 40


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--speed", "0"], "--speed must be greater than 0"),
        (["--speed", "fast"], "--speed must be a number"),
        (["--port", "70000"], "--port must be from 0 to 65535"),
        (["--faults", "418=0.5"], "--faults: unknown fault '418'"),
        (["--faults", "429=2"], "between 0 and 1"),
        (["--profile", "nope"], "unknown profile 'nope'"),
        (["--seed", "x"], "--seed must be a whole number"),
        (["--failure-rate", "2"], "--failure-rate must be between 0 and 1"),
        (["--host", "no such host.invalid"], "cannot listen on"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    options: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", *options]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err


def test_a_port_in_use_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_faults_on_a_real_connection_and_serving_goes_on() -> None:
    with FakeJobsAPI("observed") as fake:
        jobs = fake.url + "/fine_tuning/jobs"
        with httpx.Client(headers=AUTH) as client:
            fake.faults.next("drop")
            with pytest.raises(httpx.RemoteProtocolError):
                client.get(jobs)
            fake.faults.next("truncated")
            with pytest.raises(httpx.RemoteProtocolError):
                client.get(jobs)
            response = client.get(jobs, headers={"X-Fake-Fault": "malformed"})
            assert response.status_code == 200
            with pytest.raises(ValueError):
                response.json()
            port = httpx.URL(fake.url).port
            assert port is not None
            with socket.create_connection(("127.0.0.1", port)) as raw:
                raw.sendall(b"GARBAGE / HTTP/1.1\r\nHost : x\r\n\r\n")
                assert raw.recv(100).startswith(b"HTTP/1.1 400")
            assert client.get(jobs).status_code == 200


def test_two_hundred_concurrent_clients_on_loopback() -> None:
    tls = ssl.create_default_context()  # made once: loading the CA bundle is slow

    async def one(url: str, number: int) -> list[int]:
        async with httpx.AsyncClient(headers=AUTH, timeout=60, verify=tls) as client:
            created = await client.post(
                url + "/fine_tuning/jobs",
                json={"model": MODEL, "training_file": "f", "metadata": {"n": str(number)}},
            )
            job = created.json()["id"]
            retrieved = await client.get(f"{url}/fine_tuning/jobs/{job}")
            listed = await client.get(url + "/fine_tuning/jobs", params={"limit": 5})
            events = await client.get(f"{url}/fine_tuning/jobs/{job}/events")
            assert retrieved.json()["id"] == job
            return [r.status_code for r in (created, retrieved, listed, events)]

    async def all_of(url: str) -> list[list[int]]:
        return await asyncio.gather(*(one(url, n) for n in range(200)))

    with FakeJobsAPI("observed", speed=50) as fake:
        statuses = asyncio.run(all_of(fake.url))
        assert len(fake.jobs) == 200
    assert statuses == [[200, 200, 200, 200]] * 200


def test_the_fixture_is_fresh_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx
        import pytest

        AUTH = {"Authorization": "Bearer sk-x"}

        @pytest.mark.parametrize("fake_jobs_api", ["observed"], indirect=True)
        def test_first(fake_jobs_api):
            assert fake_jobs_api.url.startswith("http://127.0.0.1:")
            assert fake_jobs_api.url.endswith("/v1")
            body = {"model": "m", "training_file": "f"}
            job = httpx.post(fake_jobs_api.url + "/fine_tuning/jobs", json=body, headers=AUTH)
            fake_jobs_api.clock.advance(20)
            assert fake_jobs_api.jobs[job.json()["id"]]["status"] == "running"
            assert fake_jobs_api.profile.name == "observed"
            assert len(fake_jobs_api.requests) == 1

        def test_second(fake_jobs_api):
            assert fake_jobs_api.jobs == {} and fake_jobs_api.requests == []
            assert fake_jobs_api.profile.name == "published"
            fake_jobs_api.faults.next("503")
            client = httpx.Client(transport=fake_jobs_api.transport(), headers=AUTH)
            assert client.get("http://x/v1/fine_tuning/jobs").status_code == 503
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_recorder_checks_what_it_kept() -> None:
    recorder = Recorder()
    request = httpx.Request("GET", "http://x/v1/fine_tuning/jobs/ftjob-1")
    recorder(httpx.Response(200, json={"id": "ftjob-1"}, request=request))
    with pytest.raises(AssertionError):
        recorder.check_all("published")
