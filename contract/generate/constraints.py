"""Every constraint reachable from a type, and a deterministic coverage corpus.

:func:`constraints` walks the compiled schema of a type and lists each
assertion keyword once per schema location (``Document.json#/pointer``), with
every route by which a payload reaches it. :func:`corpus` builds, for each
constraint, the boundary values that pass and the minimal payloads that fail,
all labelled; :func:`coverage` summarises which constraints have both, as the
``finetune-contract coverage`` table shows.

Every case is checked with the fast validator when the corpus is built: a
"passing" case that the validator rejects, or a "failing" one it accepts, is
dropped, so it shows up as a gap in the coverage table instead of as a wrong
label.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from contract import schema as _registry
from contract._core import jsonpointer
from contract.generate.labels import describe_kind, show
from contract.generate.windows import HINT_EXAMPLES, minimal_integer, ordered_branches
from contract.schema.tree import KINDS, Node, discriminator_values, locally_valid, root
from contract.validation import fast_validator

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

__all__ = [
    "Branch",
    "Case",
    "Constraint",
    "Extra",
    "Item",
    "Prop",
    "Row",
    "constraints",
    "corpus",
    "coverage",
    "describe_kind",
    "show",
]


@dataclass(frozen=True)
class Prop:
    """Route step: into the named property of an object."""

    name: str


@dataclass(frozen=True)
class Item:
    """Route step: into an element of an array."""


@dataclass(frozen=True)
class Extra:
    """Route step: into a value an object's ``additionalProperties`` describes."""


@dataclass(frozen=True)
class Branch:
    """Route step: into one alternative of a ``oneOf``/``anyOf`` (same value)."""

    index: int


Step = Prop | Item | Extra | Branch
Route = tuple[Step, ...]

#: Keywords that assert something about a value, in the order the table lists them.
KEYWORDS = (
    "type",
    "const",
    "enum",
    "required",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "maxLength",
    "minLength",
    "minItems",
    "maxItems",
    "maxProperties",
    "propertyNames",
    "oneOf",
    "anyOf",
)


@dataclass(frozen=True)
class Constraint:
    """One assertion keyword at one schema location, and the routes that reach it."""

    location: str
    keyword: str
    node: Node = field(compare=False, repr=False)
    routes: tuple[Route, ...] = field(compare=False, repr=False)

    @property
    def argument(self) -> Any:
        """The keyword's value as the schema states it."""
        node = self.node
        return {
            "type": node.types,
            "const": node.const,
            "enum": node.enum,
            "required": node.required,
            "minimum": node.minimum,
            "exclusiveMinimum": node.exclusive_minimum,
            "maximum": node.maximum,
            "maxLength": node.max_length,
            "minLength": node.min_length,
            "minItems": node.min_items,
            "maxItems": node.max_items,
            "maxProperties": node.max_properties,
            "propertyNames": node.property_names.max_length if node.property_names else None,
        }.get(self.keyword)


def keywords_of(node: Node) -> list[str]:
    """The assertion keywords a node carries."""
    present = {
        "type": node.types is not None,
        "const": node.has_const,
        "enum": node.enum is not None,
        "required": bool(node.required),
        "minimum": node.minimum is not None,
        "exclusiveMinimum": node.exclusive_minimum is not None,
        "maximum": node.maximum is not None,
        "maxLength": node.max_length is not None,
        "minLength": node.min_length is not None,
        "minItems": node.min_items is not None,
        "maxItems": node.max_items is not None,
        "maxProperties": node.max_properties is not None,
        "propertyNames": node.property_names is not None
        and node.property_names.max_length is not None,
        "oneOf": node.combinator == "oneOf",
        "anyOf": node.combinator == "anyOf",
    }
    return [k for k in KEYWORDS if present[k]]


def _routes(node: Node, route: Route, active: frozenset[int]) -> Iterator[tuple[Route, Node]]:
    yield route, node
    if id(node) in active:  # pragma: no cover - recursion is refused when compiling
        return
    inside = active | {id(node)}
    for index, branch in enumerate(node.branches):
        yield from _routes(branch, (*route, Branch(index)), inside)
    for name, child in node.properties.items():
        yield from _routes(child, (*route, Prop(name)), inside)
    if node.items is not None:
        yield from _routes(node.items, (*route, Item()), inside)
    if node.additional is not None:
        yield from _routes(node.additional, (*route, Extra()), inside)


@cache
def constraints(
    name: str = _registry.DEFAULT_SCHEMA, profile: Profile | None = None
) -> tuple[Constraint, ...]:
    """Every constraint reachable from the type, shallowest first, each location once.

    With a profile: of the tree its unconditional amendments amend
    (:func:`contract.schema.tree.root`).
    """
    found: dict[tuple[str, str], tuple[Node, list[Route]]] = {}
    top = root(name, profile)
    for route, node in sorted(_routes(top, (), frozenset()), key=lambda rn: len(rn[0])):
        for keyword in keywords_of(node):
            key = (node.location, keyword)
            if key not in found:
                found[key] = (node, [])
            found[key][1].append(route)
    return tuple(
        Constraint(location, keyword, node, tuple(routes))
        for (location, keyword), (node, routes) in found.items()
    )


def slot_route(route: Route) -> Route:
    """The route to the value a constraint judges: trailing branch choices removed."""
    end = len(route)
    while end and isinstance(route[end - 1], Branch):
        end -= 1
    return route[:end]


def subject(name: str, route: Route) -> str:
    """A short name for the value at the end of a route (the property it sits under)."""
    label = name
    for step in route:
        if isinstance(step, Prop):
            label = step.name
        elif isinstance(step, Item):
            label = f"{label} item"
        elif isinstance(step, Extra):
            label = f"{label} value"
    return label


def hint_of(route: Route) -> str | None:
    """The property name strings at the end of the route are generated for."""
    hint: str | None = None
    for step in route:
        if isinstance(step, Prop):
            hint = step.name
        elif isinstance(step, Extra):
            hint = None
    return hint


def pointer(parts: Sequence[str | int]) -> str:
    """A JSON Pointer from path segments."""
    return jsonpointer.build(parts)


# -- the deterministic corpus ------------------------------------------------------------------

#: One representative value of each kind, for "wrong type" cases.
KIND_SAMPLES: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 0,
    "float": 0.5,
    "string": "",
    "array": [],
    "object": {},
}
_KEY = "k"
_TYPE_ORDER = ("null", "boolean", "integer", "number", "string", "array", "object")


def minimal(node: Node, hint: str | None = None) -> Any:
    """The simplest value ``node`` accepts (readable identifiers where hinted)."""
    if node.has_const:
        return node.const
    if node.enum is not None:
        return node.enum[0]
    if node.branches:
        return minimal(ordered_branches(node)[0][1], hint)
    if node.types is None:
        return None
    kind = min(node.types, key=_TYPE_ORDER.index)
    if kind == "null":
        return None
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        value: int | float = minimal_integer(node)
        if kind == "number" and not locally_valid(node, value):
            bound = node.lower
            if bound is not None:
                value = math.nextafter(bound[0], math.inf)
            elif node.maximum is not None:
                value = node.maximum
        return value
    if kind == "string":
        if hint in HINT_EXAMPLES and node.max_length is None:
            return HINT_EXAMPLES[hint]
        examples = [e for e in node.examples if isinstance(e, str) and locally_valid(node, e)]
        return examples[0] if examples else "a" * (node.min_length or 0)
    if kind == "array":
        item = minimal(node.items, hint) if node.items is not None else None
        return [item] * (node.min_items or 0)
    return {name: minimal(node.properties[name], name) for name in node.required}


def place(node: Node, route: Route, leaf: Any) -> tuple[Any, tuple[str | int, ...]]:
    """The simplest value of ``node`` with ``leaf`` at the end of ``route``, and its path."""
    if not route:
        return leaf, ()
    step, rest = route[0], route[1:]
    if isinstance(step, Branch):
        return place(node.branches[step.index], rest, leaf)
    if isinstance(step, Prop):
        value, path = place(node.properties[step.name], rest, leaf)
        result = {n: minimal(node.properties[n], n) for n in node.required if n != step.name}
        result[step.name] = value
        return result, (step.name, *path)
    if isinstance(step, Item):
        assert node.items is not None
        value, path = place(node.items, rest, leaf)
        others = [minimal(node.items)] * max(0, (node.min_items or 0) - 1)
        return [value, *others], (0, *path)
    assert node.additional is not None
    value, path = place(node.additional, rest, leaf)
    return {_KEY: value}, (_KEY, *path)


@dataclass(frozen=True)
class Case:
    """One labelled payload of the coverage corpus."""

    location: str  # the constraint's schema location
    keyword: str  # the constraint's keyword
    valid: bool  # whether the payload conforms
    path: str  # JSON Pointer of the value the case is about (the violation when invalid)
    description: str
    payload: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "keyword": self.keyword,
            "valid": self.valid,
            "path": self.path,
            "description": self.description,
            "payload": self.payload,
        }


def wrong_kinds(slot: Node) -> list[str]:
    """Kinds of value the slot accepts none of, in a fixed order."""
    accepted = slot.kinds
    return [k for k in KINDS if k not in accepted]


def step_into(node: Node, step: Step) -> Node:
    """The schema node one route step below ``node``."""
    if isinstance(step, Branch):
        return node.branches[step.index]
    if isinstance(step, Prop):
        return node.properties[step.name]
    child = node.items if isinstance(step, Item) else node.additional
    assert child is not None
    return child


def slot_of(top: Node, route: Route) -> tuple[Node, list[Any] | None]:
    """The node of a constraint's slot below ``top``, and, when the slot is a ``oneOf``'s
    discriminator, the discriminator values (a mutant there must avoid them all)."""
    node, taken = top, None
    steps = slot_route(route)
    for position, step in enumerate(steps):
        if isinstance(step, Branch):
            after = steps[position + 1] if position + 2 == len(steps) else None
            if isinstance(after, Prop) and node.discriminator == after.name:
                taken = discriminator_values(node)
        node = step_into(node, step)
    return node, taken


def errors_above(validator: Any, payload: Any, path: tuple[str | int, ...]) -> bool:
    """Whether the payload is invalid with an error at or above ``path``."""
    for error in validator.iter_errors(payload):
        where = tuple(error.instance_path)
        if where == path[: len(where)]:
            return True
    return False


def _node_at(top: Node, route: Route) -> Node:
    node = top
    for step in route:
        node = step_into(node, step)
    return node


def _number_kind(node: Node) -> str:
    return "number" if node.types and "number" in node.types else "integer"


def _boundary_cases(c: Constraint, who: str, hint: str | None) -> Iterator[tuple[bool, Any, str]]:
    """(valid, value-at-slot, description) pairs for one constraint."""
    node, keyword = c.node, c.keyword
    if keyword == "type":
        yield True, minimal(node, hint), f"{who} of type {' or '.join(node.types or ())}"
    elif keyword == "const":
        yield True, node.const, f"{who} is {show(node.const)}"
        if isinstance(node.const, str):
            yield False, node.const + "_x", f"{who} is not {show(node.const)}"
    elif keyword == "enum":
        values = node.enum or ()
        for value in values:
            yield True, value, f"{who} is {show(value)}"
        if all(isinstance(v, str) for v in values):
            yield False, "".join(str(v) for v in values[:1]) + "_x", f"{who} outside enum"
    elif keyword in ("minimum", "maximum", "exclusiveMinimum"):
        yield from _number_cases(node, keyword, who)
    elif keyword == "maxLength":
        limit = node.max_length or 0
        yield True, "a" * limit, f"{who} of exactly maxLength {limit}"
        yield False, "a" * (limit + 1), f"{who} longer than maxLength {limit}"
    elif keyword == "minLength":
        limit = node.min_length or 0
        yield True, "a" * limit, f"{who} of exactly minLength {limit}"
        if limit > 0:
            yield False, "a" * (limit - 1), f"{who} shorter than minLength {limit}"
    elif keyword in ("minItems", "maxItems"):
        limit = (node.min_items if keyword == "minItems" else node.max_items) or 0
        item = minimal(node.items) if node.items is not None else None
        yield True, [item] * limit, f"{who} with exactly {keyword} {limit} items"
        if keyword == "maxItems":
            yield False, [item] * (limit + 1), f"{who} with more than {limit} items"
        elif limit > 0:
            yield False, [item] * (limit - 1), f"{who} with fewer than {limit} items"
    elif keyword == "maxProperties":
        limit = node.max_properties or 0
        value = minimal(node.additional) if node.additional is not None else None
        full = {f"k{i}": value for i in range(limit)}
        yield True, full, f"{who} with exactly maxProperties {limit} properties"
        yield False, {**full, f"k{limit}": value}, f"{who} with more than {limit} properties"
    elif keyword == "propertyNames":
        assert node.property_names is not None
        limit = node.property_names.max_length or 0
        value = minimal(node.additional) if node.additional is not None else None
        yield True, {"k" * limit: value}, f"{who} key of exactly {limit} characters"
        yield False, {"k" * (limit + 1): value}, f"{who} key longer than {limit} characters"


def _number_cases(node: Node, keyword: str, who: str) -> Iterator[tuple[bool, Any, str]]:
    integer = _number_kind(node) == "integer"
    if keyword == "minimum":
        bound = node.minimum
        assert bound is not None
        yield True, math.ceil(bound) if integer else bound, f"{who} at minimum {show(bound)}"
        below = math.ceil(bound) - 1 if integer else math.nextafter(bound, -math.inf)
        yield False, below, f"{who} below minimum {show(bound)}"
    elif keyword == "maximum":
        bound = node.maximum
        assert bound is not None
        yield True, math.floor(bound) if integer else bound, f"{who} at maximum {show(bound)}"
        above = math.floor(bound) + 1 if integer else math.nextafter(bound, math.inf)
        yield False, above, f"{who} above maximum {show(bound)}"
    else:
        bound = node.exclusive_minimum
        assert bound is not None
        above = math.floor(bound) + 1 if integer else math.nextafter(bound, math.inf)
        yield True, above, f"{who} just above exclusive minimum {show(bound)}"
        if not integer or float(bound).is_integer():
            at = int(bound) if integer else bound
            yield False, at, f"{who} at exclusive minimum {show(bound)}"
        if integer:
            yield False, math.ceil(bound) - 1, f"{who} below exclusive minimum {show(bound)}"


def _cases_for(name: str, c: Constraint) -> Iterator[Case]:
    top = root(name)
    route = c.routes[0]
    to_slot = slot_route(route)
    slot = _node_at(top, to_slot)
    who = subject(name, to_slot)
    hint = hint_of(route)

    def case(valid: bool, leaf: Any, description: str, extra: Sequence[str | int] = ()) -> Case:
        payload, path = place(top, to_slot, leaf)
        return Case(c.location, c.keyword, valid, pointer((*path, *extra)), description, payload)

    if c.keyword == "required":
        full = minimal(c.node, hint)
        yield case(True, full, f"{who} with every required property")
        for prop in c.node.required:
            partial = {k: v for k, v in full.items() if k != prop}
            yield case(False, partial, f"{who} missing required property {show(prop)}")
        return
    if c.keyword in ("oneOf", "anyOf"):
        for index, branch in ordered_branches(c.node):
            yield case(
                True, minimal(branch, hint), f"{who} matching {c.keyword} alternative {index}"
            )
        if c.node.discriminator is not None:
            disc = c.node.discriminator
            taken = discriminator_values(c.node)
            first = next(b for b in c.node.branches if disc in b.properties)
            value = dict(minimal(first, hint))
            value[disc] = _unused(taken)
            yield case(False, value, f"{who} {disc} matches no {c.keyword} alternative", (disc,))
    else:
        for valid, leaf, description in _boundary_cases(c, who, hint):
            yield case(valid, leaf, description)
    if c.keyword in ("type", "const", "enum", "oneOf", "anyOf"):
        for kind in wrong_kinds(slot):
            yield case(False, KIND_SAMPLES[kind], f"{who} of wrong type {kind}")


def _unused(taken: Sequence[Any]) -> str:
    candidate = "unknown"
    while candidate in taken:
        candidate += "_x"
    return candidate


@cache
def corpus(name: str = _registry.DEFAULT_SCHEMA) -> tuple[Case, ...]:
    """The labelled coverage corpus of a type: passing and failing cases per constraint.

    Deterministic: the same schema documents always give the same corpus.
    Cases the fast validator disagrees with are left out (see :func:`coverage`).
    """
    validator = fast_validator(name)
    result: list[Case] = []
    seen: set[tuple[str, str, str]] = set()
    for c in constraints(name):
        for case in _cases_for(name, c):
            key = (c.location, c.keyword, json.dumps(case.payload, sort_keys=True))
            if key in seen or bool(validator.is_valid(case.payload)) != case.valid:
                continue
            seen.add(key)
            result.append(case)
    return tuple(result)


@dataclass(frozen=True)
class Row:
    """One line of the coverage table."""

    location: str
    keyword: str
    passing: int
    failing: int

    @property
    def covered(self) -> bool:
        return self.passing > 0 and self.failing > 0


def coverage(name: str = _registry.DEFAULT_SCHEMA) -> list[Row]:
    """For every constraint of the type, how many passing and failing corpus cases exist."""
    counts: dict[tuple[str, str], list[int]] = {
        (c.location, c.keyword): [0, 0] for c in constraints(name)
    }
    for case in corpus(name):
        counts[(case.location, case.keyword)][0 if case.valid else 1] += 1
    return [Row(loc, kw, p, f) for (loc, kw), (p, f) in counts.items()]
