"""``check``'s progress bar: a total (the input's bytes), so it can say how long is left."""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.cli._jobs import events
from contract.cli._progress import Meter, _File
from contract.engine import Conforming
from contract.engine.results import Result
from tests.helpers import minimal_job


def _result(label: str, name: str = "line[1]") -> Result:
    return Result(f"{label}::{name}", (), name=name)


def test_the_meter_moves_through_files_and_lines() -> None:
    meter = Meter([_File("a.jsonl", 100, 10), _File("b.har", 50, None), _File("c.jsonl", 40, 4)])
    assert meter.total == 190 and meter.done == 0
    for number in range(1, 6):
        meter.add(Result(f"a.jsonl:{number}", (), name=f"line[{number}]"))
    assert meter.done == 50  # half of a.jsonl's lines
    meter.add(Conforming(5, 5))
    assert meter.done == 100
    meter.add(_result("b.har", "interaction[0]"))
    assert meter.done == 100  # inside b.har: counted once the run moves past it
    meter.add(Conforming(2, 2))  # conforming lines of c.jsonl, before any of its results
    assert meter.done == 100  # b.har is read whole: no lines to count
    meter.add(Result("c.jsonl:3", (), name="line[3]"))
    assert meter.done == 150 + 10
    meter.finish()
    assert meter.done == 190


@given(
    st.lists(
        st.one_of(
            st.integers(1, 30).map(lambda n: Conforming(n, n)),
            st.sampled_from(["a.jsonl", "b.har", "c.jsonl", "x"]).map(_result),
        )
    )
)
def test_bytes_read_never_go_back_nor_past_the_total(found: list[object]) -> None:
    meter = Meter([_File("a.jsonl", 100, 10), _File("b.har", 50, None), _File("c.jsonl", 40, 4)])
    last = 0
    for event in found:
        meter.add(event)  # type: ignore[arg-type]
        assert last <= meter.done <= meter.total
        last = meter.done
    meter.finish()
    assert meter.done == meter.total


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_has_a_total_and_time_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("".join(json.dumps(minimal_job(id=f"ftjob-{i}")) + "\n" for i in range(3000)))
    stderr = _Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    args = argparse.Namespace(jobs=1, dask=None, verbose=False)
    found = list(events(args, [path], count_conforming=True))
    assert sum(e.payloads for e in found if isinstance(e, Conforming)) == 3000
    shown = stderr.getvalue()
    size = path.stat().st_size / 1024 / 1024
    assert f"/{size:.2f}M [" in shown, shown  # the total: the file's bytes
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", shown), shown  # elapsed<left
    assert re.search(r"\d+ payloads\]", shown), shown
