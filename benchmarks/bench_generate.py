"""Generation speed: the sampler and the strategies against each other and their peers.

Run: python benchmarks/bench_generate.py [-n 1000] [--rounds 3] [--seed 0]
         [--sampler-n 20000] [--memory 100000,1000000]

In one run, first the direct sampler (``contract.generate.sampler``) against the
Hypothesis strategies it stands beside: conforming FineTuningJob payloads per
second and labelled mutants per second (both contexts), interleaved rounds,
medians, each ratio against the target (25x); then the peak memory (maximum
resident set size of the child process) and rate of ``finetune-contract
generate --valid -n N`` for each N of ``--memory`` (empty: skipped), writing to
/dev/null. Then, as before, it draws the same number of FineTuningJob payloads from
``strategies.conforming()``, from a hand-written ``st.fixed_dictionaries``
strategy of the same shape, and (if it is installed) from Schemathesis's
positive mode; then the same for non-conforming payloads:
``strategies.nonconforming()`` (minimal context, the default) and
``nonconforming(context="full")``, the hand-written strategy with one property
replaced by a wrong-typed value, and Schemathesis's negative mode. Prints
examples per second, then each of ours against each peer with the target
(0.8x the hand-written strategy, 5x Schemathesis). Every contender runs under
the same Hypothesis settings (generate phase only, no database).

The hand-written strategy restates the contract's bounds on purpose: it is
the thing ``contract.generate.strategies`` replaces, kept here only as the speed
baseline (the practical ceiling for a Hypothesis-driven generator).
"""

from __future__ import annotations

import argparse
import statistics
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from contract import schema as registry
from contract.generate import sampler, strategies

# -- the hand-written baseline -------------------------------------------------------------------

_TEXT = st.text(string.ascii_letters + string.digits + " -_.,:'")


def _ident(prefix: str) -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits, min_size=1, max_size=24).map(
        lambda s: prefix + s
    )


def _auto_or(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.just("auto") | values


def _nullable(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values


def _number(low: float, high: float) -> st.SearchStrategy[Any]:
    return st.integers(max(1, int(low) + 1), int(high)) | st.floats(
        low, high, exclude_min=True, allow_nan=False
    )


BATCH = _auto_or(st.integers(1, 256))
LR = _auto_or(_number(0, 1000))
EPOCHS = _auto_or(st.integers(1, 50))


def _hyper(**more: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={"batch_size": BATCH, "learning_rate_multiplier": LR, "n_epochs": EPOCHS, **more},
    )


_CONTENT_ITEM = st.one_of(
    _TEXT,
    st.fixed_dictionaries(
        {"type": st.just("input_text"), "text": _TEXT},
        optional={"prompt_cache_breakpoint": st.fixed_dictionaries({"mode": st.just("explicit")})},
    ),
    st.fixed_dictionaries({"type": st.just("output_text"), "text": _TEXT}),
    st.fixed_dictionaries(
        {"type": st.just("input_image"), "image_url": _TEXT}, optional={"detail": _TEXT}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("input_audio"),
            "input_audio": st.fixed_dictionaries(
                {"data": _TEXT, "format": st.sampled_from(["mp3", "wav"])}
            ),
        }
    ),
)
_EVAL_ITEM = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "developer"]),
        "content": _CONTENT_ITEM | st.lists(_CONTENT_ITEM),
    },
    optional={"type": st.just("message")},
)
_GRADERS = [
    st.fixed_dictionaries(
        {
            "type": st.just("string_check"),
            "name": _TEXT,
            "input": _TEXT,
            "reference": _TEXT,
            "operation": st.sampled_from(["eq", "ne", "like", "ilike"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("text_similarity"),
            "name": _TEXT,
            "input": _TEXT,
            "reference": _TEXT,
            "evaluation_metric": st.sampled_from(["cosine", "fuzzy_match", "bleu", "rouge_l"]),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("python"), "name": _TEXT, "source": _TEXT},
        optional={"image_tag": _TEXT},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("score_model"),
            "name": _TEXT,
            "model": _TEXT,
            "input": st.lists(_EVAL_ITEM),
        },
        optional={
            "range": st.lists(
                st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=2
            ),
            "sampling_params": st.fixed_dictionaries(
                {},
                optional={
                    "seed": _nullable(st.integers()),
                    "top_p": _nullable(
                        st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    ),
                    "temperature": _nullable(
                        st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    ),
                    "max_completions_tokens": _nullable(st.integers(min_value=1)),
                    "reasoning_effort": _nullable(
                        st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh"])
                    ),
                },
            ),
        },
    ),
]
_LABEL_MODEL = st.fixed_dictionaries(
    {
        "type": st.just("label_model"),
        "name": _TEXT,
        "model": _TEXT,
        "input": st.lists(_EVAL_ITEM),
        "labels": st.lists(_TEXT),
        "passing_labels": st.lists(_TEXT),
    }
)
_GRADER = st.one_of(
    *_GRADERS,
    st.fixed_dictionaries(
        {
            "type": st.just("multi"),
            "name": _TEXT,
            "graders": st.one_of(*_GRADERS, _LABEL_MODEL),
            "calculate_output": _TEXT,
        }
    ),
)
#: The contract's FineTuneMethod: a type and, all optional, a sub-object per method
#: (it does not tie the sub-object to the type, so neither does this baseline).
_METHOD = st.fixed_dictionaries(
    {"type": st.sampled_from(["supervised", "dpo", "reinforcement"])},
    optional={
        "supervised": st.fixed_dictionaries({}, optional={"hyperparameters": _hyper()}),
        "dpo": st.fixed_dictionaries(
            {}, optional={"hyperparameters": _hyper(beta=_auto_or(_number(0, 2)))}
        ),
        "reinforcement": st.fixed_dictionaries(
            {"grader": _GRADER},
            optional={
                "hyperparameters": _hyper(
                    compute_multiplier=_auto_or(_number(1e-5, 10)),
                    eval_interval=_auto_or(st.integers(1, 2**31)),
                    eval_samples=_auto_or(st.integers(1, 2**31)),
                    reasoning_effort=st.sampled_from(["default", "low", "medium", "high"]),
                )
            },
        ),
    },
)
_TIME = st.integers(1_600_000_000, 1_900_000_000)
_INTEGRATION = st.fixed_dictionaries(
    {
        "type": st.just("wandb"),
        "wandb": st.fixed_dictionaries(
            {"project": _TEXT},
            optional={
                "name": _nullable(_TEXT),
                "entity": _nullable(_TEXT),
                "tags": st.lists(_TEXT),
            },
        ),
    }
)
HANDWRITTEN_JOB = st.fixed_dictionaries(
    {
        "id": _ident("ftjob-"),
        "created_at": _TIME,
        "error": _nullable(
            st.fixed_dictionaries({"code": _TEXT, "message": _TEXT, "param": _nullable(_TEXT)})
        ),
        "fine_tuned_model": _nullable(_TEXT),
        "finished_at": _nullable(_TIME),
        "hyperparameters": _hyper(batch_size=_nullable(BATCH)),
        "model": _TEXT,
        "object": st.just("fine_tuning.job"),
        "organization_id": _ident("org-"),
        "result_files": st.lists(_ident("file-")),
        "status": st.sampled_from(
            ["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]
        ),
        "trained_tokens": _nullable(st.integers(0, 2**31)),
        "training_file": _ident("file-"),
        "validation_file": _nullable(_ident("file-")),
        "seed": st.integers(0, 2**31),
    },
    optional={
        "integrations": _nullable(st.lists(_INTEGRATION, max_size=5)),
        "estimated_finish": _nullable(_TIME),
        "method": _METHOD,
        "metadata": _nullable(
            st.dictionaries(st.text(max_size=64), st.text(max_size=512), max_size=16)
        ),
    },
)
#: Hand-written "mutants": one property replaced by a value of a wrong type. (None and
#: booleans are no value of these; a list is wrong for all but result_files, where it
#: holds an integer. An empty list would be a valid result_files.)
HANDWRITTEN_BAD = st.builds(
    lambda job, key, bad: {**job, key: bad},
    HANDWRITTEN_JOB,
    st.sampled_from(["id", "created_at", "status", "object", "seed", "result_files"]),
    st.just(None) | st.booleans() | st.lists(st.integers(), min_size=1, max_size=2),
)


# -- Schemathesis, when installed --------------------------------------------------------------


def _schemathesis(negative: bool) -> st.SearchStrategy[Any] | None:
    """A strategy for FineTuningJob request bodies built by Schemathesis, or None."""
    try:
        import schemathesis
        from schemathesis.generation import GenerationMode
    except ImportError:
        return None
    components = {}
    for name, doc in registry.documents().items():
        body = {k: v for k, v in doc.items() if k not in ("$id", "$schema")}
        components[name] = _rewrite_refs(body)
    openapi = {
        "openapi": "3.1.0",
        "info": {"title": "bench", "version": "1"},
        "paths": {
            "/jobs": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/FineTuningJob"}
                            }
                        },
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": components},
    }
    schema = schemathesis.openapi.from_dict(openapi)
    mode = GenerationMode.NEGATIVE if negative else GenerationMode.POSITIVE
    operation = schema["/jobs"]["POST"]
    return operation.as_strategy(generation_mode=mode).map(lambda case: case.body)


def _rewrite_refs(value: Any) -> Any:
    """Point ``Name.json#/x`` references at ``#/components/schemas/Name/x``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and not item.startswith("#"):
                doc, _, fragment = item.partition("#")
                out[key] = f"#/components/schemas/{doc.removesuffix('.json')}{fragment}"
            else:
                out[key] = _rewrite_refs(item)
        return out
    if isinstance(value, list):
        return [_rewrite_refs(v) for v in value]
    return value


# -- measuring --------------------------------------------------------------------------------


def rate(strategy: st.SearchStrategy[Any], count: int, seed_value: int) -> float:
    """Examples per second drawing ``count`` examples (Hypothesis generate phase only)."""
    drawn = 0

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy)
    def draw(_: Any) -> None:
        nonlocal drawn
        drawn += 1

    start = time.perf_counter()
    draw()
    elapsed = time.perf_counter() - start
    return drawn / elapsed


#: The issue's targets: ours against each peer, at least this many times as fast.
TARGETS = {"hand-written": 0.8, "Schemathesis": 5.0}

Contender = tuple[str, st.SearchStrategy[Any] | None]


def table(
    title: str, ours: list[Contender], peers: list[Contender], n: int, s: int, rounds: int
) -> None:
    """Rates of every contender, then each of ours against each peer (with its target).

    The contenders take turns, ``rounds`` times (seed ``s``, ``s + 1``, ...), and each
    one's median rate is reported, so a burst of load on the machine does not decide
    a ratio.
    """
    print(f"\n{title} ({n} examples each, median of {rounds} interleaved rounds)")
    contenders = [(label, strategy) for label, strategy in [*ours, *peers] if strategy is not None]
    for _, strategy in contenders:
        rate(strategy, min(n, 50), s)  # build the strategy and warm caches
    samples: dict[str, list[float]] = {label: [] for label, _ in contenders}
    for round_ in range(rounds):
        for label, strategy in contenders:
            samples[label].append(rate(strategy, n, s + round_))
    rates: dict[str, float | None] = {}
    for label, strategy in [*ours, *peers]:
        if strategy is None:
            rates[label] = None
            print(f"  {label:<48} {'skipped (not installed)':>24}")
            continue
        rates[label] = statistics.median(samples[label])
        spread = f"{min(samples[label]):.0f}-{max(samples[label]):.0f}"
        print(f"  {label:<48} {rates[label]:>10.0f} ex/s  (range {spread})")
    for mine, _ in ours:
        for peer, _ in peers:
            theirs = rates[peer]
            if theirs is None:
                continue
            ratio = (rates[mine] or 0.0) / theirs
            target = next(t for key, t in TARGETS.items() if peer.startswith(key))
            verdict = "met" if ratio >= target else "NOT met"
            print(f"  {mine} / {peer}: {ratio:.2f}x (target {target}x: {verdict})")


# -- the sampler ---------------------------------------------------------------------------------

#: The sampler against the strategies it stands beside (issue 13): at least this many times.
SAMPLER_TARGET = 25.0


def sampler_rate(make: Callable[[int], Iterator[Any]], count: int, seed_value: int) -> float:
    """Payloads per second drawing ``count`` from a fresh seeded sampler iterator."""
    drawn = make(seed_value)
    next(drawn)  # compile outside the timing
    start = time.perf_counter()
    for _ in islice(drawn, count):
        pass
    return count / (time.perf_counter() - start)


def sampler_table(
    title: str,
    pairs: list[tuple[str, Callable[[int], Iterator[Any]], str, st.SearchStrategy[Any]]],
    n_sampler: int,
    n_strategy: int,
    s: int,
    rounds: int,
) -> None:
    """Each sampler against its strategy, interleaved rounds, medians, ratio and target."""
    print(f"\n{title} (sampler {n_sampler}, strategy {n_strategy} per round; median of {rounds})")
    for ours_label, make, theirs_label, strategy in pairs:
        rate(strategy, min(n_strategy, 50), s)  # build the strategy and warm caches
        ours, theirs = [], []
        for round_ in range(rounds):
            ours.append(sampler_rate(make, n_sampler, s + round_))
            theirs.append(rate(strategy, n_strategy, s + round_))
        mine, peer = statistics.median(ours), statistics.median(theirs)
        ratio = mine / peer
        verdict = "met" if ratio >= SAMPLER_TARGET else "NOT met"
        print(f"  {ours_label:<48} {mine:>10.0f} /s  (range {min(ours):.0f}-{max(ours):.0f})")
        print(f"  {theirs_label:<48} {peer:>10.0f} /s  (range {min(theirs):.0f}-{max(theirs):.0f})")
        print(f"  ratio {ratio:.1f}x (target {SAMPLER_TARGET:g}x: {verdict})")


#: Runs the command it is given and prints its peak RSS (KiB) and wall time. The command is
#: started from this small process, not from the benchmark: a child forked from a large
#: process inherits that process's resident size as its high-water mark, even after exec.
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, elapsed)
"""


def generate_memory(count: int, seed_value: int) -> tuple[float, float]:
    """(peak resident MiB, payloads/s) of ``finetune-contract generate --valid -n count``."""
    argv = [sys.executable, "-m", "contract", "generate", "--valid", "-n", str(count)]
    argv += ["--seed", str(seed_value)]
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv], capture_output=True, text=True, check=True
    )
    status, peak_kib, elapsed = measured.stdout.split()
    if status != "0":
        raise SystemExit(f"generate -n {count} failed with exit status {status}")
    return int(peak_kib) / 1024, count / float(elapsed)  # ru_maxrss is in KiB on Linux


def memory_table(counts: list[int], seed_value: int) -> None:
    print("\nfinetune-contract generate --valid -n N > /dev/null (one child process each)")
    for count in counts:
        peak, per_second = generate_memory(count, seed_value)
        print(f"  -n {count:>9,}: peak RSS {peak:>6.1f} MiB, {per_second:>8.0f} payloads/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=1000, help="examples per contender and round (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds per contender (default 3)"
    )
    parser.add_argument(
        "--sampler-n", type=int, default=20000, help="sampler draws per round (default 20000)"
    )
    parser.add_argument(
        "--memory",
        default="100000,1000000",
        help="comma-separated -n values for the generate memory run ('' skips it)",
    )
    args = parser.parse_args()
    sampler_table(
        "The sampler against the strategies",
        [
            (
                "sampler.conforming()",
                lambda s: sampler.conforming(seed=s),
                "strategies.conforming()",
                strategies.conforming(),
            ),
            (
                "sampler.nonconforming()",
                lambda s: sampler.nonconforming(seed=s),
                "strategies.nonconforming()",
                strategies.nonconforming(),
            ),
            (
                'sampler.nonconforming(context="full")',
                lambda s: sampler.nonconforming(seed=s, context="full"),
                'strategies.nonconforming(context="full")',
                strategies.nonconforming(context="full"),
            ),
        ],
        args.sampler_n,
        args.n,
        args.seed,
        args.rounds,
    )
    if args.memory.strip():
        memory_table([int(c) for c in args.memory.split(",")], args.seed)
    table(
        "Conforming FineTuningJob payloads",
        [("conforming()", strategies.conforming())],
        [
            ("hand-written st.fixed_dictionaries", HANDWRITTEN_JOB),
            ("Schemathesis positive mode", _schemathesis(negative=False)),
        ],
        args.n,
        args.seed,
        args.rounds,
    )
    table(
        "Non-conforming FineTuningJob payloads",
        [
            ("nonconforming()", strategies.nonconforming()),
            ('nonconforming(context="full")', strategies.nonconforming(context="full")),
        ],
        [
            ("hand-written, one property of a wrong type", HANDWRITTEN_BAD),
            ("Schemathesis negative mode", _schemathesis(negative=True)),
        ],
        args.n,
        args.seed,
        args.rounds,
    )


if __name__ == "__main__":
    main()
