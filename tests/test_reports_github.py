"""``--format github``: workflow commands escaped as GitHub requires, within its limits,
and the Markdown step summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.reports.github import command, escape_data, escape_property, log_line
from tests.report_runs import (
    BUNDLED,
    CORPUS,
    PAYLOADS,
    check,
    clean_env,
    json_of,
    needs_corpus,
)

__all__ = ["clean_env"]

COMMAND = re.compile(r"^::(error|notice)(?: ([^:]*))?::(.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in out.splitlines():
        match = COMMAND.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match[2].split(",")) if match[2] else {}
            found.append((match[1], props, match[3]))
    return found


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert (
        command("error", "x: y, z\n", file="dir/a,b.json", line=3, title="t: u")
        == "::error file=dir/a%2Cb.json,line=3,title=t%3A u::x: y, z%0A"
    )
    assert command("notice", "m") == "::notice::m"


@given(st.text())
def test_escaped_values_round_trip_and_hold_no_separator(text: str) -> None:
    data, prop = escape_data(text), escape_property(text)
    assert _unescape_data(data) == text and _unescape_property(prop) == text
    assert not set("\r\n") & set(data)
    assert not set("\r\n:,") & set(prop)
    assert all(re.fullmatch(r"[0-9A-F]{2}", data[i + 1 : i + 3]) for i in _percents(data))


def _percents(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if char == "%"]


@given(st.text())
def test_no_log_line_reads_as_a_command(text: str) -> None:
    assert not log_line(text).startswith("::")


def test_annotations_carry_relative_file_and_line(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = json.loads((PAYLOADS / "n_epochs_51.json").read_text())
    folder = tmp_path / "recorded, here"
    folder.mkdir()
    (folder / "jobs.jsonl").write_text(json.dumps({"id": 1}) + "\n" + json.dumps(job) + "\n")
    pretty = folder / "job.json"
    pretty.write_text(json.dumps(job, indent=4))
    clean_env.setenv("GITHUB_WORKSPACE", str(tmp_path))
    status, out, _ = check(capsys, "--format", "github", "--max-annotations", "100", folder)
    assert status == 1
    found = _commands(out)
    files = {_unescape_property(props.get("file", "")) for _, props, _ in found}
    assert [kind for kind, _, _ in found] == ["error"] * len(found)
    assert files == {"recorded, here/jobs.jsonl", "recorded, here/job.json"}
    n_epochs = 1 + pretty.read_text().splitlines().index('        "n_epochs": 51')
    lines = {
        (_unescape_property(p["file"]).rsplit("/", 1)[1], p["line"], m.split(": ", 2)[1])
        for kind, p, m in found
        if kind == "error"
    }
    assert ("job.json", str(n_epochs), "/hyperparameters/n_epochs") in lines
    assert ("jobs.jsonl", "2", "/hyperparameters/n_epochs") in lines
    assert ("jobs.jsonl", "1", "/id") in lines


def test_outside_the_workspace_no_file_is_named(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("GITHUB_WORKSPACE", str(tmp_path))
    _, out, _ = check(capsys, "--format", "github", PAYLOADS / "n_epochs_51.json")
    ((kind, props, _),) = _commands(out)
    assert kind == "error" and "file" not in props and "line" not in props


@needs_corpus
@pytest.mark.parametrize("limit", [None])
def test_at_most_the_limit_of_annotations_then_one_notice(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, limit: str | None
) -> None:
    document = json_of(CORPUS)
    problems = sum(len(r["violations"]) for r in document["results"]) + len(document["errors"])
    args = ["--format", "github", *(["--max-annotations", limit] if limit else []), CORPUS]
    status, out, _ = check(capsys, *args)
    assert status == 2
    found = _commands(out)
    errors = [c for c in found if c[0] == "error"]
    notices = [c for c in found if c[0] == "notice"]
    allowed = 10 if limit is None else int(limit)
    assert len(errors) == min(allowed, problems)
    (notice,) = notices
    hidden = problems - len(errors)
    assert notice[2].startswith(f"{hidden} more problems are in the log")
    # Every problem is still in the log: annotated or as a plain line.
    plain = [line for line in out.splitlines() if not line.startswith("::")]
    assert len(plain) >= hidden


def test_limit_from_the_environment(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("FINETUNE_CONTRACT_MAX_ANNOTATIONS", "1")
    _, out, _ = check(capsys, "--format", "github", PAYLOADS)
    assert [c[0] for c in _commands(out)] == ["error", "notice"]
    _, out, _ = check(capsys, "--format", "github", "--max-annotations", "5", PAYLOADS)
    assert [c[0] for c in _commands(out)].count("error") > 1  # the option wins


@pytest.mark.parametrize("where", ["bundled", "corpus"])
def test_step_summary_is_appended(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    where: str,
) -> None:
    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus {CORPUS} is absent")
    target = BUNDLED if where == "bundled" else CORPUS
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    clean_env.setenv("GITHUB_STEP_SUMMARY", str(summary))
    document = json_of(target)
    check(capsys, "--format", "github", "--coverage", target)
    text = summary.read_text()
    assert text.startswith("earlier step\n### finetune-contract check\n")
    checked = document["summary"]["checked"]
    assert f"checked {checked} payloads" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    violations = sum(len(r["violations"]) for r in document["results"])
    # The header, then one row per violation (no table without one).
    assert len(rows) == (1 + min(violations, 50) if violations else 0)
    assert "Traffic coverage" in text


def test_step_summary_text_cannot_inject_markdown(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = json.loads((PAYLOADS / "valid.json").read_text())
    job["status"] = "| ![x](https://example.invalid/a.png) <img src=x> [link](x)"
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    summary = tmp_path / "summary.md"
    clean_env.setenv("GITHUB_STEP_SUMMARY", str(summary))
    check(capsys, "--format", "github", path)
    (row,) = [line for line in summary.read_text().splitlines() if "status" in line]
    # Four cells: no pipe from the value splits one; no unescaped link, image or tag.
    assert len(re.split(r"(?<!\\)\|", row)) == 6
    assert re.search(r"(?<!\\)[!\[\]<>()]", row) is None
    assert r"example\.invalid" in row
