"""The benchmark's hand-written baselines draw what they claim to (so its ratios mean something)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings

from contract.validation import fast_validator, reference_validator


def _bench() -> ModuleType:
    path = Path(__file__).parent.parent / "benchmarks" / "bench_generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
QUICK = settings(max_examples=150, database=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(BENCH.HANDWRITTEN_JOB)
def test_hand_written_baseline_conforms(job: Any) -> None:
    assert fast_validator("FineTuningJob").is_valid(job)
    assert reference_validator("FineTuningJob").is_valid(job)


@QUICK
@given(BENCH.HANDWRITTEN_BAD)
def test_hand_written_mutants_do_not_conform(job: Any) -> None:
    assert not fast_validator("FineTuningJob").is_valid(job)
