"""Session checks: what checking responses together costs over checking each alone.

    python benchmarks/bench_sessions.py [--calls 20000] [--jobs 50] [--repeat 3]

Writes a HAR file of ``--calls`` recorded calls: ``--jobs`` jobs created, each
polled through validating_files, queued, running, pausing, paused, resuming,
running and succeeded (pause and resume calls included), with a page of jobs
listed every 20 calls and the next page reached with ``after``. Then checks it
with :func:`contract.engine.check_paths` under the ``observed`` profile in this
process, with sessions on and off, ``--repeat`` times each, and prints the best
CPU seconds of each and their ratio (target: sessions add at most 25%). Compare
ratios from one run, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from contract.engine import Result, check_paths

TARGET_RATIO = 1.25
API = "https://api.openai.com/v1/fine_tuning/jobs"
LIFE = [
    ("POST", "", "validating_files"),
    ("GET", "", "queued"),
    ("GET", "", "running"),
    ("POST", "/pause", "pausing"),
    ("GET", "", "paused"),
    ("POST", "/resume", "resuming"),
    ("GET", "", "running"),
    ("GET", "", "succeeded"),
]


def _job(job_id: str, number: int, status: str) -> dict[str, Any]:
    done = status == "succeeded"
    return {
        "id": job_id,
        "object": "fine_tuning.job",
        "created_at": 1721764800 + number,
        "error": None,
        "fine_tuned_model": f"ft:gpt-4o-mini:org::{number}" if done else None,
        "finished_at": 1721768400 + number if done else None,
        "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0},
        "model": "gpt-4o-mini-2024-07-18",
        "organization_id": "org-123",
        "result_files": ["file-result"] if done else [],
        "status": status,
        "trained_tokens": 1200 if done else None,
        "training_file": "file-abc123",
        "validation_file": None,
        "seed": 7,
        "method": {"type": "supervised"},
    }


def _entry(method: str, url: str, body: Any) -> dict[str, Any]:
    return {
        "startedDateTime": "2025-03-01T12:00:00.000Z",
        "time": 1,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": []},
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }


def _pages() -> list[dict[str, Any]]:
    """A first page of finished jobs and the next one, reached with ``after``."""
    listed = [_job(f"ftjob-listed-{n:02d}", n, "succeeded") for n in range(20)]
    return [
        _entry("GET", f"{API}?limit=10", {"object": "list", "data": listed[:10], "has_more": True}),
        _entry(
            "GET",
            f"{API}?limit=10&after=ftjob-listed-09",
            {"object": "list", "data": listed[10:], "has_more": False},
        ),
    ]


def recording(calls: int, jobs: int) -> dict[str, Any]:
    """The HAR document: ``jobs`` jobs at a time moving through their lives, interleaved,
    then the next ``jobs``; two list pages every 20 calls."""
    entries: list[dict[str, Any]] = []
    generation = 0
    while len(entries) < calls:
        for method, suffix, status in LIFE:
            for n in range(jobs):
                number = generation * jobs + n
                job_id = f"ftjob-{number:06d}"
                url = API if method == "POST" and not suffix else f"{API}/{job_id}{suffix}"
                entries.append(_entry(method, url, _job(job_id, number, status)))
                if len(entries) % 20 == 0:
                    entries.extend(_pages())
        generation += 1
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "bench", "version": "1"},
            "entries": entries[:calls],
        }
    }


def _cpu(path: Path, sessions: bool) -> tuple[float, int, int]:
    """CPU seconds of one check, the results and the session findings."""
    start = time.process_time()
    results = [e for e in check_paths([path], profile="observed", sessions=sessions)]
    spent = time.process_time() - start
    checked = [r for r in results if isinstance(r, Result)]
    found = sum(v.keyword == "session" for r in checked for v in r.violations)
    return spent, len(checked), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "jobs.har"
        path.write_text(json.dumps(recording(args.calls, args.jobs)))
        best: dict[bool, float] = {}
        for _ in range(args.repeat):
            for sessions in (False, True):
                spent, checked, found = _cpu(path, sessions)
                best[sessions] = min(best.get(sessions, spent), spent)
                if sessions and found:
                    raise SystemExit(f"the generated recording gave {found} session findings")
        ratio = best[True] / best[False]
        print(f"{checked} responses checked, {path.stat().st_size >> 10} KiB HAR")
        print(f"sessions off: {best[False]:.3f} s CPU")
        print(f"sessions on:  {best[True]:.3f} s CPU")
        verdict = "ok" if ratio <= TARGET_RATIO else "over target"
        print(f"ratio on/off: {ratio:.3f} (target <= {TARGET_RATIO}: {verdict})")


if __name__ == "__main__":
    main()
