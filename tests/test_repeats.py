"""A JSON Lines payload repeated byte for byte is checked once (:mod:`contract.engine._repeats`),
and that changes nothing a run gives: each repeat's result is the one its own check
would give, named for its own line, with or without traffic coverage and ``--jobs``."""

from __future__ import annotations

import json
import random
from dataclasses import fields
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.engine import Conforming, Result, check_paths
from contract.engine import _repeats as repeats_module
from contract.engine._repeats import Repeats, for_worker
from contract.engine._work import Options
from contract.generate import sampler
from contract.recordings import payloads

_ERROR = {"error": {"message": "No such job", "type": "invalid_request_error", "param": None,
                    "code": "not_found"}}


def _kinds(seed: int) -> list[bytes]:
    """Distinct lines: conforming jobs, jobs breaking one rule, an error envelope, a page,
    a line that is not JSON and one with a repeated name."""
    jobs: list[Any] = [*islice(sampler.conforming(seed=seed), 3)]
    jobs += [m.payload for m in islice(sampler.nonconforming(seed=seed), 8)]
    jobs += [_ERROR, {"object": "list", "data": jobs[:3], "has_more": False}]
    texts = [json.dumps(job).encode() for job in jobs]
    return [*texts, b"not json", b'{"object": "fine_tuning.job", "object": "x"}']


def _every_field(event: Any) -> dict[str, Any]:
    """All of an event's fields, those its equality leaves out too (name, observed...)."""
    return {f.name: getattr(event, f.name) for f in fields(event)}


def _events(path: Path, **options: Any) -> list[dict[str, Any]]:
    return [
        {"kind": type(e).__name__, **_every_field(e)}
        for e in check_paths([path], deviations=True, count_conforming=True, **options)
    ]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**16),
    profile=st.sampled_from(["published", "observed"]),
    observe=st.booleans(),
    may_stop=st.booleans(),
    strict=st.sampled_from(["off", "warn"]),
)
def test_a_repeated_line_gets_the_result_its_own_check_gives(
    tmp_path: Path, seed: int, profile: str, observe: bool, may_stop: bool, strict: str
) -> None:
    # (with strict "warn" there is no shortcut: every line, conforming or not, is checked
    # in full, and so is kept)
    rng = random.Random(seed)
    kinds = _kinds(seed)
    lines = [rng.choice(kinds) for _ in range(40)]
    path = tmp_path / f"capture-{seed}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    options = {"profile": profile, "observe": observe, "may_stop": may_stop, "strict": strict}
    remembered = _events(path, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Repeats, "get", lambda self, text, source, name: None)
        each_checked = _events(path, **options)
    assert remembered == each_checked
    # (and each result is named for its own line)
    named = [e for e in remembered if e["kind"] == "Result"]
    assert len({e["source"] for e in named}) == len(named)


def test_a_repeated_line_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = json.dumps(next(sampler.nonconforming(seed=3)).payload).encode()
    other = json.dumps(next(sampler.nonconforming(seed=4)).payload).encode()
    path = tmp_path / "polled.jsonl"
    path.write_bytes(b"\n".join([bad, other, bad, bad, other]) + b"\n")
    checked: list[int] = []
    original = Result.of

    def counting(interaction: Any, *args: Any, **kwargs: Any) -> Result:
        checked.append(int(interaction.source.rsplit(":", 1)[1]))
        return original(interaction, *args, **kwargs)

    monkeypatch.setattr(Result, "of", counting)
    results = [e for e in check_paths([path], count_conforming=True) if isinstance(e, Result)]
    assert checked == [1, 2]
    assert [r.source for r in results] == [f"{path}:{n}" for n in range(1, 6)]
    assert [r.name for r in results] == [f"line[{n}]" for n in range(1, 6)]
    assert results[2].violations == results[0].violations
    assert results[2].violations


def test_jobs_give_what_one_process_gives_on_repeated_lines(tmp_path: Path) -> None:
    kinds = _kinds(7)
    rng = random.Random(7)
    lines = [rng.choice(kinds) for _ in range(400)]
    lines += [json.dumps(j).encode() for j in islice(sampler.conforming(seed=8), 2000)]
    rng.shuffle(lines)
    path = tmp_path / "capture.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    serial = _events(path, observe=True)
    parallel = _events(path, observe=True, jobs=2)
    # (conforming lines are counted in other batches: only their sum is the same)
    assert [e for e in parallel if e["kind"] == "Result"] == [
        e for e in serial if e["kind"] == "Result"
    ]
    assert sum(e["payloads"] for e in parallel if e["kind"] == "Conforming") == sum(
        e["payloads"] for e in serial if e["kind"] == "Conforming"
    )
    assert sum(e["kind"] == "Result" for e in serial) > 200


def _result(number: int) -> Result:
    return Result.of(payloads.line("f", number, b"[]"))


def test_what_is_held_stays_within_the_budget() -> None:
    held = Repeats(budget=10)
    held.keep(b"aaaa", _result(1))
    held.keep(b"bbbb", _result(2))
    assert held.get(b"aaaa", "f:9", "line[9]") is not None
    # One more would pass the budget: everything is dropped, then it is kept.
    held.keep(b"cccc", _result(3))
    assert held.get(b"aaaa", "f:9", "line[9]") is None
    assert held.get(b"bbbb", "f:9", "line[9]") is None
    found = held.get(b"cccc", "f:9", "line[9]")
    assert found is not None and (found.source, found.name) == ("f:9", "line[9]")
    # A line longer than the budget is never held, and drops nothing.
    held.keep(b"x" * 11, _result(4))
    assert held.get(b"x" * 11, "f:9", "line[9]") is None
    assert held.get(b"cccc", "f:9", "line[9]") is not None


def test_what_is_held_stays_within_the_number_of_lines() -> None:
    # (short lines: results would outweigh them many times over)
    held = Repeats(budget=1 << 20, most=3)
    for index, text in enumerate([b"[1]", b"[2]", b"[3]"]):
        held.keep(text, _result(index))
    assert held.get(b"[1]", "f:9", "line[9]") is not None
    held.keep(b"[4]", _result(4))
    assert held.get(b"[1]", "f:9", "line[9]") is None
    assert held.get(b"[4]", "f:9", "line[9]") is not None


def test_a_worker_starts_afresh_with_other_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repeats_module, "_worker", None)
    first = for_worker(Options(more={"profile": "observed"}))
    assert for_worker(Options(more={"profile": "observed"})) is first
    assert for_worker(Options(more={"profile": "azure"})) is not first


def test_counted_lines_are_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept: list[bytes] = []
    monkeypatch.setattr(Repeats, "keep", lambda self, text, result: kept.append(text))
    good = json.dumps(next(sampler.conforming(seed=1))).encode()
    path = tmp_path / "good.jsonl"
    path.write_bytes(b"\n".join([good] * 5 + [b"[]"]) + b"\n")
    events = list(check_paths([path], count_conforming=True))
    assert sum(e.payloads for e in events if isinstance(e, Conforming)) == 5
    assert kept == [b"[]"]
