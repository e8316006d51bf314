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
:mod:`contract.generate.strategies` and queue it.

Queued responses are served once each to pause calls only (method and path
template, under any base path): a response queued with ``job_id=`` goes only
to a pause of that job, the others first in first out to any pause call. The
reply is chosen, and the request recorded, under one lock when the request has
been read in full, so concurrent clients never get each other's replies. Any
other request gets a 404 error envelope; a pause call with nothing queued for
it gets a 500 error envelope with ``x-should-retry: false`` (so SDKs do not
retry it). Both are recorded.

Hostile clients: a malformed request gets a 400 envelope, a body over
``max_body`` bytes a 413, a client silent for ``timeout`` seconds is dropped;
:meth:`ContractServer.stop` shuts every open connection down and joins its
thread, and a request still in flight then (or across :meth:`~ContractServer.reset`)
gets a 503 and takes nothing from the queue.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from contract.checks import header
from contract.redact import redact, redact_headers
from contract.schema import operations
from contract.testing._server_http import Reply, Server, error_reply

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

    from contract.profiles import ProfileLike

#: Headers of every served pause response unless :meth:`ContractServer.serve` overrides them.
DEFAULT_HEADERS = (("Content-Type", "application/json"),)
#: Largest request body accepted, in bytes (larger: 413).
MAX_BODY = 1 << 20
#: Seconds a client may stay silent mid-request or between requests.
TIMEOUT = 10.0
#: Seconds :meth:`ContractServer.stop` waits for each connection thread.
_JOIN = 5.0


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
            f"job_id={redact(self.job_id) if self.job_id is not None else None!r})"
        )


def _paused_job(method: str, path: str) -> str | None:
    """The job a pause request names, or None for any other request."""
    return (operations.pause().path_parameters(method, path) or {}).get("fine_tuning_job_id")


def _encode(payload: Any) -> bytes:
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


class ContractServer:
    """The pause endpoint on ``host:port`` (port 0: any free port) under ``base_path``.

    ``max_body`` bounds request bodies (bytes); ``timeout`` is how long a
    client may stay silent (seconds).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        base_path: str = "/v1",
        *,
        max_body: int = MAX_BODY,
        timeout: float = TIMEOUT,
    ) -> None:
        stripped = base_path.strip("/")
        self.host = host
        self.base_path = f"/{stripped}" if stripped else ""
        self.max_body, self.timeout = max_body, timeout
        self._requested_port = port
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._queue: deque[tuple[str | None, Reply]] = deque()
        self._requests: list[RecordedRequest] = []
        self._generation = 0

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> ContractServer:
        """Start serving in a background thread (idempotent)."""
        if self._httpd is None:
            self._httpd = Server(
                (self.host, self._requested_port),
                self._answer,
                self._current_generation,
                max_body=self.max_body,
                read_timeout=self.timeout,
            )
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="contract-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end every connection and its thread, release the port (idempotent)."""
        if self._httpd is not None:
            with self._lock:
                self._generation += 1
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections(_JOIN)
            if self._thread is not None:
                self._thread.join(timeout=_JOIN)
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
        return operations.pause().url_for(self.url, job_id)

    # -- what to serve ------------------------------------------------------
    def serve(
        self,
        payload: Any,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        *,
        job_id: str | None = None,
    ) -> None:
        """Queue one response to the next pause call (of ``job_id`` only, when given).

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
            self._queue.append((job_id, Reply(status, pairs, _encode(payload))))

    def serve_conforming(
        self, data: DataObject, name: str = "FineTuningJob", *, profile: ProfileLike = None
    ) -> dict[str, Any]:
        """Draw a conforming payload from ``strategies.conforming(name)``, queue it, return it.

        ``profile`` (``"observed"``, ``"azure"``...) serves what that API really sends.
        """
        from contract.generate import strategies

        drawn = strategies.conforming(name, profile=profile)
        payload: dict[str, Any] = data.draw(drawn, label="served payload")
        self.serve(payload)
        return payload

    def serve_nonconforming(
        self, data: DataObject, name: str = "FineTuningJob", *, profile: ProfileLike = None
    ) -> Any:
        """Draw a ``strategies.nonconforming(name)`` mutant, queue its payload, return it.

        Under ``profile`` the mutant is invalid under that profile.
        """
        from contract.generate import strategies

        drawn = strategies.nonconforming(name, profile=profile)
        mutant = data.draw(drawn, label="served mutant")
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
        """Forget queued responses and recorded requests; requests in flight get a 503."""
        with self._lock:
            self._generation += 1
            self._queue.clear()
            self._requests.clear()

    def _current_generation(self) -> int:
        with self._lock:
            return self._generation

    def _answer(
        self,
        method: str,
        path: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        generation: int,
    ) -> Reply:
        """The reply to one request read in full (called from its connection thread)."""
        request = RecordedRequest(method, path, headers, body, _paused_job(method, path))
        with self._lock:
            if generation != self._generation:
                return error_reply(
                    503, "contract_server: stopped or reset during the request", "server_reset"
                )
            self._requests.append(request)
            if request.job_id is None:
                pause = operations.pause()
                return error_reply(
                    404,
                    f"contract_server serves only {pause.method} {pause.path}",
                    "not_found",
                )
            return self._take(request.job_id) or error_reply(
                500, "contract_server: no response queued", "no_response_queued"
            )

    def _take(self, job_id: str) -> Reply | None:
        """The oldest reply queued for ``job_id``, else the oldest for any job (lock held)."""
        chosen = next((i for i, (job, _) in enumerate(self._queue) if job == job_id), None)
        if chosen is None:
            chosen = next((i for i, (job, _) in enumerate(self._queue) if job is None), None)
        if chosen is None:
            return None
        _, reply = self._queue[chosen]
        del self._queue[chosen]
        return reply


__all__ = ["DEFAULT_HEADERS", "ContractServer", "RecordedRequest", "Reply"]
