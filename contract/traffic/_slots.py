"""Traffic coverage counted in slots: the fact walk of :mod:`contract.traffic._walk`, compiled.

:func:`contract.traffic._walk.facts` decides, at every place of a payload,
which facts it shows, working out again for each payload what the schema
tree says there (the place's name, whether it is nullable, which
alternatives it has, what each one is called). :class:`Counter` does that
work once per type: each fact the tree can give becomes a numbered *slot*,
and the walk becomes the Python source of one function (``Counter.source``)
that adds one to a payload's slots, place after place, with no call per
place: the tree's places are written out as nested ``if`` blocks, an array's
items as a loop. The source is built only from our own schema documents
(property names and places written as ``repr`` literals, slot numbers as
integers; the tables and the rare cases it consults are named values), never
from input, and compiled once per type and process. Facts no slot can hold
(a value outside an enum, a non-string enum value) are counted by name, as
the plain walk counts them. :meth:`Counter.facts` turns the counts back into
exactly what ``facts`` gives (the suite compares both).
"""

from __future__ import annotations

from collections import Counter as _Counter
from collections.abc import Callable
from functools import cache, cached_property
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
_EXACT_TYPES = {kind: t.__name__ for t, kind in _EXACT_KINDS.items() if kind != "null"}
_NULL_ONLY = frozenset({"null"})
#: Deepest nesting written out in one function (Python refuses sources nested beyond 100
#: indentation levels or 20 loops); deeper places get a function of their own.
_MOST_INDENT = 40
_MOST_LOOPS = 8


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


class _Source:
    """The source of one type's counting functions, and the values it names.

    Each function is ``def fN(v, c, named)``: ``v`` the value, ``c`` the slot counts,
    ``named`` the facts counted by name. :meth:`function` gives the name of the one
    counting a (node, place), writing it first if need be.
    """

    def __init__(self) -> None:
        self.slots = _Slots()
        self.names: dict[str, Any] = {"isinstance": isinstance, "dict": dict, "list": list}
        self.functions: dict[tuple[int, str], str] = {}
        self.written: list[list[str]] = []
        self.fresh = 0

    def _new(self, stem: str) -> str:
        self.fresh += 1
        return f"{stem}{self.fresh}"

    def name(self, value: Any, stem: str) -> str:
        """A module-level name for a value the source consults (a table, a rare case)."""
        found = self._new(stem)
        self.names[found] = value
        return found

    def function(self, node: Node, place: str) -> str:
        key = (id(node), place)
        found = self.functions.get(key)
        if found is None:
            found = self.functions[key] = self._new("f")
            out = [f"def {found}(v, c, named):", f"    # {place or '/'}"]
            self.emit(node, place, "v", 1, 0, out)
            self.written.append(out)
        return found

    def text(self) -> str:
        return "\n\n".join("\n".join(lines) for lines in self.written) + "\n"

    # -- one (node, place), written out for the value held in the variable ``v`` ----------

    def emit(self, node: Node, place: str, v: str, depth: int, loops: int, out: list[str]) -> None:
        if depth >= _MOST_INDENT or loops >= _MOST_LOOPS:
            out.append(f"{'    ' * depth}{self.function(node, place)}({v}, c, named)")
            return
        self._reach(node, place, v, depth, out)
        if node.enum is not None:
            self._enum(node, place, v, depth, out)
        if _nullable(node):
            null = self.slots(("nullable", place, "null"))
            not_null = self.slots(("nullable", place, "non-null"))
            out.append(f"{'    ' * depth}c[{null} if {v} is None else {not_null}] += 1")
        if node.branches:
            self._branches(node, place, v, depth, loops, out)
        if node.properties or node.additional is not None:
            self._object(node, place, v, depth, loops, out)
        if node.items is not None:
            pad = "    " * depth
            item = self._new("v")
            out.append(f"{pad}if isinstance({v}, list) and not isinstance({v}, dict):")
            out.append(f"{pad}    for {item} in {v}:")
            self.emit(node.items, place + "/*", item, depth + 2, loops + 1, out)

    def _reach(self, node: Node, place: str, v: str, depth: int, out: list[str]) -> None:
        """The ``reached`` slot of the value's kind (none for null): the kind the place
        expects tested first, any other through a table by exact type, then by kind."""
        pad = "    " * depth
        reached = {kind: self.slots(("reached", place, kind)) for kind in KINDS}
        by_type = {t: reached[k] for t, k in _EXACT_KINDS.items() if k != "null"}

        def other(value: Any) -> int:
            found = by_type.get(type(value))
            return found if found is not None else reached[kind_of(value)]

        fallback = self.name(other, "reach")
        expected = [kind for kind in KINDS if kind in node.kinds and kind in _EXACT_TYPES]
        if len(expected) > 2:  # any kind: the table alone
            expected = []
        for index, kind in enumerate(expected):
            out.append(f"{pad}{'elif' if index else 'if'} type({v}) is {_EXACT_TYPES[kind]}:")
            out.append(f"{pad}    c[{reached[kind]}] += 1")
        out.append(f"{pad}{'elif' if expected else 'if'} {v} is not None:")
        out.append(f"{pad}    c[{fallback}({v})] += 1")

    def _enum(self, node: Node, place: str, v: str, depth: int, out: list[str]) -> None:
        pad = "    " * depth
        enum = node.enum or ()
        known = {
            value: self.slots(("enum", place, value)) for value in enum if isinstance(value, str)
        }

        def other(value: Any, named: _Counter[Fact]) -> None:
            kind = kind_of(value)
            ok = any(kind_of(each) == kind and each == value for each in enum)
            named[("enum" if ok else "outside", place, label(value))] += 1

        table, rare = self.name(known, "enum"), self.name(other, "enum_other")
        out += [
            f"{pad}if type({v}) is str:",
            f"{pad}    at = {table}.get({v})",
            f"{pad}    if at is not None:",
            f"{pad}        c[at] += 1",
            f"{pad}    else:",
            f"{pad}        named[('outside', {place!r}, {v})] += 1",
            f"{pad}else:",
            f"{pad}    {rare}({v}, named)",
        ]

    def _branches(
        self, node: Node, place: str, v: str, depth: int, loops: int, out: list[str]
    ) -> None:
        """Which alternative a value took (its slot, when there are several), then its facts.

        The branch is told apart in the source where the value's exact type or the
        discriminator's string decides; otherwise by :meth:`_chooser`, as the walk does.
        """
        pad = "    " * depth
        choose = self.name(self._chooser(node), "choose")
        b = self._new("b")
        if node.discriminator is not None:
            by_name = self.name(self._by_name(node), "by_name")
            w = self._new("w")
            out += [
                f"{pad}if type({v}) is dict:",
                f"{pad}    {w} = {v}.get({node.discriminator!r})",
                f"{pad}    {b} = {by_name}.get({w}, -1) if type({w}) is str else {choose}({v})",
                f"{pad}else:",
                f"{pad}    {b} = {choose}({v})",
            ]
        else:
            by_type = self.name(self._by_type(node), "by_type")
            out += [
                f"{pad}{b} = {by_type}.get(type({v}))",
                f"{pad}if {b} is None:",
                f"{pad}    {b} = {choose}({v})",
            ]
        many = len(_concrete(node)) > 1
        for index, branch in enumerate(node.branches):
            out.append(f"{pad}{'if' if index == 0 else 'elif'} {b} == {index}:")
            if many and branch.kinds != _NULL_ONLY:
                alternative = self.slots(("alternative", place, _branch_label(node, branch)))
                out.append(f"{pad}    c[{alternative}] += 1")
            self.emit(branch, place, v, depth + 1, loops, out)

    @staticmethod
    def _by_kind(node: Node) -> dict[str, int]:
        """Per kind of value, the branch the plain walk chooses when the kind alone decides
        (-1: none fits)."""
        found: dict[str, int] = {}
        for kind in KINDS:
            fitting = [i for i, b in enumerate(node.branches) if kind in b.kinds]
            if len(fitting) <= 1 or kind in ("array", "object"):
                found[kind] = fitting[0] if fitting else -1
        return found

    def _by_type(self, node: Node) -> dict[type, int]:
        by_kind = self._by_kind(node)
        return {t: by_kind[k] for t, k in _EXACT_KINDS.items() if k in by_kind}

    @staticmethod
    def _by_name(node: Node) -> dict[str, int]:
        """The branch of each string value of the discriminator."""
        found: dict[str, int] = {}
        for index, branch in enumerate(node.branches):
            prop = branch.properties.get(node.discriminator or "")
            if prop is None:
                continue
            values = [prop.const] if prop.has_const else list(prop.enum or ())
            for value in values:
                if isinstance(value, str):
                    found.setdefault(value, index)
        return found

    def _chooser(self, node: Node) -> Callable[[Any], int]:
        """The branch a value takes (-1: none), every case as the plain walk decides it."""
        by_kind, by_name = self._by_kind(node), self._by_name(node)
        index = {id(branch): i for i, branch in reversed(list(enumerate(node.branches)))}
        discriminator = node.discriminator

        def choose(value: Any) -> int:
            branch: Node | None
            if discriminator is not None and isinstance(value, dict):
                wanted = value.get(discriminator)
                if type(wanted) is str:
                    return by_name.get(wanted, -1)
                branch = _choose(node, value)
            else:
                kind = _kind(value)
                if kind in by_kind:
                    return by_kind[kind]
                fitting = [b for b in node.branches if kind in b.kinds]
                branch = ([b for b in fitting if locally_valid(b, value)] or fitting)[0]
            return -1 if branch is None else index[id(branch)]

        return choose

    def _object(
        self, node: Node, place: str, v: str, depth: int, loops: int, out: list[str]
    ) -> None:
        pad = "    " * depth
        out.append(f"{pad}if isinstance({v}, dict):")
        for name, child in node.properties.items():
            below = _step(place, name)
            out.append(f"{pad}    if {name!r} in {v}:")
            if name not in node.required:
                out.append(f"{pad}        c[{self.slots(('optional', below, 'present'))}] += 1")
            held = self._new("v")
            out.append(f"{pad}        {held} = {v}[{name!r}]")
            self.emit(child, below, held, depth + 2, loops, out)
            if name not in node.required:
                out.append(f"{pad}    else:")
                out.append(f"{pad}        c[{self.slots(('optional', below, 'absent'))}] += 1")
        if node.additional is not None:
            known = self.name(frozenset(node.properties), "known")
            key, item = self._new("k"), self._new("v")
            out.append(f"{pad}    for {key}, {item} in {v}.items():")
            out.append(f"{pad}        if {key} not in {known}:")
            self.emit(node.additional, place + "/*", item, depth + 3, loops + 1, out)


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
        self.name = name
        self._source = _Source()
        self._entry = self._source.function(root(name), "")
        #: The generated source (one function per type, and one per place nested too deep).
        self.source = self._source.text()
        self._facts = self._source.slots.facts

    @cached_property
    def count(self) -> _Count:
        """Counts one payload's facts (what :meth:`add` calls): compiled when first asked
        for, since a process that only adds counts up and names them never needs it."""
        namespace = dict(self._source.names)
        exec(compile(self.source, f"<coverage counter of {self.name}>", "exec"), namespace)
        found: _Count = namespace[self._entry]
        return found

    @staticmethod
    def of(name: str) -> Counter:
        """The counter of a type (compiled once per process)."""
        return _counter(name)

    def empty(self) -> tuple[list[int], _Counter[Fact]]:
        """Fresh counts: one per slot, and the facts counted by name."""
        return [0] * len(self._facts), _Counter()

    def add(self, payload: Any, counts: list[int], named: _Counter[Fact]) -> None:
        """Count one payload's facts."""
        self.count(payload, counts, named)

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
