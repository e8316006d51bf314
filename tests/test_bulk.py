"""``check --jobs N``: the same output, order and summary as one process; the ordered window."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.engine import Notice
from contract.engine._parallel import ordered
from contract.engine._work import CHUNK_LINES, Lines, Local, Work
from contract.engine.results import Result
from contract.generate import sampler

EXAMPLES = Path(__file__).resolve().parent.parent / "contract" / "_data" / "recordings"


def _corpus(path: Path, valid: int, invalid: int, seed: int) -> tuple[int, int]:
    """A JSON Lines file of conforming jobs and mutants in random order, with blank lines
    and a line that is not JSON; the numbers of valid and invalid payloads written."""
    rng = random.Random(seed)
    lines = [json.dumps(job) for job in islice(sampler.conforming(seed=seed), valid)]
    lines += [json.dumps(m.payload) for m in islice(sampler.nonconforming(seed=seed), invalid)]
    lines.append('{"id": "ftjob-1", "truncated')
    rng.shuffle(lines)
    for _ in range(5):
        lines.insert(rng.randrange(len(lines)), "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return valid, invalid + 1


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contract", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def bulk_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], tuple[int, int]]:
    """A JSON Lines file of more than one chunk, the bundled examples and a broken file."""
    tmp = tmp_path_factory.mktemp("bulk")
    counts = _corpus(tmp / "traffic.jsonl", CHUNK_LINES + 300, 150, seed=12)
    shutil.copytree(EXAMPLES, tmp / "examples")
    (tmp / "examples" / "broken.har").write_text("{not json", encoding="utf-8")
    return [str(tmp / "traffic.jsonl"), str(tmp / "examples")], counts


def test_two_processes_print_what_one_prints(
    bulk_inputs: tuple[list[str], tuple[int, int]],
) -> None:
    paths, (valid, invalid) = bulk_inputs
    one = _check("--jobs", "1", *paths)
    two = _check("--jobs", "2", *paths)
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert one.returncode == 2  # the broken HAR: an unreadable input
    assert "broken.har" in one.stderr
    # The bundled examples hold 9 conforming payloads and responses (2 in the cassette,
    # 4 JSON lines, 1 payload file, 2 in the HAR).
    summary = one.stdout.splitlines()[-1]
    assert summary.startswith(
        f"checked {valid + invalid + 9} payloads: {valid + 9} valid, {invalid} invalid"
    )
    reported = {line.split(": ", 1)[0] for line in one.stdout.splitlines()[:-1]}
    assert len({s for s in reported if s.startswith(paths[0])}) == invalid


def test_two_processes_give_the_json_report_in_input_order(
    bulk_inputs: tuple[list[str], tuple[int, int]],
) -> None:
    paths, (valid, invalid) = bulk_inputs
    two = _check("--format", "json", "--jobs", "2", paths[0])
    assert two.returncode == 1
    report = json.loads(two.stdout)
    assert (report["summary"]["valid"], report["summary"]["invalid"]) == (valid, invalid)
    lines = [int(r["source"].rsplit(":", 1)[1]) for r in report["results"]]
    assert len(lines) == valid + invalid
    assert lines == sorted(lines)  # input order


class _Future:
    """A future that completes only when the test says so."""

    def __init__(self, value: list[Any]) -> None:
        self.value = value
        self.finished = False

    def done(self) -> bool:
        return self.finished

    def result(self) -> list[Any]:
        self.finished = True
        return self.value


@settings(max_examples=100, deadline=None)
@given(
    kinds=st.lists(st.booleans(), max_size=40),
    window=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_ordered_keeps_input_order_within_the_window(
    kinds: list[bool], window: int, seed: int
) -> None:
    """Units finish in any order; events come out in input order, never more in flight."""
    rng = random.Random(seed)
    submitted: list[_Future] = []
    in_flight: list[int] = []

    def units() -> Iterator[Work]:
        for index, remote in enumerate(kinds):
            if remote:
                yield Lines(f"unit{index}", [])
            else:
                yield Local((Notice("note", f"unit{index}"),))

    def submit(unit: Work) -> _Future:
        assert isinstance(unit, Lines)
        future = _Future([Notice("note", unit.label)])
        submitted.append(future)
        # Some earlier units finish, in any order.
        for other in rng.sample(submitted, k=rng.randrange(len(submitted) + 1)):
            other.finished = True
        in_flight.append(sum(not f.finished for f in submitted))
        return future

    out: list[Result | Notice] = list(ordered(units(), submit, window))
    assert [e.text for e in out if isinstance(e, Notice)] == [
        f"unit{i}" for i in range(len(kinds))
    ]
    assert all(count <= window + 1 for count in in_flight)


def test_a_progress_bar_on_a_terminal_and_none_otherwise(tmp_path: Path) -> None:
    """The bar goes to standard error only when it is a terminal; stdout is untouched."""
    pty = pytest.importorskip("pty")
    fcntl = pytest.importorskip("fcntl")
    termios = pytest.importorskip("termios")
    path = tmp_path / "few.jsonl"
    _corpus(path, 40, 3, seed=5)
    plain = _check(str(path))
    assert "payloads" not in plain.stderr  # no bar when stderr is not a terminal
    leader, follower = pty.openpty()
    # A terminal 80 columns wide (a new pty has no size, and tqdm would draw nothing).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    shown: list[bytes] = []

    def drain() -> None:  # read the terminal while the command runs
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # every writer closed it
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "contract", "check", str(path)],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
        )
        os.close(follower)
        follower = -1
        stdout, _ = child.communicate(timeout=300)
        reader.join(timeout=30)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert (child.returncode, stdout) == (plain.returncode, plain.stdout)
    assert b" payloads" in b"".join(shown)


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_workers_fork_from_a_lone_thread_and_start_from_a_fork_server_otherwise() -> None:
    """A process with other threads never forks its workers (a lock held by a thread the
    fork does not copy would stay held); the command line, one thread, forks them."""
    script = (
        "import threading, time\n"
        "from contract.engine._parallel import _context\n"
        "alone = _context().get_start_method()\n"
        "stop = threading.Event()\n"
        "other = threading.Thread(target=stop.wait)\n"
        "other.start()\n"
        "busy = _context().get_start_method()\n"
        "stop.set(); other.join()\n"
        "print(alone, busy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["fork", "forkserver"]


def test_output_written_before_the_workers_start_is_written_once(tmp_path: Path) -> None:
    """Forked workers inherit the standard streams (multiprocessing flushes them before
    it forks): what was written before they started is not written again when they end."""
    path = tmp_path / "jobs.jsonl"
    _corpus(path, CHUNK_LINES * 2, 10, seed=3)
    script = (
        "import sys\n"
        "from contract.engine import check_paths\n"
        "sys.stdout.write('written once\\n')\n"
        f"events = list(check_paths([{str(path)!r}], jobs=2))\n"
        "print(len(events))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.count("written once") == 1
