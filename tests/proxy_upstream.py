"""A small upstream for the proxy tests: the jobs operations, some answers malformed on purpose."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract.testing._serving import application
from tests.helpers import minimal_job


@dataclass
class Upstream:
    """Answers jobs calls with conforming bodies, a ``malformed`` share of them cut short."""

    malformed: float = 0.0
    seed: int = 21
    served: list[bytes] = field(default_factory=list)
    broken: list[bool] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def _answer(self, request: Request, payload: Any) -> Response:
        self.authorizations.append(request.headers.get("authorization"))
        body = json.dumps(payload).encode()
        cut = self._random.random() < self.malformed
        if cut:
            body = body[: len(body) // 2]
        self.served.append(body)
        self.broken.append(cut)
        return Response(body, 200, media_type="application/json")

    async def create(self, request: Request) -> Response:
        sent = json.loads(await request.body() or b"{}")
        job = minimal_job(id="ftjob-created", status="validating_files", model=sent.get("model"))
        return self._answer(request, job)

    async def page(self, request: Request) -> Response:
        page = {"object": "list", "data": [minimal_job()], "has_more": False}
        return self._answer(request, page)

    async def job(self, request: Request) -> Response:
        return self._answer(request, minimal_job(id=request.path_params["job"]))

    async def action(self, request: Request) -> Response:
        return self._answer(request, minimal_job(id=request.path_params["job"]))

    async def special(self, request: Request) -> Response:
        """Answers outside the jobs family, shaped by the path."""
        what = request.path_params["what"]
        if what == "teapot":
            response = Response(b"short and stout", 418, media_type="text/plain")
            response.raw_headers += [
                (b"x-one", b"1"),
                (b"set-cookie", b"a=1"),
                (b"set-cookie", b"b=2"),
            ]
            response.raw_headers += [(b"keep-alive", b"timeout=5")]
            return response
        if what == "gzip":
            return Response(
                gzip.compress(b"hello " * 100, mtime=0),
                200,
                headers={"content-encoding": "gzip", "content-type": "text/plain"},
            )
        if what == "big":
            return Response(b"z" * (3 << 20), 200, media_type="application/octet-stream")
        if what == "redirect":
            return Response(b"", 302, headers={"location": "https://elsewhere.example/"})
        if what == "slow":
            await asyncio.sleep(3)
            return Response(b"late", 200)
        if what == "echo":
            body = await request.body()
            self.served.append(body)
            echoed = {"headers": dict(request.headers), "body": body.decode("latin-1")}
            return Response(json.dumps(echoed).encode(), 200, media_type="application/json")
        return Response(b"{}", 404, media_type="application/json")

    def app(self) -> Any:
        base = "/v1/fine_tuning/jobs"
        return application(
            [
                Route(base, self.create, methods=["POST"]),
                Route(base, self.page, methods=["GET"]),
                Route(base + "/{job}", self.job, methods=["GET"]),
                Route(base + "/{job}/{verb}", self.action, methods=["POST"]),
                Route("/v1/other/{what}", self.special, methods=["GET", "POST"]),
            ]
        )
