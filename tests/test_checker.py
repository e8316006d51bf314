"""The Contract validator object, failure reports and the httpx event hook."""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest

import contract
from contract.reports import failure
from contract.testing.contract import Contract, ResponseContractViolation, httpx_hook
from contract.testing.server import ContractServer
from tests.helpers import minimal_job

KEY = "sk-test-CHECKERkey0123456789"
JSON = {"Content-Type": "application/json"}


def response_for(
    job_id: str, payload: object, status: int = 200, base: str = "https://api.openai.com/v1"
) -> httpx.Response:
    request = httpx.Request("POST", f"{base}/fine_tuning/jobs/{job_id}/pause")
    return httpx.Response(
        status, headers=JSON, content=json.dumps(payload).encode(), request=request
    )


def test_check_response_takes_parts_or_a_response() -> None:
    checker = Contract()
    body = json.dumps(minimal_job(id="ftjob-a"))
    assert checker.check_response(200, JSON, body, job_id="ftjob-a") == []
    assert checker.check_response(response_for("ftjob-a", minimal_job(id="ftjob-a"))) == []
    # The job id comes from the request URL...
    found = checker.check_response(response_for("ftjob-b", minimal_job(id="ftjob-a")))
    assert [(v.path, v.keyword) for v in found] == [("/id", "job-id")]
    # ...unless given.
    assert (
        checker.check_response(response_for("ftjob-b", minimal_job(id="ftjob-a")), job_id="ftjob-a")
        == []
    )


def test_response_without_a_request_is_checked_without_job_id() -> None:
    response = httpx.Response(200, headers=JSON, content=json.dumps(minimal_job()).encode())
    assert Contract().check_response(response) == []


def test_assert_response_raises_a_contract_violation_with_the_full_report() -> None:
    payload = minimal_job(id="ftjob-a", hyperparameters={"n_epochs": 51}, seed="x")
    response = response_for("ftjob-a", payload)
    with pytest.raises(contract.ContractViolation) as caught:
        Contract().assert_response(response)
    assert isinstance(caught.value, AssertionError)
    assert isinstance(caught.value, ResponseContractViolation)
    assert [v.path for v in caught.value.violations] == ["/hyperparameters/n_epochs", "/seed"]
    assert str(caught.value).splitlines() == [
        "POST https://api.openai.com/v1/fine_tuning/jobs/ftjob-a/pause -> 200",
        "2 contract violations:",
        "  /hyperparameters/n_epochs: 51 is greater than the maximum of 50 [FC106]",
        '  /seed: "x" is not of type integer [FC101]',
        '  body at /hyperparameters: {"n_epochs": 51}',
        '  body at <root>: {…, "seed": "x"}',
    ]


def test_reports_never_show_a_key() -> None:
    payload = minimal_job(id="ftjob-a", seed=KEY, organization_id=123)
    request = httpx.Request(
        "POST",
        "https://x.openai.azure.com/openai/v1/fine_tuning/jobs/ftjob-a/pause",
        params={"api-key": KEY},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    response = httpx.Response(
        200, headers=JSON, content=json.dumps(payload).encode(), request=request
    )
    with pytest.raises(ResponseContractViolation) as caught:
        Contract().assert_response(response)
    assert KEY not in str(caught.value)
    assert "api-key=[REDACTED]" in str(caught.value)
    # A key that does not look like one is masked when the Contract knows it.
    odd = "plainsecretvalue42"
    with pytest.raises(ResponseContractViolation) as caught:
        Contract(secrets=[odd]).assert_body(json.dumps(minimal_job(seed=odd)))
    assert odd not in str(caught.value)


def test_large_bodies_are_never_shown_whole() -> None:
    payload = minimal_job(result_files=[f"file-{n:05d}" for n in range(5000)], seed=-1.5)
    text = json.dumps(payload)
    report = failure.report(contract.check_body(text), body=text)
    assert len(text) > 50_000
    assert len(report) < 1000
    assert "file-04999" not in report
    assert "/seed: -1.5 is not of type integer" in report
    assert 'body at <root>: {…, "seed": -1.5}' in report


def test_syntax_errors_show_where() -> None:
    text = json.dumps(minimal_job())[:-40]
    report = failure.report(contract.check_body(text), body=text)
    assert "body near line 1 column" in report
    assert failure.excerpts(b"", []) == ["body is empty"]


def test_required_violation_shows_the_object_lacking_the_property() -> None:
    payload = minimal_job(method={"type": "supervised", "supervised": {}}, hyperparameters={})
    del payload["error"]
    lines = failure.excerpts(payload, contract.check_body(payload))
    assert lines[0].startswith('body at <root>: {"id": "ftjob-abc123", ')
    assert len(lines[0]) <= len("body at <root>: ") + failure.EXCERPT_CHARS


# -- the httpx hook --------------------------------------------------------------------


def test_hook_checks_pause_responses_through_a_client(contract_server: ContractServer) -> None:
    hook = httpx_hook()
    contract_server.serve(minimal_job(id="ftjob-ok"))
    contract_server.serve(minimal_job(id="ftjob-bad", status="paused"))
    with httpx.Client(event_hooks={"response": [hook]}) as client:
        assert client.post(contract_server.pause_url("ftjob-ok")).status_code == 200
        with pytest.raises(ResponseContractViolation, match='/status: "paused" is not one of'):
            client.post(contract_server.pause_url("ftjob-bad"))
        # Not pause calls, or API errors: left to the client.
        assert client.get(f"{contract_server.url}/models").status_code == 404
        assert client.post(contract_server.pause_url("ftjob-none")).status_code == 500
    assert hook.checked == 2
    assert [f.url for f in hook.findings] == [contract_server.pause_url("ftjob-bad")]


def test_hook_can_collect_instead_of_raising(contract_server: ContractServer) -> None:
    hook = Contract().httpx_hook(raise_on_violation=False)
    contract_server.serve(b"NaN", headers={"Content-Type": "application/json"})
    with httpx.Client(event_hooks={"response": [hook]}) as client:
        client.post(contract_server.pause_url("ftjob-x"))
    (finding,) = hook.findings
    assert (finding.status, [v.keyword for v in finding.violations]) == (200, ["json", "type"])


def test_async_hook(contract_server: ContractServer) -> None:
    hook = httpx_hook()
    contract_server.serve(minimal_job(id="ftjob-a"))
    contract_server.serve(minimal_job(id="ftjob-other"))

    async def run() -> None:
        async with httpx.AsyncClient(event_hooks={"response": [hook.async_hook]}) as client:
            await client.post(contract_server.pause_url("ftjob-a"))
            with pytest.raises(ResponseContractViolation, match="not the job the request paused"):
                await client.post(contract_server.pause_url("ftjob-b"))

    asyncio.run(run())
    assert hook.checked == 2


def test_hook_checks_an_sdk_without_rewriting_the_test(contract_server: ContractServer) -> None:
    """The SDK accepts a job with a string seed silently; the hook does not."""
    hook = httpx_hook()
    client = openai.OpenAI(
        api_key=KEY,
        base_url=contract_server.url,
        http_client=httpx.Client(event_hooks={"response": [hook]}),
    )
    contract_server.serve(minimal_job(id="ftjob-a"))
    assert client.fine_tuning.jobs.pause("ftjob-a").id == "ftjob-a"
    contract_server.serve(minimal_job(id="ftjob-a", seed="7"))
    with pytest.raises(contract.ContractViolation) as caught:
        client.fine_tuning.jobs.pause("ftjob-a")
    assert '/seed: "7" is not of type integer' in str(caught.value)
    assert KEY not in str(caught.value)
    assert hook.checked == 2
