"""The pytest plugin at scale: 10,000 recorded interactions as 1, 100 and 1,000 cassettes.

    python benchmarks/bench_plugin.py [-n 10000] [--layouts 1,100,1000] [--rounds 1]

Generates vcrpy cassettes (YAML) holding ``n`` pause interactions in all,
split over 1, 100 or 1,000 files, then times, per layout, in one run:

- ``pytest --collect-only`` (collection alone),
- ``pytest --contract-recordings DIR`` serial, and with ``-n 2`` (pytest-xdist),
- the same two with ``--contract-item=file`` (one item per cassette),
- the checking alone: :func:`contract.checking.check_paths` over the same files,
  in this process (the floor the plugin adds pytest's per-item cost to).

It prints wall seconds per run and the ratios against the targets: < 15 s for
10,000 interactions in any layout, and ``-n 2`` not slower than serial.
Every pytest run is a fresh subprocess (``-p no:cacheprovider``); the payload
check itself is :mod:`contract` code, the rest is pytest's own per-item cost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import yaml

from contract import sampler
from contract.checking import Tally, check_paths

TARGET_SECONDS = 15.0


def _interaction(job: dict[str, object]) -> dict[str, object]:
    return {
        "request": {
            "body": None,
            "headers": {"Accept": ["application/json"]},
            "method": "POST",
            "uri": f"https://api.openai.com/v1/fine_tuning/jobs/{job['id']}/pause",
        },
        "response": {
            "body": {"string": json.dumps(job)},
            "headers": {"Content-Type": ["application/json"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


def generate(root: Path, total: int, files: int) -> Path:
    """``total`` pause interactions over ``files`` vcrpy cassettes under ``root``."""
    folder = root / f"cassettes-{files}"
    folder.mkdir(parents=True)
    jobs = islice(sampler.conforming(seed=files, coherent=True), total)
    per_file = total // files
    for index in range(files):
        chunk = [_interaction(job) for job in islice(jobs, per_file)]
        text = yaml.safe_dump({"interactions": chunk, "version": 1}, sort_keys=False)
        (folder / f"cassette_{index:04d}.yaml").write_text(text, encoding="utf-8")
    return folder


def _pytest(folder: Path, *extra: str) -> float:
    """Wall seconds of one pytest run checking ``folder`` (a fresh subprocess)."""
    empty = folder.parent / "empty-tests"
    empty.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(folder.parent),
        "-c",
        os.devnull,
        "--contract-recordings",
        str(folder),
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=empty, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"pytest failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def _library(folder: Path) -> float:
    started = time.perf_counter()
    tally = Tally()
    for event in check_paths([folder]):
        tally.add(event)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="interactions in all")
    parser.add_argument("--layouts", default="1,100,1000", help="numbers of files")
    parser.add_argument("--rounds", type=int, default=1, help="repetitions (median kept)")
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, n={args.n}")
    root = Path(tempfile.mkdtemp(prefix="bench-plugin-"))
    runs = {
        "collect only": ("--collect-only",),
        "serial": (),
        "-n 2": ("-n", "2"),
        "item=file serial": ("--contract-item=file",),
        "item=file -n 2": ("--contract-item=file", "-n", "2"),
    }
    try:
        print("| files | library check | " + " | ".join(runs) + " | -n 2 / serial | met |")
        print("|---:|---:|" + "---:|" * len(runs) + "---:|---|")
        for files in (int(f) for f in args.layouts.split(",")):
            folder = generate(root, args.n, files)
            library = sorted(_library(folder) for _ in range(args.rounds))[args.rounds // 2]
            times = {
                name: sorted(_pytest(folder, *extra) for _ in range(args.rounds))[args.rounds // 2]
                for name, extra in runs.items()
            }
            best_serial = min(times["serial"], times["item=file serial"])
            best_parallel = min(times["-n 2"], times["item=file -n 2"])
            ratio = best_parallel / best_serial
            slowest = max(t for name, t in times.items() if name != "collect only")
            met = slowest < TARGET_SECONDS and ratio <= 1.0
            cells = " | ".join(f"{times[name]:.1f} s" for name in runs)
            print(f"| {files} | {library:.1f} s | {cells} | {ratio:.2f}x | "
                  f"{'met' if met else 'not met'} |")
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"targets: every run < {TARGET_SECONDS:.0f} s; the best -n 2 run not slower than "
          "the best serial one")


if __name__ == "__main__":
    main()
