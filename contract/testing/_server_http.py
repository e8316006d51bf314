"""The HTTP side of :class:`contract.testing.server.ContractServer`: reading requests defensively.

Malformed requests (a request line or header that does not parse, a bad
``Content-Length``, a bad chunk size) get a 400 error envelope, a body over
the limit a 413, an unsupported ``Transfer-Encoding`` a 501, and a client that
sends nothing for ``timeout`` seconds is dropped. Each connection has its own
daemon thread, tracked so that :meth:`Server.close_connections` can end them
all at once.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Connections the kernel queues before the server accepts them.
BACKLOG = 1024
#: Longest chunk-size line, trailer line; most trailer lines.
_LINE = 8192
_TRAILERS = 64
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_ERROR_CODES = {
    408: "request_timeout",
    413: "request_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    501: "not_implemented",
}


@dataclass(frozen=True)
class Reply:
    """A queued response."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def error_reply(status: int, message: str, code: str, *, close: bool = False) -> Reply:
    """The API's error envelope with ``x-should-retry: false`` (so SDKs do not retry)."""
    body = {"error": {"message": message, "type": "contract_server", "param": None, "code": code}}
    headers = [("Content-Type", "application/json"), ("x-should-retry", "false")]
    if close:
        headers.append(("Connection", "close"))
    return Reply(status, tuple(headers), json.dumps(body).encode("utf-8"))


class BadRequest(Exception):
    """A request that cannot be read: answered with ``status``, the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


#: (method, path, headers, body, generation of the request) -> the reply.
Answer = Callable[[str, str, tuple[tuple[str, str], ...], bytes, int], Reply]


class Handler(BaseHTTPRequestHandler):
    """One connection; requests are read with limits and answered through ``server.answer``."""

    protocol_version = "HTTP/1.1"
    server: Server
    _generation = 0

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def parse_request(self) -> bool:
        self._generation = self.server.generation()
        return super().parse_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own errors (400, 414, 431, 501, ...) as error envelopes."""
        reason = message or self.responses.get(code, ("error",))[0]
        self.close_connection = True
        name = _ERROR_CODES.get(code, "bad_request")
        self._send(error_reply(code, f"contract_server: {reason}", name, close=True))

    def handle_expect_100(self) -> bool:
        try:
            self._content_length()
        except BadRequest as exc:
            self.send_error(exc.status, exc.message)
            return False
        return super().handle_expect_100()

    def _content_length(self) -> int | None:
        values = self.headers.get_all("Content-Length") or []
        encodings = self.headers.get_all("Transfer-Encoding") or []
        if encodings:
            if values:
                raise BadRequest(400, "both Content-Length and Transfer-Encoding")
            if [e.strip().lower() for e in ",".join(encodings).split(",")] != ["chunked"]:
                raise BadRequest(501, "only Transfer-Encoding: chunked is supported")
            return None
        texts = {v.strip() for v in ",".join(values).split(",")} if values else {"0"}
        if len(texts) != 1 or not _DIGITS.fullmatch(next(iter(texts))):
            raise BadRequest(400, f"bad Content-Length {values!r}")
        length = int(next(iter(texts)))
        if length > self.server.max_body:
            raise BadRequest(413, self._too_large())
        return length

    def _too_large(self) -> str:
        return f"request body larger than {self.server.max_body} bytes"

    def _line(self) -> bytes:
        line = self.rfile.readline(_LINE + 1)
        if not line.endswith(b"\n") or len(line) > _LINE:
            raise BadRequest(400, "truncated or overlong chunk line")
        return line

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            field = self._line().split(b";", 1)[0].strip()
            if not _HEX.fullmatch(field):
                raise BadRequest(400, f"bad chunk size {field[:20]!r}")
            size = int(field, 16)
            if size == 0:
                break
            total += size
            if total > self.server.max_body:
                raise BadRequest(413, self._too_large())
            chunk = self.rfile.read(size)
            if len(chunk) != size or self._line().strip():
                raise BadRequest(400, "chunk shorter than its size")
            chunks.append(chunk)
        for _ in range(_TRAILERS):
            if not self._line().strip():
                return b"".join(chunks)
        raise BadRequest(400, "too many trailer lines")

    def _body(self) -> bytes:
        length = self._content_length()
        if length is None:
            return self._chunked()
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise BadRequest(400, "body shorter than its Content-Length")
        return body

    def _handle(self) -> None:
        try:
            body = self._body()
        except BadRequest as exc:
            self.send_error(exc.status, exc.message)
            return
        except TimeoutError:
            self.close_connection = True
            return
        headers = tuple((str(k), str(v)) for k, v in self.headers.items())
        self._send(self.server.answer(self.command, self.path, headers, body, self._generation))

    def _send(self, reply: Reply) -> None:
        if self.request_version == "HTTP/0.9":  # unparsable request line: answer with a status
            self.request_version, self.close_connection = "HTTP/1.0", True
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Server(ThreadingHTTPServer):
    """A threading HTTP server whose connection threads end when it closes them."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        answer: Answer,
        generation: Callable[[], int],
        *,
        max_body: int,
        read_timeout: float,
    ) -> None:
        self.answer, self.generation = answer, generation
        self.max_body, self.read_timeout = max_body, read_timeout
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup ``HTTPServer`` makes for ``server_name``."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve, args=(request, client_address), name="contract-server-connection"
        )
        thread.daemon = True
        with self._lock:
            self._open[request] = thread
        thread.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._open.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request is normal; anything else is one line on stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        from contract.redact import for_terminal

        sys.stderr.write(for_terminal(f"contract_server: {type(error).__name__}: {error}") + "\n")

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection down and wait up to ``timeout`` s for its thread."""
        with self._lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            thread.join(timeout)


__all__ = ["BACKLOG", "BadRequest", "Handler", "Reply", "Server", "error_reply"]
