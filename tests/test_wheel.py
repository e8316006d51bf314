"""A non-editable install works: the wheel carries the schemas and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import fresh_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = {p.name for p in (ROOT / "schemas").glob("*.json")}
    assert {f"contract/_schemas/{n}" for n in schemas} <= names
    assert "contract/_schemas/operations/pauseFineTuningJob.json" in names
    assert "contract/py.typed" in names
    assert any(n.startswith("contract/_data/recordings/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_validates(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    bin_dir = fresh_env.create(env_dir)
    python = bin_dir / "python"
    installed = fresh_env.pip_install(bin_dir, str(wheel))
    assert installed.returncode == 0, installed.stderr
    payload = json.loads((ROOT / "tests" / "data" / "upstream" / "seed_example.json").read_text())
    script = (
        "import contract, contract.schema._paths, json, sys\n"
        "payload = json.loads(sys.stdin.read())\n"
        "print(contract.__file__)\n"
        "print(contract.schema._paths.schema_dir())\n"
        "print([(v.path, v.keyword) for v in contract.iter_violations(payload)])\n"
        "payload['error'] = None\n"
        "print(contract.is_valid(payload))\n"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env=fresh_env.environ(),
    )
    assert result.returncode == 0, result.stderr
    module, schema_dir, violations, valid = result.stdout.splitlines()
    assert module.startswith(str(env_dir))
    assert schema_dir.startswith(str(env_dir)) and schema_dir.endswith("contract/_schemas")
    assert violations == "[('', 'required')]"
    assert valid == "True"
    cli = subprocess.run(
        [str(env_dir / "bin" / "finetune-contract"), "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env=fresh_env.environ(),
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "0 invalid" in cli.stdout
