"""The latency the validating proxy adds per call on loopback (issue 21: target <= 2 ms).

    python benchmarks/bench_proxy.py [--calls 400] [--record] [--seed 0]

Three processes, as in use: an upstream (a small Starlette app on the
toolkit's own server stack answering a conforming job, and a short text for a
call outside the jobs family), ``finetune-contract proxy --upstream`` in
front of it, and this script as the client (one kept-alive ``httpx.Client``).
For each kind of call it makes ``--calls`` pairs, the direct call and the
proxied one in a random order each time, and prints the median of each, the
median of the per-pair differences (what the proxy adds), and whether the
target is met. ``--record`` also has the proxy write a HAR file. Compare
figures from one run: the machine's load moves absolute times.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 2.0

UPSTREAM = r"""
import json, sys, time
from starlette.responses import Response
from starlette.routing import Route
from contract.testing._serving import serving, application

JOB = {
    "id": "ftjob-abc123", "created_at": 1721764800, "error": None, "fine_tuned_model": None,
    "finished_at": None, "hyperparameters": {}, "model": "gpt-4o-mini-2024-07-18",
    "object": "fine_tuning.job", "organization_id": "org-123", "result_files": [],
    "status": "running", "trained_tokens": None, "training_file": "file-abc123",
    "validation_file": None, "seed": 7,
}
BODY = json.dumps(JOB, indent=2).encode()

async def job(request):
    return Response(BODY, 200, media_type="application/json")

async def other(request):
    return Response(b"a model list, say", 200, media_type="text/plain")

app = application([
    Route("/v1/fine_tuning/jobs/{job}", job),
    Route("/v1/models", other),
])
with serving(app) as served:
    print(served.url, flush=True)
    sys.stdin.read()
"""


def _environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("OPENAI_API_KEY", None)
    return env


def _first_line(process: subprocess.Popen[bytes]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline().decode().strip()
    if not line.startswith("http"):
        raise SystemExit(f"bench_proxy: a server did not start: {line!r}")
    return line


def _median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="pairs of calls per kind")
    parser.add_argument("--record", action="store_true", help="have the proxy write a HAR file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    order = random.Random(args.seed)
    env = _environment()
    upstream = subprocess.Popen(
        [sys.executable, "-c", UPSTREAM],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    with tempfile.TemporaryDirectory() as folder:
        base = _first_line(upstream) + "/v1"
        command = [sys.executable, "-m", "contract", "proxy", "--upstream", base]
        if args.record:
            command += ["--record", str(Path(folder) / "bench.har")]
        proxy = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
        )
        try:
            proxied = _first_line(proxy)
            rows = []
            with httpx.Client(headers={"Authorization": "Bearer sk-bench-not-a-key"}) as client:
                for kind, path in (
                    ("jobs call (retrieve, checked)", "/fine_tuning/jobs/ftjob-abc123"),
                    ("other call (passed through)", "/models"),
                ):
                    for url in (base, proxied):  # warm both connections and code paths
                        for _ in range(20):
                            client.get(url + path).raise_for_status()
                    direct_times, proxy_times, added = [], [], []
                    for _ in range(args.calls):
                        pair = {}
                        for name in order.sample(["direct", "proxy"], 2):
                            url = (base if name == "direct" else proxied) + path
                            started = time.perf_counter()
                            client.get(url).raise_for_status()
                            pair[name] = time.perf_counter() - started
                        direct_times.append(pair["direct"])
                        proxy_times.append(pair["proxy"])
                        added.append(pair["proxy"] - pair["direct"])
                    rows.append(
                        (kind, _median_ms(direct_times), _median_ms(proxy_times), _median_ms(added))
                    )
        finally:
            proxy.send_signal(signal.SIGINT)
            proxy.wait(60)
            upstream.communicate(b"", timeout=60)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"bench_proxy: {args.calls} pairs per kind, record={args.record}, "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'call':32} {'direct ms':>10} {'proxied ms':>11} {'added ms':>9}  target")
    for kind, direct, through, extra in rows:
        verdict = "met" if extra <= TARGET_MS else "not met"
        print(
            f"{kind:32} {direct:10.3f} {through:11.3f} {extra:9.3f}  <= {TARGET_MS} ms: {verdict}"
        )


if __name__ == "__main__":
    main()
