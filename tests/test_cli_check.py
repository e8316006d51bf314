"""``finetune-contract check``: exit codes, reports, and bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from contract.cli import main
from contract.schema._paths import example_recordings_dir

PAYLOADS = Path(__file__).resolve().parent / "data" / "payloads"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_no_path_checks_the_bundled_examples(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--format", "json")
    report = json.loads(out)
    assert status == 0, out + err
    assert report["summary"]["checked"] >= 5
    assert report["summary"]["invalid"] == 0
    # Named for what they are, not by their site-packages path.
    assert all(r["source"].startswith("bundled example ") for r in report["results"])
    assert str(example_recordings_dir()) not in out
    assert "checking the example recordings bundled with the package" in err


def test_valid_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(PAYLOADS / "valid.json"))
    assert status == 0
    assert out.strip() == "checked 1 payload: 1 valid, 0 invalid"


def test_violation_reads_like_a_compiler(capsys: pytest.CaptureFixture[str]) -> None:
    path = PAYLOADS / "n_epochs_51.json"
    status, out, _ = run(capsys, str(path))
    assert status == 1
    assert out.splitlines() == [
        f"{path}:1: /hyperparameters/n_epochs: 51 is greater than the maximum of 50 [FC106]",
        "checked 1 payload: 0 valid, 1 invalid",
    ]


def test_jsonl_names_each_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = PAYLOADS / "mixed.jsonl"
    status, out, _ = run(capsys, "--format", "json", str(path))
    report = json.loads(out)
    assert status == 1
    assert [(r["source"], r["valid"]) for r in report["results"]] == [
        (f"{path}:1", True),
        (f"{path}:2", False),
        (f"{path}:4", True),
    ]
    assert report["summary"] == {
        "checked": 3,
        "valid": 2,
        "invalid": 1,
        "api_errors": 0,
        "jobs": 3,
        "skipped": 0,
    }
    assert {(v["path"], v["keyword"]) for v in report["results"][1]["violations"]} == {
        ("/status", "deviation"),  # "paused": a known deviation (status-paused), said in words
        ("/seed", "type"),
    }
    assert set(report["results"][1]["violations"][0]) == {
        "side",  # "response": a payload has no request
        "path",
        "keyword",
        "code",
        "message",
        "schema_path",
    }


def test_directory_is_walked(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--format", "json", str(PAYLOADS))
    assert status == 1
    assert json.loads(out)["summary"] == {
        "checked": 5,
        "valid": 3,
        "invalid": 2,
        "api_errors": 0,
        "jobs": 5,
        "skipped": 0,
    }


def test_schema_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text('{"team": "search"}')
    assert run(capsys, "--schema", "Metadata", str(path))[0] == 0
    assert run(capsys, str(path))[0] == 1


def test_unknown_schema_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--schema", "Job", str(PAYLOADS / "valid.json"))
    assert status == 2
    assert "unknown schema 'Job'" in err and "FineTuningJob" in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"not json", "is not JSON (expecting value) at line 1 column 1"),
        (b'{"id": "ftjob-1", ', "ends early"),
        (b'{"id": "\xff\xfe"}', "is not UTF-8"),
    ],
)
def test_bad_file_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    status, _, err = run(capsys, str(path))
    assert status == 2
    (line,) = err.splitlines()
    assert line.startswith(f"finetune-contract check: error: {path}")
    assert reason in line


def test_bad_jsonl_line_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": \n{"a": 3}\n')
    status, out, err = run(capsys, str(path))
    # One bad line is a violation where it is; the other lines are still checked.
    assert status == 1, err
    assert f"{path}:2: <root>: body ends early" in out
    assert f"{path}:3: <root>: required property" in out
    assert out.splitlines()[-1] == "checked 3 payloads: 0 valid, 3 invalid"


def test_empty_directory_and_missing_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("nothing to check")
    status, _, err = run(capsys, str(tmp_path))
    assert status == 2
    assert f"{tmp_path}: directory holds no recordings" in err
    status, _, err = run(capsys, str(tmp_path / "missing.json"))
    assert status == 2
    assert "no such file or directory" in err


def test_errors_win_over_violations_and_others_are_still_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    status, out, err = run(capsys, str(PAYLOADS / "n_epochs_51.json"), str(bad))
    assert status == 2
    assert "51 is greater than the maximum of 50" in out
    assert str(bad) in err


def test_recordings_are_never_modified(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(PAYLOADS.iterdir())
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    run(capsys, str(PAYLOADS))
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "contract", *args], input=stdin, capture_output=True, timeout=60
    )


def test_stdin_json_and_jsonl() -> None:
    valid = (PAYLOADS / "valid.json").read_bytes()
    assert _cli("check", "-", stdin=valid).returncode == 0
    lines = (PAYLOADS / "mixed.jsonl").read_bytes()
    result = _cli("check", "-", stdin=lines)
    assert result.returncode == 1
    assert b"<stdin>:2: /status:" in result.stdout


def test_no_traceback_on_bad_input() -> None:
    result = _cli("check", "-", stdin=b"\xff\xfe\x00garbage")
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_help_explains_formats_and_exit_status() -> None:
    result = _cli("check", "--help")
    text = result.stdout.decode()
    assert result.returncode == 0
    for phrase in (".jsonl", "Exit status", "--schema", "example recordings"):
        assert phrase in text


RECORDINGS = Path(__file__).resolve().parent / "data" / "recordings"


def test_other_recorded_calls_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(RECORDINGS / "cassette-mixed.yaml"))
    assert status == 1
    assert out.splitlines()[-1].endswith(
        "invalid (1 other recorded interaction skipped); 2 requests checked: 2 valid, 0 invalid"
    )
    status, out, _ = run(capsys, "--format", "json", str(RECORDINGS / "pause-mixed.har"))
    assert json.loads(out)["summary"]["skipped"] == 1


def test_recording_without_pause_calls_is_not_a_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.recording_builders import har_entry, write_har

    har = write_har(
        tmp_path / "models.har",
        [har_entry(method="GET", url="https://api.openai.com/v1/models")],
    )
    status, out, err = run(capsys, str(har))
    assert status == 2
    assert (
        out.strip()
        == "checked 0 payloads: 0 valid, 0 invalid (1 other recorded interaction skipped)"
    )
    assert err.strip().splitlines()[-1] == (
        f"finetune-contract check: error: {har}: no fine-tuning jobs responses or payloads "
        "found (1 other interaction skipped)"
    )


def test_rfc_8259_problems_in_payload_files_are_violations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "nan.jsonl"
    path.write_text('{"team": NaN, "team": "x"}\n')
    status, out, _ = run(capsys, "--schema", "Metadata", str(path))
    assert status == 1
    assert out.splitlines() == [
        f"{path}:1: <root>: body is not interoperable JSON: NaN is not a JSON number [FC003]",
        f'{path}:1: <root>: body is not interoperable JSON: duplicate key "team" in an object '
        "[FC003]",
        "checked 1 payload: 0 valid, 1 invalid",
    ]
