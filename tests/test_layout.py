"""The package's layout: capability packages in one direction, small modules, one map.

The direction of imports is the layers contract in ``pyproject.toml``; these
tests run ``import-linter`` over it and look for circles inside packages too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contract"
#: Files every package has; not "entries" a reader has to tell apart.
HOUSEKEEPING = {"__init__.py", "__main__.py", "py.typed", "__pycache__"}


def entries() -> list[Path]:
    return sorted(p for p in PACKAGE.iterdir() if p.name not in HOUSEKEEPING)


def test_at_most_twenty_entries_and_six_plain_modules() -> None:
    found = entries()
    modules = [p.name for p in found if p.suffix == ".py"]
    assert len(found) <= 20, [p.name for p in found]
    assert len(modules) <= 6, modules


def test_no_module_over_600_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 600} == {}


def test_architecture_names_every_top_level_unit() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Za-z_]+(?:/|\.py))`", text))
    units = [p.name + "/" if p.is_dir() else p.name for p in entries() if p.name != "_data"]
    missing = [unit for unit in units if unit not in named]
    assert missing == []


def test_no_import_circle_between_modules() -> None:
    """Strongly connected modules, imports inside functions included (annotations not)."""
    graph = grimp.build_graph("contract", exclude_type_checking_imports=True, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan, recursive: the graph is about 120 modules
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph.find_modules_directly_imported_by(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert circles == []


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_the_layers_contract_is_kept() -> None:
    beside = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(beside) if beside.exists() else "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout
