"""The fake as an ASGI application (Starlette), for uvicorn on a loopback port.

One catch-all route hands every request to :meth:`FakeJobsAPI.handle`. A
dropped connection and a truncated body need the connection itself: the
outer layer finds uvicorn's transport behind the ``send`` it is given
(through the serving layer's middleware) and aborts it. Under an ASGI server
that does not expose it (or in process through ``httpx.ASGITransport``) a drop
raises :class:`DroppedConnection`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contract.testing.fake._reply import MAX_BODY, Handler

_TRANSPORT = "finetune_contract.fake.transport"


class DroppedConnection(ConnectionError):
    """The fake was asked to drop the connection and the server gives it no way to."""


class _Endpoint:
    def __init__(self, api: Handler) -> None:
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")[: MAX_BODY + 1 - len(body)]
            more = message.get("more_body", False)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reply = self.api.handle(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            bytes(body),
        )
        transport = scope.get(_TRANSPORT)
        if reply.fault == "drop":
            await _abort(transport)
            return
        if reply.delay:
            await asyncio.sleep(reply.delay)
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        raw.append((b"content-length", str(len(reply.body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": raw})
        if reply.fault == "truncated":
            half = reply.body[: len(reply.body) // 2]
            await send({"type": "http.response.body", "body": half, "more_body": True})
            await _abort(transport)
            return
        await send({"type": "http.response.body", "body": reply.body})


async def _abort(transport: Any) -> None:
    if transport is None or not hasattr(transport, "abort"):
        raise DroppedConnection("fault 'drop': the connection is dropped here")
    transport.abort()
    await asyncio.sleep(0)  # let the server see the connection is gone before it answers


def _transport_of(send: Any, depth: int = 4) -> Any:
    """The connection behind uvicorn's ``send`` (its request cycle's ``transport``), if found.

    ``send`` is the cycle's bound method, or a middleware's closure around it
    (followed through ``__closure__`` a few levels); None when there is none.
    """
    seen: list[Any] = [send]
    for _ in range(depth):
        found: list[Any] = []
        for candidate in seen:
            transport = getattr(getattr(candidate, "__self__", None), "transport", None)
            if transport is not None and hasattr(transport, "abort"):
                return transport
            for cell in getattr(candidate, "__closure__", None) or ():
                try:
                    found.append(cell.cell_contents)
                except ValueError:  # an empty cell
                    continue
        seen = [c for c in found if callable(c)]
    return None


class FakeApp:
    """The fake's ASGI application: a Starlette app under a thin layer."""

    def __init__(self, api: Handler) -> None:
        self.api = api
        self.starlette = Starlette(routes=[Route("/{path:path}", _Endpoint(api))])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[_TRANSPORT] = _transport_of(send)
        await self.starlette(scope, receive, send)
