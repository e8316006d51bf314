"""Start-up cost of ``finetune-contract check`` on one small file, hyperfine-style.

    python benchmarks/bench_startup.py [--runs 15]

Runs each command ``--runs`` times (after one warm-up run) in fresh processes
and prints the median and range of wall times, then the ten slowest imports of
``check`` by ``python -X importtime``. Peers in the same run: a bare
``python -c pass`` (the interpreter's floor), ``finetune-contract --version``
(the command line's own import) and, if installed, ``check-jsonschema`` on
the same payload (the peer the issue names).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = ROOT / "contract" / "_data" / "recordings" / "pause-supervised.json"
SCHEMA = ROOT / "schemas" / "FineTuningJob.json"


def timed(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, capture_output=True, check=False)  # warm-up (disk cache, .pyc)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def slowest_imports(command: list[str], count: int = 10) -> list[tuple[int, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command], capture_output=True, text=True, check=False
    )
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if not name.startswith(" "):  # top-level imports only
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.runs} runs each")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "finetune-contract --version": [sys.executable, "-m", "contract", "--version"],
        "finetune-contract check FILE": [sys.executable, "-m", "contract", "check", str(PAYLOAD)],
    }
    peer = shutil.which("check-jsonschema")
    if peer:
        commands["check-jsonschema (peer)"] = [peer, "--schemafile", str(SCHEMA), str(PAYLOAD)]
    print("| command | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, command in commands.items():
        times = timed(command, args.runs)
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    print("\nslowest top-level imports of check (cumulative µs):")
    for micros, name in slowest_imports(["-m", "contract", "check", str(PAYLOAD)]):
        print(f"  {micros:>8}  {name}")


if __name__ == "__main__":
    main()
