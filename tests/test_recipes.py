"""The CI recipes of docs/guides/recordings-in-ci.md work as written.

The GitHub Actions workflow's steps are run in order: its ``pip install`` from
the repository at a commit (this checkout at its ``HEAD`` commit, through a
``git+file://`` URL in place of the placeholder host), then both ``check``
steps on a folder of cassettes, in a fresh environment. Dependencies are
borrowed from this environment so no index is needed (``--no-deps``). The
pre-commit snippet is run by ``tests/test_precommit.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import fresh_env
from tests.recording_builders import body, pause_url, vcr_interaction, write_cassette

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "guides" / "recordings-in-ci.md"
#: How the recipes name the repository and the commit a team pins.
PLACEHOLDER = re.compile(
    r'\Apip install "finetune-contract @ git\+https://github\.com/YOUR-ORG/'
    r'finetune-contract@COMMIT_SHA"\Z'
)


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)


def _workflow_steps() -> list[dict[str, Any]]:
    (workflow,) = [yaml.safe_load(b) for b in _blocks("yaml") if "runs-on" in b]
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        pytest.skip(f"git {' '.join(args)}: {done.stderr.strip()[:200]}")
    return done.stdout.strip()


def test_no_recipe_names_a_tag_that_does_not_exist() -> None:
    """The recipes pin a commit, or a tag this repository has."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tags = set(_git("tag", "--list").split())
    text = PAGE.read_text() + (ROOT / "README.md").read_text()
    named = set(re.findall(r"finetune-contract@(v\d[\w.]*)", text))
    named |= set(re.findall(r"rev: (v\d[\w.]*)", text))
    assert named <= tags, f"recipes name tags that do not exist: {sorted(named - tags)}"


@pytest.mark.slow
def test_the_workflow_steps_run_as_written(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = _git("rev-parse", "HEAD")
    steps = [s["run"] for s in _workflow_steps() if "run" in s]
    install, *checks = steps
    assert PLACEHOLDER.match(install), install
    assert len(checks) == 2 and all(c.startswith("finetune-contract check ") for c in checks)

    bin_dir = fresh_env.create(tmp_path / "venv")
    requirement = install.split('"')[1].replace(
        "git+https://github.com/YOUR-ORG/finetune-contract@COMMIT_SHA",
        f"git+file://localhost{ROOT}@{head}",
    )
    installed = fresh_env.pip_install(bin_dir, requirement)
    assert installed.returncode == 0, installed.stderr

    project = tmp_path / "project"
    cassettes = project / "tests" / "cassettes"
    cassettes.mkdir(parents=True)
    good = vcr_interaction("POST", pause_url("ftjob-1"), text=body(id="ftjob-1"))
    write_cassette(cassettes / "pause.yaml", [good])
    env = {
        **{k: v for k, v in fresh_env.environ().items() if not k.startswith("GITHUB_")},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_WORKSPACE": str(project),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    version = run("finetune-contract --version")
    assert version.returncode == 0 and version.stdout.split()[-1] == _project_version()
    where = run("python -c 'import contract; print(contract.__file__)'")
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout + where.stderr

    github, sarif = (run(c) for c in checks)
    assert github.returncode == 0, github.stdout + github.stderr
    assert "traffic coverage" in github.stdout
    assert sarif.returncode == 0, sarif.stderr
    log = json.loads((project / "contract.sarif").read_text())
    assert log["runs"][0]["results"] == []

    # A bad cassette: the first step fails the job with an annotation naming the code.
    bad = body(id="ftjob-1", hyperparameters={"n_epochs": 99})
    write_cassette(
        cassettes / "pause.yaml", [vcr_interaction("POST", pause_url("ftjob-1"), text=bad)]
    )
    github = run(checks[0])
    assert github.returncode == 1
    assert "::error file=tests/cassettes/pause.yaml,line=" in github.stdout
    assert "title=FC106 contract violation (maximum)" in github.stdout


def _project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    found = re.search(r'^version = "([^"]+)"', text, flags=re.MULTILINE)
    assert found is not None
    return found[1]


def test_the_readmes_first_two_commands_are_what_ci_runs() -> None:
    """README: install and check the bundled examples; install and run the suite as .ci/run."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", readme, flags=re.DOTALL)
    assert first is not None and readme.index("```sh") < readme.index("\n## ")
    commands = [c for c in first[1].splitlines() if c.strip() and not c.startswith("#")]
    assert len(commands) == 2, commands
    check, suite = commands
    assert check.endswith("pip install . && finetune-contract check"), check
    assert suite.endswith("pip install -e '.[test,dask]' && python -m pytest -n 2"), suite
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test,dask]'" in ci
    assert "\npython -m pytest -n 2\n" in ci
