"""The HTTP side of :class:`contract.testing.server.ContractServer`: a small Starlette app.

Reading requests, with every limit and every refusal of malformed framing,
is :mod:`contract.testing._serving`'s (uvicorn's h11 protocol); this module
only turns a request read in full into a call of the server's ``answer`` and
its :class:`Reply` into a response.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract.testing._serving import ARRIVED, application

#: The ``type`` of the error envelopes the server answers with itself.
ERROR_TYPE = "contract_server"
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
#: Headers a reply may not set: the server frames the body itself.
_FRAMING = {b"content-length", b"transfer-encoding"}


@dataclass(frozen=True)
class Reply:
    """A queued response."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def error_reply(status: int, message: str, code: str, *, close: bool = False) -> Reply:
    """The API's error envelope with ``x-should-retry: false`` (so SDKs do not retry)."""
    body = {"error": {"message": message, "type": ERROR_TYPE, "param": None, "code": code}}
    headers = [("Content-Type", "application/json"), ("x-should-retry", "false")]
    if close:
        headers.append(("Connection", "close"))
    return Reply(status, tuple(headers), json.dumps(body).encode("utf-8"))


#: (method, target, headers, body, when its head arrived in ``monotonic_ns``) -> the reply.
Answer = Callable[[str, str, tuple[tuple[str, str], ...], bytes, int], Reply]


def _target(request: Request) -> str:
    """The request target as sent: raw path, then ``?query`` when there is one."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    target = raw + (b"?" + query if query else b"")
    return target.decode("latin-1")


def app(answer: Answer) -> Starlette:
    """Every method on every path, answered by ``answer`` once the body has been read."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        headers = tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.scope["headers"]
        )
        arrived = int(request.scope.get(ARRIVED, 0))
        reply = answer(request.method, _target(request), headers, body, arrived)
        response = Response(reply.body, reply.status)
        kept = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in reply.headers
            if name.lower().encode("latin-1") not in _FRAMING
        ]
        response.raw_headers = [*kept, (b"content-length", str(len(reply.body)).encode())]
        return response

    return application([Route("/{path:path}", endpoint, methods=_METHODS)], error_type=ERROR_TYPE)


__all__ = ["ERROR_TYPE", "Answer", "Reply", "app", "error_reply"]
