"""The one way the toolkit serves HTTP: an ASGI app on uvicorn (h11) on a loopback port.

::

    with serving(app, host="127.0.0.1", port=0) as served:
        httpx.get(served.url + "/v1/anything")

The server runs in one background thread with its own event loop. What a
client can make it hold is bounded, and what it cannot read is refused in the
API's error envelope (``{"error": {"message", "type", "param", "code"}}``) with
``x-should-retry: false``, after which it keeps serving:

- malformed framing (a request line or header that does not parse,
  whitespace before a header's colon, conflicting ``Content-Length``
  headers, a bad chunk): 400, from h11's own parser; both
  ``Content-Length`` and ``Transfer-Encoding``: 400 as well;
- a request head (request line and headers) over ``max_head`` bytes: 431;
  a ``Transfer-Encoding`` other than ``chunked``: 501;
- a body over ``max_body`` bytes: 413 (before ``100 Continue`` when the
  ``Content-Length`` says so); a body the client stops sending: 400;
- a client silent for ``timeout`` seconds while its request is being read,
  or still sending one after ``deadline`` seconds, is disconnected;
- past ``max_connections`` open connections a request gets a 503.

The app sees each request only once its body has been read in full, so it
never needs a limit of its own. An exception in the app is a 500 envelope and
one line on standard error, never a traceback.

Leaving the ``with`` block (or :meth:`Served.stop`) stops accepting, drops
connections still sending, lets requests in the app finish for ``grace``
seconds, cancels what is left and joins the thread; it never raises, whatever
state the thread is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Limits every served app gets unless told otherwise.
MAX_HEAD = 32 * 1024
MAX_BODY = 1 << 20
TIMEOUT = 10.0
DEADLINE = 60.0
MAX_CONNECTIONS = 512
GRACE = 1.0
#: Connections the kernel queues before the server accepts them.
BACKLOG = 1024
#: Seconds :func:`serving` waits for the server to start, and for its thread to end.
_START = 10.0
_JOIN = 5.0
#: The key under which a request's scope says its client ended it early.
_ENDED_EARLY = "contract.ended_early"
#: The key under which a request's scope says its app's error has been reported.
_REPORTED = "contract.reported"
#: The key under which a request's scope holds when its head arrived (``time.monotonic_ns()``).
ARRIVED = "contract.arrived"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Any
Send = Any
App = Any

_CODES = {
    400: "bad_request",
    408: "request_timeout",
    414: "uri_too_long",
    413: "request_too_large",
    431: "headers_too_large",
    500: "server_error",
    501: "not_implemented",
    503: "unavailable",
}

_LOG = logging.getLogger("contract.testing.serving")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


@dataclass(frozen=True)
class Limits:
    """What one served app accepts (bytes, seconds, connections)."""

    max_head: int = MAX_HEAD
    max_body: int = MAX_BODY
    timeout: float = TIMEOUT
    deadline: float = DEADLINE
    max_connections: int = MAX_CONNECTIONS
    grace: float = GRACE
    #: The ``type`` of the error envelopes the server itself answers with.
    error_type: str = "server_error"


def envelope(
    status: int, message: str, code: str | None = None, *, error_type: str = "server_error"
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of the API's error envelope (``x-should-retry: false``)."""
    from contract.redact import redact

    error = {"message": redact(message), "type": error_type, "param": None}
    data = json.dumps({"error": {**error, "code": code or _CODES.get(status, "error")}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"x-should-retry", b"false"),
    ]
    return headers, data


async def _refuse(send: Send, status: int, message: str, limits: Limits, *, close: bool) -> None:
    headers, body = envelope(status, message, error_type=limits.error_type)
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Guard:
    """ASGI middleware: reads each body in full under the limits, turns app errors into 500s."""

    def __init__(self, app: App, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the app's own start-up and shut-down
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        scope[ARRIVED] = time.monotonic_ns()
        target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
        if target > self.limits.max_head:
            message = f"request target longer than {self.limits.max_head} bytes"
            await _refuse(send, 414, message, self.limits, close=True)
            return
        if _head_size(scope) > self.limits.max_head:
            message = f"request head larger than {self.limits.max_head} bytes"
            await _refuse(send, 431, message, self.limits, close=True)
            return
        names = {name for name, _ in scope.get("headers", ())}
        if b"transfer-encoding" in names and b"content-length" in names:  # a smuggling shape
            message = "malformed request: both Content-Length and Transfer-Encoding"
            await _refuse(send, 400, message, self.limits, close=True)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.limits.max_body:
            await _refuse(send, 413, self._too_large(), self.limits, close=True)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if scope.get(_ENDED_EARLY):
                    await _refuse(
                        send, 400, "the request ended before its body", self.limits, close=True
                    )
                return
            body += message.get("body", b"")
            if len(body) > self.limits.max_body:
                await _refuse(send, 413, self._too_large(), self.limits, close=True)
                return
            if not message.get("more_body", False):
                break
        if scope.get(_ENDED_EARLY):
            await _refuse(send, 400, "the request ended before its body", self.limits, close=True)
            return
        await self._call(scope, bytes(body), receive, send)

    async def _call(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        given = False

        async def replay() -> Message:
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            return cast("Message", await receive())

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, replay, watched)
        except Exception as error:  # the app's bug: one line, a 500, and keep serving
            if not scope.get(_REPORTED):
                _report(self.limits.error_type, error)
            if not started:
                await _refuse(
                    send, 500, "internal error in the served app", self.limits, close=True
                )

    def _too_large(self) -> str:
        return f"request body larger than {self.limits.max_body} bytes"


def _report(error_type: str, error: Exception) -> None:
    """One line on standard error for an exception in a served app, through the redaction."""
    from contract.redact import for_terminal

    sys.stderr.write(for_terminal(f"{error_type}: {type(error).__name__}: {error}") + "\n")


def _phrase(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


def _head_size(scope: Scope) -> int:
    """Bytes of the request target and headers as parsed (near enough to the head's size)."""
    size = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
    return size + sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def application(
    routes: Sequence[BaseRoute], *, error_type: str = "server_error", lifespan: Any = None
) -> Starlette:
    """A Starlette app over ``routes`` whose unhandled errors answer a 500 envelope.

    ``lifespan`` is Starlette's (an async context manager factory run at
    start-up and shut-down).

    (Starlette answers them in plain text otherwise; :func:`serving` still
    writes the one line on standard error.)
    """

    async def crashed(request: Request, error: Exception) -> Response:
        _report(error_type, error)  # before the answer, so a client that got it can see the line
        request.scope[_REPORTED] = True
        return _response(500, "internal error in the served app", error_type)

    async def refused(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 400
        return _response(status, f"{request.method} {request.url.path}: {error}", error_type)

    handlers = {Exception: crashed, HTTPException: refused}
    return Starlette(routes=list(routes), exception_handlers=handlers, lifespan=lifespan)


def _response(status: int, message: str, error_type: str) -> Response:
    headers, body = envelope(status, message, error_type=error_type)
    response = Response(body, status)
    response.raw_headers = headers
    return response


#: After a refusal, the most read and dropped of what the client still sends, and how long.
LINGER_BYTES = 1 << 20
LINGER_SECONDS = 2.0


class _Config(uvicorn.Config):
    limits: Limits


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol with silence and deadline timers and enveloped refusals."""

    def __init__(self, config: _Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limits = config.limits
        self.logger = self.access_logger = _LOG
        self._refusal: h11.RemoteProtocolError | None = None
        self._timers: list[asyncio.TimerHandle] = []
        #: The client stopped sending; after a refusal, what it may still send (_linger).
        self._ended = False
        self._dropping: int | None = None
        parse = self.conn.next_event

        def next_event() -> Any:
            try:
                return parse()
            except h11.RemoteProtocolError as refusal:
                self._refusal = refusal
                raise

        self.conn.next_event = next_event  # type: ignore[method-assign]

    # -- timers ---------------------------------------------------------------
    def _arm(self, seconds: float, *, replace: bool) -> None:
        if replace:
            for timer in self._timers[1:]:
                timer.cancel()
            self._timers[1:] = []
        self._timers.append(self.loop.call_later(seconds, self._expire))

    def _reading(self) -> bool:
        """Whether the connection waits on the client (not on the app or its answer)."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _expire(self) -> None:
        if self.transport is not None and not self.transport.is_closing() and self._reading():
            self.transport.close()

    def _restart_deadline(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers = [self.loop.call_later(self.limits.deadline, self._expire)]
        self._arm(self.limits.timeout, replace=True)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._restart_deadline()

    def data_received(self, data: bytes) -> None:
        if self._dropping is not None:  # refused: what still comes is read and dropped
            self._dropping -= len(data)
            if self._dropping < 0:
                self.transport.close()
            return
        self._arm(self.limits.timeout, replace=True)
        super().data_received(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._restart_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers = []
        super().connection_lost(exc)

    # -- refusals ---------------------------------------------------------------
    def eof_received(self) -> bool | None:  # type: ignore[override]
        """The client stopped sending: refuse a request it left unfinished, answer a whole one."""
        self._ended = True
        if self._dropping is not None:  # a refused client done sending: hang up now
            return False
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.keep_alive = False
            if cycle.more_body:
                cycle.scope[_ENDED_EARLY] = True  # type: ignore[literal-required]
                cycle.more_body = False
                cycle.message_event.set()
            return True  # keep the transport open to write the answer
        if self.conn.trailing_data[0]:
            self._refusal = h11.RemoteProtocolError("the request ended before its head")
            self.send_400_response("")
            return True
        return None

    def send_400_response(self, msg: str) -> None:
        refusal = self._refusal
        status = refusal.error_status_hint if refusal is not None else 400
        pending = self.conn.trailing_data[0]
        if status == 431 and b"\n" not in pending[: self.limits.max_head]:
            status, reason = 414, f"request target longer than {self.limits.max_head} bytes"
        elif status == 431:
            reason = f"request head larger than {self.limits.max_head} bytes"
        else:  # h11's words, without the bytes it quotes
            reason = (str(refusal) if refusal is not None else msg).split(": bytearray(")[0]
        headers, body = envelope(
            status, f"malformed request: {reason}", error_type=self.limits.error_type
        )
        headers.append((b"connection", b"close"))
        try:
            start = h11.Response(status_code=status, headers=headers, reason=_phrase(status))
            self.transport.write(self.conn.send(start))
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:  # an answer already begun: just hang up
            pass
        self._linger()

    def _linger(self) -> None:
        """Hang up after a refusal so no reset wipes out its answer (closing with bytes
        unread sends RST): FIN after the answer, drop what still comes, then close."""
        transport = self.transport
        if self._ended or transport.is_closing() or not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self._dropping = LINGER_BYTES
        self._timers.append(self.loop.call_later(LINGER_SECONDS, transport.close))

    def shutdown(self) -> None:
        """Stop: hang up on a client still sending; let a request the app holds finish."""
        if self._reading() and not self.transport.is_closing():
            self.transport.close()
            return
        super().shutdown()


class Served:
    """An app being served: its :attr:`url`, :attr:`host`, :attr:`port`, and :meth:`stop`."""

    def __init__(
        self,
        app: App,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        limits: Limits | None = None,
        name: str = "contract-serving",
    ) -> None:
        self.limits = limits or Limits()
        self.host, self.name = host, name
        self._requested = port
        self._app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._port: int | None = None

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> Served:
        """Bind, start the server thread, and wait until it accepts connections.

        Raises :class:`OSError` when the address cannot be bound and
        :class:`RuntimeError` when the server does not start.
        """
        if self._server is not None:
            return self
        sock = _listening(self.host, self._requested)
        self._port = int(sock.getsockname()[1])
        config = _Config(
            _Guard(self._app, self.limits),
            http=_Protocol,
            interface="asgi3",
            ws="none",
            lifespan="on",
            loop="asyncio",
            log_config=None,
            access_log=False,
            server_header=False,
            date_header=False,
            proxy_headers=False,
            h11_max_incomplete_event_size=self.limits.max_head,
            limit_concurrency=self.limits.max_connections,
            timeout_keep_alive=max(1, round(self.limits.timeout)),
            backlog=BACKLOG,
        )
        config.limits = self.limits
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, args=(sock,), name=self.name, daemon=True)
        try:
            self._thread.start()
            give_up = time.monotonic() + _START
            while not server.started:
                if not self._thread.is_alive() or time.monotonic() > give_up:
                    raise RuntimeError(f"{self.name}: the server did not start ({self._error!r})")
                time.sleep(0.005)
        except BaseException:
            self.stop()
            with contextlib.suppress(OSError):
                sock.close()
            raise
        return self

    def _run(self, sock: socket.socket) -> None:
        server = self._server
        if server is None:
            return
        try:
            asyncio.run(self._main(server, sock))
        except BaseException as error:  # reported by start(), or ignored after stop()
            self._error = error

    async def _main(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent; never raises)."""
        server, thread, loop = self._server, self._thread, self._loop
        self._server = self._thread = self._loop = None
        if server is None:
            return
        try:
            server.should_exit = True
            if thread is None or not thread.is_alive():
                return
            thread.join(self.limits.grace + 0.2)
            if thread.is_alive() and loop is not None:
                server.force_exit = True
                with contextlib.suppress(RuntimeError):  # the loop has just closed
                    loop.call_soon_threadsafe(_cancel_all, server)
                thread.join(_JOIN)
        except Exception as error:  # stopping must never fail the caller
            _LOG.debug("stop: %r", error)

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- where ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._port is None or self._server is None:
            raise RuntimeError(f"{self.name} is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (IPv6 hosts in brackets), no trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def _listening(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``.

    Made with ``IPPROTO_TCP`` so that asyncio sets ``TCP_NODELAY`` on the
    connections it accepts (it skips sockets whose protocol is 0, and Nagle's
    algorithm then adds some 40 ms to every answer on loopback).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def _cancel_all(server: uvicorn.Server) -> None:
    for task in list(server.server_state.tasks):
        task.cancel()
    for connection in list(server.server_state.connections):
        transport = getattr(connection, "transport", None)
        if transport is not None:
            transport.close()


@contextlib.contextmanager
def serving(
    app: App,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    limits: Limits | None = None,
    name: str = "contract-serving",
    **overrides: Any,
) -> Iterator[Served]:
    """Serve ``app`` on ``host:port`` (port 0: any free port) for the ``with`` block.

    ``overrides`` set single fields of :class:`Limits` (``max_body=1024``,
    ``timeout=0.5``, ``error_type="proxy_error"``...).
    """
    if overrides:
        from dataclasses import replace

        limits = replace(limits or Limits(), **overrides)
    served = Served(app, host, port, limits=limits, name=name)
    served.start()
    try:
        yield served
    finally:
        served.stop()


__all__ = ["ARRIVED", "BACKLOG", "Limits", "Served", "application", "envelope", "serving"]
