"""``finetune-contract check`` over real traffic: every path checked, API errors, stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract.cli import main
from tests.recording_builders import body, vcr_interaction, write_cassette

API = "https://api.openai.com/v1"
ENVELOPE = json.dumps(
    {"error": {"message": "gone", "type": "invalid_request_error", "param": None, "code": "x"}}
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["check", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def cassette(path: Path, *, error_status: int = 404) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_cassette(
        path,
        [
            vcr_interaction("POST", f"{API}/fine_tuning/jobs/ftjob-abc123/cancel", text=body()),
            vcr_interaction(
                "GET", f"{API}/fine_tuning/jobs/ftjob-x", status=error_status, text=ENVELOPE
            ),
            vcr_interaction("GET", f"{API}/models", text="{}"),
        ],
    )


def test_api_errors_are_counted_not_failed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = cassette(tmp_path / "c.yaml")
    status, out, _ = run(capsys, str(path), "-v")
    assert status == 0
    assert out.splitlines() == [
        f"{path}::interaction[0]: ok",
        f"{path}::interaction[1]: API error 404 x: gone (an API error response)",
        "checked 2 payloads: 1 valid, 0 invalid, 1 API error response "
        "(1 other recorded interaction skipped); 2 requests checked: 2 valid, 0 invalid",
    ]
    # Without -v an API error answer is only counted; failing on it, it is printed.
    assert run(capsys, str(path))[1].splitlines() == out.splitlines()[2:]
    status, out, _ = run(capsys, str(path), "--fail-on-api-errors")
    assert status == 1
    assert f"{path}::interaction[1]: API error 404 x: gone (an API error response)" in out


def test_json_names_the_operation_and_counts_api_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = cassette(tmp_path / "c.yaml")
    status, out, _ = run(capsys, str(path), "--format", "json")
    report = json.loads(out)
    assert status == 0
    assert [(r["source"], r["operation"], r["verdict"]) for r in report["results"]] == [
        (f"{path}::interaction[0]", "cancelFineTuningJob", "valid"),
        (f"{path}::interaction[1]", "retrieveFineTuningJob", "api-error"),
    ]
    assert report["results"][1]["api_error"] == "API error 404 x: gone"
    assert report["summary"] == {
        "checked": 2,
        "valid": 1,
        "invalid": 0,
        "api_errors": 1,
        "jobs": 1,
        "skipped": 1,
        "requests": {"checked": 2, "valid": 2, "invalid": 0, "with_warnings": 0},
    }


def test_one_missing_path_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = cassette(tmp_path / "c.yaml")
    status, out, err = run(capsys, str(tmp_path / "nowhere.yaml"), str(good))
    assert status == 2
    assert out.splitlines()[-1].startswith("checked 2 payloads: 1 valid")
    assert err.strip() == (
        f"finetune-contract check: error: {tmp_path / 'nowhere.yaml'}: no such file or directory"
    )


def test_a_walked_folder_skips_plain_yaml_with_a_note_but_a_named_one_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cassette(tmp_path / "c.yaml")
    config = tmp_path / "config.yaml"
    config.write_text("retries: 3\n")
    status, _, err = run(capsys, str(tmp_path))
    assert status == 0
    assert f"note: skipped {config}: is not a recording" in err
    status, _, err = run(capsys, str(config))
    assert status == 2
    assert f"error: {config}: is not a recording in a layout this toolkit reads" in err


def test_no_path_reads_piped_standard_input(tmp_path: Path) -> None:
    lines = f"{body()}\n{body(seed='x')}\n"
    done = subprocess.run(
        [sys.executable, "-m", "contract", "check"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        '<stdin>:2: /seed: "x" is not of type integer [FC101]',
        "checked 2 payloads: 1 valid, 1 invalid",
    ]
    assert "reading standard input (no PATH given)" in done.stderr


def test_no_path_and_no_piped_input_checks_the_bundled_examples() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contract", "check"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "checking the example recordings bundled with the package" in done.stderr
    assert done.stdout.splitlines()[-1].endswith("0 invalid")


def test_max_inflated_bounds_decompression_and_is_validated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    from contract.recordings import _limits

    monkeypatch.delenv(_limits.INFLATED_VARIABLE, raising=False)
    path = tmp_path / "job.json.gz"
    path.write_bytes(gzip.compress(body().encode()))
    assert run(capsys, str(path))[0] == 0
    status, _, err = run(capsys, "--max-inflated", "100", str(path))
    assert status == 2
    assert f"{path}: the file inflates past the limit of 100 bytes" in err
    # The option holds for its run only.
    assert _limits.INFLATED_VARIABLE not in os.environ
    with pytest.raises(SystemExit) as usage:
        main(["check", "--max-inflated", "lots", str(path)])
    assert usage.value.code == 2
    assert "argument --max-inflated: not a size: 'lots'" in capsys.readouterr().err


def test_an_internal_error_is_one_redacted_line_and_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contract import engine as checking
    from contract.cli import DEBUG_VARIABLE

    key = "sk-proj-INTERNALerrorKEY0123456789abcdef"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"unexpected \x1b[2J state near {key}")

    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)
    monkeypatch.setattr(checking, "check_paths", broken)
    monkeypatch.setattr("contract.cli._jobs.check_paths", broken, raising=False)
    status, _, err = run(capsys, str(cassette(tmp_path / "c.yaml")))
    assert status == 3
    (line,) = err.strip().splitlines()
    assert line.startswith("finetune-contract check: internal error: RuntimeError: unexpected ")
    assert key not in err and "\x1b" not in err
    assert "Traceback" not in err
