"""External-parser protocols: one process per payload against a persistent JSON Lines process.

Run: python benchmarks/bench_fuzz_protocols.py [-n 200] [--seed 1] [--feed 5000]

The same payloads (drawn once, half conforming, half not) go through each
example parser (Perl, Python) under both protocols of ``finetune-contract
fuzz``. The table prints payloads per second and the JSON Lines speed-up;
both protocols must give the same verdicts. Then, for the feed: how fast the
sampler draws what ``fuzz`` gives a parser (conforming payloads and full-context
mutants), and ``check_command`` end to end (drawing, encoding, the JSON Lines
exchange and the verdicts; no shrinking) for ``--feed`` payloads with each
example parser.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from contract.fuzz import check_command, draw, encode_payload
from contract.fuzz._exec import open_parser

ROOT = Path(__file__).resolve().parent.parent
PARSERS = {
    "perl": ["perl", str(ROOT / "examples/perl/parse_pause.pl")],
    "python": [sys.executable, str(ROOT / "examples/python/parse_pause.py")],
}


def timed(argv: list[str], protocol: str, payloads: list[bytes]) -> tuple[float, list[str]]:
    parser = open_parser(argv, protocol, timeout=10)  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        outcomes = [parser.check(p).outcome for p in payloads]
        return time.perf_counter() - started, outcomes
    finally:
        parser.close()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("-n", type=int, default=200, help="payloads (default: 200)")
    options.add_argument("--seed", type=int, default=1)
    options.add_argument(
        "--feed", type=int, default=5000, help="payloads for the feed measurement (default: 5000)"
    )
    args = options.parse_args()
    payloads = [
        encode_payload(p) for p in draw("FineTuningJob", "conforming", (args.n + 1) // 2, args.seed)
    ]
    payloads += [
        encode_payload(m.payload)
        for m in draw("FineTuningJob", "nonconforming", args.n // 2, args.seed)
    ]
    print(f"{len(payloads)} payloads, mean {sum(map(len, payloads)) // len(payloads)} bytes")
    print(f"{'parser':<8}{'oneshot/s':>12}{'jsonl/s':>12}{'speed-up':>10}")
    for name, argv in PARSERS.items():
        oneshot_time, oneshot = timed(argv, "oneshot", payloads)
        jsonl_time, jsonl = timed([*argv, "--jsonl"], "jsonl", payloads)
        if oneshot != jsonl:
            raise SystemExit(f"{name}: the two protocols disagree: {shlex.join(argv)}")
        rate_oneshot, rate_jsonl = len(payloads) / oneshot_time, len(payloads) / jsonl_time
        print(
            f"{name:<8}{rate_oneshot:>12.0f}{rate_jsonl:>12.0f}{rate_jsonl / rate_oneshot:>9.0f}x"
        )
    feed(args.feed, args.seed)


def feed(count: int, seed: int) -> None:
    """The sampler's drawing rate, and check_command end to end over JSON Lines."""
    started = time.perf_counter()
    draw("FineTuningJob", "conforming", count // 2, seed)
    draw("FineTuningJob", "nonconforming", count // 2, seed)
    drawn = count / (time.perf_counter() - started)
    print(f"\nsampler, half conforming, half full-context mutants: {drawn:.0f} payloads/s")
    for name, argv in PARSERS.items():
        started = time.perf_counter()
        report = check_command(
            [*argv, "--jsonl"],
            protocol="jsonl",
            mode="tolerant",
            draws=count,
            seed=seed,
            shrink=False,
        )
        elapsed = time.perf_counter() - started
        total = sum(sum(c.values()) for c in report.counts.values())
        print(
            f"check_command, {name} JSON Lines, {total} payloads: {total / elapsed:.0f} payloads/s"
        )


if __name__ == "__main__":
    main()
