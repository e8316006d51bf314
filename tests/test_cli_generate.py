"""``finetune-contract generate`` and ``coverage``."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from contract import schema as registry
from contract.cli import generate, main
from contract.validation import is_valid, violations_of


def _lines(text: str) -> list[object]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_valid_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--valid", "-n", "7", "--seed", "3"]) == 0
    payloads = _lines(capsys.readouterr().out)
    assert len(payloads) == 7
    assert all(is_valid(p) for p in payloads)


def test_same_seed_same_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    runs = []
    for seed in ("5", "5", "6"):
        assert main(["generate", "--invalid", "-n", "10", "--seed", seed]) == 0
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_invalid_to_file_with_label_sidecar(tmp_path: Path) -> None:
    target = tmp_path / "bad.jsonl"
    assert main(["generate", "--invalid", "-n", "25", "--seed", "1", "-o", str(target)]) == 0
    payloads = _lines(target.read_text())
    labels = _lines((tmp_path / "bad.labels.jsonl").read_text())
    assert len(payloads) == len(labels) == 25
    for line, (payload, label) in enumerate(zip(payloads, labels, strict=True), start=1):
        assert isinstance(label, dict)
        assert label["line"] == line
        assert set(label) == {"line", "path", "keyword", "description"}
        assert not is_valid(payload)
        assert label["path"] in {v.path for v in violations_of(payload)}


def _optional_off_route(payload: object, label: object) -> set[str]:
    """Top-level optional properties of a labelled job, other than the one the violation is in."""
    assert isinstance(label, dict)
    if not isinstance(payload, dict):
        return set()
    required = set(registry.document("FineTuningJob")["required"])
    path = label["path"]
    return set(payload) - required - {path.split("/")[1] if path else ""}


def test_invalid_corpus_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for flags, wanted in (([], False), (["--full-context"], True)):
        labels = tmp_path / f"labels{len(flags)}.jsonl"
        argv = ["generate", "--invalid", "-n", "30", "--seed", "2", "--labels", str(labels)]
        assert main([*argv, *flags]) == 0
        payloads = _lines(capsys.readouterr().out)
        pairs = list(zip(payloads, _lines(labels.read_text()), strict=True))
        assert len(pairs) == 30
        # minimal (default): nothing optional besides the broken value's route;
        # full: optional properties elsewhere in some payloads.
        assert any(_optional_off_route(*pair) for pair in pairs) is wanted


def test_invalid_stdout_is_plain_payloads_that_check_reads(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    cli = [sys.executable, "-m", "contract"]
    generated = subprocess.run(
        [*cli, "generate", "--invalid", "-n", "40", "--seed", "9", "--labels", str(labels)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    payloads = _lines(generated.stdout.decode())
    assert len(payloads) == 40 and not any(is_valid(p) for p in payloads)
    assert all(isinstance(p, dict) and "label" not in p for p in payloads)
    for payload, label in zip(payloads, _lines(labels.read_text()), strict=True):
        assert isinstance(label, dict)
        assert label["path"] in {v.path for v in violations_of(payload)}
    checked = subprocess.run(
        [*cli, "check", "-"], input=generated.stdout, capture_output=True, timeout=120
    )
    assert checked.returncode == 1
    assert "checked 40 payloads: 0 valid, 40 invalid" in checked.stdout.decode()


def test_a_reader_that_stops_early_ends_the_run_cleanly() -> None:
    # Streamed: the first line arrives long before 100,000 payloads could be drawn
    # in memory, and the closed pipe is not an error.
    script = (
        f"{shlex.quote(sys.executable)} -m contract generate --valid -n 100000 --seed 1 | head -1"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert is_valid(json.loads(done.stdout))


def test_progress_bar_only_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["generate", "--valid", "-n", "2500", "--seed", "1", "--force"]
    assert main([*argv, "-o", str(tmp_path / "a.jsonl")]) == 0
    quiet = capsys.readouterr().err
    assert quiet.count("\n") == 1 and "written to" in quiet
    monkeypatch.setattr(generate, "_stderr_is_terminal", lambda: True)
    assert main([*argv, "-o", str(tmp_path / "b.jsonl")]) == 0
    shown = capsys.readouterr().err
    assert "/2500 [" in shown and "payloads/s" in shown
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--valid", "--full-context"], "--full-context applies to --invalid only"),
        (["--valid", "--labels", "x.jsonl"], "--labels applies to --invalid only"),
        (["--invalid", "--coherent"], "--coherent applies to --valid only"),
        (["--invalid", "--extra-properties"], "--extra-properties applies to --valid only"),
    ],
)
def test_options_for_one_kind_only(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "-n", "1", *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_coherent_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--valid", "--coherent", "-n", "200", "--seed", "4"]) == 0
    jobs = _lines(capsys.readouterr().out)
    assert len(jobs) == 200 and all(is_valid(j) for j in jobs)
    for job in jobs:
        assert isinstance(job, dict)
        if job["status"] == "succeeded":
            assert job["fine_tuned_model"] and job["finished_at"] is not None
        if job["status"] in ("queued", "validating_files"):
            assert job["fine_tuned_model"] is None and job["error"] is None


def test_directory_output_and_schema(tmp_path: Path) -> None:
    argv = ["generate", "--valid", "-n", "5", "--schema", "Metadata", "-o", str(tmp_path / "d")]
    assert main(argv) == 0
    payloads = _lines((tmp_path / "d" / "Metadata.valid.jsonl").read_text())
    assert len(payloads) == 5
    assert all(is_valid(p, "Metadata") for p in payloads)


def test_existing_output_is_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "corpus.jsonl"
    target.write_text("recorded\n")
    assert main(["generate", "--valid", "-n", "2", "-o", str(target), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err and "--force" in err
    assert "Traceback" not in err
    assert target.read_text() == "recorded\n"
    assert (
        main(["generate", "--valid", "-n", "2", "-o", str(target), "--seed", "1", "--force"]) == 0
    )
    assert len(_lines(target.read_text())) == 2


@pytest.mark.parametrize("count", ["0", "-3", "many"])
def test_count_must_be_positive(count: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--valid", "-n", count])
    assert exit_info.value.code == 2
    assert "argument -n" in capsys.readouterr().err


def test_valid_or_invalid_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "-n", "3"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("command", [["generate", "--valid", "-n", "1"], ["coverage"]])
def test_unknown_schema_lists_the_names(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--schema", "Nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown schema 'Nope'; known schemas:" in err and "FineTuningJob" in err


def test_coverage_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert "Hyperparameters.json#/$defs/n_epochs/oneOf/1" in out
    assert out.rstrip().endswith("(100.0 %)")
    assert "missing" not in out


def test_coverage_json_and_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cases.jsonl"
    argv = ["coverage", "--schema", "Metadata", "--format", "json", "--corpus", str(target)]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["constraints"] == report["covered"] == len(report["rows"]) > 0
    cases = _lines(target.read_text())
    assert cases and all(
        isinstance(c, dict) and is_valid(c["payload"], "Metadata") == c["valid"] for c in cases
    )
    assert main(argv) == 2  # the corpus file now exists
