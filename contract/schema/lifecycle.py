"""The fine-tuning job's life cycle, per profile: ``schemas/lifecycle.json`` as typed values.

The state graph (which status may follow which), the operations whose answer
depends on the job's state (pause, resume, cancel), and which fields each
state fills. The fake jobs API, the session checks over recordings and
coherent generation read it from here::

    from contract.schema.lifecycle import lifecycle
    graph = lifecycle("observed")
    graph.can_move("running", "pausing")            # True
    graph.allows("pauseFineTuningJob", "succeeded") # False: the API answers 400
    graph.answer_state("pauseFineTuningJob", "running")  # "pausing"

An unknown status seen in traffic is not in :attr:`Lifecycle.states`; the
callers decide what to say about it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from contract.schema._paths import schema_dir

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

#: The file, under the schema directory.
FILE = "lifecycle.json"

#: How a state fills a field: present and not empty, null/absent/empty, or no rule.
Fill = Literal["set", "null", "any"]

_NON_TERMINAL = "*non-terminal"
_CREATE = "createFineTuningJob"


@dataclass(frozen=True)
class _Operation:
    sources: frozenset[str]
    answer: str


@dataclass(frozen=True, eq=False)
class Lifecycle:
    """One profile's job life cycle."""

    profile: str
    states: frozenset[str]
    initial: str
    terminal: frozenset[str]
    edges: Mapping[str, frozenset[str]]
    _operations: Mapping[str, _Operation] = field(repr=False, compare=False)
    _fills: Mapping[str, Mapping[str, Fill]] = field(repr=False, compare=False)

    def can_move(self, before: str, after: str) -> bool:
        """Whether the status seen after ``before`` may be ``after`` (the same, or one step)."""
        return after == before or after in self.edges.get(before, frozenset())

    def reachable(self, before: str, after: str) -> bool:
        """Whether ``after`` can follow ``before`` by some path (polling may skip states)."""
        return after in _closure(self, before)

    def allows(self, operation_id: str, state: str) -> bool:
        """Whether the operation succeeds on a job in ``state`` (otherwise the API answers 400)."""
        operation = self._operations.get(operation_id)
        if operation is None:
            return operation_id == _CREATE or state in self.states
        return state in operation.sources

    def answer_state(self, operation_id: str, state: str) -> str:
        """The status of the job in the operation's 200 answer, from a job in ``state``.

        :class:`ValueError` when the operation is not allowed in that state.
        """
        if operation_id == _CREATE:
            return self.initial
        if not self.allows(operation_id, state):
            raise ValueError(f"{operation_id} is not allowed on a job in state {state!r}")
        operation = self._operations.get(operation_id)
        return state if operation is None else operation.answer

    def fills(self, state: str) -> Mapping[str, Fill]:
        """Field -> ``"set"``, ``"null"`` or ``"any"`` for a job in ``state`` (empty if unknown)."""
        return self._fills.get(state, MappingProxyType({}))

    def operations_from(self, state: str) -> tuple[str, ...]:
        """The state-changing operations allowed on a job in ``state``, sorted."""
        return tuple(sorted(op for op, spec in self._operations.items() if state in spec.sources))


@cache
def _closure(graph: Lifecycle, start: str) -> frozenset[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in graph.edges.get(todo.pop(), frozenset()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


@cache
def _data() -> Mapping[str, Any]:
    with (schema_dir() / FILE).open(encoding="utf-8") as handle:
        data: Mapping[str, Any] = json.load(handle)["profiles"]
    return data


def names() -> tuple[str, ...]:
    """The built-in profiles that have a life cycle, in file order."""
    return tuple(_data())


def _merged(name: str) -> dict[str, Any]:
    spec = _data()[name]
    parent = spec.get("extends")
    merged: dict[str, Any] = (
        _merged(parent)
        if parent is not None
        else {"initial": "", "terminal": [], "edges": {}, "operations": {}, "fills": {}}
    )
    merged = {
        "initial": spec.get("initial", merged["initial"]),
        "terminal": list(dict.fromkeys([*merged["terminal"], *spec.get("terminal", [])])),
        "edges": {k: list(v) for k, v in merged["edges"].items()},
        "operations": {k: dict(v) for k, v in merged["operations"].items()},
        "fills": {k: dict(v) for k, v in merged["fills"].items()},
    }
    for state, targets in spec.get("edges", {}).items():
        merged["edges"][state] = list(dict.fromkeys([*merged["edges"].get(state, []), *targets]))
    for op, op_spec in spec.get("operations", {}).items():
        before = merged["operations"].get(op, {"from": []})
        merged["operations"][op] = {
            "from": list(dict.fromkeys([*before["from"], *op_spec.get("from", [])])),
            "answer": op_spec.get("answer", before.get("answer")),
        }
    for state, fills in spec.get("fills", {}).items():
        merged["fills"].setdefault(state, {}).update(fills)
    return merged


@cache
def _build(name: str) -> Lifecycle:
    data = _merged(name)
    edges = {state: frozenset(targets) for state, targets in data["edges"].items()}
    states = frozenset(edges) | frozenset().union(*edges.values()) | {data["initial"]}
    terminal = frozenset(data["terminal"])
    operations = {}
    for op, spec in data["operations"].items():
        sources: set[str] = set()
        for source in spec["from"]:
            sources |= (states - terminal) if source == _NON_TERMINAL else {source}
        operations[op] = _Operation(frozenset(sources), spec["answer"])
    fills = {state: MappingProxyType(dict(f)) for state, f in data["fills"].items()}
    return Lifecycle(
        profile=name,
        states=states,
        initial=data["initial"],
        terminal=terminal,
        edges=MappingProxyType(edges),
        _operations=MappingProxyType(operations),
        _fills=MappingProxyType(fills),
    )


def _graph_name(profile: Profile) -> str:
    if profile.base in _data():
        return profile.base
    if profile.name in _data():
        return profile.name
    chosen = "published"
    for name, spec in _data().items():
        marks = spec.get("recognised-by", [])
        if marks and all(profile.holds(mark) for mark in marks):
            chosen = name
    return chosen


def lifecycle(profile: Profile | str | None = None) -> Lifecycle:
    """The life cycle of a profile (a :class:`Profile` or its name; ``None`` is ``published``).

    A built-in name picks its own graph; a user profile whose base is not a
    built-in name picks the graph of the last built-in profile whose
    ``recognised-by`` amendments it holds (``observed`` for one holding
    ``status-paused``); anything else is ``published``.
    """
    if profile is None:
        return _build("published")
    if isinstance(profile, str):
        return _build(profile if profile in _data() else "published")
    return _build(_graph_name(profile))
