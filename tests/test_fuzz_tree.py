"""Nothing a parser starts outlives its call: same-group children, setsid() grandchildren,
orphans of a double fork; and the secret-variable rule covers every password spelling."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from contract.fuzz import _exec, _tree
from contract.fuzz._exec import JsonLinesParser, OneShotParser

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

PAYLOAD = b'{"id": "x"}'


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def gone(pids: list[int]) -> bool:
    """Whether every pid has ended (waiting a little for the kernel and ``init`` to reap)."""
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)


# A parser that leaves a sleeper behind before it answers, written to ``how``:
#   setsid:       a child that calls setsid() (own session and group) and sleeps;
#   double-fork:  a child that calls setsid(), forks a grandchild and exits (the
#                 grandchild is orphaned: its parent chain no longer leads to the parser);
#   group:        a child that stays in the parser's group and sleeps.
PARSER = textwrap.dedent(
    """
    import os, sys, time
    how, pids = sys.argv[1], sys.argv[2]
    sys.stdin.buffer.readline()
    ready_r, ready_w = os.pipe()
    if os.fork() == 0:
        os.close(ready_r)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the parser's pipes stay the parser's
            os.dup2(null, fd)
        if how != "group":
            os.setsid()
        if how == "double-fork" and os.fork() != 0:
            os._exit(0)
        with open(pids, "a") as f:
            f.write(f"{os.getpid()}\\n")
        os.write(ready_w, b"x")
        time.sleep(30)
        os._exit(0)
    os.close(ready_w)
    os.read(ready_r, 1)  # the sleeper has written its pid
    print('{"ok": true}', flush=True)
    if sys.argv[3] == "jsonl":
        for line in sys.stdin:
            print('{"ok": true}', flush=True)
    """
)


@pytest.mark.parametrize("how", ["setsid", "double-fork", "group"])
def test_oneshot_leaves_no_descendant_behind(tmp_path: Path, how: str) -> None:
    pids = tmp_path / "pids"
    script = tmp_path / "parser.py"
    script.write_text(PARSER)
    verdict = OneShotParser([sys.executable, str(script), how, str(pids), "oneshot"], 30).check(
        PAYLOAD
    )
    assert verdict.outcome == "accepted"
    left = [int(pid) for pid in pids.read_text().split()]
    assert left and gone(left)


@pytest.mark.parametrize("how", ["setsid", "double-fork", "group"])
def test_jsonl_close_leaves_no_descendant_behind(tmp_path: Path, how: str) -> None:
    pids = tmp_path / "pids"
    script = tmp_path / "parser.py"
    script.write_text(PARSER)
    with JsonLinesParser([sys.executable, str(script), how, str(pids), "jsonl"], 30) as parser:
        assert parser.check(PAYLOAD).outcome == "accepted"
        assert parser.check(PAYLOAD).outcome == "accepted"
        left = [int(pid) for pid in pids.read_text().split()]
        assert left and all(alive(pid) for pid in left)  # alive while the parser is in use
    assert gone(left)


def test_fuzz_run_leaves_nothing_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from contract.cli import main

    pids = tmp_path / "pids"
    script = tmp_path / "parser.py"
    script.write_text(PARSER)
    command = f"{sys.executable} {script} double-fork {pids} jsonl"
    status = main(["fuzz", "--exec", command, "--protocol", "jsonl", "-n", "3", "--seed", "1"])
    capsys.readouterr()
    assert status in (0, 1)
    left = [int(pid) for pid in pids.read_text().split()]
    assert left and gone(left)


def test_an_unrelated_process_started_later_is_left_alone(tmp_path: Path) -> None:
    import subprocess

    before = subprocess.Popen(["sleep", "60"])
    try:
        OneShotParser(["true"], 5).check(PAYLOAD)
        assert alive(before.pid)
    finally:
        before.kill()
        before.wait()


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASS",
        "PGPASS",
        "PGPASSWORD",
        "MYSQL_PWD",
        "SSH_PASSPHRASE",
        "SENTRY_DSN",
        "AWS_CREDS",
        "GPG_PRIVATE",
        "db_password",
        "OPENAI_API_KEY",
    ],
)
def test_password_variables_of_every_spelling_are_secret(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "value-0f3e9a77c1")
    assert "value-0f3e9a77c1" in _exec.environment_secrets()


@pytest.mark.parametrize("name", ["PWD", "OLDPWD", "HOME", "LANG"])
def test_working_folders_and_plain_settings_are_not(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "/some/plain/value-0f3e")
    assert "/some/plain/value-0f3e" not in _exec.environment_secrets()


def test_the_mark_reaches_the_parser() -> None:
    script = f'test -n "${_tree.MARK}"'
    assert OneShotParser(["sh", "-c", script], 5).check(PAYLOAD).outcome == "accepted"
