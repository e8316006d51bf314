"""A validating proxy: forwards every call to the real API and checks the jobs calls as they pass.

::

    with Proxy("https://api.openai.com/v1", record="calls.har") as proxy:
        client = openai.OpenAI(base_url=proxy.url)   # the key goes to the upstream only
        client.fine_tuning.jobs.retrieve("ftjob-abc123")
    assert proxy.findings == []

Every call goes to ``upstream`` and every answer comes back unchanged:
status, headers (hop-by-hop ones excepted) and body bytes; calls outside the
jobs family stream through and are counted. Each answered call of a jobs
operation is checked as ``finetune-contract check`` checks a recorded call
(the response; the request and the session too when
:mod:`contract.checks.requests` and :mod:`contract.checks.sessions` are
installed, see :mod:`contract.testing._proxy_checks`) on the server's event
loop right after its answer has gone (a checking thread fought the server for
the GIL and added milliseconds per call); HAR entries are written on a thread.

An upstream that cannot be reached (refused, timed out, TLS) is answered with
a 502 in the API's error envelope and is a finding (keyword ``upstream``); a
malformed upstream body is a finding, never a crash. ``record`` writes every
call to a HAR 1.2 file as it goes (see :mod:`contract.testing._har_writer`),
credentials masked and key shapes in bodies redacted;
``finetune-contract check`` of that file then finds what the proxy found
(upstream errors excepted: HAR records them as calls with no answer).

The client's key is sent to ``upstream`` and nowhere else: never over plain
``http://`` except to loopback (:class:`~contract.testing.live.InsecureURLError`
at construction), redirects are passed back to the client rather than
followed, and every finding, note and HAR entry is redacted with the
credentials the calls carried.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contract.config import Strict
from contract.profiles import ProfileLike
from contract.recordings import Interaction
from contract.redact import for_terminal, redact, redact_headers
from contract.schema import operations
from contract.testing import _har_writer, _threads
from contract.testing._proxy_checks import Check, Exchange, checks
from contract.testing._proxy_http import credentials, end_to_end, inflated, upstream_error
from contract.testing._serving import Limits, Served, application, envelope
from contract.testing.live import ensure_safe_base_url
from contract.violations import Violation

#: Largest request body forwarded (bytes; larger: 413).
MAX_BODY = 32 << 20
#: Largest answer of a jobs call checked (bytes, as sent and as inflated); larger is a finding.
MAX_RESPONSE = 32 << 20
#: Seconds to wait for the upstream to connect and to answer.
TIMEOUT = 60.0
#: HAR entries :attr:`Proxy.har` keeps in memory (the file, when recording, keeps all).
KEEP_ENTRIES = 1000
#: Bytes of a passed-through body kept for the HAR entry.
_KEEP_PASSED = 1 << 20
_ERROR_TYPE = "proxy_error"
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one call that passed (already redacted)."""

    label: str
    method: str
    url: str
    status: int | None
    violation: Violation

    def line(self) -> str:
        """``interaction[3] POST https://…/pause -> 200: /status: …`` (for a terminal)."""
        answer = self.status if self.status is not None else "no answer"
        text = f"{self.label} {self.method} {self.url} -> {answer}: {self.violation}"
        return for_terminal(text)

    def as_dict(self) -> dict[str, Any]:
        """The finding as one JSON Lines record."""
        return {
            "interaction": self.label,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            **self.violation.as_dict(),
        }


@dataclass
class _Call:
    """What the server thread hands the checking thread about one call."""

    started: float
    elapsed: float
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    jobs_call: bool = False
    error: str = ""
    truncated: bool = False


class Proxy:
    """A validating proxy to ``upstream`` on ``host:port`` (port 0: any free port).

    ``profile`` and ``strict`` are as for ``finetune-contract check``;
    ``record`` is a HAR file to write; ``requests`` and ``sessions`` turn the
    request and session checks off when False; ``on_finding`` is called with
    each :class:`Finding` as it is found and ``on_note`` with other lines worth
    a person's eye (on the server's thread: keep them quick).
    """

    def __init__(
        self,
        upstream: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        profile: ProfileLike = None,
        strict: Strict = "off",
        record: str | os.PathLike[str] | None = None,
        requests: bool = True,
        sessions: bool = True,
        on_finding: Callable[[Finding], None] | None = None,
        on_note: Callable[[str], None] | None = None,
        timeout: float = TIMEOUT,
        max_body: int = MAX_BODY,
        max_response: int = MAX_RESPONSE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        ensure_safe_base_url(upstream)
        parts = urlsplit(upstream)
        self.upstream = upstream
        self.host, self._requested_port = host, port
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        self.timeout, self.max_response = timeout, max_response
        self.record = record
        self._checks: list[Check] = checks(profile, strict, requests=requests, sessions=sessions)
        self._on_finding, self._on_note = on_finding, on_note
        self._limits = Limits(max_body=max_body, timeout=10.0, error_type=_ERROR_TYPE)
        self._transport = transport
        self._client: httpx.Client | None = None
        self._served: Served | None = None
        self._har: _har_writer.HarWriter | None = None
        self._lock = threading.Lock()
        #: Entries for the HAR file, written on a thread of their own (redacting one costs ms).
        self._queue: queue.Queue[tuple[str, _Call, bytes, tuple[str, ...]] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._findings: list[Finding] = []
        #: The last calls, kept to build :attr:`har` on demand: (label, call, body, secrets).
        self._kept: deque[tuple[str, _Call, bytes, tuple[str, ...]]] = deque(maxlen=KEEP_ENTRIES)
        self._secrets: set[str] = set()
        self.calls = self.checked = self.passed_through = self.upstream_errors = 0
        #: Calls that have arrived and are not checked yet.
        self._in_flight = 0

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> Proxy:
        """Open the HAR file, start checking and serving (idempotent).

        Raises :class:`OSError` when the address cannot be bound or the HAR
        file cannot be written.
        """
        if self._served is not None:
            return self
        if self.record is not None and self._har is None:
            self._har = _har_writer.HarWriter(self.record, f"recorded through {self.upstream}")
            self._worker = threading.Thread(target=self._write, name="contract-proxy-har")
            self._worker.daemon = True
            self._worker.start()
        self._client = self._open_client()
        served = Served(
            self._app(), self.host, self._requested_port, limits=self._limits, name="contract-proxy"
        )
        try:
            served.start()
        except BaseException:
            self.stop()
            raise
        self._served = served
        return self

    def stop(self) -> None:
        """Stop serving, finish checking what passed, close the HAR file (never raises)."""
        served, self._served = self._served, None
        if served is not None:
            served.stop()
        with self._lock:
            self._in_flight = 0  # calls cut short by the stop are never checked
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
        worker, self._worker = self._worker, None
        if worker is not None and worker.is_alive():
            self._queue.put(None)
            worker.join(30)
        if self._har is not None:
            with contextlib.suppress(OSError):
                self._har.close()
            self._har = None

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._served is not None

    @property
    def port(self) -> int:
        if self._served is None:
            raise RuntimeError("Proxy is not running; call start() first")
        return self._served.port

    @property
    def url(self) -> str:
        """The base URL to give a client: ``http://127.0.0.1:PORT`` plus the upstream's path."""
        if self._served is None:
            raise RuntimeError("Proxy is not running; call start() first")
        return self._served.url + self._base_path

    # -- what passed --------------------------------------------------------------------
    def wait(self, timeout: float = 30.0) -> None:
        """Wait until every call that has passed has been checked (and recorded)."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            with self._lock:
                if not self._in_flight and not self._queue.unfinished_tasks:
                    return
            time.sleep(0.005)

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far, oldest first (waits for the calls still being checked)."""
        self.wait()
        with self._lock:
            return list(self._findings)

    @property
    def har(self) -> dict[str, Any]:
        """The HAR 1.2 document of the calls so far (the last :data:`KEEP_ENTRIES`), redacted."""
        self.wait()
        with self._lock:
            kept = list(self._kept)
        entries = [self._entry(*item) for item in kept]
        creator = {"name": "finetune-contract proxy", "version": "1"}
        return {"log": {"version": "1.2", "creator": creator, "entries": entries}}

    # -- the server side (its own thread and event loop) --------------------------------------
    def _app(self) -> Any:
        route = Route("/{path:path}", self._forward, methods=_METHODS)
        return application([route], error_type=_ERROR_TYPE)

    def _open_client(self) -> httpx.Client:
        # The synchronous client, called on daemon threads: on a busy machine it adds far
        # less latency per call than httpx's AsyncClient does.
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        return httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            transport=self._transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def _forward(self, request: Request) -> Response:
        started, began = time.time(), time.perf_counter()
        body = await request.body()
        with self._lock:
            self._in_flight += 1  # until it is checked (a client gone mid-body never counts)
        raw = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        target = (raw + (b"?" + query if query else b"")).decode("latin-1")
        url = self._origin + target
        incoming = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]]
        call = _Call(started, 0.0, request.method, url, incoming, body)
        call.jobs_call = operations.route(request.method, url) is not None
        client = self._client
        if client is None:
            return self._failed(call, began, "upstream_error", "the proxy is stopping")
        outgoing = end_to_end(incoming, drop=frozenset({"host", "content-length"}))
        try:
            answer = await _threads.run(self._exchange, client, call, outgoing)
        except httpx.HTTPError as error:
            return self._failed(call, began, *upstream_error(error, self.timeout))
        headers = call.headers
        chunked = any(k.lower() == "transfer-encoding" for k, _ in headers)
        drop = frozenset({"content-length"}) if chunked or call.jobs_call else frozenset()
        forwarded = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in end_to_end(headers, drop=drop)
        ]
        if answer is not None:  # outside the jobs family: streamed through
            return self._streamed(call, began, answer, forwarded, asyncio.get_running_loop())
        if call.truncated:
            message = f"the upstream's answer is larger than {self.max_response} bytes"
            return self._failed(call, began, "upstream_too_large", message)
        call.elapsed = time.perf_counter() - began
        response = Response(call.body, call.status, background=BackgroundTask(self._later, call))
        response.raw_headers = [*forwarded, (b"content-length", str(len(call.body)).encode())]
        return response

    def _exchange(
        self, client: httpx.Client, call: _Call, outgoing: list[tuple[str, str]]
    ) -> httpx.Response | None:
        """Send the call upstream (on a worker thread); read a jobs answer in full (capped).

        Returns the open response of a call outside the jobs family, to stream.
        """
        sent = client.build_request(
            call.method, call.url, headers=outgoing, content=call.request_body
        )
        answer = client.send(sent, stream=True)
        call.status, call.reason = answer.status_code, answer.reason_phrase
        call.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.headers.raw]
        if not call.jobs_call:
            return answer
        kept = bytearray()
        try:
            for chunk in answer.iter_raw():
                kept += chunk
                if len(kept) > self.max_response:
                    call.truncated = True
                    break
        finally:
            answer.close()
        call.body = bytes(kept)
        return None

    def _streamed(
        self,
        call: _Call,
        began: float,
        answer: httpx.Response,
        forwarded: list[tuple[bytes, bytes]],
        loop: asyncio.AbstractEventLoop,
    ) -> Response:
        """A call outside the jobs family: its answer streams through, its start kept for HAR."""

        def relay() -> Iterator[bytes]:
            kept = bytearray()
            try:
                for chunk in answer.iter_raw():
                    if len(kept) < _KEEP_PASSED:
                        kept += chunk[: _KEEP_PASSED - len(kept)]
                    else:
                        call.truncated = True
                    yield chunk
            finally:
                answer.close()
                call.body, call.elapsed = bytes(kept), time.perf_counter() - began
                with contextlib.suppress(RuntimeError):  # the loop has closed: stopping
                    loop.call_soon_threadsafe(self._settle, call)

        response = StreamingResponse(relay(), status_code=call.status)
        response.raw_headers = forwarded
        return response

    def _failed(self, call: _Call, began: float, code: str, message: str) -> Response:
        """A 502 envelope for the client; the call goes to the checks as an upstream error."""
        secrets = credentials(call.request_headers)
        call.error = redact(message, secrets)
        call.elapsed = time.perf_counter() - began
        call.status, call.headers, call.body = 0, [], b""
        headers, body = envelope(502, f"proxy: {call.error}", code, error_type=_ERROR_TYPE)
        response = Response(body, 502, background=BackgroundTask(self._later, call))
        response.raw_headers = headers
        return response

    # -- the checking side (on the loop, calls in the order they completed) ----------------------
    async def _later(self, call: _Call) -> None:
        self._settle(call)

    def _settle(self, call: _Call) -> None:
        """Check one call (on the server's loop, after its answer has gone)."""
        try:
            self._check(call)
        except Exception as error:  # a bug in a check: one note, and go on
            self._note(f"proxy: could not check a call: {type(error).__name__}: {error}")
        finally:
            with self._lock:
                self._in_flight -= 1

    def _write(self) -> None:
        """Write HAR entries as they come (the recording thread)."""
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                har = self._har
                if har is not None:
                    har.add(self._entry(*item))
            except (OSError, ValueError) as error:
                self._note(f"proxy: cannot write the HAR file: {error}")
                self._har = None
            finally:
                self._queue.task_done()

    def _note(self, text: str) -> None:
        if self._on_note is not None:
            with self._lock:
                secrets = tuple(self._secrets)
            self._on_note(for_terminal(text, secrets))

    def _check(self, call: _Call) -> None:
        with self._lock:
            self._secrets |= credentials(call.request_headers)
            secrets = tuple(self._secrets)
            label = f"interaction[{self.calls}]"
            self.calls += 1
        url = redact(call.url, secrets)
        body, problem = call.body, ""
        if call.jobs_call and call.status:
            try:
                body = inflated(call.body, call.headers, self.max_response)
            except ValueError as exc:
                problem = str(exc)
        found: list[Violation] = []
        if call.error:
            found.append(Violation("", "upstream", call.error))
        elif problem:
            found.append(Violation("", "content-encoding", problem))
        elif call.jobs_call:
            found.extend(self._checked(label, call, body))
        self._record(label, call, body if not problem else call.body, secrets)
        findings = [
            Finding(label, call.method, url, call.status or None, _redacted(v, secrets))
            for v in found
        ]
        with self._lock:
            self.checked += bool(call.jobs_call and call.status)
            self.passed_through += not call.jobs_call and not call.error
            self.upstream_errors += bool(call.error)
            self._findings.extend(findings)
        if self._on_finding is not None:
            for finding in findings:
                self._on_finding(finding)

    def _checked(self, label: str, call: _Call, body: bytes) -> list[Violation]:
        interaction = Interaction(
            source=f"proxy::{label}",
            body=body,
            status=call.status,
            headers=call.headers,
            method=call.method,
            url=call.url,
            request_headers=redact_headers(call.request_headers),
            name=label,
        )
        content_type = next(
            (v for k, v in call.request_headers if k.lower() == "content-type"), None
        )
        exchange = Exchange(label, interaction, call.request_body, content_type)
        found: list[Violation] = []
        for check in self._checks:
            found.extend(check(exchange))
        return found

    def _record(self, label: str, call: _Call, body: bytes, secrets: tuple[str, ...]) -> None:
        """Keep the call for :attr:`har`; write its entry when recording."""
        with self._lock:
            self._kept.append((label, call, body, secrets))
        if self._har is not None:
            self._queue.put((label, call, body, secrets))

    @staticmethod
    def _entry(label: str, call: _Call, body: bytes, secrets: tuple[str, ...]) -> dict[str, Any]:
        mime = next((v for k, v in call.headers if k.lower() == "content-type"), "")
        content = _har_writer.content(body, mime, secrets)
        if "encoding" in content and body is not call.body:  # base64: the bytes as sent
            content = _har_writer.content(call.body, mime, secrets)
        comment = call.error or ("body cut at 1 MiB" if call.truncated else "")
        return _har_writer.entry(
            started=call.started,
            elapsed=call.elapsed,
            method=call.method,
            url=call.url,
            request_headers=call.request_headers,
            request_body=call.request_body,
            status=call.status,
            reason=call.reason,
            response_headers=call.headers,
            response_content=content,
            comment=comment or label,
            secrets=secrets,
        )


def _redacted(violation: Violation, secrets: tuple[str, ...]) -> Violation:
    return replace(
        violation, path=redact(violation.path, secrets), message=redact(violation.message, secrets)
    )


def dumps(finding: Finding) -> str:
    """One JSON Lines record of ``finding``."""
    return json.dumps(finding.as_dict(), ensure_ascii=False)


__all__ = ["KEEP_ENTRIES", "MAX_BODY", "MAX_RESPONSE", "TIMEOUT", "Finding", "Proxy", "dumps"]
