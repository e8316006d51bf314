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
:mod:`contract.generate.strategies` and queue it, under the server's
:attr:`~ContractServer.profile`: the one given, else the run's settings
(environment, nearest ``pyproject.toml``'s ``[tool.finetune-contract]``; see
:func:`contract.profiles.settings`), else ``published``. The
``contract_server`` fixture gives it the pytest run's profile.

Queued responses are served once each to pause calls only (method and path
template, under any base path): a response queued with ``job_id=`` goes only
to a pause of that job, the others first in first out to any pause call. The
reply is chosen, and the request recorded, under one lock when the request has
been read in full, so concurrent clients never get each other's replies. Any
other request gets a 404 error envelope; a pause call with nothing queued for
it gets a 500 error envelope with ``x-should-retry: false`` (so SDKs do not
retry it). Both are recorded.

The server runs on :mod:`contract.testing._serving` (uvicorn's h11
protocol), so hostile clients meet a well-kept HTTP server: malformed framing
(whitespace before a header's colon, conflicting lengths, a bad chunk) gets a
400 envelope, a body over ``max_body`` bytes a 413, a client silent for
``timeout`` seconds is dropped; :meth:`ContractServer.stop` ends every open
connection and its thread and never raises, and a request still in flight then
(or across :meth:`~ContractServer.reset`) gets a 503 and takes nothing from
the queue.

Memory: the request bodies the server keeps add up to at most ``keep_bodies``
bytes; past that, a recorded request keeps its method, path and headers but
its body is dropped, and its :attr:`RecordedRequest.note` says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from contract.checks import header
from contract.profiles import coerce, configured
from contract.redact import redact, redact_headers
from contract.schema import operations
from contract.testing import _server_http
from contract.testing._scripted import Script, encode, header_pairs
from contract.testing._server_http import Reply, error_reply
from contract.testing._serving import Limits, Served

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

    from contract.profiles import Profile, ProfileLike

#: Headers of every served pause response unless :meth:`ContractServer.serve` overrides them.
DEFAULT_HEADERS = (("Content-Type", "application/json"),)
#: Largest request body accepted, in bytes (larger: 413).
MAX_BODY = 1 << 20
#: Seconds a client may stay silent mid-request or between requests.
TIMEOUT = 10.0
#: Bytes of request bodies kept in :attr:`ContractServer.requests`, all requests together.
KEEP_BODIES = 64 << 20


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, exactly as sent (``repr`` masks credentials)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    job_id: str | None
    #: Why the body is missing (kept bodies past the server's memory budget), else "".
    note: str = ""

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
            f"job_id={redact(repr(self.job_id))}, note={self.note!r})"
        )


def _paused_job(method: str, path: str) -> str | None:
    """The job a pause request names, or None for any other request."""
    return (operations.pause().path_parameters(method, path) or {}).get("fine_tuning_job_id")


#: The one operation the server plays.
_PAUSE = "pauseFineTuningJob"


class ContractServer:
    """The pause endpoint on ``host:port`` (port 0: any free port) under ``base_path``.

    ``max_body`` bounds request bodies (bytes); ``timeout`` is how long a
    client may stay silent (seconds); ``keep_bodies`` bounds the bodies kept
    in :attr:`requests`, all together (bytes). ``profile`` is what
    :meth:`serve_conforming` and :meth:`serve_nonconforming` draw under when
    not told: the one given, else the run's settings
    (:func:`contract.profiles.configured`: environment, nearest
    ``pyproject.toml``), else ``published``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        base_path: str = "/v1",
        *,
        max_body: int = MAX_BODY,
        timeout: float = TIMEOUT,
        keep_bodies: int = KEEP_BODIES,
        profile: ProfileLike = None,
    ) -> None:
        #: The profile served payloads are drawn under when a ``serve_*`` call names none.
        self.profile: Profile = coerce(profile) if profile is not None else configured()[0]
        stripped = base_path.strip("/")
        self.host = host
        self.base_path = f"/{stripped}" if stripped else ""
        self.max_body, self.timeout, self.keep_bodies = max_body, timeout, keep_bodies
        self._requested_port = port
        self._served: Served | None = None
        self._lock = threading.Lock()
        #: The queued replies: the fake's scripted-reply queue (:mod:`contract.testing._scripted`).
        self._queue: Script[Reply] = Script()
        self._requests: list[RecordedRequest] = []
        self._kept = 0
        #: Requests whose head arrived before this (``monotonic_ns``) get a 503.
        self._reset_at = 0

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> ContractServer:
        """Start serving in a background thread (idempotent)."""
        if self._served is None:
            limits = Limits(
                max_body=self.max_body,
                timeout=self.timeout,
                error_type=_server_http.ERROR_TYPE,
            )
            served = Served(
                _server_http.app(self._answer),
                self.host,
                self._requested_port,
                limits=limits,
                name="contract-server",
            )
            served.start()  # raises (and cleans up) when it cannot start
            self._served = served
        return self

    def stop(self) -> None:
        """Stop serving, end every connection and its thread, release the port.

        Idempotent, and it never raises (also after a failed :meth:`start`).
        """
        served, self._served = self._served, None
        with self._lock:
            self._reset_at = time.monotonic_ns()
        if served is not None:
            served.stop()

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
        return self._served is not None

    @property
    def port(self) -> int:
        if self._served is None:
            raise RuntimeError("ContractServer is not running; call start() first")
        return self._served.port

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
        pairs = DEFAULT_HEADERS if headers is None else header_pairs(headers)
        self._queue.push(_PAUSE, Reply(status, pairs, encode(payload)), job_id)

    def serve_conforming(
        self, data: DataObject, name: str = "FineTuningJob", *, profile: ProfileLike = None
    ) -> dict[str, Any]:
        """Draw a conforming payload from ``strategies.conforming(name)``, queue it, return it.

        ``profile`` (``"observed"``, ``"azure"``...) serves what that API really
        sends; by default the server's :attr:`profile`.
        """
        from contract.generate import strategies

        drawn = strategies.conforming(name, profile=self.profile if profile is None else profile)
        payload: dict[str, Any] = data.draw(drawn, label="served payload")
        self.serve(payload)
        return payload

    def serve_nonconforming(
        self, data: DataObject, name: str = "FineTuningJob", *, profile: ProfileLike = None
    ) -> Any:
        """Draw a ``strategies.nonconforming(name)`` mutant, queue its payload, return it.

        Under ``profile`` (by default the server's :attr:`profile`) the mutant
        is invalid under that profile.
        """
        from contract.generate import strategies

        drawn = strategies.nonconforming(name, profile=self.profile if profile is None else profile)
        mutant = data.draw(drawn, label="served mutant")
        self.serve(mutant.payload)
        return mutant

    @property
    def pending(self) -> int:
        """How many queued responses have not been served yet."""
        return self._queue.pending()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget queued responses and recorded requests; requests in flight get a 503."""
        with self._lock:
            self._reset_at = time.monotonic_ns()
            self._queue.clear()
            self._requests.clear()
            self._kept = 0

    def _answer(
        self,
        method: str,
        path: str,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        arrived: int,
    ) -> Reply:
        """The reply to one request read in full (called on the server's thread)."""
        job_id = _paused_job(method, path)
        with self._lock:
            if arrived <= self._reset_at:
                return error_reply(
                    503, "contract_server: stopped or reset during the request", "server_reset"
                )
            note = ""
            if self._kept + len(body) > self.keep_bodies:
                note = (
                    f"body of {len(body)} bytes dropped: the server keeps at most "
                    f"{self.keep_bodies} bytes of request bodies"
                )
                body = b""
            self._kept += len(body)
            request = RecordedRequest(method, path, headers, body, job_id, note)
            self._requests.append(request)
            if request.job_id is None:
                pause = operations.pause()
                return error_reply(
                    404,
                    f"contract_server serves only {pause.method} {pause.path}",
                    "not_found",
                )
            # Taken under the server's lock: recording and taking are one step.
            return self._queue.take(_PAUSE, request.job_id) or error_reply(
                500, "contract_server: no response queued", "no_response_queued"
            )


__all__ = ["DEFAULT_HEADERS", "KEEP_BODIES", "ContractServer", "RecordedRequest", "Reply"]
