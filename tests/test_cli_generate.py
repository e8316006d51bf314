"""``finetune-contract generate`` and ``coverage``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract import registry
from contract.cli import main
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


def _optional_off_route(line: object) -> set[str]:
    """Top-level optional properties of a labelled job, other than the one the violation is in."""
    assert isinstance(line, dict)
    payload, path = line["payload"], line["label"]["path"]
    if not isinstance(payload, dict):
        return set()
    required = set(registry.document("FineTuningJob")["required"])
    return set(payload) - required - {path.split("/")[1] if path else ""}


def test_invalid_corpus_context(capsys: pytest.CaptureFixture[str]) -> None:
    for flags, wanted in (([], False), (["--full-context"], True)):
        assert main(["generate", "--invalid", "-n", "30", "--seed", "2", *flags]) == 0
        lines = _lines(capsys.readouterr().out)
        assert len(lines) == 30
        # minimal (default): nothing optional besides the broken value's route;
        # full: optional properties elsewhere in some payloads.
        assert any(_optional_off_route(line) for line in lines) is wanted


def test_full_context_is_for_invalid_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--valid", "-n", "1", "--full-context"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--full-context applies to --invalid only" in err


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
