"""Memory held while refusing or reading hostile input, as a ratio of what the input builds.

    python benchmarks/bench_hostile.py [--entries 4000]

Measured in one process with ``tracemalloc`` (Python allocations, the ones a
bomb would exhaust), each case after the modules are imported:

* a ``.har.gz`` of ``--entries`` and of four times as many entries of other calls,
  read whole: peak / inflated size (flat if it is read an entry at a time);
* a cassette aliasing one 4 MiB string 1,000 times: peak / file size until refused
  (the text the aliases would build is ~1,000 times the file);
* a live answer that is a gzip bomb (256 MiB of spaces, ~260 KB sent) through an
  ``httpx.MockTransport``: peak / ``max_inflated`` until ``InflatedTooLargeError``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from contract.recordings import RecordingError, read
from contract.testing import live


def peak_of(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def har(entries: int) -> bytes:
    entry = {
        "request": {"method": "GET", "url": "https://api.openai.com/v1/models", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": f"x-h{i}", "value": "v" * 20} for i in range(40)],
            "content": {"mimeType": "application/json", "text": '{"data": []}' + " " * 800},
        },
    }
    log = {"version": "1.2", "creator": {"name": "b", "version": "1"}, "entries": [entry] * entries}
    return json.dumps({"log": log}).encode()


def har_case(folder: Path, entries: int) -> tuple[str, int, int]:
    data = har(entries)
    path = folder / f"other-{entries}.har.gz"
    path.write_bytes(gzip.compress(data))
    peak = peak_of(lambda: sum(1 for _ in read(path, include_other=True)))
    return f".har.gz, {entries} entries (inflated)", len(data), peak


def alias_case(folder: Path) -> tuple[str, int, int]:
    big = "x" * (4 << 20)
    path = folder / "aliased.yaml"
    path.write_text(
        "interactions:\n- request: {method: GET, uri: 'https://api.openai.com/v1/models',"
        " body: null, headers: {}}\n  response:\n    status: {code: 200, message: OK}\n"
        f"    headers: {{X-Big: [&big '{big}'], X-Copies: [" + ", ".join(["*big"] * 1000) + "]}\n"
        "    body: {string: '{}'}\n"
    )

    def refuse() -> None:
        try:
            list(read(path))
        except RecordingError:
            return
        raise SystemExit("the alias bomb was not refused")

    return "cassette aliasing 4 MiB x 1000 (file)", path.stat().st_size, peak_of(refuse)


def live_case(max_inflated: int) -> tuple[str, int, int]:
    bomb = gzip.compress(b" " * (256 << 20), compresslevel=9)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(bomb), 1 << 14):
            yield bomb[start : start + (1 << 14)]

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return httpx.Response(200, headers=headers, content=chunks())

    def refuse() -> None:
        try:
            live.pause(
                "ftjob-bench",
                api_key="sk-bench",
                base_url="http://127.0.0.1:9/v1",
                transport=httpx.MockTransport(answer),
                max_inflated=max_inflated,
            )
        except live.InflatedTooLargeError:
            return
        raise SystemExit("the live gzip bomb was not refused")

    return "live gzip bomb, 256 MiB (max_inflated)", max_inflated, peak_of(refuse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        cases = [
            har_case(folder, args.entries),
            har_case(folder, 4 * args.entries),
            alias_case(folder),
            live_case(8 << 20),
        ]
    print("| case | reference size | peak Python memory | peak / reference |")
    print("|---|---:|---:|---:|")
    for label, size, peak in cases:
        print(f"| {label} | {size / 2**20:.1f} MiB | {peak / 2**20:.1f} MiB | {peak / size:.2f} |")


if __name__ == "__main__":
    main()
