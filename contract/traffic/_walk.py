"""Walking the compiled schema tree, alone or alongside a payload, for traffic coverage.

Places are payload patterns: JSON Pointers with ``*`` for any array item or
map value (``/integrations/*/type``). :func:`universe` lists, from the schema
documents, everything a response could show at each place; :func:`facts`
lists what one job did show. Both walk the same tree
(:func:`contract.schema.tree.root`), so nothing here restates the contract.

Facts are ``(kind, place, value)``:

``enum``        an enum value (``value`` as the label :func:`label` gives it)
``outside``     a value at an enum place that the enum does not hold
``alternative`` which ``oneOf``/``anyOf`` alternative a value took (graders by their ``type``)
``nullable``    ``null`` or ``non-null`` at a place that allows null
``optional``    ``present`` or ``absent`` for a property the object does not require
``reached``     a value (not null) was found at the place (``value``: its kind)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from contract._core import jsonpointer
from contract.schema.tree import Node, kind_of, locally_valid, root

Fact = tuple[str, str, str]

#: Kinds of fact a place can have, in the order reports list them.
FACT_KINDS = ("enum", "alternative", "nullable", "optional")


def label(value: Any) -> str:
    """How a value is named in a coverage report: strings as they are, others as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _step(place: str, name: str) -> str:
    return f"{place}/{jsonpointer.escape(name)}"


def parent(place: str) -> str:
    """The place holding ``place`` (``/a/*/b`` is held by ``/a/*``; the root by itself)."""
    return place.rsplit("/", 1)[0]


def _nullable(node: Node) -> bool:
    kinds = node.kinds
    return "null" in kinds and len(kinds) > 1


def _concrete(node: Node) -> list[Node]:
    """The alternatives of a combinator that can hold something other than null."""
    return [b for b in node.branches if b.kinds != frozenset({"null"})]


def _branch_label(node: Node, branch: Node) -> str:
    if node.discriminator is not None:
        prop = branch.properties.get(node.discriminator)
        if prop is not None:
            values = [prop.const] if prop.has_const else list(prop.enum or ())
            return ", ".join(label(v) for v in values)
    if branch.has_const:
        return label(branch.const)
    if branch.title:
        return branch.title
    return branch.describe_types()


@dataclass
class Place:
    """What the contract allows at one place: enum values, alternatives, null, optionality."""

    enum: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    nullable: bool = False
    optional: bool = False
    container: bool = False


def _add(values: list[str], new: Iterator[str] | list[str]) -> None:
    for value in new:
        if value not in values:
            values.append(value)


def _walk(node: Node, place: str, out: dict[str, Place], active: frozenset[int]) -> None:
    here = out.setdefault(place, Place())
    if id(node) in active:  # pragma: no cover - recursion is refused when compiling
        return
    inside = active | {id(node)}
    if node.enum is not None:
        _add(here.enum, [label(v) for v in node.enum])
    if _nullable(node):
        here.nullable = True
    concrete = _concrete(node)
    if len(concrete) > 1:
        _add(here.alternatives, [_branch_label(node, b) for b in concrete])
    for branch in node.branches:
        _walk(branch, place, out, inside)
    if node.properties or node.items is not None or node.additional is not None:
        here.container = True
    for name, child in node.properties.items():
        below = _step(place, name)
        _walk(child, below, out, inside)
        if name not in node.required:
            out[below].optional = True
    for inner in (node.items, node.additional):
        if inner is not None:
            _walk(inner, place + "/*", out, inside)


@cache
def universe(name: str) -> dict[str, Place]:
    """Every place of the type's payloads and what the contract allows there, shallowest first."""
    out: dict[str, Place] = {}
    _walk(root(name), "", out, frozenset())
    order = {place: index for index, place in enumerate(out)}
    return dict(sorted(out.items(), key=lambda item: (item[0].count("/"), order[item[0]])))


def _choose(node: Node, value: Any) -> Node | None:
    """The alternative of a combinator that ``value`` belongs to, if one can tell."""
    if node.discriminator is not None and isinstance(value, dict):
        wanted = value.get(node.discriminator)
        for branch in node.branches:
            prop = branch.properties.get(node.discriminator)
            if prop is None:
                continue
            values = [prop.const] if prop.has_const else list(prop.enum or ())
            if any(kind_of(v) == kind_of(wanted) and v == wanted for v in values):
                return branch
        return None
    kind = kind_of(value)
    fitting = [b for b in node.branches if kind in b.kinds]
    if len(fitting) > 1 and kind not in ("array", "object"):
        fitting = [b for b in fitting if locally_valid(b, value)] or fitting
    return fitting[0] if fitting else None


def _observe(node: Node, value: Any, place: str, found: Counter[Fact]) -> None:
    if value is not None:
        found[("reached", place, kind_of(value))] += 1
    if node.enum is not None:
        known = any(kind_of(v) == kind_of(value) and v == value for v in node.enum)
        found[("enum" if known else "outside", place, label(value))] += 1
    if _nullable(node):
        found[("nullable", place, "null" if value is None else "non-null")] += 1
    if node.branches:
        chosen = _choose(node, value)
        if chosen is not None:
            if len(_concrete(node)) > 1 and chosen.kinds != frozenset({"null"}):
                found[("alternative", place, _branch_label(node, chosen))] += 1
            _observe(chosen, value, place, found)
    if isinstance(value, dict):
        for name, child in node.properties.items():
            below = _step(place, name)
            if name not in node.required:
                found[("optional", below, "present" if name in value else "absent")] += 1
            if name in value:
                _observe(child, value[name], below, found)
        if node.additional is not None:
            for key, item in value.items():
                if key not in node.properties:
                    _observe(node.additional, item, place + "/*", found)
    elif isinstance(value, list) and node.items is not None:
        for item in value:
            _observe(node.items, item, place + "/*", found)


def facts(payload: Any, name: str) -> Counter[Fact]:
    """What one payload of the named type shows, place by place."""
    found: Counter[Fact] = Counter()
    _observe(root(name), payload, "", found)
    return found


def page_jobs(payload: Any, page: str, job: str) -> list[Any] | None:
    """The jobs of a page payload (the array of ``job`` items the page type holds), else None.

    The array and the page's marker (its ``object`` const) are read from the page schema.
    """
    if not isinstance(payload, dict):
        return None
    node, target = root(page), root(job)
    for prop, child in node.properties.items():
        if child.has_const and payload.get(prop) != child.const:
            return None
    for prop, child in node.properties.items():
        if child.items is target:
            items = payload.get(prop)
            return items if isinstance(items, list) else None
    return None


__all__ = ["FACT_KINDS", "Fact", "Place", "facts", "label", "page_jobs", "parent", "universe"]
