"""A JSON Lines payload repeated byte for byte is checked once (:mod:`contract.engine._repeats`),
and that changes nothing a run gives: each repeat's result is the one its own check
would give, named for its own line, and each repeat of a conforming line is counted, and
covered, as its own check would count it; with or without traffic coverage and ``--jobs``."""

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
from contract.engine._lane import Proven
from contract.engine._repeats import Held, Repeats, for_worker
from contract.engine._work import Options, plan, run
from contract.generate import sampler
from contract.recordings import payloads
from contract.traffic import Tally

_ERROR = {
    "error": {
        "message": "No such job",
        "type": "invalid_request_error",
        "param": None,
        "code": "not_found",
    }
}


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


def _forget(patch: pytest.MonkeyPatch) -> None:
    """No line is held: every line is checked, and counted, on its own."""
    patch.setattr(repeats_module, "BUDGET", 0)
    patch.setattr(repeats_module, "CONFORMING_BUDGET", 0)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
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
        _forget(patch)
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
    # (and what they exercised, added up, is the same coverage)
    covered = _coverage(serial)
    assert _coverage(parallel) == covered and covered["jobs"] > 2000


@pytest.mark.parametrize("small", [False, True], ids=["kept", "dropped"])
def test_a_deferring_worker_hands_over_what_one_process_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    """Units run one after the other as a worker runs them, deferring what lines met
    again exercised, and their hand-overs added up as the parent adds them, give one
    process's coverage. With small memories, which drop lines and so retire keys, the
    parent holds no more records than a worker's memories do."""
    from contract.engine import _work
    from contract.engine._repeats import Gathered, Handover
    from contract.engine._work import run_all, serial

    kinds = _kinds(5) + [json.dumps(j).encode() for j in islice(sampler.conforming(seed=6), 30)]
    rng = random.Random(5)
    lines = [rng.choice(kinds) for _ in range(900)]
    path = tmp_path / "capture.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(_work, "CHUNK_LINES", 60)  # fifteen units
    if small:
        monkeypatch.setattr(repeats_module, "MOST", 4)
        monkeypatch.setattr(repeats_module, "CONFORMING_MOST", 6)
    more = {"observe": True, "deviations": True}
    options = Options(more=more, count_conforming=True, may_stop=False)
    one = [_every_field(e) for e in serial(plan([path], options), options)]

    deferring = Options(more=more, count_conforming=True, may_stop=False, deferred=True)
    monkeypatch.setattr(repeats_module, "_worker", None)
    gathered = Gathered()
    events: list[dict[str, Any]] = []
    held = retired = 0
    for unit in plan([path], deferring):
        found = run_all(unit, deferring)
        handover = found[-1] if found else None
        if isinstance(handover, Handover):
            found.pop()
            gathered.add(handover)
            retired += len(handover.retired)
            held = max(held, len(gathered))
        events += [_every_field(e) for e in found]
    events.append({"observed": gathered.counts()})
    assert len(gathered) == 0  # (nothing held once handed over)

    assert _coverage(events) == _coverage(one)
    assert [e for e in events if "source" in e] == [e for e in one if "source" in e]
    if small:
        assert retired > 0 and held <= 4 + 6
    else:
        assert retired == 0 and held == len(set(lines))  # (every line came again)


def test_a_deferring_memory_retires_only_the_keys_it_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    from contract.engine._repeats import Checked

    monkeypatch.setattr(repeats_module, "CONFORMING_MOST", 2)
    monkeypatch.setattr(repeats_module, "MOST", 2)
    repeats = Repeats(deferred=True)
    assert repeats.deferred is not None
    for text in (b"1", b"2", b"3"):  # what the plain lane keeps has no key: nothing to retire
        repeats.conforming.keep(text, Proven(1, ""))
    sent, unsent = Checked(_result(1)), Checked(_result(2))
    sent.recorded = unsent.recorded = Tally.recorded([])
    repeats.results.keep(b"a", sent)
    repeats.results.keep(b"b", unsent)
    repeats.deferred.count(sent)
    repeats.deferred.count(sent)
    repeats.results.keep(b"c", Checked(_result(3)))  # full: "a" and "b" are dropped
    handover = repeats.deferred.take()
    assert handover is not None
    assert (handover.sent, handover.seen, handover.retired) == ({0: sent.recorded}, [0, 0], [0])
    assert repeats.deferred.take() is None


def _coverage(events: list[dict[str, Any]]) -> dict[str, Any]:
    from contract.traffic import TrafficCoverage

    coverage = TrafficCoverage()
    for event in events:
        coverage.add(event.get("observed"))
    return coverage.as_dict()


def _result(number: int) -> Result:
    return Result.of(payloads.line("f", number, b"[]"))


def test_what_is_held_stays_within_the_budget() -> None:
    held: Held[Result] = Held(budget=10, most=100)
    held.keep(b"aaaa", _result(1))
    held.keep(b"bbbb", _result(2))
    assert held.get(b"aaaa") is not None
    # One more would pass the budget: everything is dropped, then it is kept.
    held.keep(b"cccc", _result(3))
    assert held.get(b"aaaa") is None and held.get(b"bbbb") is None
    assert held.get(b"cccc") == _result(3)
    # A line longer than the budget is never held, and drops nothing.
    held.keep(b"x" * 11, _result(4))
    assert held.get(b"x" * 11) is None
    assert held.get(b"cccc") is not None


def test_what_is_held_stays_within_the_number_of_lines() -> None:
    # (short lines: results would outweigh them many times over)
    held: Held[int] = Held(budget=1 << 20, most=3)
    for index, text in enumerate([b"[1]", b"[2]", b"[3]"]):
        held.keep(text, index)
    assert held.get(b"[1]") == 0
    held.keep(b"[4]", 4)
    assert held.get(b"[1]") is None and held.get(b"[4]") == 4
    assert len(held) == 1


def test_a_run_holds_what_its_bounds_say() -> None:
    repeats = Repeats()
    assert (repeats.results._budget, repeats.results._most) == (
        repeats_module.BUDGET,
        repeats_module.MOST,
    )
    assert (repeats.conforming._budget, repeats.conforming._most) == (
        repeats_module.CONFORMING_BUDGET,
        repeats_module.CONFORMING_MOST,
    )


def test_a_worker_starts_afresh_with_other_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repeats_module, "_worker", None)
    first = for_worker(Options(more={"profile": "observed"}))
    assert for_worker(Options(more={"profile": "observed"})) is first
    assert for_worker(Options(more={"profile": "azure"})) is not first


def _run(path: Path, repeats: Repeats, **more: Any) -> list[Any]:
    options = Options(more=more, count_conforming=True, may_stop=False)
    return [e for unit in plan([path], options, stream=True) for e in run(unit, options, repeats)]


def test_conforming_lines_are_held_apart_from_results(tmp_path: Path) -> None:
    good = json.dumps(next(sampler.conforming(seed=1))).encode()
    path = tmp_path / "good.jsonl"
    path.write_bytes(b"\n".join([good] * 5 + [b"[]"]) + b"\n")
    repeats = Repeats()
    events = _run(path, repeats)
    assert sum(e.payloads for e in events if isinstance(e, Conforming)) == 5
    assert (len(repeats.results), len(repeats.conforming)) == (1, 1)
    assert repeats.results.get(b"[]") is not None and repeats.results.get(good) is None
    assert repeats.conforming.get(good).jobs == 1  # (the jobs it holds)


@pytest.mark.parametrize("observe", [False, True])
def test_a_repeated_conforming_line_is_proven_and_walked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, observe: bool
) -> None:
    from contract.engine import _lane
    from contract.traffic import Tally

    one, two = (json.dumps(j).encode() for j in islice(sampler.conforming(seed=2), 2))
    path = tmp_path / "polled.jsonl"
    path.write_bytes(b"\n".join([one, two, one, one, two, one]) + b"\n")
    proven: list[bytes] = []
    walked: list[object] = []
    original, add = _lane._proven, Tally.add

    def proving(text: bytes, *args: Any) -> Any:
        proven.append(text)
        return original(text, *args)

    def walking(self: Tally, payload: object, schema: str | None = None) -> int:
        walked.append(payload)
        return add(self, payload, schema)

    monkeypatch.setattr(_lane, "_proven", proving)
    monkeypatch.setattr(Tally, "add", walking)
    events = _run(path, Repeats(), observe=observe)
    assert proven == [one, two]
    # (with coverage each line is walked when first counted and, at its second sight,
    # once more to record what it exercised; never after)
    assert len(walked) == (4 if observe else 0)
    counted = [e for e in events if isinstance(e, Conforming)]
    assert sum(e.payloads for e in counted) == 6
    if observe:  # the six lines covered: four of one, two of the other
        observed = [e.observed for e in counted if e.observed is not None]
        assert sum(o.payloads for o in observed) == 6 and sum(o.jobs for o in observed) == 6


def _every_type(seed: int) -> list[tuple[Any, str | None]]:
    """Payloads of every type coverage counts (jobs, pages of every operation, their
    items, jobs breaking a rule, an error envelope), each with the type it is checked as."""
    from contract.schema import operations

    found: list[tuple[Any, str | None]] = [(_ERROR, None)]
    found += [(job, "FineTuningJob") for job in islice(sampler.conforming(seed=seed), 2)]
    found += [(m.payload, None) for m in islice(sampler.nonconforming(seed=seed), 3)]
    for op in operations.operations():
        if op.item_schema is not None:
            items = list(islice(sampler.conforming(op.item_schema, seed=seed), 2))
            page = {"object": "list", "data": items, "has_more": False}
            found += [(page, op.schema), (items[0], None)]
    return found


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), times=st.lists(st.integers(1, 4), min_size=12, max_size=12))
def test_a_recorded_payload_replayed_n_times_counts_as_n_adds(seed: int, times: list[int]) -> None:
    from contract.traffic import Tally

    walked, replayed = Tally(), Tally()
    for (payload, schema), n in zip(_every_type(seed), times * 2, strict=False):
        for _ in range(n):
            walked.add(payload, schema)
        replayed.replay([(Tally.recorded(payload, schema), n)])
    assert replayed.counts() == walked.counts()
    assert replayed.observation() == walked.observation()
    assert walked.jobs and walked.items  # (jobs and other types were met)
