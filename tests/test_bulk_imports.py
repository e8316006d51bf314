"""The command line imports only the chosen subcommand: ``check`` never loads Hypothesis."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import contract.cli
from contract.cli import COMMANDS

EXAMPLE = Path(contract.cli.__file__).resolve().parent.parent / "_data" / "recordings" / "pause.har"


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(done.stdout.split())


def test_check_of_one_file_does_not_import_hypothesis_or_other_subcommands() -> None:
    loaded = _modules_after(
        "from contract.cli import main\n"
        f"assert main(['check', {str(EXAMPLE)!r}]) == 0"
    )
    assert "contract.cli.check" in loaded
    assert not {m for m in loaded if m == "hypothesis" or m.startswith("hypothesis.")}
    others = {f"contract.cli.{module}" for module, _ in COMMANDS.values()} - {"contract.cli.check"}
    assert not loaded & others


def test_help_lists_every_subcommand_without_importing_them() -> None:
    loaded = _modules_after(
        "import contextlib, io\n"
        "from contract.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "for name in " + repr(sorted(COMMANDS)) + ":\n"
        "    assert name in out.getvalue(), name"
    )
    assert not {m for m in loaded if m.startswith("contract.cli.") and m[13:] in COMMANDS}


def test_the_table_lists_every_subcommand_module() -> None:
    modules = {
        m.name for m in pkgutil.iter_modules(contract.cli.__path__) if not m.name.startswith("_")
    }
    assert {module for module, _ in COMMANDS.values()} == modules


def test_the_table_help_is_what_each_module_registers() -> None:
    for name, (module, help_text) in COMMANDS.items():
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers()
        importlib.import_module(f"contract.cli.{module}").register(commands)
        registered = {action.dest: action.help for action in commands._choices_actions}
        assert registered == {name: help_text}
