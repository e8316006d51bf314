"""Live mode against a real HTTP server on loopback (pytest-httpserver), never the internet."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from contract.testing import live
from tests.helpers import minimal_job

KEY = "sk-test-LIVEKEYnotReal0123456789"
JOB = "ftjob-live1"
PATH = f"/v1/fine_tuning/jobs/{JOB}/pause"


def base(httpserver: HTTPServer) -> str:
    return httpserver.url_for("/v1")


def test_conforming_response_and_the_request_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(minimal_job(id=JOB))
    result = live.check(JOB, api_key=KEY, base_url=base(httpserver))
    assert result.valid and result.violations == []
    assert result.interaction.status == 200 and result.interaction.job_id == JOB
    ((request, _),) = httpserver.log
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.get_data() == b""
    assert KEY not in repr(result)


def test_violations_and_job_id_mismatch(httpserver: HTTPServer) -> None:
    payload = minimal_job(id="ftjob-other", seed="7")
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(payload)
    result = live.check(JOB, api_key=KEY, base_url=base(httpserver))
    assert {(v.path, v.keyword) for v in result.violations} == {
        ("/seed", "type"),
        ("/id", "job-id"),
    }


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not-found"),
        (429, "rate-limited"),
        (500, "server-error"),
        (503, "server-error"),
        (400, "http-error"),
    ],
)
def test_error_statuses_are_reported_as_what_they_are(
    httpserver: HTTPServer, status: int, kind: str
) -> None:
    envelope = {
        "error": {
            "message": f"Incorrect API key provided: {KEY}.",
            "type": "invalid_request_error",
            "param": None,
            "code": "some_code",
        }
    }
    httpserver.expect_oneshot_request(PATH).respond_with_json(envelope, status=status)
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=KEY, base_url=base(httpserver))
    error = caught.value
    assert (error.kind, error.status) == (kind, status)
    assert error.message == (
        f"HTTP {status}: API error some_code: Incorrect API key provided: [REDACTED]."
    )
    assert KEY not in str(error)


def test_error_status_without_an_envelope(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_data(
        "<html>bad gateway</html>", status=502
    )
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=KEY, base_url=base(httpserver))
    assert (caught.value.kind, caught.value.message) == ("server-error", "HTTP 502")


def test_timeout(httpserver: HTTPServer) -> None:
    release, done = threading.Event(), threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        done.set()
        return Response(json.dumps(minimal_job(id=JOB)), content_type="application/json")

    httpserver.expect_oneshot_request(PATH).respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(live.LiveError) as caught:
            live.check(JOB, api_key=KEY, base_url=base(httpserver), timeout=0.2)
    finally:
        release.set()
        done.wait(5)  # the handler ends inside this test, not in the next one
    assert caught.value.kind == "timeout"
    assert "no response within 0.2 s" in caught.value.message
    assert time.monotonic() - started < 2


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", timeout=2)
    assert caught.value.kind == "connection"
    assert "ConnectError" in caught.value.message


@pytest.mark.parametrize(
    "url",
    ["http://api.openai.com/v1", "http://10.0.0.5:8080/v1", "ftp://127.0.0.1/v1", "no-scheme"],
)
def test_key_is_never_sent_over_plain_http_to_a_remote_host(url: str) -> None:
    with pytest.raises(live.InsecureURLError):
        live.check(JOB, api_key=KEY, base_url=url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:1/v1", "http://localhost:1/v1", "http://[::1]:1/v1", "https://x.example/v1"],
)
def test_loopback_and_https_are_allowed(url: str) -> None:
    live.ensure_safe_base_url(url)


def test_no_key_no_request(httpserver: HTTPServer) -> None:
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=None, base_url=base(httpserver))
    assert caught.value.kind == "no-api-key"
    assert httpserver.log == []


def test_redirects_are_not_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_data(
        "", status=307, headers={"Location": "https://elsewhere.example/steal"}
    )
    result = live.check(JOB, api_key=KEY, base_url=base(httpserver))
    assert [v.keyword for v in result.violations] == ["status"]
    assert len(httpserver.log) == 1


def test_a_body_that_does_not_match_its_content_encoding_is_a_bad_response(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"}, content_type="application/json"
    )
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=KEY, base_url=base(httpserver))
    assert caught.value.kind == "bad-response"
    assert "DecodingError" in caught.value.message


def test_the_recorded_request_headers_show_the_key_masked(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_json(minimal_job(id=JOB))
    result = live.check(JOB, api_key=KEY, base_url=base(httpserver))
    headers = dict(result.interaction.request_headers or [])
    assert headers["Authorization"] == "Bearer [REDACTED]"
    assert KEY not in repr(result.interaction.request_headers)
