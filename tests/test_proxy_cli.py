"""``finetune-contract proxy``: the issue's done-when run, exit statuses, a HAR valid on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from contract.testing._serving import Served, serving
from tests.proxy_upstream import Upstream

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-proj-PLANTEDkey0123456789abcdefghijklmnop"


def _environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("OPENAI_API_KEY", None)
    return env


class Running:
    """A ``finetune-contract proxy`` process; its first stdout line is its base URL."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "contract", "proxy", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        found: list[bytes] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(60)
        self.url = found[0].decode().strip() if found else ""

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, self.url + "\n" + out.decode(), err.decode()


@pytest.fixture
def upstream() -> Iterator[tuple[Upstream, Served]]:
    fake = Upstream()
    with serving(fake.app()) as served:
        yield fake, served


def _check(har: Path) -> tuple[int, list[dict[str, Any]], str]:
    done = subprocess.run(
        [sys.executable, "-m", "contract", "check", str(har), "--format", "jsonl"],
        capture_output=True,
        env=_environment(),
        cwd=ROOT,
        timeout=120,
    )
    lines = [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]
    return done.returncode, lines, done.stdout.decode() + done.stderr.decode()


def _calls(client: openai.OpenAI) -> list[Callable[[], Any]]:
    jobs = client.fine_tuning.jobs.with_raw_response
    return [
        lambda: jobs.retrieve("ftjob-abc123"),
        lambda: jobs.pause("ftjob-abc123"),
        lambda: jobs.resume("ftjob-abc123"),
        lambda: jobs.list(limit=5),
        lambda: jobs.cancel("ftjob-abc123"),
        lambda: jobs.create(model="gpt-4o-mini-2024-07-18", training_file="file-abc123"),
    ]


def test_thirty_sdk_calls_with_malformed_bodies_and_a_planted_key(
    upstream: tuple[Upstream, Served], tmp_path: Path
) -> None:
    """The issue's done-when: 30 calls, 30 % malformed, findings >= malformed, HAR agrees."""
    fake, served = upstream
    fake.malformed = 0.3
    record = tmp_path / "through.har"
    running = Running(
        "--upstream", served.url + "/v1", "--record", str(record), "--format", "jsonl"
    )
    assert running.url.startswith("http://127.0.0.1:") and running.url.endswith("/v1")
    client = openai.OpenAI(api_key=KEY, base_url=running.url, max_retries=0)
    operations = _calls(client)
    reached_malformed = 0
    for n in range(30):
        raw = operations[n % len(operations)]()
        assert raw.http_response.content == fake.served[n]  # forwarded unchanged
        try:
            json.loads(raw.http_response.content)
        except ValueError:
            reached_malformed += 1
    status, out, err = running.stop()
    findings = [json.loads(line) for line in err.splitlines() if line.startswith('{"interaction"')]
    assert reached_malformed == sum(fake.broken) >= 3
    assert status == 1
    assert len(findings) >= reached_malformed
    assert fake.authorizations == [f"Bearer {KEY}"] * 30  # the key went to the upstream

    text = record.read_text()
    entries = json.loads(text)["log"]["entries"]
    assert len(entries) == 30
    assert [e["response"]["status"] for e in entries] == [200] * 30

    checked, results, report = _check(record)
    assert checked == 1
    failing = [r for r in results if "source" in r and not r["valid"]]
    assert {r["source"].rpartition("::")[2] for r in failing} == {
        f["interaction"] for f in findings
    }
    assert sum(len(r["violations"]) for r in failing) == len(findings)
    for written in (out, err, text, report):
        assert KEY not in written and "PLANTED" not in written


def test_no_finding_is_exit_0_and_the_summary_counts_calls(
    upstream: tuple[Upstream, Served],
) -> None:
    _, served = upstream
    running = Running("--upstream", served.url + "/v1", "--no-requests", "--no-sessions")
    client = openai.OpenAI(api_key=KEY, base_url=running.url, max_retries=0)
    client.fine_tuning.jobs.retrieve("ftjob-abc123")
    httpx.get(running.url + "/other/teapot")
    status, _, err = running.stop(signal.SIGTERM)
    assert status == 0
    assert "2 calls: 1 jobs calls checked, 1 other calls passed through" in err


def test_the_har_is_a_whole_document_when_stopped_by_sigterm(
    upstream: tuple[Upstream, Served], tmp_path: Path
) -> None:
    fake, served = upstream
    fake.malformed = 1.0
    record = tmp_path / "stopped.har"
    running = Running("--upstream", served.url + "/v1", "--record", str(record))
    for n in range(3):
        httpx.get(f"{running.url}/fine_tuning/jobs/ftjob-{n}")
    status, _, err = running.stop(signal.SIGTERM)
    assert status == 1
    assert err.count("body ends early") == 3
    assert len(json.loads(record.read_text())["log"]["entries"]) == 3


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--upstream", "http://api.openai.com/v1"], "plain http://"),
        (["--upstream", "https://api.openai.com/v1", "--port", "BUSY"], "Address already in use"),
        (
            ["--upstream", "https://api.openai.com/v1", "--record", "/nonexistent/dir/x.har"],
            "x.har",
        ),
    ],
    ids=["insecure-upstream", "port-in-use", "record-unwritable"],
)
def test_a_proxy_that_cannot_start_exits_2_with_one_line(
    arguments: list[str], expected: str
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "contract",
                "proxy",
                *(port if a == "BUSY" else a for a in arguments),
            ],
            capture_output=True,
            env=_environment(),
            cwd=ROOT,
            timeout=60,
        )
    err = done.stderr.decode()
    assert done.returncode == 2
    assert done.stdout == b""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
