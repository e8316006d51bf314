"""The long test: 100,000 sampler draws per run, every one checked by the fast validator.

60,000 conforming FineTuningJob payloads (four knob settings) must be valid and
40,000 mutants (both contexts, realistic and arbitrary) invalid with an error at
or above their labelled path (jsonschema-rs ``iter_errors``, a different check
from the one the sampler makes). A stratified subset is cross-checked with the
reference validator (jsonschema): every 25th conforming payload is valid there,
every 25th mutant invalid, and for the first mutants of each (setting, keyword)
the explanation names the label's keyword at the label's path. Seeds are fresh
each run. Cost: 15-20 s of CPU on the development machine, in three tests
that share the work under ``-n 2``.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import islice
from typing import Any

import pytest

from contract.generate import sampler
from contract.generate.strategies import Context
from contract.validation import fast_validator, reference_validator, violations_of

NAME = "FineTuningJob"
CONFORMING_SETTINGS = [
    {"realistic": True},
    {"realistic": False},
    {"realistic": True, "extra_properties": True, "coherent": True},
    {"realistic": False, "extra_properties": True},
]
MUTANT_CONTEXTS: tuple[Context, ...] = ("minimal", "full")
CONFORMING_DRAWS, MUTANT_DRAWS = 15_000, 10_000  # per setting: 60,000 + 40,000
STRIDE = 25  # every STRIDE-th draw is cross-checked with jsonschema
EXPLAINED = 8  # mutants per (setting, keyword) whose explanation is checked


def _parts(pointer: str) -> tuple[str, ...]:
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])


def _errors_at_or_above(validator: Any, payload: Any, pointer: str) -> bool:
    wanted = _parts(pointer)
    for error in validator.iter_errors(payload):
        where = tuple(str(p) for p in error.instance_path)
        if where == wanted[: len(where)]:
            return True
    return False


def test_a_hundred_thousand_draws_conforming_part() -> None:
    fast, reference = fast_validator(NAME), reference_validator(NAME)
    drawn = 0
    for knobs in CONFORMING_SETTINGS:
        seed = random.SystemRandom().randrange(2**32)
        jobs = sampler.conforming(NAME, seed=seed, **knobs)
        for index, job in enumerate(islice(jobs, CONFORMING_DRAWS)):
            assert fast.is_valid(job), (knobs, seed, index, job)
            if index % STRIDE == 0:
                assert reference.is_valid(job), (knobs, seed, index, job)
            drawn += 1
    assert drawn == 60_000


@pytest.mark.parametrize("realistic", [True, False], ids=["realistic", "arbitrary"])
def test_a_hundred_thousand_draws_mutant_part(realistic: bool) -> None:
    fast, reference = fast_validator(NAME), reference_validator(NAME)
    drawn = 0
    for context in MUTANT_CONTEXTS:
        seed = random.SystemRandom().randrange(2**32)
        mutants = sampler.nonconforming(NAME, seed=seed, realistic=realistic, context=context)
        explained: Counter[str] = Counter()
        for index, mutant in enumerate(islice(mutants, MUTANT_DRAWS)):
            where = (realistic, context, seed, index, mutant)
            assert _errors_at_or_above(fast, mutant.payload, mutant.path), where
            if index % STRIDE == 0:
                assert not reference.is_valid(mutant.payload), where
            if explained[mutant.keyword] < EXPLAINED:
                explained[mutant.keyword] += 1
                at_path = {
                    v.keyword for v in violations_of(mutant.payload, NAME) if v.path == mutant.path
                }
                assert mutant.keyword in at_path, where
            drawn += 1
        assert len(explained) >= 12, (realistic, context, seed, explained)
    assert drawn == 20_000  # twice: realistic and arbitrary
