"""The worked examples of docs/fake-api.md run as written, and its tables match the code.

A code block preceded by ``<!-- docs-test: NAME -->`` is run here: ``run``
blocks hold their own assertions; the ``polling`` block defines the buggy and
the fixed loop of openai-node #2528, which must be told apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from contract.testing.fake import KINDS

PAGE = Path(__file__).resolve().parent.parent / "docs" / "fake-api.md"
BLOCK = re.compile(r"<!-- docs-test: (\w+) -->\n```python\n(.*?)\n```", re.S)


def blocks(name: str) -> list[str]:
    found = [code for tag, code in BLOCK.findall(PAGE.read_text(encoding="utf-8")) if tag == name]
    assert found, f"no block tagged {name!r} in {PAGE.name}"
    return found


def run(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "fake_api_docs"}
    exec(compile(code, str(PAGE), "exec"), namespace)
    return namespace


@pytest.mark.parametrize("code", blocks("run"), ids=lambda code: f"block{len(code)}")
def test_the_worked_example_runs(code: str) -> None:
    namespace = run(code)
    fake = namespace["fake"]
    # The example drove the job to its end and the SDK got past the two scripted 429s.
    assert fake.faults.served["429"] == 2
    assert [job["status"] for job in fake.jobs.values()] == ["succeeded"]


def test_the_polling_example_tells_the_buggy_loop_from_the_fixed_one() -> None:
    namespace = run(blocks("polling")[0])
    check = namespace["check_waits_for_the_end"]
    check(namespace["wait_fixed"])
    with pytest.raises(AssertionError, match="still 'validating_files'"):
        check(namespace["wait_buggy"])


def test_every_fault_kind_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)`", text, re.M))
    rows |= {"500", "503"} if "| `500`, `503` |" in text else set()
    assert set(KINDS) <= rows, set(KINDS) - rows


def test_the_documented_serve_options_exist(capsys: pytest.CaptureFixture[str]) -> None:
    from contract import cli

    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    help_text = capsys.readouterr().out
    section = PAGE.read_text(encoding="utf-8").split("## Any language")[1].split("###")[0]
    documented = set(re.findall(r"`(--[a-z-]+)", section))
    assert documented, "the serve section names no option"
    assert {o for o in documented if o not in help_text} == set()
