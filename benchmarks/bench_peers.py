"""Recorded traffic: ``finetune-contract check`` against Redocly CLI's ``drift`` on one HAR.

    python benchmarks/bench_peers.py [--sizes 2000,20000,100000] [--rounds 3]
                                     [--formats text,jsonl] [--redocly-version 2.77.0]
                                     [--no-peer] [--keep DIR]

For each size N it writes one HAR of N jobs-family exchanges (pause, retrieve,
list pages of 20 jobs, 404 error envelopes; jobs drawn by
:mod:`contract.generate.sampler`, 5 % of the jobs broken in a way the
published document itself rejects), then runs, interleaved for ``--rounds``
rounds in a shuffled order each round:

- the floor: each HAR entry's line read with ``orjson.loads``, each 2xx body
  decoded with it and checked with jsonschema-rs ``is_valid`` as a job or a page by
  its URL, nothing else (no request, session or explanation, no strictness): what
  any Python check of this HAR pays at least;
- ``finetune-contract check HAR`` in each of ``--formats`` (output to a file);
- ``redocly drift HAR --api DOC --format json`` (output to a file).

Redocly CLI is installed by this script with ``npm install
@redocly/cli@VERSION`` into ``~/.cache/finetune-contract-bench/`` (or
``$XDG_CACHE_HOME``); where npm is missing or the install fails the peer is
skipped with a message. It is never a dependency of the package. Redocly
reads an OpenAPI document: the published one (``../shared/reference`` or
``--reference``) cannot be compiled as published (its boolean
``exclusiveMinimum``), so the script writes, into the same cache folder, the
published paths and components with ``exclusiveMinimum: true`` +
``minimum: m`` rewritten as ``exclusiveMinimum: m`` and the API's server URL.

Each command runs from a small intermediate Python process that reports the
command's CPU time (user + system of the command and every process it waited
for, from ``getrusage(RUSAGE_CHILDREN)`` deltas) and its peak resident set
size (``ru_maxrss`` of ``wait4``): a process forked from this (larger) script
would report the script's resident size as its own high-water mark.

Printed: per size and contender the median CPU seconds (and range), median
wall seconds, the largest peak RSS, the findings (ours: invalid responses,
from the summary; Redocly: its error findings, and the exchanges they name),
then the ratios against the targets of issue 22 (our CPU ≤ 0.5x Redocly's,
our peak memory ≤ 1/3 of its, ours ≤ 100 MB in the text and JSON Lines
formats). Compare ratios from one run; the load average is printed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "openai-openapi-fine-tuning.json"
SERVER = "https://api.openai.com/v1"
TARGET_CPU = 0.5
FLOOR = "floor: orjson + is_valid"
TARGET_MEMORY_SHARE = 1 / 3
TARGET_MEMORY_MB = 100.0

# The floor (see the docstring): prints how many 2xx bodies were invalid.
_FLOOR = """
import sys, orjson
from contract.validation import fast_validator
job = fast_validator("FineTuningJob").is_valid
page = fast_validator("ListPaginatedFineTuningJobsResponse").is_valid
invalid = 0
with open(sys.argv[1], "rb") as har:
    for line in har:
        line = line.strip().removesuffix(b",")
        if not line.startswith(b'{"startedDateTime"'):
            continue
        entry = orjson.loads(line)
        response = entry["response"]
        if response["status"] // 100 != 2:
            continue
        body = orjson.loads(response["content"]["text"])
        url = entry["request"]["url"].split("?", 1)[0]
        invalid += not (page(body) if url.endswith("/jobs") else job(body))
print(invalid)
"""

# Runs argv[1:] and prints its CPU seconds (every waited-for descendant) and peak RSS.
_RUNNER = """
import json, os, resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
started = time.perf_counter()
with open(os.environ["BENCH_OUT"], "wb") as out:
    child = subprocess.Popen(sys.argv[1:], stdout=out, stderr=subprocess.PIPE)
    _, err = child.communicate()
wall = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
scale = 1 if sys.platform == "darwin" else 1024
print(json.dumps({"rc": child.returncode, "wall": wall, "cpu": cpu,
                  "rss": after.ru_maxrss * scale / 1e6,
                  "stderr": err[-2000:].decode("utf-8", "replace")}))
"""


# -- the HAR ---------------------------------------------------------------------------------


def _breakages() -> list[tuple[str, Any]]:
    """Ways to break one job that the published document itself rejects."""
    return [
        ("status not in the enum", lambda job: job.update(status="exploded")),
        ("n_epochs above 50", lambda job: job.update(hyperparameters={"n_epochs": 51})),
        ("created_at missing", lambda job: job.pop("created_at", None)),
        ("created_at a string", lambda job: job.update(created_at="yesterday")),
    ]


def _headers(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


_RESPONSE_HEADERS = [
    ("content-type", "application/json"),
    ("openai-organization", "org-benchmark"),
    ("openai-processing-ms", "112"),
    ("openai-version", "2020-10-01"),
    ("x-request-id", "req_0123456789abcdef0123456789abcdef"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains; preload"),
    ("date", "Mon, 07 Dec 2026 06:00:00 GMT"),
]
_REQUEST_HEADERS = [
    ("authorization", "Bearer sk-bench-0000000000000000000000000000000000000000"),
    ("accept", "application/json"),
    ("user-agent", "OpenAI/Python 2.9.0"),
    ("x-stainless-lang", "python"),
]


def _entry(method: str, url: str, status: int, body: Any) -> dict[str, Any]:
    text = json.dumps(body, separators=(",", ":"))
    return {
        "startedDateTime": "2026-12-07T06:00:00.000Z",
        "time": 120,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": _headers(_REQUEST_HEADERS),
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "OK" if status == 200 else "Not Found",
            "httpVersion": "HTTP/1.1",
            "headers": _headers(_RESPONSE_HEADERS),
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 120, "receive": 0},
    }


class Traffic:
    """The exchanges of one HAR, drawn reproducibly, and what a checker should find in them."""

    #: Shares of the exchanges: (kind, weight).
    MIX = (("pause", 0.3), ("retrieve", 0.3), ("list", 0.1), ("missing", 0.3))
    PAGE = 20
    BROKEN = 0.05

    def __init__(self, seed: int = 0) -> None:
        from contract.generate import sampler

        self.rng = random.Random(seed)
        # Redocly asserts "format": "uri" (an annotation in 2020-12, which we do not assert):
        # jobs with an image URL are left out, so both judge the same jobs by the same rules.
        drawn = islice(sampler.conforming(seed=seed, coherent=True), 4000)
        self.pool = [job for job in drawn if "image_url" not in json.dumps(job)]
        self.breakages = _breakages()
        self.broken_jobs = 0
        self.broken_responses = 0
        self.api_errors = 0
        self.drawn = 0

    def _job(self) -> tuple[dict[str, Any], bool]:
        job = copy.deepcopy(self.rng.choice(self.pool))
        # Each exchange is about a job of its own: the pool repeats its jobs, and one id
        # shown failed in one exchange and paused in another is traffic no API writes
        # (the session checks would rightly report it, which is not what is measured).
        self.drawn += 1
        if "id" in job:
            job["id"] = f"ftjob-bench{self.drawn:010d}"
        if self.rng.random() < self.BROKEN:
            self.rng.choice(self.breakages)[1](job)
            self.broken_jobs += 1
            return job, True
        return job, False

    def entries(self, count: int) -> Iterator[dict[str, Any]]:
        kinds = [k for k, _ in self.MIX]
        weights = [w for _, w in self.MIX]
        for index in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "missing":
                self.api_errors += 1
                job_id = f"ftjob-missing{index:08d}"
                body = {
                    "error": {
                        "message": f"No such fine-tuning job: {job_id}",
                        "type": "invalid_request_error",
                        "param": "fine_tuning_job_id",
                        "code": "fine_tuning_job_not_found",
                    }
                }
                yield _entry("GET", f"{SERVER}/fine_tuning/jobs/{job_id}", 404, body)
                continue
            if kind == "list":
                jobs, broken = [], False
                for _ in range(self.PAGE):
                    job, bad = self._job()
                    jobs.append(job)
                    broken |= bad
                page = {
                    "object": "list",
                    "data": jobs,
                    "has_more": True,
                    "first_id": jobs[0].get("id"),
                    "last_id": jobs[-1].get("id"),
                }
                self.broken_responses += broken
                yield _entry("GET", f"{SERVER}/fine_tuning/jobs?limit={self.PAGE}", 200, page)
                continue
            job, bad = self._job()
            self.broken_responses += bad
            job_id = job.get("id", "ftjob-x")
            if kind == "pause":
                yield _entry("POST", f"{SERVER}/fine_tuning/jobs/{job_id}/pause", 200, job)
            else:
                yield _entry("GET", f"{SERVER}/fine_tuning/jobs/{job_id}", 200, job)


def write_har(path: Path, count: int, seed: int = 0) -> Traffic:
    """Write a HAR of ``count`` exchanges to ``path`` (streamed); what it holds."""
    traffic = Traffic(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "bench_peers", "version": "1"},')
        out.write(' "entries": [\n')
        for index, entry in enumerate(traffic.entries(count)):
            if index:
                out.write(",\n")
            out.write(json.dumps(entry))
        out.write("\n]}}\n")
    return traffic


# -- Redocly ---------------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "finetune-contract-bench"


def _fix_exclusive_minimum(node: Any) -> Any:
    """``exclusiveMinimum: true`` next to ``minimum: m`` as the 3.1 form ``exclusiveMinimum: m``."""
    if isinstance(node, list):
        return [_fix_exclusive_minimum(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _fix_exclusive_minimum(value) for key, value in node.items()}
    if fixed.get("exclusiveMinimum") is True:
        fixed["exclusiveMinimum"] = fixed.pop("minimum", 0)
    elif fixed.get("exclusiveMinimum") is False:
        del fixed["exclusiveMinimum"]
    return fixed


def write_document(reference: Path, folder: Path) -> Path:
    """The published document as Redocly can compile it (see the module's text)."""
    published = json.loads(reference.read_text(encoding="utf-8"))
    document = {
        "openapi": "3.1.0",
        "info": {"title": "OpenAI fine-tuning jobs (published, exclusiveMinimum fixed)",
                 "version": "2.3.0"},
        "servers": [{"url": SERVER}],
        "paths": _fix_exclusive_minimum(published["paths"]),
        "components": _fix_exclusive_minimum(published["components"]),
    }
    path = folder / "openai-fine-tuning-fixed.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def install_redocly(version: str) -> tuple[list[str] | None, str]:
    """The command that runs Redocly CLI ``version`` (installed on first use), or None and why."""
    folder = cache_dir() / f"redocly-{version}"
    binary = folder / "node_modules" / ".bin" / "redocly"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None, "npm is not installed"
        folder.mkdir(parents=True, exist_ok=True)
        print(f"# installing @redocly/cli@{version} into {folder} ...", file=sys.stderr)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder),
             f"@redocly/cli@{version}"],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0 or not binary.exists():
            return None, f"npm install @redocly/cli@{version} failed: {done.stderr.strip()[-300:]}"
    probe = subprocess.run(
        [str(binary), "drift", "--help"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0 or "traffic" not in probe.stdout + probe.stderr:
        return None, f"Redocly CLI {version} has no 'drift' command"
    return [str(binary)], ""


def redocly_findings(report: Path) -> str:
    """Error findings of a ``drift --format json`` report (it groups repeated problems: the
    count is of occurrences, as its ``run.findingsBySeverity`` gives it)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        errors = int(data["run"]["findingsBySeverity"]["error"])
        problems = [p for p in data.get("problems", []) if p.get("severity") == "error"]
    except (OSError, ValueError, KeyError, TypeError):
        return "no report"
    return f"{errors} error findings ({len(problems)} grouped)"


# -- running ---------------------------------------------------------------------------------


def print_verdicts(verdicts: list[str]) -> None:
    """The targets' verdicts after the table, then the load average at the end."""
    print()
    for line in verdicts:
        print(line)
    load = os.getloadavg()
    print(f"# load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def run(command: list[str], output: Path, env: dict[str, str]) -> dict[str, Any]:
    environment = dict(env, BENCH_OUT=str(output))
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, *command],
        capture_output=True, text=True, env=environment, check=False,
    )
    if done.returncode != 0:
        sys.exit(f"runner failed: {done.stderr[-500:]}")
    return dict(json.loads(done.stdout))


def our_findings(output: Path, fmt: str) -> int:
    """Invalid responses, from our summary (the text line or the JSON summary)."""
    text = output.read_text(encoding="utf-8", errors="replace")
    if fmt == "text":
        for line in reversed(text.splitlines()):
            if line.startswith("checked "):
                return int(line.split(" valid, ", 1)[1].split(" invalid", 1)[0])
        return -1
    last = text.strip().splitlines()[-1] if text.strip() else "{}"
    summary = json.loads(last if fmt == "jsonl" else text).get("summary", {})
    return int(summary.get("invalid", -1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,100000", help="exchanges per HAR")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--formats", default="text,jsonl", help="our --format values to run")
    parser.add_argument("--redocly-version", default="2.77.0")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--no-peer", action="store_true", help="run ours only")
    parser.add_argument("--extra", default="", help="more arguments for our check (--coverage...)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="write the HARs here and keep them")
    args = parser.parse_args()

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("NO_COLOR", "1")
    peer: list[str] | None = None
    if not args.no_peer:
        peer, why = install_redocly(args.redocly_version)
        if peer is None:
            print(f"# Redocly CLI skipped: {why}")
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    document = write_document(args.reference, folder) if peer else None

    load = os.getloadavg()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.rounds} interleaved rounds"
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    verdicts: list[str] = []
    extra = args.extra.split()
    try:
        print("| exchanges | MiB | contender | CPU s (median) | CPU range | wall s | peak MB | "
              "findings |")
        print("|---:|---:|---|---:|---:|---:|---:|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            har = work / f"traffic-{size}.har"
            traffic = write_har(har, size, args.seed)
            mib = har.stat().st_size / (1 << 20)
            contenders: dict[str, list[str]] = {FLOOR: [sys.executable, "-c", _FLOOR, str(har)]}
            for fmt in args.formats.split(","):
                contenders[f"ours --format {fmt}"] = [
                    sys.executable, "-m", "contract", "check", "--format", fmt, *extra, str(har)
                ]
            if peer and document:
                contenders["redocly drift"] = [
                    *peer, "drift", str(har), "--api", str(document), "--format", "json"
                ]
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
            order = list(contenders)
            shuffle = random.Random(size).shuffle
            findings: dict[str, str] = {}
            for _ in range(args.rounds):
                shuffle(order)
                for name in order:
                    output = work / f"out-{size}-{name.replace(' ', '_')}"
                    sample = run(contenders[name], output, env)
                    samples[name].append(sample)
                    if name == FLOOR:
                        findings[name] = f"{output.read_text().strip()} invalid responses"
                    elif name.startswith("ours"):
                        if sample["rc"] not in (0, 1):
                            sys.exit(f"{name} exited {sample['rc']}: {sample['stderr']}")
                        found = our_findings(output, name.rsplit(" ", 1)[1])
                        findings[name] = f"{found} invalid responses"
                    else:
                        findings[name] = redocly_findings(output)
                    output.unlink(missing_ok=True)
            median: dict[str, float] = {}
            peak: dict[str, float] = {}
            for name, runs in samples.items():
                cpus = [s["cpu"] for s in runs]
                median[name] = statistics.median(cpus)
                peak[name] = max(s["rss"] for s in runs)
                wall = statistics.median(s["wall"] for s in runs)
                print(f"| {size:,} | {mib:.0f} | {name} | {median[name]:.2f} | "
                      f"{min(cpus):.2f}-{max(cpus):.2f} | {wall:.2f} | {peak[name]:.0f} | "
                      f"{findings[name]} |")
            verdicts.append(
                f"{size:,} exchanges: {traffic.broken_jobs} broken jobs in "
                f"{traffic.broken_responses} responses, {traffic.api_errors} 404 envelopes"
            )
            if "redocly drift" in samples:
                verdicts.append(
                    f"  the floor's CPU: {median[FLOOR] / median['redocly drift']:.2f}x Redocly's"
                )
            for name in samples:
                if not name.startswith("ours"):
                    continue
                verdicts.append(f"  {name}: CPU {median[name] / median[FLOOR]:.2f}x the floor's")
                fmt = name.rsplit(" ", 1)[1]
                if fmt in ("text", "jsonl"):
                    fits = peak[name] <= TARGET_MEMORY_MB
                    verdicts.append(
                        f"  {name}: peak {peak[name]:.0f} MB (target ≤ {TARGET_MEMORY_MB:.0f} MB): "
                        f"{'met' if fits else 'NOT MET'}"
                    )
                if "redocly drift" in samples:
                    cpu = median[name] / median["redocly drift"]
                    mem = peak[name] / peak["redocly drift"]
                    verdicts.append(
                        f"  {name}: CPU {cpu:.2f}x Redocly's (target ≤ {TARGET_CPU}x): "
                        f"{'met' if cpu <= TARGET_CPU else 'NOT MET'}; "
                        f"memory {mem:.2f}x its (target ≤ 0.33x): "
                        f"{'met' if mem <= TARGET_MEMORY_SHARE else 'NOT MET'}"
                    )
            if args.keep is None:
                har.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_verdicts(verdicts)


if __name__ == "__main__":
    main()
