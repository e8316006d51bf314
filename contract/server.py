"""A real HTTP server on loopback that plays the pause endpoint.

Point a client (the ``openai`` SDK, your own code) at :attr:`ContractServer.url`
and queue what it should answer; every request it receives is recorded so the
test can assert the client's request too. ::

    with ContractServer() as server:
        server.serve(payload)                          # 200, application/json
        client = openai.OpenAI(api_key="test", base_url=server.url)
        job = client.fine_tuning.jobs.pause(payload["id"])
        assert server.requests[0].header("authorization") == "Bearer test"

Inside a Hypothesis test, :meth:`ContractServer.serve_conforming` and
:meth:`ContractServer.serve_nonconforming` draw the payload from
:mod:`contract.strategies` and queue it.

Queued responses are served once each, first in first out, to pause calls
only (method and path template, under any base path). Any other request gets
a 404 error envelope; a pause call with nothing queued gets a 500 error
envelope with ``x-should-retry: false`` (so SDKs do not retry it). Both are
recorded.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any

from contract import pause_path
from contract.redact import redact, redact_headers
from contract.response import header

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

#: Headers of every served pause response unless :meth:`ContractServer.serve` overrides them.
DEFAULT_HEADERS = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, exactly as sent (``repr`` masks credentials)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    job_id: str | None

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        return header(self.headers, name)

    @property
    def is_pause(self) -> bool:
        return self.job_id is not None

    def __repr__(self) -> str:
        return (
            f"RecordedRequest(method={self.method!r}, path={redact(self.path)!r}, "
            f"headers={redact_headers(self.headers)!r}, body={redact(repr(self.body))}, "
            f"job_id={self.job_id!r})"
        )


@dataclass(frozen=True)
class Reply:
    """A queued response."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _encode(payload: Any) -> bytes:
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _error(status: int, message: str, code: str) -> Reply:
    body = {"error": {"message": message, "type": "contract_server", "param": None, "code": code}}
    return Reply(
        status,
        (("Content-Type", "application/json"), ("x-should-retry", "false")),
        _encode(body),
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        recorded = RecordedRequest(
            method=self.command,
            path=self.path,
            headers=tuple((k, v) for k, v in self.headers.items()),
            body=self._body(),
            job_id=pause_path.job_id(self.command, self.path),
        )
        reply = self.server.owner._reply_to(recorded)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: ContractServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class ContractServer:
    """The pause endpoint on ``host:port`` (port 0: any free port) under ``base_path``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, base_path: str = "/v1") -> None:
        stripped = base_path.strip("/")
        self.host = host
        self.base_path = f"/{stripped}" if stripped else ""
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> ContractServer:
        """Start serving in a background thread (idempotent)."""
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self._requested_port), self)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="contract-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> ContractServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("ContractServer is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client or SDK (``http://127.0.0.1:PORT/v1``)."""
        return f"http://{self.host}:{self.port}{self.base_path}"

    def pause_url(self, job_id: str) -> str:
        """The full pause URL of ``job_id`` on this server."""
        return pause_path.url_for(self.url, job_id)

    # -- what to serve ------------------------------------------------------
    def serve(
        self,
        payload: Any,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        """Queue one response to the next pause call.

        ``payload`` is JSON-encoded unless it is ``bytes`` or ``str``, which
        are sent as they are (for bodies that are not JSON at all).
        ``headers`` replace the default ``Content-Type: application/json``.
        """
        pairs: tuple[tuple[str, str], ...]
        if headers is None:
            pairs = DEFAULT_HEADERS
        else:
            items = headers.items() if isinstance(headers, Mapping) else headers
            pairs = tuple((str(k), str(v)) for k, v in items)
        with self._lock:
            self._queue.append(Reply(status, pairs, _encode(payload)))

    def serve_conforming(self, data: DataObject, name: str = "FineTuningJob") -> dict[str, Any]:
        """Draw a conforming payload from ``strategies.conforming(name)``, queue it, return it."""
        from contract import strategies

        payload: dict[str, Any] = data.draw(strategies.conforming(name), label="served payload")
        self.serve(payload)
        return payload

    def serve_nonconforming(self, data: DataObject, name: str = "FineTuningJob") -> Any:
        """Draw a ``strategies.nonconforming(name)`` mutant, queue its payload, return it."""
        from contract import strategies

        mutant = data.draw(strategies.nonconforming(name), label="served mutant")
        self.serve(mutant.payload)
        return mutant

    @property
    def pending(self) -> int:
        """How many queued responses have not been served yet."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget queued responses and recorded requests."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    def _reply_to(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            if request.job_id is None:
                return _error(
                    404,
                    f"contract_server serves only {pause_path.method()} {pause_path.template()}",
                    "not_found",
                )
            if not self._queue:
                return _error(500, "contract_server: no response queued", "no_response_queued")
            return self._queue.popleft()


__all__ = ["DEFAULT_HEADERS", "ContractServer", "RecordedRequest", "Reply"]
