"""The fake jobs API against the floor: a bare Starlette route answering a fixed JSON body.

    python benchmarks/bench_fake.py [--requests 3000] [--clients 32] [--jobs 50]

Both are measured in the same run, the same way:

- in process, through ``httpx.AsyncClient(transport=httpx.ASGITransport(app))``
  (no socket): the floor's route, then the fake's ASGI application answering a
  retrieve of one of ``--jobs`` jobs (the call a polling client makes most);
  the fake's own synchronous transport (``fake.transport()``) is shown too;
- over loopback, each app served by ``contract.testing._serving`` (uvicorn, h11)
  on 127.0.0.1 and driven by ``--clients`` concurrent keep-alive clients.

The floor answers the same bytes as the fake's job body, so only the work
behind the route differs. It prints requests per second and the fake's ratio
to the floor against the target (≥ 0.5x). Compare ratios from one run, not
absolute figures across runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import ssl
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contract.testing._serving import serving
from contract.testing.fake import FakeJobsAPI

TARGET_RATIO = 0.5
AUTH = {"Authorization": "Bearer sk-bench"}


def floor_app(body: bytes) -> Starlette:
    async def fixed(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/v1/fine_tuning/jobs/{job_id}", fixed)])


def prepared(jobs: int) -> tuple[FakeJobsAPI, list[str], bytes]:
    fake = FakeJobsAPI("observed", seed=1)
    client = httpx.Client(transport=fake.transport(), headers=AUTH)
    ids = []
    for _ in range(jobs):
        created = client.post(
            "http://fake/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": "f"}
        )
        ids.append(created.json()["id"])
    fake.clock.advance(30)  # running: retrieves settle a job that moves
    body = client.get(f"http://fake/v1/fine_tuning/jobs/{ids[0]}").content
    return fake, ids, body


async def _drive(
    make: Callable[[], httpx.AsyncClient], base: str, ids: list[str], total: int, clients: int
) -> float:
    """Requests per second: ``clients`` workers sharing ``total`` retrieves."""
    each = max(1, total // clients)

    async def worker(number: int) -> None:
        async with make() as client:
            for i in range(each):
                job = ids[(number + i) % len(ids)]
                response = await client.get(f"{base}/v1/fine_tuning/jobs/{job}")
                if response.status_code != 200:
                    raise RuntimeError(f"status {response.status_code}: {response.text[:200]}")

    async def timed() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        return time.perf_counter() - start

    await timed()  # warm up
    return each * clients / await timed()


def in_process(app: object, ids: list[str], total: int) -> float:
    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), headers=AUTH)  # type: ignore[arg-type]

    return asyncio.run(_drive(make, "http://bench", ids, total, 1))


def sync_transport(fake: FakeJobsAPI, ids: list[str], total: int) -> float:
    with httpx.Client(transport=fake.transport(), headers=AUTH) as client:
        for _round in range(2):  # the first warms up
            start = time.perf_counter()
            for i in range(total):
                client.get(f"http://bench/v1/fine_tuning/jobs/{ids[i % len(ids)]}")
            elapsed = time.perf_counter() - start
    return total / elapsed


def loopback(app: object, ids: list[str], total: int, clients: int) -> float:
    tls = ssl.create_default_context()
    with serving(app) as served:

        def make() -> httpx.AsyncClient:
            return httpx.AsyncClient(headers=AUTH, verify=tls, timeout=60)

        return asyncio.run(_drive(make, served.url, ids, total, clients))


def _row(name: str, rate: float, floor: float | None) -> str:
    ratio = "" if floor is None else f"{rate / floor:6.2f}x"
    return f"  {name:<44} {rate:9.0f} req/s  {ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=32, help="concurrent loopback clients")
    parser.add_argument("--jobs", type=int, default=50, help="jobs the fake holds")
    args = parser.parse_args()
    fake, ids, body = prepared(args.jobs)
    floor = floor_app(body)
    print(f"python {platform.python_version()}, {args.requests} retrieves per measurement")
    results: dict[str, float] = {}
    results["floor in process"] = in_process(floor, ids, args.requests)
    results["fake in process (ASGI)"] = in_process(fake.app, ids, args.requests)
    results["fake in process (its httpx transport)"] = sync_transport(fake, ids, args.requests)
    results["floor over loopback"] = loopback(floor, ids, args.requests, args.clients)
    results["fake over loopback"] = loopback(fake.app, ids, args.requests, args.clients)
    print("in process:")
    base = results["floor in process"]
    print(_row("floor: bare Starlette route, fixed body", base, None))
    print(_row("fake: ASGI app, retrieve", results["fake in process (ASGI)"], base))
    print(
        _row(
            "fake: its httpx transport, retrieve",
            results["fake in process (its httpx transport)"],
            base,
        )
    )
    print(f"over loopback ({args.clients} concurrent clients):")
    wire = results["floor over loopback"]
    print(_row("floor: bare Starlette route, fixed body", wire, None))
    print(_row("fake: retrieve", results["fake over loopback"], wire))
    worst = min(results["fake in process (ASGI)"] / base, results["fake over loopback"] / wire)
    verdict = "met" if worst >= TARGET_RATIO else "NOT met"
    print(f"target: fake >= {TARGET_RATIO}x the floor; worst ratio {worst:.2f}x: {verdict}")
    return 0 if worst >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
