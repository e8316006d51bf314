"""The fake in process: an ``httpx`` transport that hands each request to the fake, no socket.

``openai.OpenAI(base_url=fake.url, http_client=httpx.Client(transport=fake.transport()))``.
Faults look the way ``httpx`` reports them on a real connection: a dropped
connection raises :class:`httpx.RemoteProtocolError` before any answer, a
truncated body raises it while the body is read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

from contract.testing.fake._reply import MAX_BODY, Handler


class _Truncated(httpx.SyncByteStream):
    def __init__(self, part: bytes, request: httpx.Request) -> None:
        self._part = part
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        yield self._part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body",
            request=self._request,
        )


class FakeTransport(httpx.BaseTransport):
    """A synchronous ``httpx`` transport serving requests from a :class:`FakeJobsAPI`."""

    def __init__(self, api: Handler) -> None:
        self.api = api

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()[: MAX_BODY + 1]
        headers = {name.lower(): value for name, value in request.headers.items()}
        reply = self.api.handle(
            request.method, request.url.path, request.url.query.decode("latin-1"), headers, body
        )
        if reply.fault == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if reply.delay:
            time.sleep(reply.delay)
        headers_out = [*reply.headers, ("content-length", str(len(reply.body)))]
        if reply.fault == "truncated":
            stream = _Truncated(reply.body[: len(reply.body) // 2], request)
            return httpx.Response(reply.status, headers=headers_out, stream=stream, request=request)
        return httpx.Response(
            reply.status, headers=headers_out, content=reply.body, request=request
        )
