"""ContractServer: a real loopback server playing the pause endpoint, and the SDK worked example."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.fine_tuning import FineTuningJob

import contract
from contract.checker import Contract
from contract.server import ContractServer
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
    from contract import strategies

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
