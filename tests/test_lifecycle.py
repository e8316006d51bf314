"""The job life cycle as data (schemas/lifecycle.json): graph, operations and fills."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract import profiles
from contract import schema as registry
from contract.schema import lifecycle as lifecycle_module
from contract.schema.lifecycle import lifecycle

BUILT_IN = ("published", "observed", "azure")
TERMINAL = {"succeeded", "failed", "cancelled"}
FIELDS = (
    "fine_tuned_model",
    "finished_at",
    "trained_tokens",
    "result_files",
    "error",
    "estimated_finish",
)
PAUSE, RESUME, CANCEL = "pauseFineTuningJob", "resumeFineTuningJob", "cancelFineTuningJob"


def test_published_graph_is_the_documented_one() -> None:
    graph = lifecycle("published")
    assert graph.initial == "validating_files"
    assert graph.terminal == TERMINAL
    assert graph.states == {"validating_files", "queued", "running", *TERMINAL}
    assert graph.edges["validating_files"] == {"queued", "failed", "cancelled"}
    assert graph.edges["queued"] == {"running", "failed", "cancelled"}
    assert graph.edges["running"] == {"succeeded", "failed", "cancelled"}


def test_observed_adds_pause_resume_and_the_legacy_created() -> None:
    graph = lifecycle("observed")
    assert graph.initial == "validating_files"
    assert graph.can_move("running", "pausing")
    assert graph.can_move("pausing", "paused")
    assert graph.can_move("paused", "resuming")
    assert graph.can_move("resuming", "running")
    assert graph.can_move("created", "validating_files")
    for state in ("pausing", "paused", "resuming"):
        assert {"cancelled", "failed"} <= graph.edges[state]
    assert not graph.can_move("running", "paused")  # pausing comes first
    assert not lifecycle("published").can_move("running", "pausing")


def test_azure_starts_pending() -> None:
    graph = lifecycle("azure")
    assert graph.initial == "pending"
    assert graph.can_move("pending", "validating_files")
    assert graph.reachable("pending", "succeeded")
    assert "pending" not in lifecycle("observed").states


@pytest.mark.parametrize(("child", "parent"), [("observed", "published"), ("azure", "observed")])
def test_a_profile_extends_its_parent(child: str, parent: str) -> None:
    big, small = lifecycle(child), lifecycle(parent)
    assert small.states <= big.states
    assert small.terminal == big.terminal
    for state, targets in small.edges.items():
        assert targets <= big.edges[state]


@pytest.mark.parametrize("name", BUILT_IN)
def test_nothing_leaves_a_terminal_state(name: str) -> None:
    graph = lifecycle(name)
    for state in graph.terminal:
        assert graph.edges[state] == frozenset()
        assert all(not graph.can_move(state, other) for other in graph.states - {state})
        assert graph.can_move(state, state)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_state_is_reached_from_create_and_can_end(name: str) -> None:
    graph = lifecycle(name)
    # "created" is a legacy first status: create no longer answers it, it still leads on.
    starts = {graph.initial, "created"} & graph.states
    for state in graph.states:
        assert any(graph.reachable(start, state) for start in starts), state
        assert any(graph.reachable(state, end) for end in graph.terminal), state


def test_polling_may_skip_states_but_not_go_back() -> None:
    graph = lifecycle("observed")
    assert not graph.can_move("validating_files", "succeeded")
    assert graph.reachable("validating_files", "succeeded")
    assert graph.reachable("paused", "succeeded")
    assert not graph.reachable("succeeded", "running")
    assert not graph.reachable("running", "queued")


@given(st.sampled_from(BUILT_IN), st.data())
def test_a_move_is_reachable_and_reachability_is_transitive(name: str, data: st.DataObject) -> None:
    graph = lifecycle(name)
    states = sorted(graph.states)
    a, b, c = (data.draw(st.sampled_from(states)) for _ in range(3))
    if graph.can_move(a, b):
        assert graph.reachable(a, b)
    if graph.reachable(a, b) and graph.reachable(b, c):
        assert graph.reachable(a, c)


def test_pause_resume_and_cancel_are_allowed_where_documented() -> None:
    graph = lifecycle("observed")
    assert graph.allows(PAUSE, "running")
    assert graph.answer_state(PAUSE, "running") == "pausing"
    assert graph.allows(RESUME, "paused")
    assert graph.answer_state(RESUME, "paused") == "resuming"
    for state in graph.states - {"running"}:
        assert not graph.allows(PAUSE, state), state
    for state in graph.states - {"paused"}:
        assert not graph.allows(RESUME, state), state
    for state in graph.states:
        assert graph.allows(CANCEL, state) == (state not in TERMINAL)
    for state in graph.states - TERMINAL:
        assert graph.answer_state(CANCEL, state) == "cancelled"
    with pytest.raises(ValueError, match="not allowed on a job in state 'succeeded'"):
        graph.answer_state(PAUSE, "succeeded")


def test_published_has_no_status_to_answer_a_pause_with() -> None:
    graph = lifecycle("published")
    assert not any(graph.allows(PAUSE, state) for state in graph.states)
    assert graph.allows(CANCEL, "queued")


@pytest.mark.parametrize("name", BUILT_IN)
def test_reads_and_create_do_not_depend_on_state(name: str) -> None:
    graph = lifecycle(name)
    for state in graph.states:
        assert graph.allows("retrieveFineTuningJob", state)
        assert graph.answer_state("retrieveFineTuningJob", state) == state
        assert graph.answer_state("createFineTuningJob", state) == graph.initial
    assert not graph.allows("retrieveFineTuningJob", "archived")


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_answer_state_is_a_legal_move(name: str) -> None:
    graph = lifecycle(name)
    for state in graph.states:
        for op in graph.operations_from(state):
            assert graph.can_move(state, graph.answer_state(op, state)), (op, state)
            assert graph.answer_state(op, state) in graph.states


@pytest.mark.parametrize("name", BUILT_IN)
def test_fills_follow_the_documented_rules(name: str) -> None:
    graph = lifecycle(name)
    for state in graph.states:
        fills = graph.fills(state)
        assert set(fills) == set(FIELDS), state
        assert set(fills.values()) <= {"set", "null", "any"}
        succeeded = "set" if state == "succeeded" else "null"
        for field in ("fine_tuned_model", "trained_tokens", "result_files"):
            assert fills[field] == succeeded, (state, field)
        assert fills["finished_at"] == ("set" if state in TERMINAL else "null"), state
        assert fills["error"] == ("set" if state == "failed" else "null"), state
        if state not in {"queued", "running", "pausing", "paused", "resuming"}:
            assert fills["estimated_finish"] == "null", state
    assert graph.fills("archived") == {}


def test_a_profile_picks_its_graph() -> None:
    assert lifecycle(None).profile == "published"
    assert lifecycle("no-such-profile").profile == "published"
    for name in BUILT_IN:
        assert lifecycle(profiles.resolve(name)).profile == name
    # A built-in profile with an amendment switched off keeps its own graph.
    assert (
        lifecycle(profiles.resolve("observed", no_amend=["seed-absent-legacy"])).profile
        == "observed"
    )


def test_a_user_profile_uses_the_graph_of_what_it_extends(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.finetune-contract.profiles.ours]\n"
        'description = "Ours."\nextends = "observed"\n'
        "[tool.finetune-contract.profiles.cloud]\n"
        'description = "Cloud."\nextends = "azure"\n'
        "[tool.finetune-contract.profiles.plain]\n"
        'description = "Plain."\nextends = "published"\n',
        encoding="utf-8",
    )
    assert lifecycle(profiles.resolve("ours", config=config)).profile == "observed"
    assert lifecycle(profiles.resolve("cloud", config=config)).profile == "azure"
    assert lifecycle(profiles.resolve("plain", config=config)).profile == "published"


def test_the_file_is_loaded_once_and_is_not_a_schema_document() -> None:
    assert lifecycle("observed") is lifecycle("observed")
    assert "lifecycle" not in registry.schema_names()
    assert lifecycle_module.names() == BUILT_IN
