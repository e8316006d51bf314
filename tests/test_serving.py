"""_serving: the one HTTP stack (uvicorn + h11) every server of the toolkit runs on."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import contract
from contract.testing._serving import Limits, Served, application, envelope, serving


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"path": request.url.path, "body": body.decode("latin-1")})


async def _boom(request: Request) -> Response:
    raise ValueError("the app broke on sk-proj-PLANTEDabcdefghijklmnop0123")


APP = application(
    [
        Route("/boom", _boom, methods=["GET"]),
        Route("/{path:path}", _echo, methods=["GET", "POST"]),
    ]
)


@pytest.fixture
def served() -> Any:
    with serving(APP, max_body=1024, timeout=0.5) as running:
        yield running


def _exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw``, end the sending side, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _envelope(response: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(response.partition(b"\r\n\r\n")[2])
    assert contract.is_valid(document, schema="ErrorResponse")
    return document


HEAD = b"POST /v1/x HTTP/1.1\r\nHost: t\r\n"


def test_url_is_loopback_and_the_app_answers(served: Served) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}"
    answer = httpx.post(f"{served.url}/v1/a", content=b"abc")
    assert answer.json() == {"path": "/v1/a", "body": "abc"}
    assert "server" not in answer.headers and "date" not in answer.headers


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (HEAD + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
        (HEAD + b"Content-Length : 3\r\n\r\nabc", 400),
        (HEAD + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (HEAD + b"Content-Length: 3, 4\r\n\r\nabcd", 400),
        (HEAD + b"Content-Length: -1\r\n\r\n", 400),
        (
            HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400,
        ),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400),
        (HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
        (HEAD + b"Content-Length: 10\r\n\r\nshort", 400),
        (HEAD + b"Content-Le", 400),
        (b"GARBAGE\r\n\r\n", 400),
        (HEAD + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (HEAD + b"Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n", 413),
    ],
    ids=[
        "space-before-colon-te",
        "space-before-colon-cl",
        "conflicting-lengths",
        "length-list",
        "length-negative",
        "chunked-and-length",
        "chunk-size-not-hex",
        "unknown-transfer-encoding",
        "body-short",
        "head-cut",
        "request-line-garbage",
        "huge-header",
        "declared-body-too-large",
    ],
)
def test_malformed_framing_is_refused_in_the_envelope_and_serving_goes_on(
    served: Served, capfd: pytest.CaptureFixture[str], raw: bytes, status: int
) -> None:
    response = _exchange(served.port, raw)
    assert _status(response) == status
    assert _envelope(response)["error"]["type"] == "server_error"
    assert b"100 Continue" not in response
    assert httpx.post(f"{served.url}/after", content=b"ok").json()["body"] == "ok"
    assert capfd.readouterr().err == ""


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from([b"Transfer-Encoding", b"Content-Length", b"X-Any"]),
    before=st.sampled_from([b" ", b"\t", b"  "]),
)
def test_any_whitespace_before_a_colon_is_400(name: bytes, before: bytes) -> None:
    with serving(APP) as running:
        raw = HEAD + name + before + b": 3\r\n\r\nabc"
        assert _status(_exchange(running.port, raw)) == 400


def test_huge_headers_in_pieces_are_431_and_a_huge_target_414(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(HEAD)
        for _ in range(40):  # sent slowly: h11 refuses the incomplete head
            try:
                sock.sendall(b"X-Pad: " + b"a" * 4096 + b"\r\n")
            except OSError:
                break
        answer = sock.recv(65536)
    assert _status(answer) == 431
    target = b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    assert _status(_exchange(served.port, target)) == 414
    assert httpx.get(f"{served.url}/still").status_code == 200


def test_bodies_past_the_cap_are_413_however_they_come(served: Served) -> None:
    assert httpx.post(f"{served.url}/a", content=b"x" * 1025).status_code == 413
    chunked = httpx.post(f"{served.url}/a", content=iter([b"x" * 600] * 2))
    assert (chunked.status_code, chunked.json()["error"]["code"]) == (413, "request_too_large")
    assert httpx.post(f"{served.url}/a", content=b"x" * 1024).json()["body"] == "x" * 1024


def test_an_app_error_is_a_500_envelope_and_one_redacted_line(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    answer = httpx.get(f"{served.url}/boom")
    assert (answer.status_code, answer.json()["error"]["code"]) == (500, "server_error")
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "ValueError" in err and "PLANTED" not in err
    assert httpx.get(f"{served.url}/fine").status_code == 200


def test_silent_clients_are_dropped_after_the_timeout(served: Served) -> None:
    for raw in (HEAD, HEAD + b"Content-Length: 10\r\n\r\nabc"):
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(raw)
            assert sock.recv(100) == b""  # closed, not answered


def test_a_dripping_client_is_dropped_at_the_deadline() -> None:
    with (
        serving(APP, timeout=5, deadline=0.5) as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock,
    ):
        sock.sendall(HEAD)
        stop = threading.Event()

        def drip() -> None:  # a byte every 50 ms: never silent, never done
            while not stop.wait(0.05):
                try:
                    sock.sendall(b"X")
                except OSError:
                    return

        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            assert sock.recv(100) == b""
        finally:
            stop.set()
            dripper.join()


def test_stop_ends_every_connection_and_the_thread_and_frees_the_port() -> None:
    before = set(threading.enumerate())
    running = Served(APP, limits=Limits(timeout=60)).start()
    port = running.port
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    slow.sendall(HEAD + b"Content-Length: 100\r\n\r\nonly a part")
    idle = httpx.Client()
    idle.get(f"{running.url}/x")
    try:
        running.stop()
        running.stop()
        assert [t for t in threading.enumerate() if t not in before] == []
        assert slow.recv(100) == b""
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("127.0.0.1", port))
        with pytest.raises(RuntimeError, match="not running"):
            running.url  # noqa: B018
    finally:
        slow.close()
        idle.close()


def test_stop_never_raises_whatever_state_it_is_in() -> None:
    Served(APP).stop()  # never started
    taken = Served(APP).start()
    try:
        clash = Served(APP, port=taken.port)
        with pytest.raises(OSError):
            clash.start()
        clash.stop()  # after a failed start
        assert not clash.running
    finally:
        taken.stop()


def test_concurrent_clients_are_all_answered() -> None:
    results: dict[int, int] = {}

    def call(n: int) -> None:
        results[n] = httpx.post(f"{url}/c", content=str(n).encode(), timeout=30).status_code

    with serving(APP) as running:
        url = running.url
        threads = [threading.Thread(target=call, args=(n,)) for n in range(60)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert results == dict.fromkeys(range(60), 200)


def test_envelope_is_the_api_error_shape_and_redacts() -> None:
    headers, body = envelope(418, "key sk-proj-PLANTEDabcdefghijklmnop0123 seen", error_type="t")
    document = json.loads(body)
    assert contract.is_valid(document, schema="ErrorResponse")
    assert "PLANTED" not in body.decode() and document["error"]["type"] == "t"
    assert (b"x-should-retry", b"false") in headers


def test_a_refused_client_still_sending_reads_its_answer_not_a_reset(served: Served) -> None:
    # The head is refused after 64 KiB while the client goes on sending half a MiB: closing
    # with those bytes unread would reset the connection before the client reads the 431.
    raw = b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Long: " + b"a" * (512 * 1024) + b"\r\n\r\n"
    response = _exchange(served.port, raw)
    assert _status(response) == 431
    assert _envelope(response)["error"]["code"] == "headers_too_large"
    assert httpx.get(served.url + "/echo").status_code == 200  # still serving


def test_a_refused_client_that_never_stops_is_hung_up_on(served: Served) -> None:
    # What is dropped after a refusal is bounded: the server hangs up (a reset or a broken
    # pipe for the client), it does not read forever nor stop reading (a timeout here).
    from contract.testing._serving import LINGER_BYTES

    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Long: " + b"a" * 70000)
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            for _ in range(32 * LINGER_BYTES // 65536):
                sock.sendall(b"a" * 65536)
