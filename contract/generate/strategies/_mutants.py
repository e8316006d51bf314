"""Mutation operators: conforming payloads with exactly one rule broken.

A mutant is built top-down: pick a kind of rule (keyword), then a constraint
of that kind (shallow ones first, so failures shrink to simple mutants), one of
the routes by which a payload reaches it, generate a conforming payload along
that route (every other part drawn from the compiler's conforming strategies,
the minimal ones for a minimal context, so it stays valid), and put at the end
of the route a value that breaks that one constraint. The fast validator then
confirms the payload is invalid and that its errors sit at or above the
labelled path; anything else is discarded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract.generate import labels as labels
from contract.generate.constraints import (
    Constraint,
    Extra,
    Item,
    Prop,
    Route,
    constraints,
    errors_above,
    hint_of,
    slot_of,
    slot_route,
    step_into,
    subject,
    wrong_kinds,
)
from contract.generate.strategies._values import Compiler, any_json, compiler
from contract.generate.windows import INT_MAX, INT_MIN
from contract.schema.tree import Node, discriminator_values
from contract.validation import fast_validator

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

Path = tuple[str | int, ...]
#: What a leaf operator draws: the bad value, the path below the slot, keyword, description.
Leaf = tuple[Any, Path, str, str]
LeafStrategy = st.SearchStrategy[Leaf]
#: One step of a route: the other entries of the container, and the key (None: a position).
Level = tuple[st.SearchStrategy[Any], str | st.SearchStrategy[str] | None]


# -- placing a value at the end of a route -------------------------------------------------------


def pinned(
    c: Compiler, node: Node, route: Route, leaf: LeafStrategy, hint: str | None
) -> LeafStrategy:
    """Conforming values of ``node`` whose part at the end of ``route`` comes from ``leaf``.

    One composite walks the route: at each object it draws the other properties,
    at each array the other items and the position, at each map the other pairs
    and the key; then the leaf; then it nests the leaf's value back up the route.
    """
    levels: list[Level] = []
    for step in route:
        if isinstance(step, Prop):
            levels.append((c.fixed(node, skip=step.name), step.name))
            hint = step.name
        elif isinstance(step, Item):
            assert node.items is not None
            low, high = c.others(
                max(0, (node.min_items or 0) - 1),
                None if node.max_items is None else node.max_items - 1,
            )
            levels.append(
                (st.lists(c.strategy(node.items, hint), min_size=low, max_size=high), None)
            )
        elif isinstance(step, Extra):
            _, limit = c.others(0, None if node.max_properties is None else node.max_properties - 1)
            levels.append((c.additional(node, max_size=limit), c.keys(node)))
            hint = None
        node = step_into(node, step)

    return _build(tuple(levels), leaf) if levels else leaf


# Composites are defined once, at module level: decorating a function with
# st.composite inspects its source, which costs milliseconds per call.
@st.composite
def _build(draw: st.DrawFn, levels: tuple[Level, ...], leaf: LeafStrategy) -> Leaf:
    places: list[tuple[Any, str | int]] = []
    for context, key in levels:
        others = draw(context)
        if key is None:
            places.append((others, draw(_position(len(others)))))
        elif isinstance(key, str):
            places.append((others, key))
        else:
            # A drawn key already among the others is overwritten: still one bad value.
            places.append((others, draw(key)))
    value, below, keyword, description = draw(leaf)
    for others, key in reversed(places):
        if isinstance(others, list):
            assert isinstance(key, int)
            value = [*others[:key], value, *others[key:]]
        else:
            value = {**others, key: value}
    return value, (*(key for _, key in places), *below), keyword, description


@cache
def _position(count: int) -> st.SearchStrategy[int]:
    """Where among ``count`` other items the pinned one goes."""
    return st.integers(0, count)


# -- values that break one constraint ------------------------------------------------------------


def _floats_below(bound: float, inclusive: bool) -> st.SearchStrategy[float]:
    return st.floats(
        max_value=bound, exclude_max=not inclusive, allow_nan=False, allow_infinity=False
    )


def _floats_above(bound: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=bound, exclude_min=True, allow_nan=False, allow_infinity=False)


def _non_integral() -> st.SearchStrategy[float]:
    return st.floats(-1e9, 1e9, allow_nan=False).filter(lambda f: not f.is_integer())


def _kind_values(c: Compiler, kind: str) -> st.SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return c.integers_any()
    if kind == "float":
        return _non_integral()
    if kind == "string":
        return c.text(max_size=12)
    if kind == "array":
        return st.lists(any_json(), max_size=3)
    return st.dictionaries(c.text(max_size=8), any_json(), max_size=3)


def _leaf(values: st.SearchStrategy[Any], label: labels.Label) -> LeafStrategy:
    keyword, description = label
    return values.map(lambda v: (v, (), keyword, description))


def _wrong_kind(c: Compiler, slot: Node, who: str) -> list[LeafStrategy]:
    return [
        _leaf(_kind_values(c, kind), labels.wrong_type(who, kind)) for kind in wrong_kinds(slot)
    ]


def operators(
    c: Compiler,
    con: Constraint,
    slot: Node,
    who: str,
    hint: str | None,
    taken: list[Any] | None = None,
) -> list[LeafStrategy]:
    """Leaf strategies that break ``con`` at a slot (the value the route ends at).

    ``taken`` is given when the slot is the discriminator of a ``oneOf``: the
    values every branch takes. A bad value then avoids all of them, and the
    label says which rule fails: no alternative of the ``oneOf`` matches.
    """
    node, keyword = con.node, con.keyword
    if keyword == "type":
        return _wrong_kind(c, slot, who)
    if keyword in ("const", "enum"):
        allowed = [node.const] if keyword == "const" else list(node.enum or ())
        ops = []
        if all(isinstance(v, str) for v in allowed):
            avoid = allowed + list(taken or ())
            text = c.text(max_size=12) | st.sampled_from(allowed).flatmap(
                lambda v: c.text(min_size=1, max_size=4).map(lambda tail: v + tail)
            )
            bad = text.filter(lambda s: s not in avoid)
            if taken is not None:
                ops.append(_leaf(bad, labels.no_alternative(who)))
            elif keyword == "const":
                ops.append(_leaf(bad, labels.not_const(who, allowed[0])))
            else:
                ops.append(_leaf(bad, labels.outside_enum(who)))
        return ops
    if keyword == "required":
        whole = c.strategy(node, hint)
        return [whole.map(_without(prop, who)) for prop in node.required]
    if keyword in ("minimum", "maximum", "exclusiveMinimum"):
        return _number_ops(c, node, keyword, who)
    if keyword == "maxLength":
        limit = node.max_length or 0
        too_long = c.text(min_size=limit + 1, max_size=limit + 9)
        return [_leaf(too_long, labels.too_long(who, limit))]
    if keyword == "minLength":
        limit = node.min_length or 0
        too_short = c.text(max_size=limit - 1) if limit > 0 else st.nothing()
        return [_leaf(too_short, labels.too_short(who, limit))] if limit else []
    if keyword in ("maxItems", "minItems"):
        items = c.strategy(node.items, hint) if node.items is not None else any_json()
        if keyword == "maxItems":
            limit = node.max_items or 0
            lists = st.lists(items, min_size=limit + 1, max_size=limit + 3)
            return [_leaf(lists, labels.too_many_items(who, limit))]
        limit = node.min_items or 0
        lists = st.lists(items, max_size=limit - 1) if limit > 0 else st.nothing()
        return [_leaf(lists, labels.too_few_items(who, limit))] if limit else []
    if keyword == "maxProperties":
        limit = node.max_properties or 0
        many = c.additional(node, min_size=limit + 1, max_size=limit + 3)
        return [_leaf(many, labels.too_many_properties(who, limit))]
    if keyword == "propertyNames":
        return [_bad_key(c, node, who)]
    if keyword == "oneOf" and node.discriminator is not None:
        return [_bad_discriminator(c, node, who, hint)]
    return []  # oneOf/anyOf without a discriminator: wrong-type values (the "type" operator)


def _without(prop: str, who: str) -> Callable[[dict[str, Any]], Leaf]:
    keyword, description = labels.missing(who, prop)

    def drop(value: dict[str, Any]) -> Leaf:
        return {k: v for k, v in value.items() if k != prop}, (), keyword, description

    return drop


def _number_ops(c: Compiler, node: Node, keyword: str, who: str) -> list[LeafStrategy]:
    integer = not (node.types and "number" in node.types)
    ops: list[LeafStrategy] = []
    if keyword == "minimum":
        bound = node.minimum
        assert bound is not None
        values: st.SearchStrategy[Any] = st.integers(INT_MIN, math.ceil(bound) - 1)
        if not integer:
            values = values | _floats_below(float(bound), inclusive=False)
        ops.append(_leaf(values, labels.below_minimum(who, bound)))
    elif keyword == "maximum":
        bound = node.maximum
        assert bound is not None
        values = st.integers(math.floor(bound) + 1, INT_MAX)
        if not integer:
            values = values | _floats_above(float(bound))
        ops.append(_leaf(values, labels.above_maximum(who, bound)))
    else:
        bound = node.exclusive_minimum
        assert bound is not None
        if not integer or float(bound).is_integer():
            at = st.sampled_from([int(bound)] if integer else [bound, float(bound)])
            ops.append(_leaf(at, labels.at_exclusive_minimum(who, bound)))
        below: st.SearchStrategy[Any] = st.integers(INT_MIN, math.ceil(bound) - 1)
        if not integer:
            below = below | _floats_below(float(bound), inclusive=False)
        ops.append(_leaf(below, labels.below_exclusive_minimum(who, bound)))
    return ops


def _bad_key(c: Compiler, node: Node, who: str) -> LeafStrategy:
    assert node.property_names is not None
    limit = node.property_names.max_length or 0
    _, room = c.others(0, None if node.max_properties is None else node.max_properties - 1)
    if node.additional is not None and not node.properties:
        base: st.SearchStrategy[dict[str, Any]] = c.additional(node, max_size=room)
        value = c.strategy(node.additional)
    else:
        base, value = c.objects(node), any_json()
    key = c.text(min_size=limit + 1, max_size=limit + 9)
    keyword, description = labels.key_too_long(who, limit)
    return st.builds(
        lambda d, k, v: ({**d, k: v}, (), keyword, description),
        base,
        key,
        value,
    )


def _bad_discriminator(c: Compiler, node: Node, who: str, hint: str | None) -> LeafStrategy:
    name = node.discriminator
    assert name is not None
    taken = discriminator_values(node)
    objects = [b for b in node.branches if name in b.properties]
    bad = c.text(max_size=12).filter(lambda s: s not in taken)
    keyword, description = labels.no_alternative(who, name)
    return st.builds(
        lambda value, replacement: ({**value, name: replacement}, (name,), keyword, description),
        st.one_of([c.strategy(b, hint) for b in objects]),
        bad,
    )


# -- the mutant strategy ---------------------------------------------------------------------------


#: Order keywords are tried in; shrinking moves towards the first (a missing property).
_KEYWORD_ORDER = (
    "required",
    "type",
    "const",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "propertyNames",
    "oneOf",
    "anyOf",
)


class _Sites:
    """Every (constraint, route) of a type with its mutation operators, built lazily."""

    def __init__(self, name: str, c: Compiler, profile: Profile | None = None) -> None:
        from contract.schema.tree import root

        self.name = name
        self.c = c
        self.top = root(name, profile)
        self.constraints = [con for con in constraints(name, profile) if self._breakable(con)]
        self._cache: dict[tuple[int, int], LeafStrategy] = {}

    def _breakable(self, con: Constraint) -> bool:
        route = con.routes[0]
        return bool(operators(self.c, con, self._slot(route), "", hint_of(route)))

    def _slot(self, route: Route) -> Node:
        return self._walk(route)[0]

    def _walk(self, route: Route) -> tuple[Node, list[Any] | None]:
        """The slot's node, and the discriminator values if the slot is a oneOf's discriminator."""
        return slot_of(self.top, route)

    def site(self, index: int, route_index: int) -> LeafStrategy:
        key = (index, route_index)
        found = self._cache.get(key)
        if found is None:
            con = self.constraints[index]
            route = con.routes[route_index]
            to_slot = slot_route(route)
            slot, taken = self._walk(route)
            who = subject(self.name, to_slot)
            ops = operators(self.c, con, slot, who, hint_of(route), taken)
            found = pinned(self.c, self.top, to_slot, st.one_of(ops), None)
            self._cache[key] = found
        return found

    def strategy(self) -> LeafStrategy:
        """Every site's mutants; the sites are built and validated now, not on first draw.

        (Building them lazily would bill the first examples of a test run for it, which
        Hypothesis's too-slow health check counts.)
        """
        if not self.constraints:
            raise ValueError(f"{self.name} has no constraint a payload could break")
        for index, con in enumerate(self.constraints):
            for route_index in range(len(con.routes)):
                self.site(index, route_index).validate()

        by_keyword: dict[str, list[int]] = {}
        for index, con in enumerate(self.constraints):
            by_keyword.setdefault(con.keyword, []).append(index)
        order = [k for k in _KEYWORD_ORDER if k in by_keyword]
        order += sorted(set(by_keyword) - set(order))

        keywords = st.sampled_from(order)
        constraints_of = {k: st.sampled_from(v) for k, v in by_keyword.items()}
        routes_of = [_position(len(con.routes) - 1) for con in self.constraints]

        return _draw_site(self, keywords, constraints_of, tuple(routes_of))


@st.composite
def _draw_site(
    draw: st.DrawFn,
    sites: _Sites,
    keywords: st.SearchStrategy[str],
    constraints_of: dict[str, st.SearchStrategy[int]],
    routes_of: tuple[st.SearchStrategy[int], ...],
) -> Leaf:
    # Keyword first, so that every kind of rule is broken about as often,
    # however many constraints of each kind the type has.
    index = draw(constraints_of[draw(keywords)])
    return draw(sites.site(index, draw(routes_of[index])))


@cache
def leaves(
    name: str, *, realistic: bool, minimal: bool, profile: Profile | None = None
) -> LeafStrategy:
    """(payload, path parts, keyword, description), verified invalid at the labelled path.

    ``minimal`` draws the valid rest of the payload from the minimal compiler.
    Under a profile the mutants break the tree its unconditional amendments
    amend, and are verified invalid under the whole profile (a value a
    conditional amendment accepts is not yielded).
    """
    c = compiler(realistic=realistic, extra_properties=False, minimal=minimal, profile=profile)
    validator = fast_validator(name, profile)
    sites = _Sites(name, c, profile).strategy()
    return sites.filter(lambda leaf: errors_above(validator, leaf[0], leaf[1]))
