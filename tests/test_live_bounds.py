"""The live check ends in a LiveError of its own kind, whatever the server sends.

A tiny raw-socket server on loopback plays the hostile answers: one that never
ends, one that announces 10 GiB, decompression bombs, and one that sends a
byte every few seconds. Each call must end in its own ``LiveError`` subclass,
never ``MemoryError`` and never a hang.
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Callable, Iterator

import pytest

from contract.testing import live

KEY = "sk-test-BOUNDSkeyNotReal0123456789"
JOB = "ftjob-bounds1"

Script = Callable[[socket.socket], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Script], str]]:
    """Start a one-connection-at-a-time server running ``script`` on each connection."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(script: Script) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        listeners.append(listener)

        def run() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with conn:
                    conn.settimeout(10)
                    try:
                        _read_request(conn)
                        script(conn)
                    except OSError:
                        pass  # the client hung up: what a bounded client does

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/v1"

    yield start
    stop.set()
    for thread in threads:
        thread.join(5)
    for listener in listeners:
        listener.close()


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        part = conn.recv(4096)
        if not part:
            raise OSError("no request")
        data += part


def _head(*lines: str) -> bytes:
    return ("HTTP/1.1 200 OK\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode()


def _never_ending_chunked(conn: socket.socket) -> None:
    conn.sendall(_head("Content-Type: application/json", "Transfer-Encoding: chunked"))
    chunk = b"%x\r\n%s\r\n" % (1 << 16, b" " * (1 << 16))
    for _ in range(100_000):  # 6.5 GB if nobody stops reading
        conn.sendall(chunk)


def _huge_content_length(conn: socket.socket) -> None:
    conn.sendall(_head("Content-Type: application/json", f"Content-Length: {10 << 30}"))
    for _ in range(100_000):
        conn.sendall(b" " * (1 << 16))


def _bomb(encoding: str, body: bytes) -> Script:
    def script(conn: socket.socket) -> None:
        conn.sendall(
            _head(
                "Content-Type: application/json",
                f"Content-Encoding: {encoding}",
                f"Content-Length: {len(body)}",
            )
            + body
        )

    return script


def _drip(every: float) -> Script:
    def script(conn: socket.socket) -> None:
        conn.sendall(_head("Content-Type: application/json", "Content-Length: 100000"))
        for _ in range(100_000):
            conn.sendall(b" ")
            if stopped(conn, every):
                return

    return script


def _drip_head(every: float) -> Script:
    """The status line and headers themselves, a byte at a time (never a complete head)."""

    def script(conn: socket.socket) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60_000:
            conn.sendall(bytes([byte]))
            if stopped(conn, every):
                return

    return script


def stopped(conn: socket.socket, wait: float) -> bool:
    """Wait ``wait`` seconds, or less if the client hung up (then True)."""
    conn.settimeout(wait)
    try:
        return conn.recv(1) == b""
    except TimeoutError:
        return False
    finally:
        conn.settimeout(10)


_ZEROS = 64 << 20  # inflates to 64 MiB; each cap below is 1 MiB


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    step = b"\0" * (1 << 20)
    return b"".join(compressor.compress(step) for _ in range(_ZEROS >> 20)) + compressor.flush()


def _deflate_bomb() -> bytes:
    compressor = zlib.compressobj(9)
    step = b"\0" * (1 << 20)
    return b"".join(compressor.compress(step) for _ in range(_ZEROS >> 20)) + compressor.flush()


def test_a_never_ending_chunked_answer_is_too_large(serve: Callable[[Script], str]) -> None:
    url = serve(_never_ending_chunked)
    with pytest.raises(live.BodyTooLargeError) as caught:
        live.check(JOB, api_key=KEY, base_url=url, max_body=1 << 20)
    assert caught.value.kind == "too-large"
    assert str(1 << 20) in caught.value.message


def test_a_huge_content_length_is_refused_before_reading(serve: Callable[[Script], str]) -> None:
    url = serve(_huge_content_length)
    with pytest.raises(live.BodyTooLargeError) as caught:
        live.check(JOB, api_key=KEY, base_url=url)
    assert caught.value.kind == "too-large"
    assert f"Content-Length {10 << 30}" in caught.value.message


@pytest.mark.parametrize(
    ("encoding", "make"),
    [
        ("gzip", _gzip_bomb),
        ("x-gzip", _gzip_bomb),
        ("deflate", _deflate_bomb),
        ("gzip, gzip", lambda: gzip.compress(_gzip_bomb())),
    ],
)
def test_a_decompression_bomb_is_refused_at_the_cap(
    serve: Callable[[Script], str], encoding: str, make: Callable[[], bytes]
) -> None:
    body = make()
    assert len(body) < 1 << 20  # the body as sent is within the cap: only inflating passes it
    url = serve(_bomb(encoding, body))
    with pytest.raises(live.InflatedTooLargeError) as caught:
        live.check(JOB, api_key=KEY, base_url=url, max_inflated=1 << 20)
    assert caught.value.kind == "inflated-too-large"
    assert encoding in caught.value.message


def test_a_small_gzip_answer_within_the_caps_is_read(serve: Callable[[Script], str]) -> None:
    body = b'{"object": "fine_tuning.job"}'
    url = serve(_bomb("gzip", gzip.compress(body)))
    result = live.check(JOB, api_key=KEY, base_url=url, max_body=100, max_inflated=100)
    assert result.interaction.body == body


def test_a_body_one_byte_past_the_inflated_cap_is_refused(serve: Callable[[Script], str]) -> None:
    body = b"x" * 101
    url = serve(_bomb("gzip", gzip.compress(body)))
    with pytest.raises(live.InflatedTooLargeError):
        live.check(JOB, api_key=KEY, base_url=url, max_inflated=100)


def test_a_byte_every_few_seconds_ends_at_the_deadline(serve: Callable[[Script], str]) -> None:
    url = serve(_drip(every=3))
    with pytest.raises(live.DeadlineError) as caught:
        live.check(JOB, api_key=KEY, base_url=url, deadline=1)
    assert caught.value.kind == "deadline"
    assert "within 1 s" in caught.value.message


def test_a_head_sent_a_byte_at_a_time_ends_at_the_deadline(serve: Callable[[Script], str]) -> None:
    url = serve(_drip_head(every=0.05))
    with pytest.raises(live.DeadlineError):
        live.check(JOB, api_key=KEY, base_url=url, deadline=1)


def test_every_bound_is_a_live_error_and_names_no_key(serve: Callable[[Script], str]) -> None:
    url = serve(_never_ending_chunked)
    with pytest.raises(live.LiveError) as caught:
        live.check(JOB, api_key=KEY, base_url=url, max_body=1 << 16)
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("name", ["deadline", "max_body", "max_inflated", "timeout"])
def test_bounds_must_be_positive(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        live.check(JOB, api_key=KEY, base_url="http://127.0.0.1:1/v1", **{name: 0})
