"""Validation speed, ours against the peers and floors, in one run on one machine.

Run: python benchmarks/bench_validate.py [--rounds 7] [--seconds 0.1] [--seed 0]

Every contender validates the same FineTuningJob: the upstream example with
"error": null (conforming), the same with "status": "paused" and n_epochs 51
(two violations, one inside a oneOf), and the conforming one as the raw bytes
of an API response (indented JSON). The contenders take turns, in a shuffled
order each round, for ``--rounds`` rounds of about ``--seconds`` each; the
table shows each one's median time per call (with the range over rounds) and
its ratio to ``contract.is_valid``. Then each target of issue 12 is printed
with its measured ratio and whether it is met:

* ``contract.is_valid`` at most 1.5x bare jsonschema-rs ``is_valid``;
* ``contract.check_response`` on raw bytes at most 2x the floor
  ``orjson.loads`` + jsonschema-rs ``is_valid``;
* ``contract.iter_violations`` on the invalid job at least 10x faster than
  compiled jsonschema's ``iter_errors`` (same messages: the test suite checks),
  and so on each case of issue 22: one violation (n_epochs 51), several
  (status, n_epochs, created_at and model all wrong), a ``oneOf`` branch choice
  (n_epochs ``"many"``: neither ``"auto"`` nor an integer) and an unknown enum
  value (status ``"exploded"``).

The raw-bytes check is also shown without its HTTP layer (strict decoding and
validation alone) and with an already-decoded body (the HTTP layer alone).

Peers that are not installed are listed as skipped.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

import contract
from contract import schema as registry
from contract import strictjson, validation

ROOT = Path(__file__).resolve().parent.parent
VALID = dict(
    json.loads((ROOT / "tests/data/upstream/fine_tuning_job_object_example.json").read_text()),
    error=None,
)
INVALID = dict(VALID, status="paused", hyperparameters={"n_epochs": 51})
RAW = json.dumps(VALID, indent=2).encode()
#: The cases of issue 22, each checked by iter_violations and jsonschema's iter_errors.
CASES = {
    "one violation": dict(VALID, hyperparameters={"n_epochs": 51}),
    "several violations": dict(
        VALID,
        status="exploded",
        hyperparameters={"n_epochs": 51},
        created_at="yesterday",
        model=5,
    ),
    "oneOf branch choice": dict(VALID, hyperparameters={"n_epochs": "many"}),
    "unknown enum value": dict(VALID, status="exploded"),
}
HEADERS = {"content-type": "application/json"}
DECODED = strictjson.decode(RAW)

IS_VALID = "contract.is_valid"
RS_IS_VALID = "jsonschema-rs is_valid (bare)"
CHECK_RAW = "contract.check_response, raw bytes"
FLOOR = "orjson.loads + jsonschema-rs is_valid (floor)"
DECODE_CHECK = "strictjson.decode + violations_of, raw bytes"
ITER_BAD = "contract.iter_violations, invalid job"
JS_ITER_BAD = "jsonschema iter_errors, invalid job"

#: (ours, peer, the most ours may cost in units of the peer, how the target reads)
TARGETS = [
    (IS_VALID, RS_IS_VALID, 1.5, "is_valid <= 1.5x bare jsonschema-rs"),
    (CHECK_RAW, FLOOR, 2.0, "check_response on raw bytes <= 2x orjson + jsonschema-rs"),
    (ITER_BAD, JS_ITER_BAD, 0.1, "iter_violations >= 10x faster than jsonschema iter_errors"),
    *(
        (
            f"contract.iter_violations, {case}",
            f"jsonschema iter_errors, {case}",
            0.1,
            f"iter_violations >= 10x faster than jsonschema iter_errors ({case}; issue 22)",
        )
        for case in CASES
    ),
]


def contenders() -> list[tuple[str, Callable[[], Any] | None]]:
    import jsonschema

    fast = validation.fast_validator("FineTuningJob")
    reference = validation.reference_validator("FineTuningJob")
    found: list[tuple[str, Callable[[], Any] | None]] = [
        (IS_VALID, lambda: contract.is_valid(VALID)),
        (RS_IS_VALID, lambda: fast.is_valid(VALID)),
        (CHECK_RAW, lambda: contract.check_response(200, HEADERS, RAW)),
        (FLOOR, lambda: fast.is_valid(orjson.loads(RAW))),
        (DECODE_CHECK, lambda: validation.violations_of(strictjson.decode(RAW).value)),
        (
            "contract.check_response, decoded body",
            lambda: contract.check_response(200, HEADERS, DECODED),
        ),
        ("contract.strictjson.decode, raw bytes", lambda: strictjson.decode(RAW)),
        ("strict pass alone (json + hooks), raw bytes", lambda: strictjson._decode_strictly(RAW)),
        ("orjson.loads, raw bytes", lambda: orjson.loads(RAW)),
        ("contract.iter_violations, conforming job", lambda: list(contract.iter_violations(VALID))),
        (ITER_BAD, lambda: list(contract.iter_violations(INVALID))),
        (JS_ITER_BAD, lambda: list(reference.iter_errors(INVALID))),
        ("jsonschema-rs iter_errors, invalid job", lambda: list(fast.iter_errors(INVALID))),
    ]
    for case, payload in CASES.items():
        found += [
            (
                f"contract.iter_violations, {case}",
                lambda p=payload: list(contract.iter_violations(p)),
            ),
            (f"jsonschema iter_errors, {case}", lambda p=payload: list(reference.iter_errors(p))),
        ]
    found += [
        ("jsonschema Draft202012Validator.is_valid", lambda: reference.is_valid(VALID)),
        (
            "jsonschema.validate() (re-checks the schema)",
            lambda: jsonschema.validate(
                VALID, registry.document("FineTuningJob"), registry=registry.registry()
            ),
        ),
    ]
    try:
        from openai.types.fine_tuning import FineTuningJob

        found.append(
            ("openai SDK pydantic model_validate", lambda: FineTuningJob.model_validate(VALID))
        )
    except ImportError:
        found.append(("openai SDK pydantic model_validate", None))
    return found


def batch_size(fn: Callable[[], Any], seconds: float) -> int:
    """How many calls take about ``seconds`` (after a warm-up call)."""
    fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 5:
        fn()
        count += 1
    return max(1, count * 5)


def timed(fn: Callable[[], Any], count: int) -> float:
    """Seconds per call over one batch of ``count`` calls."""
    start = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - start) / count


def measure(
    runnable: list[tuple[str, Callable[[], Any]]], rounds: int, seconds: float, seed: int
) -> dict[str, list[float]]:
    """Seconds per call of each contender in each round; contenders interleaved."""
    sizes = {name: batch_size(fn, seconds) for name, fn in runnable}
    times: dict[str, list[float]] = {name: [] for name, _ in runnable}
    order = list(runnable)
    shuffle = random.Random(seed).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name, fn in order:
            times[name].append(timed(fn, sizes[name]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    parser.add_argument(
        "--seconds", type=float, default=0.1, help="time per contender per round (default 0.1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the running order")
    args = parser.parse_args()
    listed = contenders()
    runnable = [(name, fn) for name, fn in listed if fn is not None]
    times = measure(runnable, args.rounds, args.seconds, args.seed)
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median[IS_VALID]
    print(f"{'contender':50} {'µs/call':>9} {'range':>17} {'x is_valid':>11}")
    for name, fn in listed:
        if fn is None:
            print(f"{name:50} {'skipped (not installed)':>39}")
            continue
        low, high = min(times[name]) * 1e6, max(times[name]) * 1e6
        spread = f"{low:.1f}-{high:.1f}"
        print(f"{name:50} {median[name] * 1e6:9.1f} {spread:>17} {median[name] / base:11.2f}")
    print(f"\nmedians of {args.rounds} interleaved rounds; targets (issues 12 and 22):")
    for ours, peer, most, wording in TARGETS:
        ratio = median[ours] / median[peer]
        met = "met" if ratio <= most else "NOT MET"
        shown = f"{ratio:.2f}x the peer" if most >= 1 else f"{1 / ratio:.1f}x faster"
        print(f"  {wording}: {shown} -> {met}")
    below = median[DECODE_CHECK] / median[FLOOR]
    print(f"  (the same without the HTTP layer, {DECODE_CHECK}: {below:.2f}x the floor)")


if __name__ == "__main__":
    main()
