"""Validation speed, ours against the peers, in one run on one machine.

Run: python benchmarks/bench_validate.py [--seconds 0.5]

Every contender validates the same conforming FineTuningJob (the upstream
example with "error": null) and, where it can, the same violating one. The
table prints microseconds per payload and each contender's time relative to
``contract.is_valid``. Peers that are not installed are listed as skipped.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import contract
from contract import registry, validation

ROOT = Path(__file__).resolve().parent.parent
VALID = dict(
    json.loads((ROOT / "tests/data/upstream/fine_tuning_job_object_example.json").read_text()),
    error=None,
)
INVALID = dict(VALID, status="paused", hyperparameters={"n_epochs": 51})


def per_call(fn: Callable[[], Any], seconds: float) -> float:
    """Seconds per call: best of three timed batches sized to ``seconds``."""
    fn()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 10:
        fn()
        count += 1
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count * 3):
            fn()
        best = min(best, (time.perf_counter() - start) / (count * 3))
    return best


def contenders() -> list[tuple[str, Callable[[], Any] | None]]:
    import jsonschema

    reference = validation.reference_validator("FineTuningJob")
    found: list[tuple[str, Callable[[], Any] | None]] = [
        ("contract.is_valid (jsonschema-rs, compiled once)", lambda: contract.is_valid(VALID)),
        (
            "contract.iter_violations, conforming payload",
            lambda: list(contract.iter_violations(VALID)),
        ),
        ("contract.iter_violations, 2 violations", lambda: list(contract.iter_violations(INVALID))),
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
    try:
        import orjson

        raw = json.dumps(VALID).encode()
        found.append(("orjson.loads (parse alone)", lambda: orjson.loads(raw)))
    except ImportError:
        found.append(("orjson.loads (parse alone)", None))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=0.5, help="time per contender (default 0.5)"
    )
    args = parser.parse_args()
    rows = [(name, per_call(fn, args.seconds) if fn else None) for name, fn in contenders()]
    base = rows[0][1] or 1.0
    print(f"{'contender':52} {'µs/payload':>12} {'x contract.is_valid':>20}")
    for name, seconds in rows:
        if seconds is None:
            print(f"{name:52} {'skipped (not installed)':>33}")
        else:
            print(f"{name:52} {seconds * 1e6:12.1f} {seconds / base:20.1f}")


if __name__ == "__main__":
    main()
