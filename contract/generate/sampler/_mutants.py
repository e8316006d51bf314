"""Mutants from a ``Random``: conforming payloads with exactly one rule broken, labelled.

The same construction as the Hypothesis mutants (:mod:`contract.generate.strategies._mutants`):
pick a kind of rule (keyword) uniformly, then a constraint of that kind, then one
of the routes a payload reaches it by; draw the valid rest of the payload along
the route (minimal or full context) and put at its end a value that breaks the
one constraint. The labels come from :mod:`contract.generate.labels`. The fast validator
then confirms the payload is invalid with an error at or above the labelled
path; a draw that is not is discarded and another drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

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
    minimal,
    slot_of,
    slot_route,
    step_into,
    subject,
    wrong_kinds,
)
from contract.generate.mutant import Mutant, pointer
from contract.generate.sampler._text import Draw, Rng, any_int, any_json
from contract.generate.sampler._values import ValueSampler, lists, value_sampler
from contract.generate.windows import INT_MAX, INT_MIN
from contract.schema.tree import Node, discriminator_values, root
from contract.validation import fast_validator

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

Path = tuple[str | int, ...]
#: What a leaf operator draws: the bad value, the path below the slot, keyword, description.
Leaf = tuple[Any, Path, str, str]
LeafDraw = Callable[[Rng], Leaf]
#: What a site draws: the payload, its twin (a valid value at the slot), path, keyword, description.
Drawn = tuple[Any, Any, Path, str, str]
SiteDraw = Callable[[Rng], Drawn]

#: Draws of one mutant that may fail verification before the sampler gives up (a bug).
MAX_ATTEMPTS = 1000


# -- placing a value at the end of a route -------------------------------------------------------


def pinned(c: ValueSampler, node: Node, route: Route, leaf: LeafDraw, twin: Any) -> SiteDraw:
    """Conforming values of ``node`` whose part at the end of ``route`` comes from ``leaf``.

    Each comes with its twin: the same payload with ``twin`` (a valid value of the
    slot) where the leaf's value is, for the check that only that value is wrong.
    """
    levels: list[tuple[Draw, str | Draw | None]] = []
    hint: str | None = None
    for step in route:
        if isinstance(step, Prop):
            levels.append((c.fields(node, skip=step.name), step.name))
            hint = step.name
        elif isinstance(step, Item):
            low, high = c.others(
                max(0, (node.min_items or 0) - 1),
                None if node.max_items is None else node.max_items - 1,
            )
            levels.append((lists(c.items(node, hint), low, high), None))
        elif isinstance(step, Extra):
            _, limit = c.others(0, None if node.max_properties is None else node.max_properties - 1)
            levels.append((c.additional(node, high=limit), c.keys(node)))
            hint = None
        node = step_into(node, step)

    def build(rng: Rng) -> Drawn:
        places: list[tuple[Any, str | int]] = []
        for context, key in levels:
            others = context(rng)
            if key is None:
                places.append((others, int(rng.random() * (len(others) + 1))))
            elif isinstance(key, str):
                places.append((others, key))
            else:
                # A drawn key already among the others is overwritten: still one bad value.
                places.append((others, key(rng)))
        value, below, keyword, description = leaf(rng)
        valid = twin
        for others, key in reversed(places):
            if isinstance(others, list):
                assert isinstance(key, int)
                value = [*others[:key], value, *others[key:]]
                valid = [*others[:key], valid, *others[key:]]
            else:
                value = {**others, key: value}
                valid = {**others, key: valid}
        return value, valid, (*(key for _, key in places), *below), keyword, description

    return build


# -- values that break one constraint ------------------------------------------------------------


def _leaf(values: Draw, label: labels.Label) -> LeafDraw:
    keyword, description = label
    return lambda rng: (values(rng), (), keyword, description)


def _non_integral(rng: Rng) -> float:
    value = (rng.random() * 2 - 1) * 10.0 ** rng.randint(0, 9)
    return value if not value.is_integer() else value + 0.5


def _kind_values(c: ValueSampler, kind: str) -> Draw:
    realistic = c.realistic
    if kind == "null":
        return lambda rng: None
    if kind == "boolean":
        return lambda rng: rng.random() < 0.5
    if kind == "integer":
        return lambda rng: any_int(rng, realistic)
    if kind == "float":
        return _non_integral
    if kind == "string":
        return c.text(0, 12)
    if kind == "array":
        return lambda rng: [any_json(rng, realistic) for _ in range(int(rng.random() * 4))]
    keys = c.text(0, 8)
    return lambda rng: {keys(rng): any_json(rng, realistic) for _ in range(int(rng.random() * 4))}


def _avoiding(values: Draw, avoid: list[Any]) -> Draw:
    def draw(rng: Rng) -> Any:
        while True:
            value = values(rng)
            if value not in avoid:
                return value

    return draw


def _below(low: int, high: int) -> Draw:
    """Integers from ``low`` to ``high``: ``high`` itself (the value just past the bound) a
    quarter of the time, one of the ten next to it another quarter, any the rest."""
    near = max(low, high - 9)

    def draw(rng: Rng) -> int:
        u = rng.random()
        if u < 0.25:
            return high
        return rng.randint(near, high) if u < 0.5 else rng.randint(low, high)

    return draw


def _above(low: int, high: int) -> Draw:
    """Integers from ``low`` to ``high``, ``low`` (just past the bound) and its neighbours often."""
    near = min(high, low + 9)

    def draw(rng: Rng) -> int:
        u = rng.random()
        if u < 0.25:
            return low
        return rng.randint(low, near) if u < 0.5 else rng.randint(low, high)

    return draw


def _either(first: Draw, second: Draw) -> Draw:
    return lambda rng: first(rng) if rng.random() < 0.5 else second(rng)


def _float_below(bound: float, inclusive: bool) -> Draw:
    def draw(rng: Rng) -> float:
        value = bound - rng.random() * 2.0 ** rng.randint(-20, 40)
        return value if (inclusive or value < bound) else math.nextafter(bound, -math.inf)

    return draw


def _float_above(bound: float) -> Draw:
    def draw(rng: Rng) -> float:
        value = bound + rng.random() * 2.0 ** rng.randint(-20, 40)
        return value if value > bound else math.nextafter(bound, math.inf)

    return draw


def operators(
    c: ValueSampler,
    con: Constraint,
    slot: Node,
    who: str,
    hint: str | None,
    taken: list[Any] | None = None,
) -> list[LeafDraw]:
    """Leaf draws that break ``con`` at a slot (the value the route ends at).

    ``taken`` is given when the slot is the discriminator of a ``oneOf``: the values
    every branch takes; a bad value then avoids all of them (no alternative matches).
    """
    node, keyword = con.node, con.keyword
    if keyword == "type":
        return [_leaf(_kind_values(c, k), labels.wrong_type(who, k)) for k in wrong_kinds(slot)]
    if keyword in ("const", "enum"):
        allowed = [node.const] if keyword == "const" else list(node.enum or ())
        if not all(isinstance(v, str) for v in allowed):
            return []
        short, tail = c.text(0, 12), c.text(1, 4)

        def near_miss(rng: Rng) -> str:
            if rng.random() < 0.5:
                return str(short(rng))
            return str(allowed[int(rng.random() * len(allowed))]) + str(tail(rng))

        bad = _avoiding(near_miss, allowed + list(taken or ()))
        if taken is not None:
            return [_leaf(bad, labels.no_alternative(who))]
        if keyword == "const":
            return [_leaf(bad, labels.not_const(who, allowed[0]))]
        return [_leaf(bad, labels.outside_enum(who))]
    if keyword == "required":
        return [_without(c.sampler(node, hint), prop, who) for prop in node.required]
    if keyword in ("minimum", "maximum", "exclusiveMinimum"):
        return _number_ops(node, keyword, who)
    if keyword == "maxLength":
        limit = node.max_length or 0
        return [_leaf(c.text(limit + 1, limit + 9), labels.too_long(who, limit))]
    if keyword == "minLength":
        limit = node.min_length or 0
        return [_leaf(c.text(0, limit - 1), labels.too_short(who, limit))] if limit else []
    if keyword == "maxItems":
        limit = node.max_items or 0
        many = lists(c.items(node, hint), limit + 1, limit + 3)
        return [_leaf(many, labels.too_many_items(who, limit))]
    if keyword == "minItems":
        limit = node.min_items or 0
        few = lists(c.items(node, hint), 0, limit - 1)
        return [_leaf(few, labels.too_few_items(who, limit))] if limit else []
    if keyword == "maxProperties":
        limit = node.max_properties or 0
        many = c.additional(node, limit + 1, limit + 3)
        return [_leaf(many, labels.too_many_properties(who, limit))]
    if keyword == "propertyNames":
        return [_bad_key(c, node, who)]
    if keyword == "oneOf" and node.discriminator is not None:
        return [_bad_discriminator(c, node, who, hint)]
    return []  # oneOf/anyOf without a discriminator: wrong-type values (the "type" operator)


def _without(whole: Draw, prop: str, who: str) -> LeafDraw:
    keyword, description = labels.missing(who, prop)

    def drop(rng: Rng) -> Leaf:
        value = whole(rng)
        return {k: v for k, v in value.items() if k != prop}, (), keyword, description

    return drop


def _number_ops(node: Node, keyword: str, who: str) -> list[LeafDraw]:
    integer = not (node.types and "number" in node.types)
    if keyword == "minimum":
        bound = node.minimum
        assert bound is not None
        values = _below(INT_MIN, math.ceil(bound) - 1)
        if not integer:
            values = _either(values, _float_below(float(bound), inclusive=False))
        return [_leaf(values, labels.below_minimum(who, bound))]
    if keyword == "maximum":
        bound = node.maximum
        assert bound is not None
        values = _above(math.floor(bound) + 1, INT_MAX)
        if not integer:
            values = _either(values, _float_above(float(bound)))
        return [_leaf(values, labels.above_maximum(who, bound))]
    bound = node.exclusive_minimum
    assert bound is not None
    ops: list[LeafDraw] = []
    if not integer or float(bound).is_integer():
        at: list[Any] = [int(bound)] if integer else [bound, float(bound)]
        at_label = labels.at_exclusive_minimum(who, bound)
        ops.append(_leaf(lambda rng: at[int(rng.random() * len(at))], at_label))
    below = _below(INT_MIN, math.ceil(bound) - 1)
    if not integer:
        below = _either(below, _float_below(float(bound), inclusive=False))
    ops.append(_leaf(below, labels.below_exclusive_minimum(who, bound)))
    return ops


def _bad_key(c: ValueSampler, node: Node, who: str) -> LeafDraw:
    assert node.property_names is not None
    limit = node.property_names.max_length or 0
    _, room = c.others(0, None if node.max_properties is None else node.max_properties - 1)
    base: Draw
    if node.additional is not None and not node.properties:
        base, value = c.additional(node, high=room), c.sampler(node.additional)
    else:
        realistic = c.realistic
        base, value = c.objects(node), (lambda rng: any_json(rng, realistic))
    key = c.text(limit + 1, limit + 9)
    keyword, description = labels.key_too_long(who, limit)

    def draw(rng: Rng) -> Leaf:
        return {**base(rng), key(rng): value(rng)}, (), keyword, description

    return draw


def _bad_discriminator(c: ValueSampler, node: Node, who: str, hint: str | None) -> LeafDraw:
    name = node.discriminator
    assert name is not None
    objects = [c.sampler(b, hint) for b in node.branches if name in b.properties]
    bad = _avoiding(c.text(0, 12), discriminator_values(node))
    keyword, description = labels.no_alternative(who, name)

    def draw(rng: Rng) -> Leaf:
        value = objects[int(rng.random() * len(objects))](rng)
        return {**value, name: bad(rng)}, (name,), keyword, description

    return draw


# -- the mutant sampler ----------------------------------------------------------------------------


class MutantSampler:
    """Every (constraint, route) of a type with its operators, compiled lazily; draws mutants.

    Under a profile the mutants break the tree its unconditional amendments amend,
    and are verified invalid under the whole profile.
    """

    def __init__(self, name: str, c: ValueSampler, profile: Profile | None = None) -> None:
        self.name, self.c = name, c
        self.top = root(name, profile)
        self.validator = fast_validator(name, profile)
        self.constraints = [con for con in constraints(name, profile) if self._breakable(con)]
        if not self.constraints:
            raise ValueError(f"{name} has no constraint a payload could break")
        by_keyword: dict[str, list[int]] = {}
        for index, con in enumerate(self.constraints):
            by_keyword.setdefault(con.keyword, []).append(index)
        self.by_keyword = [tuple(indexes) for _, indexes in sorted(by_keyword.items())]
        self._sites: dict[tuple[int, int], SiteDraw] = {}

    def _breakable(self, con: Constraint) -> bool:
        route = con.routes[0]
        return bool(operators(self.c, con, self._walk(route)[0], "", hint_of(route)))

    def _walk(self, route: Route) -> tuple[Node, list[Any] | None]:
        """The slot's node, and the discriminator values if the slot is a oneOf's discriminator."""
        return slot_of(self.top, route)

    def site(self, index: int, route_index: int) -> SiteDraw:
        key = (index, route_index)
        found = self._sites.get(key)
        if found is None:
            con = self.constraints[index]
            route = con.routes[route_index]
            to_slot = slot_route(route)
            slot, taken = self._walk(route)
            who = subject(self.name, to_slot)
            hint = hint_of(route)
            ops = operators(self.c, con, slot, who, hint, taken)
            found = pinned(self.c, self.top, to_slot, _one_of(ops), minimal(slot, hint))
            self._sites[key] = found
        return found

    def prepare(self) -> None:
        """Compile every site now (otherwise each is compiled when first drawn)."""
        for index, con in enumerate(self.constraints):
            for route_index in range(len(con.routes)):
                self.site(index, route_index)

    def unverified(self, rng: Rng) -> Drawn:
        """One drawn mutant and its twin: keyword first, so every kind of rule is as likely."""
        group = self.by_keyword[int(rng.random() * len(self.by_keyword))]
        index = group[int(rng.random() * len(group))]
        routes = len(self.constraints[index].routes)
        return self.site(index, int(rng.random() * routes))(rng)

    def draw(self, rng: Rng) -> Mutant:
        """One mutant, verified by the fast validator to be invalid at its labelled value.

        The payload must be invalid and its twin (the same payload with a valid value
        at the slot) valid, so what is wrong is the labelled value; when the twin is
        not valid, an error at or above the labelled path is looked for instead.
        """
        is_valid = self.validator.is_valid
        for _ in range(MAX_ATTEMPTS):
            payload, twin, path, keyword, description = self.unverified(rng)
            if is_valid(payload):
                continue
            if is_valid(twin) or errors_above(self.validator, payload, path):
                return Mutant(payload, pointer(path), keyword, description)
        raise RuntimeError(  # pragma: no cover - a generator bug, not an input problem
            f"no verified {self.name} mutant in {MAX_ATTEMPTS} draws"
        )


def _one_of(ops: list[LeafDraw]) -> LeafDraw:
    count = len(ops)
    if count == 1:
        return ops[0]
    return lambda rng: ops[int(rng.random() * count)](rng)


@cache
def mutant_sampler(
    name: str, *, realistic: bool, minimal: bool, profile: Profile | None = None
) -> MutantSampler:
    """The shared mutant sampler of a type for one combination of knobs (and profile)."""
    values = value_sampler(realistic=realistic, minimal=minimal, profile=profile)
    return MutantSampler(name, values, profile)
