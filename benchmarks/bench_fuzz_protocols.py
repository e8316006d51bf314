"""External-parser protocols: one process per payload against a persistent JSON Lines process.

Run: python benchmarks/bench_fuzz_protocols.py [-n 200] [--seed 1]

The same payloads (drawn once, half conforming, half not) go through each
example parser (Perl, Python) under both protocols of ``finetune-contract
fuzz``. The table prints payloads per second and the JSON Lines speed-up;
both protocols must give the same verdicts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from contract._exec_parser import open_parser
from contract.fuzz import draw, encode_payload

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


if __name__ == "__main__":
    main()
