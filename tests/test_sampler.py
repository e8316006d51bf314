"""contract.generate.sampler: valid payloads, verified mutants, the strategies' reach, seeds.

Draws use a fresh random seed each run (shown in failure messages), so runs
explore; every property below holds with near certainty for the counts used.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from contract import schema as registry
from contract.generate import sampler, strategies
from contract.generate.strategies import Context, Mutant
from contract.validation import fast_validator, reference_validator, violations_of
from tests.test_mutants import _OPERATORS
from tests.test_strategies import _REACHABLE

JOB = registry.document("FineTuningJob")
REQUIRED, KNOWN = set(JOB["required"]), set(JOB["properties"])


def fresh_seed() -> int:
    return random.SystemRandom().randrange(2**32)


def take(iterator: Iterator[Any], count: int) -> list[Any]:
    return list(islice(iterator, count))


def both_accept(payload: Any, name: str = "FineTuningJob") -> bool:
    return bool(fast_validator(name).is_valid(payload)) and bool(
        reference_validator(name).is_valid(payload)
    )


def check_mutant(mutant: Mutant, name: str) -> None:
    """Both validators reject it, and the report names its rule at its path."""
    assert not fast_validator(name).is_valid(mutant.payload), mutant
    assert not reference_validator(name).is_valid(mutant.payload), mutant
    at_path = {v.keyword for v in violations_of(mutant.payload, name) if v.path == mutant.path}
    assert mutant.keyword in at_path, mutant


# -- conforming -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("realistic", "extra", "coherent"),
    [(True, False, False), (False, False, False), (True, True, False), (False, True, True)],
)
def test_conforming_jobs_pass_both_validators(realistic: bool, extra: bool, coherent: bool) -> None:
    seed = fresh_seed()
    jobs = sampler.conforming(
        seed=seed, realistic=realistic, extra_properties=extra, coherent=coherent
    )
    for job in take(jobs, 300):
        assert isinstance(job, dict)
        assert both_accept(job), (seed, job)
        json.dumps(job, allow_nan=False).encode("utf-8")  # JSON-safe, UTF-8 encodable


@pytest.mark.parametrize("name", registry.schema_names())
def test_every_type_conforms(name: str) -> None:
    seed = fresh_seed()
    for payload in take(sampler.conforming(name, seed=seed, realistic=False), 40):
        assert both_accept(payload, name), (seed, payload)


@pytest.mark.parametrize("realistic", [True, False])
def test_conforming_reaches_what_the_strategies_reach(realistic: bool) -> None:
    seed, seen = fresh_seed(), set()
    for job in take(sampler.conforming(seed=seed, realistic=realistic), 5000):
        seen.update(fact for fact, holds in _REACHABLE.items() if holds(job))
        if len(seen) == len(_REACHABLE):
            break
    assert sorted(set(_REACHABLE) - seen) == [], seed


def test_realistic_identifiers_and_timestamps() -> None:
    seed = fresh_seed()
    for job in take(sampler.conforming(seed=seed), 300):
        assert job["id"].startswith("ftjob-")
        assert job["training_file"].startswith("file-")
        assert job["organization_id"].startswith("org-")
        assert all(f.startswith("file-") for f in job["result_files"])
        assert 1_500_000_000 < job["created_at"] < 2_000_000_000
        assert all(isinstance(job[k], int) for k in ("seed", "created_at"))
        assert set(job) <= KNOWN


def test_arbitrary_mode_reaches_non_ascii_and_integral_floats() -> None:
    seed = fresh_seed()
    jobs = take(sampler.conforming(seed=seed, realistic=False), 2000)
    assert any(any(ord(ch) > 127 for ch in job["id"]) for job in jobs), seed
    assert any(any(ord(ch) > 0xFFFF for ch in job["model"]) for job in jobs), seed
    floats = [job["seed"] for job in jobs if isinstance(job["seed"], float)]
    assert floats and all(f.is_integer() for f in floats), seed


def test_extra_properties_are_added() -> None:
    seed = fresh_seed()
    jobs = take(sampler.conforming(seed=seed, extra_properties=True), 200)
    assert any(set(job) - KNOWN for job in jobs), seed


def test_same_seed_same_payloads() -> None:
    seed = fresh_seed()
    first = take(sampler.conforming(seed=seed), 50) + take(sampler.nonconforming(seed=seed), 50)
    again = take(sampler.conforming(seed=seed), 50) + take(sampler.nonconforming(seed=seed), 50)
    other = take(sampler.conforming(seed=seed + 1), 50)
    assert first == again
    assert first[:50] != other


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown schema 'Nope'"):
        sampler.conforming("Nope")
    with pytest.raises(ValueError, match="unknown schema 'Nope'"):
        sampler.nonconforming("Nope")
    with pytest.raises(ValueError, match="unknown context 'tiny'"):
        sampler.nonconforming(context="tiny")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed must be an integer"):
        sampler.conforming(seed="1")  # type: ignore[arg-type]


def test_no_hypothesis_needed() -> None:
    code = (
        "import sys, itertools; from contract import sampler; "
        "list(itertools.islice(sampler.conforming(seed=1), 5)); "
        "list(itertools.islice(sampler.nonconforming(seed=1), 5)); "
        "print('hypothesis' in sys.modules)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- mutants ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "context", "realistic"),
    [
        ("FineTuningJob", 200, "minimal", True),
        ("FineTuningJob", 120, "full", True),
        ("FineTuningJob", 120, "minimal", False),
        ("Metadata", 100, "full", False),
        ("FineTuneReinforcementMethod", 150, "minimal", True),
        ("EvalItemContent", 100, "full", True),
        ("ListPaginatedFineTuningJobsResponse", 100, "minimal", True),
    ],
)
def test_mutants_are_rejected_by_both_validators_at_the_labelled_path(
    name: str, count: int, context: Context, realistic: bool
) -> None:
    seed = fresh_seed()
    mutants = sampler.nonconforming(name, seed=seed, context=context, realistic=realistic)
    for mutant in take(mutants, count):
        check_mutant(mutant, name)


@pytest.mark.parametrize(("operator", "name", "holds"), _OPERATORS, ids=[o[0] for o in _OPERATORS])
def test_every_kind_of_mutation_is_drawn(
    operator: str, name: str, holds: Callable[[Mutant], bool]
) -> None:
    seed = fresh_seed()
    found = next(
        (m for m in take(sampler.nonconforming(name, seed=seed), 20_000) if holds(m)), None
    )
    assert found is not None, (operator, seed)
    check_mutant(found, name)


def test_every_breakable_rule_of_a_job_is_broken() -> None:
    from contract.generate.constraints import constraints

    locations = {c.location for c in constraints("FineTuningJob")}
    keywords: set[str] = set()
    seed = fresh_seed()
    for mutant in take(sampler.nonconforming(seed=seed), 3000):
        keywords.add(mutant.keyword)
    assert locations
    # Every kind of rule the contract has (anyOf breaks as a wrong type).
    assert keywords >= {c.keyword for c in constraints("FineTuningJob")} - {"anyOf"}, seed


def _labels_of_strategy(name: str, count: int) -> set[tuple[str, str, str]]:
    seen: set[tuple[str, str, str]] = set()

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategies.nonconforming(name))
    def collect(mutant: Mutant) -> None:
        seen.add((mutant.path, mutant.keyword, mutant.description))

    collect()
    return seen


def test_same_labels_as_the_strategies() -> None:
    name = "FineTuneDPOHyperparameters"
    seed = fresh_seed()
    ours = {
        (m.path, m.keyword, m.description)
        for m in take(sampler.nonconforming(name, seed=seed), 3000)
    }
    theirs = _labels_of_strategy(name, 1500)
    # Every label either generator drew, the other drew too (minus the rarest few the
    # strategy may miss in 1,500 examples).
    assert theirs <= ours, (seed, sorted(theirs - ours))
    assert len(ours - theirs) <= 3, (seed, sorted(ours - theirs))


def _first_step(mutant: Mutant) -> str | None:
    return mutant.path.split("/")[1] if mutant.path else None


def test_minimal_context_has_only_required_properties_off_the_route() -> None:
    seed = fresh_seed()
    for mutant in take(sampler.nonconforming(seed=seed), 500):
        if not isinstance(mutant.payload, dict):
            continue
        off_route = set(mutant.payload) - {_first_step(mutant)}
        assert off_route <= REQUIRED, (seed, mutant)
        for key in off_route:
            if isinstance(mutant.payload[key], list):
                assert mutant.payload[key] == [], (seed, mutant)


def test_full_context_carries_optional_properties_off_the_route() -> None:
    seed = fresh_seed()
    optional = KNOWN - REQUIRED
    assert any(
        isinstance(m.payload, dict) and optional & (set(m.payload) - {_first_step(m)})
        for m in take(sampler.nonconforming(seed=seed, context="full"), 300)
    ), seed


def test_minimal_context_varies_the_position_of_the_broken_item() -> None:
    seed = fresh_seed()
    paths = {
        m.path
        for m in take(sampler.nonconforming("FineTuningIntegration", seed=seed), 3000)
        if m.path.startswith("/wandb/tags/")
    }
    assert len(paths) > 1, (seed, paths)
