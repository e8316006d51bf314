"""Minimise a finding: a smaller payload, guided by the schema tree, that still shows it.

Greedy, to a fixed point or the deadline: at every position of the payload
(shallow ones first) try to delete it (an optional property, an array item, a
map entry), then to replace it with something simpler: the simplest value its
schema node accepts (:func:`contract.generate.constraints.minimal`), then an empty or
shorter container or string, a number nearer zero, ``false``. A candidate is
kept only if it is smaller (compact JSON length, then text), passes the cheap
``gate`` (still conforming, or still broken at the label only) and ``still``
shows the finding (the parser is run). The labelled value of a mutant is never
deleted and keeps its JSON kind, so the label stays true.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from contract.fuzz._findings import encode_payload
from contract.generate.constraints import minimal
from contract.schema.tree import Node, kind_of

Path = tuple[str | int, ...]


@dataclass
class Goal:
    """What a smaller payload must keep.

    ``gate`` is the cheap check (validity class), run first; ``still`` runs the
    parser. ``protect`` is the labelled value's path (None for conforming
    payloads); ``frozen`` forbids changing that value itself, and ``keep``, if
    given, says which new values it may take (besides keeping its JSON kind).
    """

    gate: Callable[[Any, Path | None], bool]
    still: Callable[[Any, Path | None], bool]
    protect: Path | None = None
    frozen: bool = False
    keep: Callable[[Any], bool] | None = None


def size(payload: Any) -> tuple[int, bytes]:
    """The order shrinking follows: shorter compact JSON first, then by text."""
    text = encode_payload(payload)
    return len(text), text


def shrink(payload: Any, root: Node, goal: Goal, deadline: float) -> tuple[Any, Path | None, bool]:
    """The smallest payload found, the labelled path in it, and whether the search finished."""
    current, protect = payload, goal.protect
    best = size(current)
    changed = True
    while changed:
        changed = False
        index = 0
        positions = list(_positions(current))
        while index < len(positions):
            if time.monotonic() > deadline:
                return current, protect, False
            for candidate, moved in _edits(current, positions[index], root, protect, goal):
                measured = size(candidate)
                if measured < best and goal.gate(candidate, moved) and goal.still(candidate, moved):
                    current, protect, best, changed = candidate, moved, measured, True
                    positions = list(_positions(current))
                    break
            else:
                index += 1
    return current, protect, True


def _positions(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every position in the payload, breadth first (big deletions are tried first)."""
    level: list[tuple[Path, Any]] = [(path, value)]
    while level:
        following: list[tuple[Path, Any]] = []
        for where, item in level:
            yield where
            if isinstance(item, dict):
                following += [((*where, k), v) for k, v in item.items()]
            elif isinstance(item, list):
                following += [((*where, i), v) for i, v in enumerate(item)]
        level = following


def _get(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value


def _replace(value: Any, path: Path, new: Any) -> Any:
    """A copy of ``value`` with ``new`` at ``path`` (copies only along the path)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        assert isinstance(head, int)
        return [*value[:head], _replace(value[head], rest, new), *value[head + 1 :]]
    return {**value, head: _replace(value[head], rest, new)}


def _delete(value: Any, path: Path) -> Any:
    parent_path, last = path[:-1], path[-1]
    parent = _get(value, parent_path)
    if isinstance(parent, list):
        assert isinstance(last, int)
        smaller: Any = [*parent[:last], *parent[last + 1 :]]
    else:
        smaller = {k: v for k, v in parent.items() if k != last}
    return _replace(value, parent_path, smaller)


def _edits(
    current: Any, path: Path, root: Node, protect: Path | None, goal: Goal
) -> Iterator[tuple[Any, Path | None]]:
    """(candidate, labelled path in it) for the position ``path``, deletions first."""
    on_route = protect is not None and protect[: len(path)] == path
    if path and not on_route:
        parent = _get(current, path[:-1])
        yield _delete(current, path), _after_deletion(protect, path, parent)
        if isinstance(parent, dict) and isinstance(path[-1], str):
            for key in _shorter_keys(path[-1], parent, node_at(root, current, path[:-1])):
                yield _rename(current, path, key), protect
    if on_route and (path != protect or goal.frozen):
        return  # an ancestor of the labelled value, or the value itself when frozen
    value = _get(current, path)
    declared = None if on_route else node_at(root, current, path, resolve=False)
    for simpler in _simpler(value, declared, path):
        if on_route and not _same_label(value, simpler, goal.keep):
            continue
        yield _replace(current, path, simpler), protect


def _same_label(value: Any, simpler: Any, keep: Callable[[Any], bool] | None) -> bool:
    """Whether the labelled value may become ``simpler`` (its label still true)."""
    return kind_of(simpler) == kind_of(value) and (keep is None or keep(simpler))


def _shorter_keys(key: str, parent: dict[str, Any], node: Node | None) -> Iterator[str]:
    """Shorter names for a map entry or unknown property (never a described property)."""
    described = node.properties if node is not None else {}
    if key in described:
        return
    for shorter in ("", key[:1], key[: len(key) // 2]):
        if len(shorter) < len(key) and shorter not in parent and shorter not in described:
            yield shorter


def _rename(value: Any, path: Path, key: str) -> Any:
    parent_path, old = path[:-1], path[-1]
    parent = _get(value, parent_path)
    renamed = {(key if k == old else k): v for k, v in parent.items()}
    return _replace(value, parent_path, renamed)


def _after_deletion(protect: Path | None, path: Path, parent: Any) -> Path | None:
    """The labelled path once the array item at ``path`` is gone (earlier items shift)."""
    if protect is None or not isinstance(parent, list):
        return protect
    depth = len(path) - 1
    if protect[:depth] == path[:depth] and len(protect) > depth:
        index = protect[depth]
        if isinstance(index, int) and isinstance(path[-1], int) and index > path[-1]:
            return (*protect[:depth], index - 1, *protect[depth + 1 :])
    return protect


def _simpler(value: Any, declared: Node | None, path: Path) -> Iterator[Any]:
    """Simpler values to put where ``value`` is, simplest first.

    ``declared`` is the schema node of the position (before choosing among its
    alternatives): its simplest value, then that of the alternative ``value`` is
    drawn from, then generic ones.
    """
    yield None
    if declared is not None:
        hint = next((p for p in reversed(path) if isinstance(p, str)), None)
        yield minimal(declared, hint)
        yield minimal(_branch_for(declared, value), hint)
    if isinstance(value, dict):
        yield {}
    elif isinstance(value, list):
        yield []
        yield value[:1]
        yield value[: len(value) // 2]
    elif isinstance(value, str):
        yield ""
        yield value[:1]
        yield value[: len(value) // 2]
        yield value[:-1]
    elif isinstance(value, bool):
        yield False
    elif isinstance(value, int):
        yield 0
        yield 1
        yield int(value / 2)
        yield value - 1 if value > 0 else value + 1
    elif isinstance(value, float):
        yield 0.0
        yield float(int(value))
        yield value / 2


def node_at(root: Node, payload: Any, path: Path, *, resolve: bool = True) -> Node | None:
    """The schema node the value at ``path`` is drawn from (None where none describes it).

    ``resolve=False`` stops before choosing among the last node's alternatives.
    """
    node: Node | None = root
    value = payload
    for part in path:
        if node is None:
            return None
        node = _branch_for(node, value)
        if isinstance(value, dict) and isinstance(part, str):
            node = node.properties.get(part, node.additional)
        elif isinstance(value, list):
            node = node.items
        else:
            return None
        value = value[part]
    if node is not None and resolve:
        node = _branch_for(node, value)
    return node


def _branch_for(node: Node, value: Any) -> Node:
    """The branch of a ``oneOf``/``anyOf`` that ``value`` is meant for (the node otherwise)."""
    while node.branches:
        kind = kind_of(value)
        fitting = [b for b in node.branches if kind in b.kinds]
        if node.discriminator and isinstance(value, dict):
            tag = value.get(node.discriminator)
            fitting = [b for b in fitting if _tags(b, node.discriminator, tag)] or fitting
        if not fitting:
            return node
        node = fitting[0]
    return node


def _tags(branch: Node, name: str, tag: Any) -> bool:
    prop = branch.properties.get(name)
    if prop is None:
        return False
    values = [prop.const] if prop.has_const else list(prop.enum or ())
    return tag in values
