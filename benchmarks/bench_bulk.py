"""Bulk checks: ``finetune-contract check`` on a large JSON Lines file against the streaming floor.

    python benchmarks/bench_bulk.py [--sizes 100000,1000000] [--invalid 0.05] [--jobs 2]
                                    [--coverage] [--listing] [--distinct] [--rounds 1]

For each size N it writes a JSON Lines file of N FineTuningJob payloads
(conforming jobs from :mod:`contract.generate.sampler`, a fraction ``--invalid`` of
them mutants that break one rule; drawn from 5,000 jobs and 500 mutants, so
lines repeat as a polled job's body does, unless ``--distinct``), then runs,
each in its own process:

- the floor: the file streamed line by line, ``orjson.loads`` and
  jsonschema-rs ``is_valid`` on each line, nothing else;
- the least explaining check: the strict decoder (:func:`contract.strictjson.decode`)
  and ``is_valid`` on each line and jsonschema-rs ``iter_errors`` on each invalid
  one, with nothing worded or reported: the least any check that keeps every
  RFC 8259 check and explains every failure must do;
- ``finetune-contract check FILE`` (one process, text output to /dev/null);
- ``finetune-contract check --jobs J FILE``;
- with ``--coverage``, both again with ``--coverage`` (traffic coverage), each
  compared with the same run without it (target of issue 22: ≤ 1.5x, CPU
  serial, wall with ``--jobs``);
- with ``--listing``, ``check --format jsonl FILE``: a report that lists every
  line's result (no target; its CPU against the floor and against ``check``).

With ``--rounds R`` each contender runs R times, the contenders taking turns, and
the least wall and CPU time of each is kept (the machine's slow spells fall on
all of them alike). It reports wall and CPU seconds (the child's own, from
``wait4``), payloads per CPU second, peak memory (the child's ``ru_maxrss``) and, for ``check``, the
ratio of its CPU time to the floor's against the target (≤ 3x), the wall-time
speed-up of ``--jobs`` over one process (target ≥ 1.6x on 2 cores), and peak
memory against the target (≤ 100 MB whatever the file size). CPU time is the
fairer comparison on a loaded machine; ``--jobs`` is judged by wall time.
Compare ratios from one run, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from contract.generate import sampler

#: Targets of issue 22: CPU against the floor, --jobs's wall-time speed-up, --coverage's cost.
TARGET_RATIO = 3.0
TARGET_SPEEDUP = 1.6
TARGET_MEMORY_MB = 100.0
TARGET_COVERAGE = 1.5

_FLOOR = """
import sys, orjson
from contract.validation import fast_validator
valid = fast_validator("FineTuningJob").is_valid
invalid = 0
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        if line.strip() and not valid(orjson.loads(line)):
            invalid += 1
print(invalid)
"""


# The least any check that keeps every RFC 8259 check and explains every failure must do:
# the strict decoder and is_valid on every line, and jsonschema-rs's iter_errors (the
# fastest explanation there is) on each invalid one; no wording, no report.
_LEAST = """
import sys
from contract.strictjson import decode
from contract.validation import fast_validator
validator = fast_validator("FineTuningJob")
valid, errors = validator.is_valid, validator.iter_errors
invalid = 0
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        if line.strip():
            payload = decode(line).value
            if not valid(payload):
                invalid += 1
                list(errors(payload))
print(invalid)
"""


def generate(path: Path, lines: int, invalid: float, seed: int = 0, distinct: bool = False) -> int:
    """Write ``lines`` payloads (a share ``invalid`` of them mutants); the number of mutants.

    The payloads are drawn from 5,000 conforming jobs and 500 mutants, so lines repeat,
    as a polled job's body does. With ``distinct`` no line repeats another: each starts
    with its number spelt in JSON whitespace (spaces and tabs), the same payload in
    other bytes.
    """
    good = [json.dumps(job) for job in islice(sampler.conforming(seed=seed, coherent=True), 5000)]
    bad = [json.dumps(m.payload) for m in islice(sampler.nonconforming(seed=seed), 500)]
    rng = random.Random(seed)
    width = lines.bit_length() if distinct else 0
    mutants = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(lines):
            out.write("".join(" \t"[(number >> bit) & 1] for bit in range(width)))
            if rng.random() < invalid:
                mutants += 1
                out.write(rng.choice(bad))
            else:
                out.write(rng.choice(good))
            out.write("\n")
    return mutants


def measure(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak memory (MB) of one child process, and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        tail = out.read()[-300:].decode("utf-8", "replace")
    if child.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} exited {child.returncode}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale / 1e6, tail


def _best_of(
    runs: dict[str, list[str]], rounds: int
) -> dict[str, tuple[float, float, float, str]]:
    """Each command run ``rounds`` times, the contenders taking turns (so a slow spell
    of the machine falls on all of them): the least wall and CPU time of each, its
    highest peak memory and its last output."""
    best: dict[str, tuple[float, float, float, str]] = {}
    for _ in range(rounds):
        for name, command in runs.items():
            wall, cpu, peak, tail = measure(command)
            if name in best:
                was = best[name]
                wall, cpu, peak = min(wall, was[0]), min(cpu, was[1]), max(peak, was[2])
            best[name] = (wall, cpu, peak, tail)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="numbers of lines")
    parser.add_argument("--invalid", type=float, default=0.05, help="share of invalid lines")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the --jobs run")
    parser.add_argument("--coverage", action="store_true", help="also run with --coverage")
    parser.add_argument(
        "--listing",
        action="store_true",
        help="also run --format jsonl, a report that lists every line's result",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of each contender, taking turns; the least times are kept (default 1)",
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="no line repeats another (by default payloads repeat, as polled bodies do)",
    )
    args = parser.parse_args()
    cli = [sys.executable, "-m", "contract", "check"]
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.invalid:.0%} invalid, "
        f"{'every line distinct' if args.distinct else 'lines repeat'}, "
        f"best of {args.rounds} round{'s' if args.rounds != 1 else ''}"
    )
    root = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    verdicts: list[str] = []
    try:
        print("| lines | contender | wall s | CPU s | payloads / CPU s | peak MB | "
              "CPU x floor | memory |")
        print("|---:|---|---:|---:|---:|---:|---:|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            path = root / f"traffic-{size}.jsonl"
            mutants = generate(path, size, args.invalid, distinct=args.distinct)
            runs = {
                "floor: orjson.loads + is_valid": [sys.executable, "-c", _FLOOR, str(path)],
                "least explaining check": [sys.executable, "-c", _LEAST, str(path)],
                "check": [*cli, str(path)],
                f"check --jobs {args.jobs}": [*cli, "--jobs", str(args.jobs), str(path)],
            }
            if args.coverage:
                runs["check --coverage"] = [*cli, "--coverage", str(path)]
                runs[f"check --jobs {args.jobs} --coverage"] = [
                    *cli, "--jobs", str(args.jobs), "--coverage", str(path)
                ]
            if args.listing:
                runs["check --format jsonl"] = [*cli, "--format", "jsonl", str(path)]
            plain: dict[str, tuple[float, float]] = {}
            floor_cpu = floor_wall = least_cpu = 0.0
            best = _best_of(runs, args.rounds)
            for name in runs:
                wall, cpu, peak, tail = best[name]
                if name.startswith("floor"):
                    floor_cpu, floor_wall = cpu, wall
                    assert int(tail.split()[-1]) == mutants, tail
                    ratio = memory = ""
                elif name.startswith("least"):
                    least_cpu = cpu
                    assert int(tail.split()[-1]) == mutants, tail
                    ratio, memory = f"{cpu / floor_cpu:.2f}x", ""
                    verdicts.append(
                        f"{size} lines: the least explaining check alone is "
                        f"{cpu / floor_cpu:.2f}x the floor"
                    )
                elif name.endswith("--format jsonl"):
                    # (its output ends with the summary line, as JSON)
                    assert f'"invalid": {mutants},' in tail, tail
                    text_cpu = plain["check"][1]
                    ratio = f"{cpu / floor_cpu:.2f}x; {cpu / text_cpu:.2f}x check"
                    memory = "met" if peak <= TARGET_MEMORY_MB else "not met"
                    verdicts.append(
                        f"{size} lines, {name}: CPU {cpu / floor_cpu:.2f}x the floor, "
                        f"{cpu / text_cpu:.2f}x the text report's; peak {peak:.0f} MB"
                    )
                elif name.endswith("--coverage"):
                    # (its output ends with the coverage report, not the summary)
                    without_wall, without_cpu = plain[name.removesuffix(" --coverage")]
                    jobs = "--jobs" in name
                    cost = wall / without_wall if jobs else cpu / without_cpu
                    ratio = f"{cost:.2f}x {'wall' if jobs else 'CPU'} of without"
                    fits = peak <= TARGET_MEMORY_MB
                    memory = "met" if fits else "not met"
                    verdicts.append(
                        f"{size} lines, {name}: {cost:.2f}x the run without it "
                        f"({'wall' if jobs else 'CPU'}; target ≤ {TARGET_COVERAGE}x): "
                        f"{'met' if cost <= TARGET_COVERAGE else 'not met'}; peak {peak:.0f} MB"
                    )
                else:
                    assert f"{mutants} invalid" in tail, tail
                    plain[name] = (wall, cpu)
                    if "--jobs" in name:
                        ratio = f"{wall / floor_wall:.2f}x (wall)"
                        speedup = plain["check"][0] / wall
                        verdicts.append(
                            f"{size} lines, {name}: {speedup:.2f}x faster than one process "
                            f"(wall; target ≥ {TARGET_SPEEDUP}x): "
                            f"{'met' if speedup >= TARGET_SPEEDUP else 'not met'}"
                        )
                    else:
                        ratio = f"{cpu / floor_cpu:.2f}x"
                        met = cpu / floor_cpu <= TARGET_RATIO
                        verdicts.append(
                            f"{size} lines: CPU {cpu / floor_cpu:.2f}x the floor "
                            f"(target ≤ {TARGET_RATIO:.0f}x): {'met' if met else 'not met'}; "
                            f"{cpu / least_cpu:.2f}x the least explaining check"
                        )
                    fits = peak <= TARGET_MEMORY_MB
                    memory = "met" if fits else "not met"
                    verdicts.append(
                        f"{size} lines, {name}: peak {peak:.0f} MB "
                        f"(target ≤ {TARGET_MEMORY_MB:.0f} MB): {memory}"
                    )
                print(f"| {size:,} | {name} | {wall:.1f} | {cpu:.1f} | {size / cpu:,.0f} | "
                      f"{peak:.0f} | {ratio} | {memory} |")
            path.unlink()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
