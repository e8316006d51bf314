"""The pre-commit hook, run as a user would: ``pre-commit try-repo`` on a temporary
repository, then the docs' ``.pre-commit-config.yaml`` snippet (docs/guides/recordings-in-ci.md)
with ``pre-commit run``.

Cost: pre-commit builds a virtual environment and pip-installs this project from
the committed HEAD (about 45 s on the development machine, once: the second run
reuses it). It needs the package registries; when pip cannot reach them the test
is skipped, saying so. It also needs this checkout to be a git repository whose
HEAD holds ``.pre-commit-hooks.yaml``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HOOK = "check-recordings"
#: Words in pip's output when it could not reach a package index.
_OFFLINE = (
    "Could not find a version that satisfies",
    "No matching distribution found",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
)

BAD_JOB = '{"id": "ftjob-1", "object": "fine_tuning.job", "status": "running"}'


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        pytest.skip(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()[:200]}")
    return done.stdout.strip()


def _recipe_snippet() -> dict[str, object]:
    """The docs' ``.pre-commit-config.yaml`` snippet (the yaml block using the hook)."""
    text = (ROOT / "docs" / "guides" / "recordings-in-ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    (snippet,) = [b for b in blocks if f"id: {HOOK}" in b]
    config: dict[str, object] = yaml.safe_load(snippet)
    return config


def _cassette(body: str) -> str:
    interaction = {
        "request": {
            "method": "POST",
            "uri": "https://api.openai.com/v1/fine_tuning/jobs/ftjob-1/pause",
            "body": None,
            "headers": {},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": body},
        },
    }
    return yaml.safe_dump({"interactions": [interaction], "version": 1})


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=400,
    )
    output = done.stdout + done.stderr
    failed = done.returncode not in (0, 1) or "An unexpected error has occurred" in output
    if failed and any(word in output for word in _OFFLINE):
        pytest.skip("pre-commit could not install the hook: pip cannot reach a package index")
    return done


@pytest.mark.slow
def test_the_hook_fails_a_bad_recording_and_passes_a_fixed_one(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout")
    head = _git("rev-parse", "HEAD", cwd=ROOT)
    _git("cat-file", "-e", f"{head}:.pre-commit-hooks.yaml", cwd=ROOT)

    project = tmp_path / "project"
    (project / "cassettes").mkdir(parents=True)
    _git("init", "-q", ".", cwd=project)
    valid = (ROOT / "tests" / "data" / "payloads" / "valid.json").read_text()
    (project / "cassettes" / "jobs.yaml").write_text(_cassette(BAD_JOB))
    (project / "cassettes" / "models.yaml").write_text(
        _cassette("{}").replace("fine_tuning/jobs/ftjob-1/pause", "models")
    )
    (project / "notes.yaml").write_text("not: a recording\n")  # not one of the hook's files
    _git("add", "-A", cwd=project)
    home = tmp_path / "pre-commit-home"

    done = _pre_commit(
        "try-repo", str(ROOT), HOOK, "--ref", head, "--all-files", cwd=project, home=home
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    # File and line of the interaction first, then its name and the place (FC102: required).
    assert re.search(
        r"cassettes/jobs\.yaml:\d+: interaction\[0\]: <root>: required property .*\[FC102\]",
        output,
    ), output
    assert "notes.yaml" not in output
    assert "error: cassettes/models.yaml" not in output  # another API: skipped, no failure

    # Fixed, with the docs' configuration (the same repository and revision: reused).
    (project / "cassettes" / "jobs.yaml").write_text(
        _cassette(valid.replace("ftjob-abc123", "ftjob-1"))
    )
    config = _recipe_snippet()
    repos = config["repos"]
    assert isinstance(repos, list) and len(repos) == 1
    assert [hook["id"] for hook in repos[0]["hooks"]] == [HOOK]
    repos[0]["repo"], repos[0]["rev"] = str(ROOT), head
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git("add", "-A", cwd=project)
    done = _pre_commit("run", "--all-files", cwd=project, home=home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"Check fine-tuning jobs recordings against the contract\.+Passed", output)


def test_the_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == HOOK and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["finetune-contract", "check"]
    files = re.compile(hook["files"])
    for name in (
        "cassettes/a.yaml",
        "spec/fixtures/cassettes/b.yml",
        "x/cassettes/c.json.gz",
        "t.har",
    ):
        assert files.search(name), name
    for name in ("config.yaml", "pyproject.toml", "src/app.py", "cassettes.txt"):
        assert not files.search(name), name
    # The entry's options exist (parsed by the command's own parser).
    from contract.cli import build_parser

    parsed = build_parser().parse_args([*hook["entry"].split()[1:], "a.yaml"])
    assert parsed.allow_empty and parsed.paths == ["a.yaml"]
