"""``check``'s output choices: command line, then environment, then ``[tool.finetune-contract]``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contract.reports import FORMATS
from tests.report_runs import PAYLOADS, check, clean_env

__all__ = ["clean_env"]


@pytest.fixture
def project(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> Path:
    """A project folder (the working directory) with recordings and a pyproject.toml."""
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "job.json").write_text((PAYLOADS / "n_epochs_51.json").read_text())
    clean_env.chdir(tmp_path)
    return tmp_path


def _configure(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.finetune-contract]\n' + table
    )


def _kind(out: str) -> str:
    """Which format printed ``out``."""
    if out.startswith("<?xml"):
        return "junit"
    if out.startswith("::"):
        return "github"
    try:
        document = json.loads(out)
    except ValueError:
        first = out.splitlines()[0]
        return "jsonl" if first.startswith("{") else "text"
    return "sarif" if "runs" in document else "json"


def test_every_format_is_a_choice() -> None:
    assert list(FORMATS) == ["text", "json", "jsonl", "junit", "github", "sarif"]


def test_precedence_command_line_environment_file(
    capsys: pytest.CaptureFixture[str], project: Path, clean_env: pytest.MonkeyPatch
) -> None:
    _configure(project, 'paths = ["recordings"]\nformat = "junit"\n')
    status, out, _ = check(capsys)  # no PATH: the configuration's paths, in its format
    assert status == 1 and _kind(out) == "junit"
    assert "recordings/job.json" in out
    clean_env.setenv("FINETUNE_CONTRACT_FORMAT", "sarif")
    assert _kind(check(capsys)[1]) == "sarif"  # the environment beats the file
    assert _kind(check(capsys, "--format", "json")[1]) == "json"  # the option beats both


def test_configured_colour_and_annotation_limit(
    capsys: pytest.CaptureFixture[str], project: Path, clean_env: pytest.MonkeyPatch
) -> None:
    _configure(project, 'color = "always"\nmax-annotations = 0\n')
    out = check(capsys, "recordings")[1]
    assert "\x1b[" in out
    clean_env.setenv("FINETUNE_CONTRACT_COLOR", "never")
    assert "\x1b[" not in check(capsys, "recordings")[1]
    out = check(capsys, "--format", "github", "recordings")[1]
    assert [line[:8] for line in out.splitlines() if line.startswith("::")] == ["::notice"]


def test_explicit_paths_win_over_configured_ones(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _configure(project, 'paths = ["recordings"]\n')
    status, out, _ = check(capsys, str(PAYLOADS / "valid.json"))
    assert status == 0 and "recordings" not in out


@pytest.mark.parametrize(
    ("table", "variable", "said"),
    [
        ('format = "xml"\n', None, "format 'xml' is not a report format"),
        ('color = "blue"\n', None, "color: 'blue' is not one of"),
        ("max-annotations = -1\n", None, "max-annotations: -1 is less than the minimum of 0"),
        ('paths = "recordings"\n', None, "paths"),
        ("", ("FINETUNE_CONTRACT_FORMAT", "yaml"), "FINETUNE_CONTRACT_FORMAT='yaml'"),
        ("", ("FINETUNE_CONTRACT_MAX_ANNOTATIONS", "many"), "FINETUNE_CONTRACT_MAX_ANNOTATIONS"),
        ("", ("FINETUNE_CONTRACT_COLOR", "blue"), "FINETUNE_CONTRACT_COLOR='blue'"),
    ],
)
def test_a_bad_choice_is_one_clear_error(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    clean_env: pytest.MonkeyPatch,
    table: str,
    variable: tuple[str, str] | None,
    said: str,
) -> None:
    _configure(project, table)
    if variable is not None:
        clean_env.setenv(*variable)
    status, out, err = check(capsys, "recordings")
    assert status == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("finetune-contract check: error: ") and said in line
    if variable is None:
        assert "pyproject.toml" in line


def test_python_dash_m_contract_runs_the_cli(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contract", "check", "--format", "jsonl", "recordings"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    *_, last = done.stdout.splitlines()
    assert json.loads(last)["summary"]["invalid"] == 1


def _recipe_yaml_blocks() -> list[str]:
    """The yaml blocks of the CI recipes page (docs/guides/recordings-in-ci.md)."""
    import re

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "guides" / "recordings-in-ci.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", page, flags=re.DOTALL)


def test_the_recipe_workflow_runs_real_check_options() -> None:
    import shlex

    import yaml

    from contract.cli import build_parser

    (workflow,) = [yaml.safe_load(b) for b in _recipe_yaml_blocks() if "runs-on" in b]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = [step["run"] for step in steps if "finetune-contract check" in step.get("run", "")]
    assert len(commands) == 2
    formats = set()
    for command in commands:
        words = shlex.split(command.split(">", 1)[0])
        parsed = build_parser().parse_args(words[1:])  # exits (SystemExit) on an unknown option
        formats.add(parsed.format)
    assert formats == {"github", "sarif"}
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "contract.sarif"
