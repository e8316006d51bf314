"""Traffic coverage counted in slots: the fact walk of :mod:`contract.traffic._walk`, compiled.

:func:`contract.traffic._walk.facts` decides, at every place of a payload,
which facts it shows, working out again for each payload what the schema
tree says there (the place's name, whether it is nullable, which
alternatives it has, what each one is called). :class:`Counter` does that
work once per type: each fact the tree can give becomes a numbered *slot*,
each (node, place) a small function that adds one to its slots, and a
payload is counted by calling the root's function. Facts no slot can hold
(a value outside an enum, a non-string enum value) are counted by name, as
the plain walk counts them. :meth:`Counter.facts` turns the counts back into
exactly what ``facts`` gives (the suite compares both).
"""

from __future__ import annotations

from collections import Counter as _Counter
from collections.abc import Callable
from functools import cache
from itertools import compress
from typing import Any

from contract.schema.tree import KINDS, Node, kind_of, locally_valid, root
from contract.traffic._walk import (
    Fact,
    _branch_label,
    _choose,
    _concrete,
    _nullable,
    _step,
    label,
)

#: Adds one payload's facts: (value, slot counts, facts counted by name).
_Count = Callable[[Any, list[int], "_Counter[Fact]"], None]

_EXACT_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    str: "string",
    list: "array",
    dict: "object",
}
_NULL_ONLY = frozenset({"null"})


def _kind(value: Any) -> str:
    found = _EXACT_KINDS.get(type(value))
    return found if found is not None else kind_of(value)


class _Slots:
    """Every fact that has a slot, and its number."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.index: dict[Fact, int] = {}

    def __call__(self, fact: Fact) -> int:
        found = self.index.get(fact)
        if found is None:
            found = self.index[fact] = len(self.facts)
            self.facts.append(fact)
        return found


class _Compiler:
    def __init__(self) -> None:
        self.slots = _Slots()
        self.done: dict[tuple[int, str], _Count] = {}

    def count(self, node: Node, place: str) -> _Count:
        key = (id(node), place)
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = self._compile(node, place)
        return found

    def _compile(self, node: Node, place: str) -> _Count:
        slot = self.slots
        reached = {kind: slot(("reached", place, kind)) for kind in KINDS}
        steps: list[_Count] = []

        if node.enum is not None:
            enum = node.enum
            known = {v: slot(("enum", place, v)) for v in enum if isinstance(v, str)}

            def enum_step(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                if type(value) is str:
                    at = known.get(value)
                    if at is not None:
                        counts[at] += 1
                    else:
                        named[("outside", place, value)] += 1
                    return
                kind = kind_of(value)
                ok = any(kind_of(v) == kind and v == value for v in enum)
                named[("enum" if ok else "outside", place, label(value))] += 1

            steps.append(enum_step)

        if _nullable(node):
            null = slot(("nullable", place, "null"))
            not_null = slot(("nullable", place, "non-null"))

            def nullable_step(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                counts[null if value is None else not_null] += 1

            steps.append(nullable_step)

        if node.branches:
            steps.append(self._branches(node, place))

        if node.properties or node.additional is not None:
            steps.append(self._object(node, place))
        if node.items is not None:
            item = self.count(node.items, place + "/*")

            def items_step(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                if isinstance(value, list) and not isinstance(value, dict):
                    for each in value:
                        item(each, counts, named)

            steps.append(items_step)

        # The slot of each exact type, so the common values skip naming their kind; the
        # walk runs some 35 times a job, so the one-step and no-step cases have their own.
        at_type = {t: reached[k] for t, k in _EXACT_KINDS.items() if k in reached}
        where = at_type.get

        def reach(value: Any, counts: list[int]) -> None:
            if value is not None:
                at = where(type(value))
                counts[at if at is not None else reached[kind_of(value)]] += 1

        if not steps:

            def count(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                if value is not None:
                    at = where(type(value))
                    counts[at if at is not None else reached[kind_of(value)]] += 1

        elif len(steps) == 1:
            (only,) = steps

            def count(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                if value is not None:
                    at = where(type(value))
                    counts[at if at is not None else reached[kind_of(value)]] += 1
                only(value, counts, named)

        else:

            def count(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
                reach(value, counts)
                for step in steps:
                    step(value, counts, named)

        return count

    def _branches(self, node: Node, place: str) -> _Count:
        """Which alternative a value took (its slot, when there are several), then its facts."""
        many = len(_concrete(node)) > 1
        chosen: dict[int, tuple[int | None, _Count]] = {}
        for branch in node.branches:
            alternative = None
            if many and branch.kinds != _NULL_ONLY:
                alternative = self.slots(("alternative", place, _branch_label(node, branch)))
            chosen[id(branch)] = (alternative, self.count(branch, place))
        # Per kind of value, the branch the plain walk chooses, when the kind alone decides.
        by_kind: dict[str, Node | None] = {}
        for kind in KINDS:
            fitting = [b for b in node.branches if kind in b.kinds]
            if len(fitting) <= 1 or kind in ("array", "object"):
                by_kind[kind] = fitting[0] if fitting else None
        by_name: dict[str, Node] = {}
        if node.discriminator is not None:
            for branch in node.branches:
                prop = branch.properties.get(node.discriminator)
                if prop is None:
                    continue
                values = [prop.const] if prop.has_const else list(prop.enum or ())
                for value in values:
                    if isinstance(value, str):
                        by_name.setdefault(value, branch)
        discriminator = node.discriminator

        def branches_step(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
            branch: Node | None
            if discriminator is not None and isinstance(value, dict):
                wanted = value.get(discriminator)
                branch = by_name.get(wanted) if type(wanted) is str else _choose(node, value)
            else:
                kind = _kind(value)
                if kind in by_kind:
                    branch = by_kind[kind]
                else:
                    fitting = [b for b in node.branches if kind in b.kinds]
                    branch = ([b for b in fitting if locally_valid(b, value)] or fitting)[0]
            if branch is None:
                return
            alternative, count = chosen[id(branch)]
            if alternative is not None:
                counts[alternative] += 1
            count(value, counts, named)

        return branches_step

    def _object(self, node: Node, place: str) -> _Count:
        members: list[tuple[str, int | None, int | None, _Count]] = []
        for name, child in node.properties.items():
            below = _step(place, name)
            present = absent = None
            if name not in node.required:
                present = self.slots(("optional", below, "present"))
                absent = self.slots(("optional", below, "absent"))
            members.append((name, present, absent, self.count(child, below)))
        known = frozenset(node.properties)
        extra = None if node.additional is None else self.count(node.additional, place + "/*")

        def object_step(value: Any, counts: list[int], named: _Counter[Fact]) -> None:
            if not isinstance(value, dict):
                return
            for name, present, absent, count in members:
                if name in value:
                    if present is not None:
                        counts[present] += 1
                    count(value[name], counts, named)
                elif absent is not None:
                    counts[absent] += 1
            if extra is not None:
                for key, item in value.items():
                    if key not in known:
                        extra(item, counts, named)

        return object_step


class Counter:
    """Counts the facts of many payloads of one type (see the module's text).

    ::

        counter = Counter.of("FineTuningJob")
        counts, named = counter.empty()
        for job in jobs:
            counter.add(job, counts, named)
        counter.facts(counts, named)     # == sum of _walk.facts(job, ...) over the jobs
    """

    def __init__(self, name: str) -> None:
        compiler = _Compiler()
        self._count = compiler.count(root(name), "")
        self._facts = compiler.slots.facts

    @staticmethod
    def of(name: str) -> Counter:
        """The counter of a type (compiled once per process)."""
        return _counter(name)

    def empty(self) -> tuple[list[int], _Counter[Fact]]:
        """Fresh counts: one per slot, and the facts counted by name."""
        return [0] * len(self._facts), _Counter()

    def add(self, payload: Any, counts: list[int], named: _Counter[Fact]) -> None:
        """Count one payload's facts."""
        self._count(payload, counts, named)

    def facts(self, counts: list[int], named: _Counter[Fact]) -> _Counter[Fact]:
        """The counts as facts, as :func:`contract.traffic._walk.facts` names them."""
        facts = self._facts
        found: _Counter[Fact] = _Counter(
            {facts[at]: counts[at] for at in compress(range(len(counts)), counts)}
        )
        found.update(named)
        return found


@cache
def _counter(name: str) -> Counter:
    return Counter(name)


__all__ = ["Counter"]
