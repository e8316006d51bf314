"""Cassettes: ``finetune-contract check`` on a folder of vcrpy cassettes against PyYAML's C loader.

    python benchmarks/bench_cassettes.py [--files 1000] [--interactions 10] [--rounds 3]
                                         [--formats text,jsonl] [--jobs 2] [--keep DIR]

It writes ``--files`` vcrpy YAML cassettes of ``--interactions`` interactions
each, laid out as vcrpy 6 and 7 write them (``yaml.dump`` with sorted keys, C
dumper when there is one): ``interactions: - request: {body, headers, method,
uri}, response: {body: {string}, headers, status: {code, message}}`` and
``version: 1``, headers as lists of values, bodies as text. The calls are the
jobs-family traffic of ``bench_peers.py`` (pause, retrieve, list pages of 20
jobs, 404 error envelopes; jobs drawn by :mod:`contract.generate.sampler`, 5 %
of them broken in a way the published document rejects). Then it runs,
interleaved for ``--rounds`` rounds in a shuffled order each round:

- the floor: one Python process that reads every file and loads it with
  ``yaml.load(data, Loader=yaml.CSafeLoader)``, nothing else;
- ``finetune-contract check --format FMT DIR`` for each of ``--formats``
  (output to a file);
- with ``--jobs J`` (J > 1), ``check --jobs J --format text DIR``, judged by
  wall time.

CPU time is user + system of the command and every process it waited for
(``getrusage(RUSAGE_CHILDREN)`` deltas in a small intermediate process, as in
``bench_peers.py``), peak memory the largest ``ru_maxrss``. Printed: per
contender the median CPU seconds (and range), median wall seconds, peak MB, the
invalid responses found, then the ratio of each to the floor against the target
of issue 22 (CPU ≤ 2x the floor). Compare ratios from one run; the load
average is printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0

_DUMPER: Any = getattr(yaml, "CDumper", yaml.Dumper)

# The floor: every file read and loaded by PyYAML's C safe loader, nothing else.
_FLOOR = """
import sys, yaml
from pathlib import Path
loaded = 0
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    document = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    loaded += len(document["interactions"])
print(f"loaded {loaded} interactions")
"""


@cache
def _peers() -> ModuleType:
    """bench_peers.py (loaded once), whose traffic (jobs, breakages, mix) the cassettes
    hold, and whose runner and verdict lines this script uses."""
    path = Path(__file__).with_name("bench_peers.py")
    spec = importlib.util.spec_from_file_location("bench_peers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_REQUEST_HEADERS = {
    "Accept": ["application/json"],
    "Accept-Encoding": ["gzip, deflate"],
    "Authorization": ["Bearer sk-bench-0000000000000000000000000000000000000000"],
    "Connection": ["keep-alive"],
    "Host": ["api.openai.com"],
    "User-Agent": ["OpenAI/Python 2.9.0"],
    "X-Stainless-Lang": ["python"],
    "X-Stainless-Retry-Count": ["0"],
}
_RESPONSE_HEADERS = {
    "Connection": ["keep-alive"],
    "Content-Type": ["application/json"],
    "Date": ["Mon, 07 Dec 2026 06:00:00 GMT"],
    "Server": ["cloudflare"],
    "Strict-Transport-Security": ["max-age=31536000; includeSubDomains; preload"],
    "openai-organization": ["org-benchmark"],
    "openai-processing-ms": ["112"],
    "openai-version": ["2020-10-01"],
    "x-request-id": ["req_0123456789abcdef0123456789abcdef"],
}


def _fresh(headers: dict[str, list[str]], **more: list[str]) -> dict[str, list[str]]:
    # New lists per interaction, as vcrpy records them: shared ones would be written as
    # YAML anchors and aliases, which no real cassette holds.
    return {name: list(values) for name, values in dict(headers, **more).items()}


def _interaction(entry: dict[str, Any]) -> dict[str, Any]:
    """One HAR entry of bench_peers' traffic as the interaction vcrpy records for it."""
    request, response = entry["request"], entry["response"]
    text = response["content"]["text"]
    post = request["method"] == "POST"
    return {
        "request": {
            "body": "" if post else None,
            "headers": _fresh(_REQUEST_HEADERS, **({"Content-Length": ["0"]} if post else {})),
            "method": request["method"],
            "uri": request["url"],
        },
        "response": {
            "body": {"string": text},
            "headers": _fresh(_RESPONSE_HEADERS, **{"Content-Length": [str(len(text))]}),
            "status": {"code": response["status"], "message": response["statusText"]},
        },
    }


def write_cassettes(folder: Path, files: int, per_file: int, seed: int = 0) -> Any:
    """Write ``files`` cassettes of ``per_file`` interactions into ``folder``; the traffic."""
    traffic = _peers().Traffic(seed)
    entries = traffic.entries(files * per_file)
    for index in range(files):
        interactions = [_interaction(next(entries)) for _ in range(per_file)]
        text = yaml.dump({"interactions": interactions, "version": 1}, Dumper=_DUMPER)
        (folder / f"test_jobs_{index:05d}.yaml").write_text(text, encoding="utf-8")
    return traffic


def run(command: list[str], output: Path, env: dict[str, str]) -> dict[str, Any]:
    """CPU, wall, peak memory and exit status of one command: bench_peers.py's runner."""
    found: dict[str, Any] = _peers().run(command, output, env)
    return found


def findings(output: Path, name: str) -> str:
    """What a contender found: the floor's count of interactions, our invalid responses."""
    text = output.read_text(encoding="utf-8", errors="replace").strip()
    lines = text.splitlines() or [""]
    if name.startswith("floor"):
        return lines[-1]
    if "jsonl" in name:
        summary = json.loads(lines[-1]).get("summary", {})
        return f"{summary.get('invalid', '?')} invalid of {summary.get('checked', '?')}"
    for line in reversed(lines):
        if line.startswith("checked "):
            return line
    return "no summary"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="cassettes (default 1000)")
    parser.add_argument(
        "--interactions", type=int, default=10, help="interactions per cassette (default 10)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--formats", default="text,jsonl", help="our --format values to run")
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes for the --jobs run (1: none)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the cassettes here, keep them"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("NO_COLOR", "1")
    load = os.getloadavg()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PyYAML {yaml.__version__}"
        f" (libyaml {'yes' if yaml.__with_libyaml__ else 'NO'}), load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.rounds} interleaved rounds"
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-cassettes-"))
    folder = work / "cassettes"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        traffic = write_cassettes(folder, args.files, args.interactions, args.seed)
        mib = sum(p.stat().st_size for p in folder.iterdir()) / (1 << 20)
        cli = [sys.executable, "-m", "contract", "check"]
        contenders = {"floor: yaml.load, CSafeLoader": [sys.executable, "-c", _FLOOR, str(folder)]}
        for fmt in args.formats.split(","):
            contenders[f"check --format {fmt}"] = [*cli, "--format", fmt, str(folder)]
        if args.jobs > 1:
            contenders[f"check --jobs {args.jobs} --format text"] = [
                *cli,
                "--jobs",
                str(args.jobs),
                "--format",
                "text",
                str(folder),
            ]
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
        found: dict[str, str] = {}
        order = list(contenders)
        shuffle = random.Random(args.seed).shuffle
        for _ in range(args.rounds):
            shuffle(order)
            for name in order:
                output = work / "out"
                sample = run(contenders[name], output, env)
                if sample["rc"] not in (0, 1):
                    sys.exit(f"{name} exited {sample['rc']}: {sample['stderr']}")
                samples[name].append(sample)
                found[name] = findings(output, name)
                output.unlink(missing_ok=True)
        total = args.files * args.interactions
        print(f"\n{args.files:,} cassettes x {args.interactions} interactions ({mib:.1f} MiB)\n")
        print("| contender | CPU s (median) | CPU range | wall s | peak MB | x floor | found |")
        print("|---|---:|---:|---:|---:|---:|---|")
        median = {name: statistics.median(s["cpu"] for s in runs) for name, runs in samples.items()}
        wall = {name: statistics.median(s["wall"] for s in runs) for name, runs in samples.items()}
        floor = next(iter(contenders))
        verdicts = [
            f"{total:,} interactions: {traffic.broken_jobs} broken jobs in "
            f"{traffic.broken_responses} responses, {traffic.api_errors} 404 envelopes"
        ]
        for name, runs in samples.items():
            cpus = [s["cpu"] for s in runs]
            peak = max(s["rss"] for s in runs)
            by_wall = "--jobs" in name
            ratio = (wall[name] / wall[floor]) if by_wall else (median[name] / median[floor])
            shown = f"{ratio:.2f}x{' wall' if by_wall else ''}"
            print(
                f"| {name} | {median[name]:.2f} | {min(cpus):.2f}-{max(cpus):.2f} | "
                f"{wall[name]:.2f} | {peak:.0f} | {shown} | {found[name]} |"
            )
            if by_wall:
                verdicts.append(f"  {name}: wall {ratio:.2f}x the floor's (no target)")
            elif name != floor:
                met = "met" if ratio <= TARGET_RATIO else "NOT MET"
                what = "wall" if by_wall else "CPU"
                verdicts.append(
                    f"  {name}: {what} {ratio:.2f}x the floor (target ≤ {TARGET_RATIO:.0f}x): {met}"
                )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    _peers().print_verdicts(verdicts)


if __name__ == "__main__":
    main()
