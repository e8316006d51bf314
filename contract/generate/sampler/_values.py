"""Compile schema nodes into plain functions that draw conforming values from a ``Random``.

The same compiled tree (:mod:`contract.schema.tree`) the Hypothesis strategies
walk, the same knobs (realistic or arbitrary, extra properties, minimal context,
coherent jobs) and the same reach: every enum value and branch, null and
absent, and the limits themselves. Where Hypothesis finds boundaries by its own
heuristics, the sampler picks a bound (or its neighbour) one draw in eight and a
size limit one draw in RARE_ODDS.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from typing import TYPE_CHECKING, Any

from contract.generate import coherence as _coherence
from contract.generate import conditional as _conditional
from contract.generate.sampler._text import (
    Draw,
    Rng,
    any_float,
    any_json,
    fine_tuned_model_sampler,
    identifier_sampler,
    model_sampler,
    text_sampler,
)
from contract.generate.windows import (
    EXACT_FLOAT_INT,
    ID_PREFIXES,
    RARE_ODDS,
    REALISTIC_EXTRA_KEYS,
    REALISTIC_FLOAT,
    SIBLINGS,
    SMALL_INT,
    integer_range,
)
from contract.schema.tree import Node

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

#: One draw in EDGE_ODDS of a bounded number is a bound or its neighbour.
EDGE_ODDS = 8
#: Entries beyond their minimum that arrays and maps usually get (a few more, rarely).
_SPREAD = 4


def _rare(rng: Rng) -> bool:
    return rng.random() * RARE_ODDS < 1


def _count(rng: Rng, low: int, high: int | None) -> int:
    """A size from ``low`` to ``high``: small most of the time, the limit itself rarely."""
    if high is not None and high > low and _rare(rng):
        return high
    n = low + int(rng.random() ** 2 * _SPREAD)
    return n if high is None or n <= high else high


class ValueSampler:
    """Builds (and caches) the drawing function of every node, for one set of knobs.

    ``minimal`` draws the smallest values of each shape (required properties
    only, the minimum number of array items and map entries), for the valid
    part of a mutant; ``coherent`` passes jobs and methods through
    :func:`contract.generate.coherence.cohere`; ``profile`` adds its conditional
    amendments as rules (:mod:`contract.generate.conditional`; not in a minimal context).
    """

    def __init__(
        self,
        *,
        realistic: bool,
        extra_properties: bool = False,
        minimal: bool = False,
        coherent: bool = False,
        profile: Profile | None = None,
    ) -> None:
        self.realistic = realistic
        self.extra_properties = extra_properties and not minimal
        self.minimal = minimal
        self.coherent = coherent
        self.profile = profile
        self._cache: dict[tuple[int, str | None], Draw] = {}

    # -- entry point -------------------------------------------------------------

    def sampler(self, node: Node, hint: str | None = None) -> Draw:
        """A function drawing values valid against ``node``; ``hint`` is its property name."""
        key = (id(node), hint)
        found = self._cache.get(key)
        if found is None:
            found = self._build(node, hint)
            rules = None if self.minimal else _conditional.for_node(self.profile, node)
            if rules is not None:
                found = self._amending(node, found, rules)
            elif self.coherent and _coherence.applies(node):
                found = self._cohering(node, found)
            self._cache[key] = found
        return found

    def _amending(self, node: Node, base: Draw, rules: _conditional.Rules) -> Draw:
        """``base`` with the profile's conditional amendments applied now and then."""
        coherent = self.coherent and _coherence.applies(node)

        def draw(rng: Rng) -> Any:
            value = base(rng)
            amended = rules.apply(value, _Chooser(rng, self))
            if not coherent:
                return amended

            def fill(n: Node, h: str | None) -> Any:
                return self.sampler(n, h)(rng)

            result = _coherence.cohere(amended, node, fill)
            if amended is value or rules.is_valid(result):
                return result
            return _coherence.cohere(value, node, fill)

        return draw

    def _cohering(self, node: Node, base: Draw) -> Draw:
        def draw(rng: Rng) -> Any:
            return _coherence.cohere(base(rng), node, lambda n, h: self.sampler(n, h)(rng))

        return draw

    def _build(self, node: Node, hint: str | None) -> Draw:
        if node.has_const:
            const = node.const
            if isinstance(const, (dict, list)):
                return lambda rng: copy.deepcopy(const)
            return lambda rng: const
        if node.enum is not None:
            values = node.enum
            if any(isinstance(v, (dict, list)) for v in values):
                return _choice([_constant(v) for v in values])
            count = len(values)
            return lambda rng: values[int(rng.random() * count)]
        if node.branches:
            return _choice([self.sampler(b, hint) for b in node.branches])
        if node.types is None:
            realistic = self.realistic
            return lambda rng: any_json(rng, realistic)
        return _choice([self._typed(node, t, hint) for t in node.types])

    def _typed(self, node: Node, kind: str, hint: str | None) -> Draw:
        if kind == "null":
            return lambda rng: None
        if kind == "boolean":
            return lambda rng: rng.random() < 0.5
        if kind == "integer":
            return self.integers(node)
        if kind == "number":
            return _choice([self.integers(node), self.floats(node)])
        if kind == "string":
            return self.strings(node, hint)
        if kind == "array":
            return self.arrays(node, hint)
        return self.objects(node)

    # -- scalars -------------------------------------------------------------------

    def integers(self, node: Node) -> Draw:
        """Integers within the node's bounds; in arbitrary mode now and then written ``7.0``."""
        low, high = integer_range(node, self.realistic)
        span = high - low + 1
        edges = tuple(sorted({v for v in (low, low + 1, high - 1, high, 0) if low <= v <= high}))
        realistic = self.realistic
        small_low, small_high = max(low, SMALL_INT[0]), min(high, SMALL_INT[1])
        float_low, float_high = max(low, -EXACT_FLOAT_INT), min(high, EXACT_FLOAT_INT)

        def draw(rng: Rng) -> int | float:
            u = rng.random()
            if u * EDGE_ODDS < 1:
                value = edges[int(rng.random() * len(edges))]
            elif not realistic and u < 0.4 and small_low <= small_high:
                value = rng.randint(small_low, small_high)
            elif span <= 2**52:
                value = low + int(rng.random() * span)
            else:
                value = rng.randint(low, high)
            if not realistic and float_low <= value <= float_high and _rare(rng):
                return float(value)
            return value

        return draw

    def floats(self, node: Node) -> Draw:
        """Non-integral and integral floats within the node's bounds (exclusive ones kept)."""
        bound = node.lower
        low = None if bound is None else float(bound[0])
        exclusive = bool(bound and bound[1])
        high = None if node.maximum is None else float(node.maximum)
        if self.realistic:
            rlow = REALISTIC_FLOAT[0] if low is None else max(low, REALISTIC_FLOAT[0])
            rhigh = REALISTIC_FLOAT[1] if high is None else min(high, REALISTIC_FLOAT[1])
            if rlow < rhigh:
                exclusive = exclusive and rlow == low
                low, high = rlow, rhigh
        least = None if low is None else (math.nextafter(low, math.inf) if exclusive else low)
        edges = tuple(v for v in (least, high) if v is not None)

        def draw(rng: Rng) -> float:
            if edges and rng.random() * EDGE_ODDS < 1:
                return edges[int(rng.random() * len(edges))]
            if low is not None and high is not None:
                value = low + rng.random() * (high - low)
            elif low is not None:
                value = low + abs(any_float(rng))
            elif high is not None:
                value = high - abs(any_float(rng))
            else:
                value = any_float(rng)
            if least is not None and value < least:
                value = least
            if high is not None and value > high:
                value = high
            return value

        return draw

    def text(self, low: int = 0, high: int | None = None) -> Draw:
        return text_sampler(self.realistic, low, high)

    def strings(self, node: Node, hint: str | None) -> Draw:
        if node.max_length is not None or node.min_length:
            return self.text(node.min_length or 0, node.max_length)
        if self.realistic:
            if hint in ID_PREFIXES:
                return identifier_sampler(ID_PREFIXES[hint])
            if hint == "model":
                return model_sampler
            if hint == "fine_tuned_model":
                return fine_tuned_model_sampler
            examples = [e for e in node.examples if isinstance(e, str)]
            if examples:
                return _choice([_choice([_constant(e) for e in examples]), self.text()])
        return self.text()

    # -- containers ----------------------------------------------------------------

    def items(self, node: Node, hint: str | None) -> Draw:
        if node.items is not None:
            return self.sampler(node.items, hint)
        realistic = self.realistic
        return lambda rng: any_json(rng, realistic)

    def arrays(self, node: Node, hint: str | None) -> Draw:
        low, high = node.min_items or 0, node.max_items
        return lists(self.items(node, hint), low, low if self.minimal else high)

    def keys(self, node: Node) -> Draw:
        """Keys for the object's additional properties, honouring propertyNames."""
        names = node.property_names
        limit = names.max_length if names is not None else None
        return self.text(0, limit)

    def additional(self, node: Node, low: int = 0, high: int | None = None) -> Draw:
        """The object's additional properties: ``low`` to ``high`` entries.

        Without ``high``: up to ``maxProperties``, or ``low`` in a minimal context.
        """
        values = self.items_of_map(node)
        keys, known = self.keys(node), frozenset(node.properties)
        limit = high
        if limit is None:
            limit = low if self.minimal else node.max_properties

        def draw(rng: Rng) -> dict[str, Any]:
            wanted = _count(rng, low, limit)
            out: dict[str, Any] = {}
            for _ in range(10 * wanted + 10):
                if len(out) >= wanted:
                    break
                key = keys(rng)
                if key not in known and key not in out:
                    out[key] = values(rng)
            return out

        return draw

    def items_of_map(self, node: Node) -> Draw:
        if node.additional is not None:
            return self.sampler(node.additional)
        realistic = self.realistic
        return lambda rng: any_json(rng, realistic)

    def fields(self, node: Node, skip: str | None = None) -> Draw:
        """The object's described properties: required always, optional ones half the time.

        A minimal context leaves the optional ones out.
        """
        required = set(node.required)
        plan = [
            (name, self.sampler(child, name), name in required)
            for name, child in node.properties.items()
            if name != skip and (name in required or not self.minimal)
        ]

        def draw(rng: Rng) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name, value, always in plan:
                if always or rng.random() < 0.5:
                    out[name] = value(rng)
            return out

        return draw

    def extras(self, node: Node) -> Draw | None:
        """Unknown properties added to open objects when ``extra_properties`` is set."""
        if not self.extra_properties or node.additional is not None:
            return None
        known, realistic = frozenset(node.properties), self.realistic
        names = self.text(1, 20)

        def draw(rng: Rng) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for _ in range(int(rng.random() * 4)):
                if realistic and rng.random() < 0.5:
                    key = REALISTIC_EXTRA_KEYS[int(rng.random() * len(REALISTIC_EXTRA_KEYS))]
                else:
                    key = names(rng)
                if key not in known:
                    out[key] = any_json(rng, realistic)
            return out

        return draw

    def objects(self, node: Node) -> Draw:
        if not node.properties and (node.additional is not None or node.max_properties is not None):
            return self.additional(node)
        base, extras = self.fields(node), self.extras(node)
        if extras is None:
            return base

        def draw(rng: Rng) -> dict[str, Any]:
            return {**base(rng), **extras(rng)}

        return draw

    def others(self, low: int, high: int | None) -> tuple[int, int | None]:
        """Size bounds for the other entries of a container that also holds a chosen one.

        A minimal context keeps at most :data:`SIBLINGS` entries beyond ``low``.
        """
        if self.minimal:
            high = low + SIBLINGS if high is None else min(high, low + SIBLINGS)
        return low, high


class _Chooser:
    """A rule's choices drawn from the ``Random``."""

    def __init__(self, rng: Rng, values: ValueSampler) -> None:
        self.rng, self.values = rng, values

    def chance(self, odds: int) -> bool:
        return self.rng.random() * odds < 1

    def below(self, count: int) -> int:
        return int(self.rng.random() * count)

    def fill(self, node: Node, hint: str | None) -> Any:
        return self.values.sampler(node, hint)(self.rng)


def lists(items: Draw, low: int, high: int | None) -> Draw:
    """Lists of ``low`` to ``high`` items (the limit itself one draw in RARE_ODDS)."""

    def draw(rng: Rng) -> list[Any]:
        return [items(rng) for _ in range(_count(rng, low, high))]

    return draw


def _constant(value: Any) -> Draw:
    if isinstance(value, (dict, list)):
        return lambda rng: copy.deepcopy(value)
    return lambda rng: value


def _choice(options: list[Draw]) -> Draw:
    """One of the functions, each as likely, applied."""
    if len(options) == 1:
        return options[0]
    count = len(options)
    return lambda rng: options[int(rng.random() * count)](rng)


@cache
def value_sampler(
    *,
    realistic: bool,
    extra_properties: bool = False,
    minimal: bool = False,
    coherent: bool = False,
    profile: Profile | None = None,
) -> ValueSampler:
    """The shared sampler compiler for one combination of knobs (and profile: None, or
    one with amendments)."""
    return ValueSampler(
        realistic=realistic,
        extra_properties=extra_properties,
        minimal=minimal,
        coherent=coherent,
        profile=profile,
    )
