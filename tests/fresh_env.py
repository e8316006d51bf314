"""A fresh virtual environment with this project installed, its dependencies borrowed.

The project goes into the new environment without dependencies (no index
needed); those are borrowed from the running environment through a ``.pth``
file, which adds its directories but not its own ``.pth`` files, so an
editable install of a checkout stays out of sight.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path


def create(env_dir: Path) -> Path:
    """Create the environment; its ``bin`` folder."""
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    borrowed = {
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        *site.getsitepackages(),
    }
    (target / "borrowed-deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return env_dir / "bin"


def pip_install(bin_dir: Path, *requirements: str) -> subprocess.CompletedProcess[str]:
    """``pip install --no-deps --no-build-isolation`` into the environment (pip of this one)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            *requirements,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environ(),
    )


def environ() -> dict[str, str]:
    """This process's environment without ``PYTHONPATH`` (which would show a checkout)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
