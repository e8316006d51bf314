"""The long fuzz run of every recording reader: a million inputs or more, counted by outcome.

Run: python benchmarks/fuzz_loaders.py [-n 1000000] [--seed 0] [--jobs 2] [--out DIR]

Inputs, seeds, mutators and the oracle are those of the suite's short
Hypothesis test (``tests/loader_fuzzing.py``): arbitrary bytes under every
reader's file name, and every seed file (our fixtures, the bundled examples,
``../shared/realworld``) mutated byte-wise and structurally (type confusion,
non-string keys, YAML aliases, compressed bodies), each read with
``include_other=True`` (as bytes, mostly; one input in ten as a file and
one as standard input, the streamed JSON Lines paths) and every interaction
assessed. The only outcomes
allowed are "read" and "refused" (``RecordingError``); anything else is a
finding, counted by exception and place and saved to ``--out``.

Batches of inputs are drawn from ``(seed, batch number)``, so a run is
reproducible and a finding can be replayed from its saved file. Prints the
count, time, rate, outcomes, the slowest input and the workers' peak memory;
exit status 1 when there is a finding.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import loader_fuzzing  # noqa: E402  (the repository root is on the path now)

BATCH = 5_000
Finding = tuple[str, str, str]  # exception type, innermost place in contract/, message start


def _place(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/contract/" in f.filename] or frames
    last = ours[-1]
    return f"{last.filename.rsplit('/contract/', 1)[-1]}:{last.lineno} ({last.name})"


def run_batch(job: tuple[int, int, int, str | None]) -> dict[str, Any]:
    """Draw and read ``count`` inputs of batch ``number``; outcomes, findings, slowest input."""
    seed, number, count, out = job
    rnd = random.Random(f"{seed}:{number}")
    folder = Path(tempfile.mkdtemp(prefix="fuzz-loaders-"))
    outcomes: Counter[str] = Counter()
    findings: dict[Finding, tuple[int, str]] = {}
    slowest = (0.0, "")
    for index in range(count):
        data, name = loader_fuzzing.draw(rnd)
        via = rnd.choices(loader_fuzzing.VIAS, weights=(8, 1, 1))[0]
        start = time.perf_counter()
        try:
            outcomes[loader_fuzzing.outcome(data, name, via, folder)] += 1
        except Exception as exc:  # a finding: anything but a result or RecordingError
            outcomes["finding"] += 1
            key = (type(exc).__name__, _place(exc), str(exc)[:80])
            seen, where = findings.get(key, (0, ""))
            if not where:  # the first of its kind: keep the input to replay it
                where = f"batch {number} #{index} via {via}"
                if out:
                    target = Path(out) / f"{hashlib.sha256(data).hexdigest()[:12]}-{via}-{name}"
                    target.write_bytes(data)
                    where = f"{target} via {via}"
            findings[key] = (seen + 1, where)
        elapsed = time.perf_counter() - start
        if elapsed > slowest[0]:
            slowest = (elapsed, f"{name}, {len(data)} bytes (batch {number} #{index})")
    shutil.rmtree(folder, ignore_errors=True)
    return {"outcomes": outcomes, "findings": findings, "slowest": slowest, "count": count}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="inputs (default: 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the run (default: 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument("--out", type=Path, default=None, help="save each finding's input here")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    seeds = loader_fuzzing.seeds()
    kinds = Counter(seed.kind for seed in seeds)
    missing = [kind for kind in loader_fuzzing.kinds() if not kinds[kind]]
    print(f"{len(seeds)} seed files: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    if missing:
        print(f"no seed for: {', '.join(missing)}", file=sys.stderr)
    out = str(args.out) if args.out else None
    jobs = [
        (args.seed, number, min(BATCH, args.n - number * BATCH), out)
        for number in range((args.n + BATCH - 1) // BATCH)
    ]
    outcomes: Counter[str] = Counter()
    findings: dict[Finding, tuple[int, str]] = {}
    slowest = (0.0, "")
    start = time.perf_counter()
    done = 0
    with multiprocessing.Pool(args.jobs) as pool:
        for result in pool.imap_unordered(run_batch, jobs):
            done += result["count"]
            outcomes.update(result["outcomes"])
            for key, (count, saved) in result["findings"].items():
                before, first = findings.get(key, (0, saved))
                findings[key] = (before + count, first)
            slowest = max(slowest, result["slowest"])
            if done % (BATCH * 20) == 0 or done == args.n:
                rate = done / (time.perf_counter() - start)
                print(f"  {done:>10,} inputs, {rate:,.0f}/s, {outcomes['finding']} findings",
                      file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"inputs: {done:,} in {seconds:,.0f} s ({done / seconds:,.0f}/s, {args.jobs} workers)")
    print("outcomes: " + ", ".join(f"{k} {n:,}" for k, n in sorted(outcomes.items())))
    print(f"slowest input: {slowest[0]:.2f} s ({slowest[1]}); worker peak memory: {peak} MiB")
    for (kind, place, message), (count, saved) in sorted(findings.items(), key=lambda f: -f[1][0]):
        print(f"FINDING x{count}: {kind} at {place}: {message} [{saved}]")
    print("findings: none" if not findings else f"findings: {len(findings)} distinct")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
