"""ContractServer: a real loopback server playing the pause endpoint, and the SDK worked example."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.fine_tuning import FineTuningJob

import contract
from contract.testing.contract import Contract
from contract.testing.server import ContractServer
from tests.helpers import minimal_job


def test_openai_sdk_parses_every_conforming_payload(contract_server: ContractServer) -> None:
    """The worked example: fuzz a client (here the official SDK) end to end."""
    client = openai.OpenAI(api_key="sk-test-example", base_url=contract_server.url)

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def pause_returns_the_served_job(data: st.DataObject) -> None:
        payload = contract_server.serve_conforming(data)
        job = client.fine_tuning.jobs.pause(payload["id"])
        assert isinstance(job, FineTuningJob)
        assert job.to_dict(mode="json") == payload
        request = contract_server.requests[-1]
        assert (request.method, request.job_id) == ("POST", payload["id"])
        assert request.header("Authorization") == "Bearer sk-test-example"

    pause_returns_the_served_job()
    assert contract_server.pending == 0


def test_url_is_the_base_url_an_sdk_needs(contract_server: ContractServer) -> None:
    assert contract_server.url == f"http://127.0.0.1:{contract_server.port}/v1"
    assert (
        contract_server.pause_url("ftjob-a b")
        == f"{contract_server.url}/fine_tuning/jobs/ftjob-a%20b/pause"
    )
    with ContractServer(base_path="") as bare:
        assert bare.url == f"http://127.0.0.1:{bare.port}"


def test_responses_are_served_in_order_once_each(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job(id="ftjob-1"))
    contract_server.serve(b"{not json", status=200, headers={"Content-Type": "text/plain"})
    contract_server.serve(minimal_job(id="ftjob-3"), status=201)
    assert contract_server.pending == 3
    with httpx.Client() as client:
        first, second, third = (
            client.post(contract_server.pause_url(f"ftjob-{n}")) for n in (1, 2, 3)
        )
    assert (first.status_code, first.json()["id"], first.headers["content-type"]) == (
        200,
        "ftjob-1",
        "application/json",
    )
    assert (second.content, second.headers["content-type"]) == (b"{not json", "text/plain")
    assert (third.status_code, third.json()["id"]) == (201, "ftjob-3")
    assert [r.job_id for r in contract_server.requests] == ["ftjob-1", "ftjob-2", "ftjob-3"]


def test_nothing_queued_is_a_500_envelope_the_sdk_does_not_retry(
    contract_server: ContractServer,
) -> None:
    client = openai.OpenAI(api_key="sk-test-example", base_url=contract_server.url, max_retries=2)
    with pytest.raises(openai.InternalServerError, match="no response queued"):
        client.fine_tuning.jobs.pause("ftjob-abc")
    assert len(contract_server.requests) == 1


def test_other_requests_get_404_and_leave_the_queue_alone(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job())
    with httpx.Client() as client:
        response = client.get(contract_server.pause_url("ftjob-abc123"))
        other = client.post(
            f"{contract_server.url}/fine_tuning/jobs/ftjob-abc123/resume", json={"a": 1}
        )
    assert response.status_code == other.status_code == 404
    assert contract.is_valid(other.json(), schema="ErrorResponse")
    assert contract_server.pending == 1
    recorded = contract_server.requests[1]
    assert (recorded.method, recorded.path, recorded.body, recorded.is_pause) == (
        "POST",
        "/v1/fine_tuning/jobs/ftjob-abc123/resume",
        b'{"a":1}',
        False,
    )


def test_reset_forgets_queue_and_requests(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job())
    httpx.post(contract_server.pause_url("x"))
    contract_server.serve(minimal_job())
    contract_server.reset()
    assert (contract_server.pending, contract_server.requests) == (0, [])


def test_chunked_request_bodies_are_recorded(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job())
    httpx.post(contract_server.pause_url("ftjob-abc123"), content=iter([b"ab", b"cd"]))
    (request,) = contract_server.requests
    assert request.body == b"abcd"
    assert request.header("transfer-encoding") == "chunked"


def test_stop_releases_the_port() -> None:
    server = ContractServer().start()
    port = server.port
    server.stop()
    server.stop()  # idempotent
    assert not server.running
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))
    with pytest.raises(RuntimeError, match="not running"):
        server.url  # noqa: B018


def test_recorded_requests_repr_hides_credentials(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job())
    secret = "sk-test-SECRETsecret0123456"
    httpx.post(
        contract_server.pause_url("ftjob-abc123"), headers={"Authorization": f"Bearer {secret}"}
    )
    (request,) = contract_server.requests
    assert request.header("authorization") == f"Bearer {secret}"  # the test may assert it
    assert secret not in repr(request) and secret not in repr(contract_server.requests)


def _mutants_available() -> bool:
    from contract.generate import strategies

    try:
        strategies.nonconforming()
    except NotImplementedError:
        return False
    return True


def test_every_served_mutant_is_caught_by_the_contract(contract_server: ContractServer) -> None:
    if not _mutants_available():
        pytest.skip("strategies.nonconforming is not implemented yet")
    checker = Contract()

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def caught(data: st.DataObject) -> None:
        mutant: Any = contract_server.serve_nonconforming(data)
        response = httpx.post(contract_server.pause_url("ftjob-any"))
        # Status, headers and body as served; no job id, so only the mutation can fail it.
        found = checker.check_response(response.status_code, response.headers, response.content)
        assert found, mutant.description

    caught()


# -- hostile and concurrent clients ------------------------------------------------------

PAUSE = "/v1/fine_tuning/jobs/{}/pause"


def _post(port: int, job: str, results: dict[str, Any], barrier: threading.Barrier) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        barrier.wait(timeout=30)
        connection.request("POST", PAUSE.format(job), body=b"{}")
        response = connection.getresponse()
        results[job] = (response.status, json.loads(response.read()))
    finally:
        connection.close()


def _concurrently(port: int, jobs: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    barrier = threading.Barrier(len(jobs))
    threads = [threading.Thread(target=_post, args=(port, job, results, barrier)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_clients_each_get_the_reply_queued_for_their_job(
    contract_server: ContractServer,
) -> None:
    jobs = [f"ftjob-c{i}" for i in range(120)]
    for job in reversed(jobs):  # queued in the opposite order to their arrival
        contract_server.serve(minimal_job(id=job, seed=len(job)), job_id=job)
    results = _concurrently(contract_server.port, jobs)
    assert sorted(results) == sorted(jobs)
    assert all(status == 200 and body["id"] == job for job, (status, body) in results.items())
    assert contract_server.pending == 0
    assert sorted(r.job_id or "" for r in contract_server.requests) == sorted(jobs)


def test_concurrent_clients_share_the_fifo_queue_once_each_in_arrival_order(
    contract_server: ContractServer,
) -> None:
    for n in range(100):
        contract_server.serve(minimal_job(id=f"ftjob-reply{n}"))
    results = _concurrently(contract_server.port, [f"ftjob-c{i}" for i in range(100)])
    # The k-th request recorded got the k-th reply queued: recording and taking are one step.
    arrival = [r.job_id for r in contract_server.requests]
    assert len(arrival) == 100
    for k, job in enumerate(arrival):
        assert results[job] == (200, minimal_job(id=f"ftjob-reply{k}"))
    assert contract_server.pending == 0


def test_a_reply_for_one_job_is_never_given_to_another(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job(id="ftjob-mine"), job_id="ftjob-mine")
    other = httpx.post(contract_server.pause_url("ftjob-other"))
    assert (other.status_code, other.json()["error"]["code"]) == (500, "no_response_queued")
    mine = httpx.post(contract_server.pause_url("ftjob-mine"))
    assert (mine.status_code, mine.json()["id"]) == (200, "ftjob-mine")


def _exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw``, end the sending side, and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


HEAD = b"POST /v1/fine_tuning/jobs/ftjob-x/pause HTTP/1.1\r\nHost: t\r\n"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (HEAD + b"Content-Length: abc\r\n\r\n", 400),
        (HEAD + b"Content-Length: -1\r\n\r\n", 400),
        (HEAD + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (HEAD + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
        (HEAD + b"Content-Length: 10\r\n\r\nshort", 400),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 9000 + b"\r\n", 400),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nab\r\n", 400),
        (
            HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400,
        ),
        (HEAD + b"Transfer-Encoding: gzip\r\n\r\n", 501),
        (b"GARBAGE\r\n\r\n", 400),
        (b"POST /v1/fine_tuning/jobs/x/pause HTTP/9.x\r\n\r\n", 400),
        (b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        (HEAD + b"Transfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400),
        (HEAD + b"Content-Length : 2\r\n\r\nab", 400),
        (HEAD + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
    ],
    ids=[
        "length-not-a-number",
        "length-negative",
        "two-lengths",
        "length-huge",
        "body-short",
        "chunk-size-not-hex",
        "chunk-size-line-overlong",
        "chunk-truncated",
        "chunked-and-length",
        "unknown-transfer-encoding",
        "request-line-garbage",
        "bad-version",
        "uri-too-long",
        "space-before-colon-chunked",
        "space-before-colon-length",
        "header-too-long",
    ],
)
def test_malformed_requests_get_an_error_envelope_and_no_traceback(
    contract_server: ContractServer, capfd: pytest.CaptureFixture[str], raw: bytes, status: int
) -> None:
    contract_server.serve(minimal_job(id="ftjob-x"))
    response = _exchange(contract_server.port, raw)
    assert _status(response) == status
    envelope = json.loads(response.partition(b"\r\n\r\n")[2])
    assert contract.is_valid(envelope, schema="ErrorResponse")
    assert contract_server.pending == 1  # nothing was taken from the queue
    assert httpx.post(contract_server.pause_url("ftjob-x")).status_code == 200  # still serving
    assert capfd.readouterr().err == ""


def test_body_over_the_limit_is_413() -> None:
    with ContractServer(max_body=1024) as server:
        server.serve(minimal_job(id="ftjob-x"))
        big = httpx.post(server.pause_url("ftjob-x"), content=b"x" * 1025)
        assert (big.status_code, big.json()["error"]["code"]) == (413, "request_too_large")
        chunked = httpx.post(server.pause_url("ftjob-x"), content=iter([b"x" * 600] * 2))
        assert chunked.status_code == 413
        expect = _exchange(
            server.port, HEAD + b"Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
        )
        assert _status(expect) == 413 and b"100 Continue" not in expect
        assert (server.pending, server.requests) == (1, [])
        exact = httpx.post(server.pause_url("ftjob-x"), content=b"x" * 1024)
        assert exact.status_code == 200 and server.requests[0].body == b"x" * 1024


def _server_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.name.startswith("contract")]


def test_slow_and_idle_clients_do_not_outlive_stop() -> None:
    before = set(threading.enumerate())
    server = ContractServer(timeout=60).start()
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(HEAD + b"Content-Length: 100\r\n\r\nonly a part")  # then silence
    idle = httpx.Client()  # a kept-alive connection after one answered request
    idle.post(server.pause_url("ftjob-x"))
    assert len(_server_threads(before)) == 1  # one thread serves every connection
    try:
        server.stop()
        assert _server_threads(before) == []
        assert slow.recv(100) == b""  # the server closed the slow client's connection
        assert len(server.requests) == 1  # the idle client's; the slow one never finished
    finally:
        slow.close()
        idle.close()


def test_stop_never_raises_after_a_failed_start() -> None:
    with ContractServer() as taken:
        clash = ContractServer(port=taken.port)
        with pytest.raises(OSError):
            clash.start()
        clash.stop()
        clash.stop()
        assert not clash.running
        assert httpx.post(taken.pause_url("x")).status_code == 500  # the other one still serves


def test_kept_bodies_have_a_total_budget_and_the_rest_is_dropped_with_a_note() -> None:
    with ContractServer(keep_bodies=1000) as server:
        for n in range(5):
            server.serve(minimal_job())
            httpx.post(server.pause_url(f"ftjob-{n}"), content=b"x" * 300)
        requests = server.requests
        assert [len(r.body) for r in requests] == [300, 300, 300, 0, 0]
        assert [bool(r.note) for r in requests] == [False, False, False, True, True]
        assert "300 bytes dropped" in requests[3].note
        assert [r.job_id for r in requests] == [f"ftjob-{n}" for n in range(5)]
        server.reset()  # the budget is for what is kept now
        server.serve(minimal_job())
        httpx.post(server.pause_url("ftjob-again"), content=b"y" * 300)
        assert server.requests[0].body == b"y" * 300


def test_a_silent_client_is_dropped_after_the_timeout() -> None:
    with ContractServer(timeout=0.2) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(HEAD)  # headers never finished
            assert sock.recv(100) == b""
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(HEAD + b"Content-Length: 10\r\n\r\nabc")  # body never finished
            assert sock.recv(100) == b""
        assert server.requests == []


def test_a_request_in_flight_across_reset_takes_nothing(contract_server: ContractServer) -> None:
    with socket.create_connection(("127.0.0.1", contract_server.port), timeout=10) as sock:
        sock.sendall(HEAD + b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 100")  # the request has begun
        contract_server.reset()
        contract_server.serve(minimal_job(id="ftjob-next"))
        sock.sendall(b"{}")
        response = sock.recv(65536)
    assert _status(response) == 503
    assert (contract_server.pending, contract_server.requests) == (1, [])
