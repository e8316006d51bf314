"""Grouping violations for people: nothing lost, places in numeric order, one line per fault."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contract.reports._group import grouped, natural
from contract.violations import Violation


@st.composite
def violations(draw: st.DrawFn) -> list[Violation]:
    found = []
    for _ in range(draw(st.integers(0, 30))):
        job = draw(st.none() | st.integers(0, 120))
        rest = draw(st.sampled_from(["", "/seed", "/error/code", "/x/2", "/x/10"]))
        path = rest if job is None else f"/data/{job}{rest}"
        keyword = draw(st.sampled_from(["type", "required"]))
        found.append(Violation(path, keyword, draw(st.sampled_from(["a", "b"]))))
    return found


@given(violations())
def test_nothing_is_lost_and_groups_share_their_fault(found: list[Violation]) -> None:
    groups = grouped(found)
    assert sum(1 + len(g.others) for g in groups) == len(found)
    for group in groups:
        first = group.first
        for job in group.others:
            twin = first.path.replace(first.path.split("/")[2], job.split("/")[2], 1)
            assert any(
                v.path == twin and (v.keyword, v.message) == (first.keyword, first.message)
                for v in found
            )


@given(violations())
def test_places_are_in_numeric_order(found: list[Violation]) -> None:
    keys = [natural(g.first.path) for g in grouped(found)]
    assert keys == sorted(keys)


def test_numeric_order_by_example() -> None:
    paths = ["/data/10/seed", "/data/2/seed", "", "/data/2/model"]
    ordered = [g.first.path for g in grouped(Violation(p, "type", p) for p in paths)]
    assert ordered == ["", "/data/2/model", "/data/2/seed", "/data/10/seed"]


def test_the_note_names_the_other_jobs() -> None:
    same = [Violation(f"/data/{i}/seed", "type", "x") for i in (0, 1, 2, 3, 4)]
    (group,) = grouped(same)
    assert group.first.path == "/data/0/seed"
    assert group.note() == " (and 4 more jobs: /data/1, /data/2, /data/3, …)"
    (single,) = grouped(same[:2])
    assert single.note() == " (and 1 more job: /data/1)"
