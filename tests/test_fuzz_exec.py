"""External parsers: both protocols, bad commands, the fuzz CLI and the example parsers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import contract
from contract import schema as registry
from contract.cli import main
from contract.fuzz import check_command
from contract.fuzz._exec import JsonLinesParser, OneShotParser, parse_verdict_line

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "fuzz"
PERL = f"perl {ROOT / 'examples' / 'perl' / 'parse_pause.pl'}"


def _perl_with_json() -> bool:
    """Whether perl and its JSON::PP are here (a slim image has perl-base only)."""
    perl = shutil.which("perl")
    if perl is None:
        return False
    found = subprocess.run([perl, "-MJSON::PP", "-e", "1"], capture_output=True, timeout=30)
    return found.returncode == 0


NEEDS_PERL = pytest.mark.skipif(not _perl_with_json(), reason="perl with JSON::PP is not here")
PYTHON = f"{sys.executable} {ROOT / 'examples' / 'python' / 'parse_pause.py'}"
REQUIRED = set(registry.document("FineTuningJob")["required"])
PAYLOAD = b'{"id": "x"}'


def children() -> set[int]:
    """Pids of this process's live (or unreaped) children."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            listed = (task / "children").read_text()
        except FileNotFoundError:
            continue  # a thread that ended while we looked has no children left
        found |= {int(pid) for pid in listed.split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def fuzz(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["fuzz", *args])
    out, err = capsys.readouterr()
    return status, out, err


# -- protocols ---------------------------------------------------------------


def test_oneshot_exit_status_is_the_verdict() -> None:
    before = children()
    assert OneShotParser(["true"], 5).check(PAYLOAD).outcome == "accepted"
    rejected = OneShotParser(["sh", "-c", "echo bad field >&2; exit 1"], 5).check(PAYLOAD)
    assert (rejected.outcome, rejected.detail) == ("rejected", "exit status 1: bad field")
    crashed = OneShotParser(["sh", "-c", "kill -SEGV $$"], 5).check(PAYLOAD)
    assert (crashed.outcome, crashed.detail) == ("crash", "killed by SIGSEGV")
    echoed = OneShotParser(["sh", "-c", 'test "$(cat)" = \'{"id": "x"}\''], 5).check(PAYLOAD)
    assert echoed.outcome == "accepted"  # the payload arrives on stdin
    assert children() <= before


@pytest.mark.parametrize("argv", [["sleep", "100"], ["yes"]], ids=["never-answers", "floods"])
def test_oneshot_hang_or_flood_is_killed_at_the_timeout(argv: list[str]) -> None:
    before = children()
    started = time.monotonic()
    verdict = OneShotParser(argv, 0.5).check(PAYLOAD)
    assert verdict.outcome == "hang" and "0.5s" in verdict.detail
    assert time.monotonic() - started < 3
    assert children() <= before


def test_oneshot_kills_the_whole_process_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = f"echo $$ > {pids}; sleep 100 & echo $! >> {pids}; wait"
    verdict = OneShotParser(["sh", "-c", script], 0.5).check(PAYLOAD)
    assert verdict.outcome == "hang"
    shell, grandchild = (int(p) for p in pids.read_text().split())
    deadline = time.monotonic() + 3
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(shell) and not alive(grandchild)


def test_jsonl_verdict_lines() -> None:
    script = (
        "import sys\n"
        "for line in sys.stdin:\n"
        '    print(\'{"ok": true}\' if \'good\' in line else \'{"ok": false, "error": "bad"}\','
        " flush=True)\n"
    )
    with JsonLinesParser([sys.executable, "-c", script], 5) as parser:
        verdicts = [parser.check(p) for p in (b'"good"', b'"nope"', b'"good"')]
        assert parser.processes == 1
    assert [(v.outcome, v.detail) for v in verdicts] == [
        ("accepted", ""),
        ("rejected", "bad"),
        ("accepted", ""),
    ]


@pytest.mark.parametrize(
    ("line", "outcome"),
    [
        (b'{"ok": true, "extra": 1}', "accepted"),
        (b'{"ok": false}', "rejected"),
        (b"y", "crash"),
        (b'{"ok": "yes"}', "crash"),
        (b"[true]", "crash"),
    ],
)
def test_verdict_line_format(line: bytes, outcome: str) -> None:
    assert parse_verdict_line(line).outcome == outcome


def test_jsonl_process_dying_mid_stream_is_a_crash_and_is_restarted() -> None:
    before = children()
    with JsonLinesParser([sys.executable, str(DATA / "exit_after_two.py")], 5) as parser:
        verdicts = [parser.check(PAYLOAD) for _ in range(4)]
        assert parser.processes == 2
    assert [v.outcome for v in verdicts] == ["rejected", "rejected", "crash", "rejected"]
    assert verdicts[2].detail == "exited (exit status 3) without a verdict: giving up"
    assert children() <= before


@pytest.mark.parametrize(
    ("argv", "detail"),
    [
        (["sleep", "100"], "no verdict line within 0.5s (killed)"),
        (["yes"], "invalid verdict line 'y'"),
        (["head", "-c", "1000000", "/dev/zero"], "verdict line longer than"),
        (["true"], "exited (exit status 0) without a verdict"),
    ],
    ids=["never-answers", "floods-lines", "floods-one-line", "exits-immediately"],
)
def test_jsonl_bad_processes_are_findings_not_hangs(argv: list[str], detail: str) -> None:
    before = children()
    started = time.monotonic()
    with JsonLinesParser(argv, 0.5) as parser:
        verdict = parser.check(PAYLOAD)
    assert verdict.outcome in ("crash", "hang") and detail in verdict.detail
    assert time.monotonic() - started < 3
    assert children() <= before


# -- the CLI -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "protocol", "message"),
    [
        ("no-such-parser-command", "oneshot", "command not found: no-such-parser-command"),
        ("true", "jsonl", "gave no verdict for its first 3 payloads"),
        ("sleep 100", "oneshot", "still running after 0.3s"),
        ("sleep 100", "jsonl", "no verdict line within 0.3s"),
        ("yes", "oneshot", "still running after 0.3s"),
        ("yes", "jsonl", "invalid verdict line 'y'"),
        ("'unbalanced", "oneshot", "--exec: No closing quotation"),
    ],
)
def test_cli_unusable_command_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], command: str, protocol: str, message: str
) -> None:
    started = time.monotonic()
    status, _, err = fuzz(
        capsys,
        "--exec",
        command,
        "--protocol",
        protocol,
        "-n",
        "6",
        "--seed",
        "1",
        "--timeout",
        "0.3",
    )
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("finetune-contract fuzz: error: ")
    assert message in err and "Traceback" not in err
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "args",
    [["--timeout", "-1"], ["-n", "0"], ["--protocol", "http"]],
    ids=["timeout", "draws", "protocol"],
)
def test_cli_bad_options_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["fuzz", "--exec", "true", *args])
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_unknown_schema(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = fuzz(capsys, "--exec", "true", "--schema", "Nope")
    assert status == 2 and "unknown schema 'Nope'" in err


def test_cli_findings_are_written_for_regression(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "findings"
    status, out, _ = fuzz(
        capsys,
        "--exec",
        "cat",
        "-n",
        "8",
        "--seed",
        "3",
        "--out",
        str(out_dir),
        "--shrink-time",
        "5",
    )
    assert status == 1
    assert "accepted-nonconforming" in out and "wrote" in out
    records = sorted(out_dir.glob("*[0-9a-z].json"))
    records = [p for p in records if not p.name.endswith(".payload.json")]
    assert records
    for record_path in records:
        record = json.loads(record_path.read_text())
        assert record["kind"] == "accepted-nonconforming"
        assert set(record["label"]) == {"path", "keyword", "description"}
        assert record["command"] == "cat" and record["seed"] == 3
        raw = record_path.with_name(record_path.stem + ".payload.json")
        assert json.loads(raw.read_bytes()) == record["payload"]
        assert not contract.is_valid(record["payload"])


def test_cli_same_seed_same_draws(capsys: pytest.CaptureFixture[str]) -> None:
    runs = [
        json.loads(
            fuzz(
                capsys,
                "--exec",
                "cat",
                "-n",
                "10",
                "--seed",
                "5",
                "--no-shrink",
                "--format",
                "json",
            )[1]
        )
        for _ in range(2)
    ]
    assert runs[0]["findings"] == runs[1]["findings"] and runs[0]["findings"]


def test_crash_is_shrunk_to_a_minimal_payload() -> None:
    argv = [sys.executable, str(DATA / "abort_on_cancelled.py"), "--jsonl"]
    report = check_command(
        argv, protocol="jsonl", mode="tolerant", draws=60, seed=7, timeout=5, shrink_time=20
    )
    conforming = [f for f in report.findings if f.payload_class == "conforming"]
    # Killed by a signal: a crash, in the finding as in the table.
    assert [f.kind for f in conforming] == ["crash"], str(report)
    assert report.counts["conforming"]["crash"] > 0
    finding = conforming[0]
    assert finding.shrunk and "SIGABRT" in finding.exception
    assert finding.payload["status"] == "cancelled"
    assert set(finding.payload) == REQUIRED
    assert all(f.kind == "crash" for f in report.findings if f.payload_class == "nonconforming")


def test_cli_masks_secrets_in_the_command_line_environment_and_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_argv = "sk-proj-" + "Q7x" * 14
    in_env_key = "sk-proj-" + "Zz9" * 14
    in_env_token = "plain-token-value-0f3e9a77c1"  # no key shape: masked as an env value
    monkeypatch.setenv("OPENAI_API_KEY", in_env_key)
    monkeypatch.setenv("PARSER_TOKEN", in_env_token)
    planted = (in_argv, in_env_key, in_env_token)
    script = 'echo "refused with $0 $OPENAI_API_KEY $PARSER_TOKEN" >&2; exit 1'
    command = f"sh -c '{script}' {in_argv}"
    shown: list[str] = []
    for form in ("text", "json"):
        out_dir = tmp_path / form
        status, out, err = fuzz(
            capsys,
            "--exec",
            command,
            "-n",
            "6",
            "--seed",
            "2",
            "--format",
            form,
            "--out",
            str(out_dir),
            "--shrink-time",
            "2",
        )
        assert status == 1
        assert "refused with" in out  # the parser's words are kept, its secrets are not
        shown += [out, err] + [p.read_text("utf-8") for p in sorted(out_dir.iterdir())]
    assert len(shown) > 4
    for secret in planted:
        assert not any(secret in text or secret[:16] in text for text in shown), secret


def test_cli_progress_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from contract.cli import fuzz as fuzz_cli

    args = ("--exec", PYTHON + " --jsonl", "--protocol", "jsonl", "-n", "20", "--seed", "1")
    _, _, quiet = fuzz(capsys, *args, "--mode", "tolerant")
    assert quiet == ""
    monkeypatch.setattr(fuzz_cli, "_stderr_is_terminal", lambda: True)
    _, _, shown = fuzz(capsys, *args, "--mode", "tolerant")
    assert "/20 [" in shown and "payloads/s" in shown


# -- the example parsers -----------------------------------------------------


def counts_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = fuzz(capsys, *args, "--seed", "11", "--format", "json", "--shrink-time", "5")
    return status, json.loads(out)


@pytest.mark.parametrize(
    ("command", "protocol", "draws"),
    [
        pytest.param(PERL + " --jsonl", "jsonl", "80", marks=NEEDS_PERL),
        pytest.param(PERL, "oneshot", "12", marks=NEEDS_PERL),
        (PYTHON + " --jsonl", "jsonl", "80"),
        (PYTHON, "oneshot", "12"),
    ],
    ids=["perl-jsonl", "perl-oneshot", "python-jsonl", "python-oneshot"],
)
def test_example_parsers_pass_in_tolerant_mode(
    capsys: pytest.CaptureFixture[str], command: str, protocol: str, draws: str
) -> None:
    status, report = counts_of(
        capsys, "--exec", command, "--protocol", protocol, "-n", draws, "--mode", "tolerant"
    )
    assert status == 0 and report["findings"] == []
    conforming = report["counts"]["conforming"]
    assert conforming["accepted"] == (int(draws) + 1) // 2  # every conforming payload accepted
    assert report["counts"]["nonconforming"]["rejected"] > 0  # it does check something


@NEEDS_PERL
def test_perl_and_python_examples_agree(capsys: pytest.CaptureFixture[str]) -> None:
    _, perl = counts_of(
        capsys, "--exec", PERL + " --jsonl", "--protocol", "jsonl", "-n", "80", "--mode", "tolerant"
    )
    _, python = counts_of(
        capsys,
        "--exec",
        PYTHON + " --jsonl",
        "--protocol",
        "jsonl",
        "-n",
        "80",
        "--mode",
        "tolerant",
    )
    assert perl["counts"] == python["counts"]


@NEEDS_PERL
def test_perl_example_in_strict_mode_reports_the_rules_it_does_not_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = counts_of(
        capsys, "--exec", PERL + " --jsonl", "--protocol", "jsonl", "-n", "80"
    )
    assert status == 1 and report["findings"]
    checked = {
        "id",
        "model",
        "organization_id",
        "training_file",
        "object",
        "status",
        "created_at",
        "finished_at",
        "estimated_finish",
        "hyperparameters",
        "metadata",
        "error",
    }
    for finding in report["findings"]:
        assert finding["kind"] == "accepted-nonconforming"
        top = finding["label"]["path"].split("/")[1] if finding["label"]["path"] else ""
        assert top not in checked, finding["label"]


# -- the parser's standard error ---------------------------------------------

#: What a Node parser writes when it throws: the error's line is not the last.
NODE_CRASH = (
    "/app/parse.js:3\\n    throw new TypeError(msg);\\n    ^\\n\\n"
    "TypeError: Cannot read properties of undefined (reading id)\\n"
    "    at parse (/app/parse.js:3:11)\\n    at main (/app/parse.js:9:3)\\n\\nNode.js v20.11.0\\n"
)


def test_the_verdict_keeps_the_whole_stderr_and_quotes_the_error_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "sk-proj-" + "Kq4" * 14
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    script = f"printf '{NODE_CRASH}' >&2; echo \"key $OPENAI_API_KEY\" >&2; exit 1"
    verdict = OneShotParser(["sh", "-c", script], 5).check(PAYLOAD)
    assert verdict.outcome == "rejected"
    # The one line names the error, not the "Node.js v20" a Node crash ends with.
    assert verdict.detail.startswith("exit status 1: TypeError: Cannot read properties")
    lines = verdict.output.splitlines()
    assert lines[0] == "/app/parse.js:3"
    assert "    at parse (/app/parse.js:3:11)" in lines
    assert "Node.js v20.11.0" in lines
    assert secret not in verdict.output and secret[:16] not in verdict.output
    with JsonLinesParser(["sh", "-c", f"read line; printf '{NODE_CRASH}' >&2; exit 4"], 5) as p:
        crashed = p.check(PAYLOAD)
    assert crashed.outcome == "crash"
    assert "without a verdict: TypeError: Cannot read" in crashed.detail
    assert "    at main (/app/parse.js:9:3)" in crashed.output.splitlines()


def test_cli_shows_the_parsers_stderr_with_each_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    command = f"sh -c \"printf '{NODE_CRASH}' >&2; exit 1\""
    status, out, _ = fuzz(
        capsys,
        "--exec",
        command,
        "-n",
        "4",
        "--seed",
        "1",
        "--shrink-time",
        "1",
        "--out",
        str(tmp_path),
    )
    assert status == 1
    assert "  | TypeError: Cannot read properties of undefined (reading id)" in out
    assert "  |     at parse (/app/parse.js:3:11)" in out
    (found,) = [p for p in tmp_path.glob("*.json") if not p.name.endswith(".payload.json")]
    written = json.loads(found.read_text("utf-8"))
    assert "at main (/app/parse.js:9:3)" in written["traceback"]
