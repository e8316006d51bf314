"""The pytest plugin at scale: 10,000 recorded interactions as 1, 100 and 1,000 cassettes.

    python benchmarks/bench_plugin.py [-n 10000] [--layouts 1,100,1000] [--rounds 1] [--warm]

Generates vcrpy cassettes (YAML) holding ``n`` pause interactions in all,
split over 1, 100 or 1,000 files, then times, per layout:

- ``pytest --collect-only`` (collection alone),
- ``pytest --contract-recordings DIR`` serial, and with ``-n 2`` (pytest-xdist),
- the same two with ``--contract-item=file`` (one item per cassette),
- the checking alone: :func:`contract.engine.check_paths` over the same files,
  in this process (the floor the plugin adds pytest's per-item cost to).

and, once, pytest's own floor: ``n`` parametrized tests that only ``pass``,
serial and ``-n 2`` (what pytest and xdist cost per item on this machine,
whatever the items do).

It prints wall seconds per run (the median of ``--rounds``, the rounds
interleaved so that a change of load on the machine hits every kind of run
alike) and the ratios against the targets: < 15 s for 10,000 interactions in
any layout, and the best ``-n 2`` run not slower than the best serial one.
Every pytest run is a fresh subprocess (``-p no:cacheprovider``) whose output
goes to a file, not a pipe this process would have to read while it runs.

``--warm`` lets those processes write and reuse compiled bytecode in a private
folder (``PYTHONPYCACHEPREFIX``), filled by one untimed run first: where
``PYTHONDONTWRITEBYTECODE`` is set, every pytest process otherwise compiles
and assertion-rewrites the plugins' modules again (about a second each, paid
once by a serial run and again by each ``-n`` worker).
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

from contract.engine import Tally, check_paths
from contract.generate import sampler

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


def _pytest(folder: Path, *extra: str, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one pytest run checking ``folder`` (a fresh subprocess)."""
    return _run(folder.parent, "--contract-recordings", str(folder), *extra, env=env)


def _run(root: Path, *arguments: str, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one pytest run in ``root`` with ``arguments``."""
    empty = root / "empty-tests"
    empty.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(root),
        "-c",
        os.devnull,
        *arguments,
    ]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=empty, stdout=output, stderr=subprocess.STDOUT, env=env, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            output.seek(0)
            sys.exit(f"pytest failed ({done.returncode}):\n{output.read()[-4000:]}")
    return elapsed


def _floor(root: Path, total: int) -> Path:
    """A test module of ``total`` parametrized tests that only pass: pytest's own cost."""
    folder = root / "floor"
    folder.mkdir()
    (folder / "test_floor.py").write_text(
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('i', range({total}))\n"
        "def test_nothing(i):\n    pass\n",
        encoding="utf-8",
    )
    return folder / "test_floor.py"


def _environment(root: Path, warm: bool) -> dict[str, str] | None:
    """The pytest processes' environment: this one, or one that keeps compiled bytecode."""
    if not warm:
        return None
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "bytecode")
    return env


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


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
    parser.add_argument(
        "--warm", action="store_true", help="let pytest keep compiled bytecode (see above)"
    )
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, n={args.n}, rounds={args.rounds}, "
        f"bytecode {'kept (--warm)' if args.warm else 'as the environment says'}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    root = Path(tempfile.mkdtemp(prefix="bench-plugin-"))
    env = _environment(root, args.warm)
    runs = {
        "collect only": ("--collect-only",),
        "serial": (),
        "-n 2": ("-n", "2"),
        "item=file serial": ("--contract-item=file",),
        "item=file -n 2": ("--contract-item=file", "-n", "2"),
    }
    try:
        floor = _floor(root, args.n)
        # Untimed: fills the page cache and, with --warm, the bytecode folder (the plugin,
        # xdist and every checking module).
        _pytest(generate(root / "warm-up", 10, 1), "--contract-item=file", "-n", "2", env=env)
        _run(root, str(floor), "--collect-only", env=env)
        floors: dict[str, list[float]] = {"serial": [], "-n 2": []}
        for _ in range(args.rounds):
            floors["serial"].append(_run(root, str(floor), env=env))
            floors["-n 2"].append(_run(root, str(floor), "-n", "2", env=env))
        print(
            f"pytest's floor, {args.n} tests that only pass: "
            f"serial {_median(floors['serial']):.1f} s, -n 2 {_median(floors['-n 2']):.1f} s"
        )
        print("| files | library check | " + " | ".join(runs) + " | -n 2 / serial | met |")
        print("|---:|---:|" + "---:|" * len(runs) + "---:|---|")
        for files in (int(f) for f in args.layouts.split(",")):
            folder = generate(root, args.n, files)
            library: list[float] = []
            measured: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.rounds):
                library.append(_library(folder))
                for name, extra in runs.items():
                    measured[name].append(_pytest(folder, *extra, env=env))
            times = {name: _median(values) for name, values in measured.items()}
            best_serial = min(times["serial"], times["item=file serial"])
            best_parallel = min(times["-n 2"], times["item=file -n 2"])
            ratio = best_parallel / best_serial
            slowest = max(t for name, t in times.items() if name != "collect only")
            met = slowest < TARGET_SECONDS and ratio <= 1.0
            cells = " | ".join(f"{times[name]:.1f} s" for name in runs)
            print(
                f"| {files} | {_median(library):.1f} s | {cells} | {ratio:.2f}x | "
                f"{'met' if met else 'not met'} |"
            )
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"targets: every run < {TARGET_SECONDS:.0f} s; the best -n 2 run not slower than "
        f"the best serial one (load average at the end {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
