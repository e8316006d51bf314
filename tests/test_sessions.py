"""Session checks (contract.checks.sessions): the responses about one job, checked together."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contract.checks.sessions import FIXED, KEYWORD, Finding, Seen, check
from contract.schema.lifecycle import Lifecycle, lifecycle
from tests.helpers import minimal_job

CREATE = "createFineTuningJob"
RETRIEVE = "retrieveFineTuningJob"
PAUSE = "pauseFineTuningJob"
RESUME = "resumeFineTuningJob"
CANCEL = "cancelFineTuningJob"
LIST = "listPaginatedFineTuningJobs"
FINISHED_AT = 1721768400


def job(status: str, **changes: Any) -> dict[str, Any]:
    """A job in ``status`` with the fields that state fills (finished_at on terminal states)."""
    filled: dict[str, Any] = {"status": status, "method": {"type": "supervised"}}
    if status in ("succeeded", "failed", "cancelled"):
        filled["finished_at"] = FINISHED_AT
    if status == "succeeded":
        filled.update(fine_tuned_model="ft:gpt-4o-mini:org::abc", trained_tokens=1200)
    filled.update(changes)
    return minimal_job(**filled)


def page(*jobs: dict[str, Any], has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": list(jobs), "has_more": has_more}


def findings(seen: list[Seen], profile: str = "observed") -> list[Finding]:
    return list(check(seen, profile))


def test_a_real_lifecycle_with_pause_and_resume_gives_no_finding() -> None:
    seen = [
        Seen("interaction[0]", CREATE, 200, job("validating_files")),
        Seen("interaction[1]", RETRIEVE, 200, job("queued")),
        Seen("interaction[2]", RETRIEVE, 200, job("running")),
        Seen("interaction[3]", PAUSE, 200, job("pausing")),
        Seen("interaction[4]", RETRIEVE, 200, job("paused")),
        Seen("interaction[5]", RESUME, 200, job("resuming")),
        Seen("interaction[6]", RETRIEVE, 200, job("running")),
        Seen("interaction[7]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[8]", LIST, 200, page(job("succeeded"))),
        Seen("interaction[9]", PAUSE, 400, {"error": {"message": "Job is not running"}}),
        Seen("interaction[10]", RETRIEVE, 200, job("succeeded")),
    ]
    assert findings(seen) == []
    assert findings(seen, "azure") == []


def test_a_changed_created_at_gives_one_finding_naming_the_earlier_interaction() -> None:
    seen = [
        Seen("interaction[0]", CREATE, 200, job("validating_files")),
        Seen("interaction[1]", RETRIEVE, 200, job("running", created_at=1721764801)),
        Seen("interaction[2]", RETRIEVE, 200, job("running", created_at=1721764801)),
    ]
    (found,) = findings(seen)
    assert found.label == "interaction[1]"
    assert found.violation.keyword == KEYWORD == "session"
    assert found.violation.path == "/created_at"
    assert "interaction[0]" in found.violation.message
    assert "1721764800" in found.violation.message and "1721764801" in found.violation.message


@pytest.mark.parametrize("field", [*FIXED, "method.type"])
def test_each_field_that_never_changes_gives_one_finding(field: str) -> None:
    other: dict[str, Any] = {
        "created_at": 1,
        "model": "gpt-4.1",
        "training_file": "file-other",
        "validation_file": "file-val",
        "seed": 8,
        "organization_id": "org-other",
    }
    changes = {"method": {"type": "dpo"}} if field == "method.type" else {field: other[field]}
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("running")),
        Seen("interaction[1]", RETRIEVE, 200, job("running", **changes)),
    ]
    (found,) = findings(seen)
    assert found.label == "interaction[1]"
    assert found.violation.path == "/" + field.replace(".", "/")
    assert "interaction[0]" in found.violation.message


def test_a_field_left_out_says_nothing() -> None:
    """Azure leaves out null fields: absence is no change."""
    later = job("running")
    del later["organization_id"], later["validation_file"], later["finished_at"]
    seen = [
        Seen("entry[0]", RETRIEVE, 200, job("running")),
        Seen("entry[1]", RETRIEVE, 200, later),
    ]
    assert findings(seen, "azure") == []


def test_a_terminal_job_that_runs_again_gives_one_finding() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("running")),
        Seen("interaction[1]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[2]", RETRIEVE, 200, job("running")),
        Seen("interaction[3]", RETRIEVE, 200, job("succeeded")),
    ]
    for profile in ("published", "observed", "azure"):
        (found,) = findings(seen, profile)
        assert found.label == "interaction[2]"
        assert found.violation.path == "/status"
        assert "interaction[1]" in found.violation.message
        assert "succeeded" in found.violation.message


def test_a_backwards_move_gives_one_finding() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("running")),
        Seen("interaction[1]", RETRIEVE, 200, job("queued")),
    ]
    (found,) = findings(seen, "published")
    assert found.violation.path == "/status"
    assert "no way from running to queued" in found.violation.message


def test_polling_may_skip_states() -> None:
    seen = [
        Seen("interaction[0]", CREATE, 200, job("validating_files")),
        Seen("interaction[1]", RETRIEVE, 200, job("succeeded")),
    ]
    assert findings(seen, "published") == []


def test_finished_at_is_set_once() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[1]", RETRIEVE, 200, job("succeeded", finished_at=FINISHED_AT + 60)),
    ]
    (found,) = findings(seen)
    assert found.violation.path == "/finished_at"
    assert "interaction[0]" in found.violation.message


@pytest.mark.parametrize("profile", ["published", "observed", "azure"])
@pytest.mark.parametrize("answer", ["succeeded", "pausing"])
def test_a_200_pause_of_a_succeeded_job_gives_one_finding(profile: str, answer: str) -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[1]", PAUSE, 200, job(answer, finished_at=FINISHED_AT)),
    ]
    (found,) = findings(seen, profile)
    assert found.label == "interaction[1]"
    assert "interaction[0]" in found.violation.message
    assert "cannot be paused" in found.violation.message


def test_a_400_pause_of_a_succeeded_job_is_no_finding() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[1]", PAUSE, 400, {"error": {"message": "not running"}}),
    ]
    assert findings(seen) == []


def test_a_pause_after_queued_is_fine_since_the_job_runs_on_its_own() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("queued")),
        Seen("interaction[1]", PAUSE, 200, job("pausing")),
    ]
    assert findings(seen) == []


def test_a_200_resume_of_a_running_job_gives_one_finding() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("running")),
        Seen("interaction[1]", RESUME, 200, job("resuming")),
    ]
    (found,) = findings(seen)
    assert "cannot be resumed" in found.violation.message
    assert "interaction[0]" in found.violation.message


def test_interleaved_jobs_do_not_mix() -> None:
    first = {"id": "ftjob-first"}
    second = {"id": "ftjob-second", "created_at": 1721764999}
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("running", **first)),
        Seen("interaction[1]", RETRIEVE, 200, job("queued", **second)),
        Seen("interaction[2]", PAUSE, 200, job("pausing", **first)),
        Seen("interaction[3]", RETRIEVE, 200, job("running", **second)),
        Seen("interaction[4]", RETRIEVE, 200, job("paused", **first)),
        Seen("interaction[5]", RETRIEVE, 200, job("succeeded", **second)),
    ]
    assert findings(seen) == []
    # A contradiction within the second job names the second job's earlier interaction.
    seen.append(Seen("interaction[6]", RETRIEVE, 200, job("running", **second)))
    (found,) = findings(seen)
    assert found.label == "interaction[6]"
    assert "interaction[5]" in found.violation.message
    assert "ftjob-second" in found.violation.message


def test_jobs_on_pages_are_part_of_the_session() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("succeeded", id="ftjob-a")),
        Seen("interaction[1]", LIST, 200, page(job("running", id="ftjob-a"))),
    ]
    (found,) = findings(seen)
    assert found.violation.path == "/data/0/status"


def test_pages_reached_with_after_never_repeat_a_job() -> None:
    a, b, c = (job("running", id=f"ftjob-{n}") for n in "abc")
    first = Seen("interaction[0]", LIST, 200, page(a, b, has_more=True))
    fine = Seen("interaction[1]", LIST, 200, page(c), after="ftjob-b")
    assert findings([first, fine]) == []
    repeat = Seen("interaction[1]", LIST, 200, page(b, c), after="ftjob-b")
    (found,) = findings([first, repeat])
    assert found.violation.path == "/data/0"
    assert "interaction[0]" in found.violation.message
    # A third page repeating the first page's job: named by the page that listed it.
    third = Seen("interaction[2]", LIST, 200, page(a), after="ftjob-c")
    (found,) = findings([first, fine, third])
    assert found.label == "interaction[2]" and "interaction[0]" in found.violation.message


def test_a_page_listed_again_from_the_same_cursor_is_no_repeat() -> None:
    """Two runs of pages from one cursor (a client listing again) are separate runs."""
    a, b, c, d = (job("running", id=f"ftjob-{n}") for n in "abcd")
    seen = [
        Seen("interaction[0]", LIST, 200, page(a, b, has_more=True)),
        Seen("interaction[1]", LIST, 200, page(c, has_more=True), after="ftjob-b"),
        Seen("interaction[2]", LIST, 200, page(c, d), after="ftjob-b"),
        Seen("interaction[3]", LIST, 200, page(a, b, has_more=True)),
    ]
    assert findings(seen) == []
    # ...but the branch still knows its own run: d continues from c, and a repeats.
    seen.append(Seen("interaction[4]", LIST, 200, page(a), after="ftjob-d"))
    (found,) = findings(seen)
    assert "interaction[0]" in found.violation.message


def test_an_unknown_status_is_left_to_the_schema() -> None:
    seen = [
        Seen("interaction[0]", RETRIEVE, 200, job("succeeded")),
        Seen("interaction[1]", RETRIEVE, 200, job("archived", finished_at=FINISHED_AT)),
        Seen("interaction[2]", RETRIEVE, 200, job("succeeded")),
    ]
    assert findings(seen) == []


def test_bodies_without_a_job_are_ignored() -> None:
    seen = [
        Seen("line[1]", None, None, job("succeeded")),
        Seen("line[2]", None, None, job("running")),
        Seen("interaction[0]", RETRIEVE, 200, None),
        Seen("interaction[1]", RETRIEVE, 200, ["not", "a", "job"]),
        Seen("interaction[2]", RETRIEVE, 200, {"id": 7, "status": "running"}),
        Seen("interaction[3]", LIST, 200, {"data": "no list"}),
    ]
    assert findings(seen) == []


# -- properties ------------------------------------------------------------------------------

PROFILES = ("published", "observed", "azure")


def _operation(graph: Lifecycle, before: str | None, after: str) -> str:
    """The call that makes a job move from ``before`` to ``after`` (retrieve: it moved alone)."""
    if before is None:
        return CREATE
    for operation in (PAUSE, RESUME, CANCEL):
        if graph.allows(operation, before) and graph.answer_state(operation, before) == after:
            return operation
    return RETRIEVE


@st.composite
def walks(draw: st.DrawFn, graph: Lifecycle, start: str, most: int = 10) -> list[str]:
    """States along the graph's edges from ``start``."""
    states = [start]
    length = draw(st.integers(1, most))
    while len(states) < length:
        nexts = sorted(graph.edges.get(states[-1], ()))
        if not nexts:
            break
        states.append(draw(st.sampled_from(nexts)))
    return states


def _observed(
    data: st.DataObject, graph: Lifecycle, states: list[str], first: str | None
) -> list[tuple[str, str]]:
    """(operation, status) for each move; some retrieves left out (polling skips states)."""
    seen: list[tuple[str, str]] = []
    before = first
    for state in states:
        operation = _operation(graph, before, state)
        if operation != RETRIEVE or data.draw(st.booleans()):
            seen.append((operation, state))
        before = state
    return seen


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from(PROFILES), st.integers(1, 3))
def test_any_sequence_along_the_graph_gives_no_finding(
    data: st.DataObject, profile: str, count: int
) -> None:
    graph = lifecycle(profile)
    per_job = []
    for n in range(count):
        states = data.draw(walks(graph, graph.initial))
        moves = _observed(data, graph, states, None)
        per_job.append([(f"ftjob-{n}", op, state) for op, state in moves])
    # Interleave the jobs' sequences, each in its own order.
    order = data.draw(st.permutations([n for n, one in enumerate(per_job) for _ in one]))
    seen: list[Seen] = []
    positions = [0] * count
    for n in order:
        job_id, operation, state = per_job[n][positions[n]]
        positions[n] += 1
        seen.append(Seen(f"interaction[{len(seen)}]", operation, 200, job(state, id=job_id)))
    assert findings(seen, profile) == []


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from(PROFILES))
def test_any_sequence_with_one_backwards_move_gives_one_finding(
    data: st.DataObject, profile: str
) -> None:
    graph = lifecycle(profile)
    before = data.draw(walks(graph, graph.initial))
    last = before[-1]
    unreachable = sorted(s for s in graph.states if not graph.reachable(last, s))
    assume(unreachable)
    back = data.draw(st.sampled_from(unreachable))
    after = data.draw(walks(graph, back))
    moves = _observed(data, graph, before, None)
    if not moves or moves[-1][1] != last:  # the state moved away from must have been seen
        moves.append((RETRIEVE, last))
    backwards = len(moves)
    moves.append((RETRIEVE, back))
    moves.extend(_observed(data, graph, after[1:], back))
    seen = [
        Seen(f"interaction[{n}]", op, 200, job(state, id="ftjob-x"))
        for n, (op, state) in enumerate(moves)
    ]
    found = findings(seen, profile)
    assert [f.label for f in found] == [f"interaction[{backwards}]"]
    assert found[0].violation.path == "/status"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_IDS = st.sampled_from(["ftjob-a", "ftjob-b", 7, None])
_STATUSES = st.sampled_from(["queued", "running", "paused", "succeeded", "archived", 3, None])


@st.composite
def _bodies(draw: st.DrawFn) -> Any:
    """Job-like bodies with any field of any type, pages of them, or any JSON at all."""
    fields = draw(st.dictionaries(st.sampled_from([*FIXED, "finished_at", "method"]), _JSON))
    one = {"id": draw(_IDS), "status": draw(_STATUSES), **fields}
    return draw(st.sampled_from([one, {"object": "list", "data": [one, draw(_JSON)]}]) | _JSON)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            Seen,
            st.text(max_size=5),
            st.sampled_from([None, CREATE, RETRIEVE, PAUSE, RESUME, CANCEL, LIST, "unknownOp"]),
            st.sampled_from([None, 200, 201, 400]),
            _bodies(),
            st.none() | st.sampled_from(["ftjob-a", "ftjob-b"]),
        ),
        max_size=8,
    ),
    st.sampled_from(PROFILES),
)
def test_any_bodies_give_findings_never_an_exception(seen: list[Seen], profile: str) -> None:
    for found in check(seen, profile):
        assert found.violation.keyword == "session"
        assert found.label in {s.label for s in seen}


# -- bounded memory --------------------------------------------------------------------------


def _changed_created_at(label: str, job_id: str, created_at: int) -> Seen:
    return Seen(label, RETRIEVE, 200, job("running", id=job_id, created_at=created_at))


def test_a_session_forgets_the_job_seen_longest_ago_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contract.checks import sessions

    monkeypatch.setattr(sessions, "MAX_JOBS", 3)
    first = _changed_created_at("interaction[0]", "ftjob-a", 1721764800)
    others = [
        _changed_created_at(f"interaction[{n}]", f"ftjob-{n}", 1721764800) for n in (1, 2, 3)
    ]
    again = _changed_created_at("interaction[4]", "ftjob-a", 1721769999)
    # Two others in between: ftjob-a is still remembered, its change is found...
    (found,) = findings([first, *others[:2], again])
    assert found.label == "interaction[4]" and "interaction[0]" in found.violation.message
    # ...three: it is the one seen longest ago and was forgotten; no finding, none made up.
    assert findings([first, *others, again]) == []


def test_a_job_seen_again_is_remembered_longer_than_one_seen_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contract.checks import sessions

    monkeypatch.setattr(sessions, "MAX_JOBS", 3)
    a0 = _changed_created_at("interaction[0]", "ftjob-a", 1721764800)
    b = _changed_created_at("interaction[1]", "ftjob-b", 1721764800)
    c = _changed_created_at("interaction[2]", "ftjob-c", 1721764800)
    a1 = _changed_created_at("interaction[3]", "ftjob-a", 1721764800)  # seen again
    d = _changed_created_at("interaction[4]", "ftjob-d", 1721764800)  # b is forgotten
    a2 = _changed_created_at("interaction[5]", "ftjob-a", 1721769999)
    b2 = _changed_created_at("interaction[6]", "ftjob-b", 1721769999)
    # Only a's change is found (it names the answer that first showed the value); b's
    # earlier value was forgotten.
    (found,) = findings([a0, b, c, a1, d, a2, b2])
    assert found.label == "interaction[5]" and "interaction[0]" in found.violation.message


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=8))
def test_a_session_holds_at_most_its_bound_of_jobs_and_runs(extra: int, bound: int) -> None:
    from contract.checks import sessions

    saved = sessions.MAX_JOBS, sessions.MAX_RUNS
    sessions.MAX_JOBS, sessions.MAX_RUNS = bound, bound
    try:
        session = sessions.Session("observed")
        for n in range(bound + extra):
            session.see(_changed_created_at(f"interaction[{n}]", f"ftjob-{n}", 1721764800))
            listed = page(job("running", id=f"ftjob-p{n}"), job("running", id=f"ftjob-q{n}"))
            after = f"ftjob-q{n - 1}" if n else None
            session.see(Seen(f"interaction[{n}]", LIST, 200, listed, after=after))
        assert len(session._jobs) <= bound
        assert len(session._cursors) <= bound
        assert all(len(chain.seen) <= bound for chain in session._cursors.values())
    finally:
        sessions.MAX_JOBS, sessions.MAX_RUNS = saved
