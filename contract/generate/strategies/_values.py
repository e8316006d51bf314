"""Compile schema nodes (:mod:`contract.schema.tree`) into Hypothesis strategies.

Every bound comes from the node; the only numbers written here are the
"realistic" windows (plausible timestamps, identifiers) used when the schema
leaves a side open, and the int64 / finite-float limits that keep values
JSON-safe. Alternatives are ordered simplest first (null, constants, scalars,
then containers) so that failing examples shrink to small, readable payloads.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from contract.generate import coherence as _coherence
from contract.generate import conditional as _conditional
from contract.generate.windows import (
    BASE_MODELS,
    EXACT_FLOAT_INT,
    HINT_EXAMPLES,
    ID_PREFIXES,
    ID_TAIL,
    INT_MAX,
    INT_MIN,
    RARE_ODDS,
    REALISTIC_EXTRA_KEYS,
    REALISTIC_FLOAT,
    SIBLINGS,
    SMALL_INT,
    integer_range,
    minimal_integer,
    ordered_branches,
    simplicity,
    type_order,
)
from contract.schema.tree import Node

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

__all__ = [
    "HINT_EXAMPLES",
    "INT_MAX",
    "INT_MIN",
    "Compiler",
    "any_json",
    "compiler",
    "minimal_integer",
    "ordered_branches",
    "seldom",
    "simplicity",
]

_ALNUM = string.ascii_letters + string.digits
#: Printable ASCII: readable, and one code-point interval, which Hypothesis draws fastest.
_READABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_ODDS = st.integers(0, RARE_ODDS - 1)


def seldom(main: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``main`` most of the time, ``rare`` one draw in :data:`RARE_ODDS`.

    (``st.one_of`` would pick each branch equally often; shrinks towards ``main``.)
    """

    return _seldom(main, rare)


# Composites are defined once, at module level: decorating a function with
# st.composite inspects its source, which costs milliseconds per call.
@st.composite
def _seldom(draw: st.DrawFn, main: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> Any:
    return draw(rare if draw(_ODDS) == RARE_ODDS - 1 else main)


@st.composite
def _cohered(draw: st.DrawFn, base: st.SearchStrategy[Any], node: Node, compiler: Compiler) -> Any:
    return _coherence.cohere(draw(base), node, lambda n, h: draw(compiler.strategy(n, h)))


@cache
def _below(count: int) -> st.SearchStrategy[int]:
    return st.integers(0, count - 1)


class _Chooser:
    """A rule's choices drawn from Hypothesis (they shrink to "not applied")."""

    def __init__(self, draw: st.DrawFn, compiler: Compiler) -> None:
        self.draw, self.compiler = draw, compiler

    def chance(self, odds: int) -> bool:
        return bool(self.draw(_below(odds)) == odds - 1)

    def below(self, count: int) -> int:
        return int(self.draw(_below(count)))

    def fill(self, node: Node, hint: str | None) -> Any:
        return self.draw(self.compiler.strategy(node, hint))


@st.composite
def _amended(
    draw: st.DrawFn,
    base: st.SearchStrategy[Any],
    node: Node,
    rules: _conditional.Rules,
    compiler: Compiler,
) -> Any:
    value = draw(base)
    amended = rules.apply(value, _Chooser(draw, compiler))
    if not (compiler.coherent and _coherence.applies(node)):
        return amended

    def fill(n: Node, h: str | None) -> Any:
        return draw(compiler.strategy(n, h))

    result = _coherence.cohere(amended, node, fill)
    if amended is value or rules.is_valid(result):
        return result
    return _coherence.cohere(value, node, fill)


def _identifier(prefix: str) -> st.SearchStrategy[str]:
    return st.text(_ALNUM, min_size=1, max_size=ID_TAIL).map(lambda tail: prefix + tail)


def _fine_tuned_model() -> st.SearchStrategy[str]:
    return st.builds(
        lambda base, org, tail: f"ft:{base}:{org}::{tail}",
        st.sampled_from(BASE_MODELS),
        st.text(string.ascii_lowercase + "-", min_size=1, max_size=12),
        st.text(_ALNUM, min_size=8, max_size=8),
    )


#: Realistic strings by property name (applied to plain, unconstrained string schemas only).
_HINTS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    **{name: partial(_identifier, prefix) for name, prefix in ID_PREFIXES.items()},
    "model": lambda: st.sampled_from(BASE_MODELS),
    "fine_tuned_model": _fine_tuned_model,
}


def _json_leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(INT_MIN, INT_MAX),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(st.characters(codec="utf-8"), max_size=16),
    )


@cache
def any_json() -> st.SearchStrategy[Any]:
    """Small arbitrary JSON values."""
    return st.recursive(
        _json_leaves(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=6,
    )


class Compiler:
    """Builds (and caches) the conforming strategy of every node, for one set of knobs.

    ``minimal`` compiles the smallest values of each shape: objects carry their
    required properties only, arrays and maps hold their minimum number of
    entries; scalars are drawn as usual. Mutants use it for the valid part of
    the payload around the one broken value. ``profile`` adds its conditional
    amendments as rules (:mod:`contract.generate.conditional`; not in a minimal context).
    """

    def __init__(
        self,
        *,
        realistic: bool,
        extra_properties: bool,
        minimal: bool = False,
        coherent: bool = False,
        profile: Profile | None = None,
    ) -> None:
        self.realistic = realistic
        self.extra_properties = extra_properties and not minimal
        self.minimal = minimal
        self.coherent = coherent
        self.profile = profile
        self._cache: dict[tuple[int, str | None], st.SearchStrategy[Any]] = {}

    # -- entry point -------------------------------------------------------

    def strategy(self, node: Node, hint: str | None = None) -> st.SearchStrategy[Any]:
        """Values valid against ``node``; ``hint`` is the property name it sits under."""
        key = (id(node), hint)
        found = self._cache.get(key)
        if found is None:
            found = self._build(node, hint)
            rules = None if self.minimal else _conditional.for_node(self.profile, node)
            if rules is not None:
                found = _amended(found, node, rules, self)
            elif self.coherent and _coherence.applies(node):
                found = self._cohering(node, found)
            self._cache[key] = found
        return found

    def _cohering(self, node: Node, base: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """``base`` passed through :func:`contract.generate.coherence.cohere`; new parts drawn
        here."""
        return _cohered(base, node, self)

    def _build(self, node: Node, hint: str | None) -> st.SearchStrategy[Any]:
        if node.has_const:
            return st.just(node.const)
        if node.enum is not None:
            return st.sampled_from(node.enum)
        if node.branches:
            return st.one_of([self.strategy(b, hint) for _, b in ordered_branches(node)])
        if node.types is None:
            return any_json()
        types = sorted(node.types, key=type_order)
        return st.one_of([self._typed(node, t, hint) for t in types])

    def _typed(self, node: Node, kind: str, hint: str | None) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return self.integers(node)
        if kind == "number":
            return self.numbers(node)
        if kind == "string":
            return self.strings(node, hint)
        if kind == "array":
            return self.arrays(node, hint)
        return self.objects(node)

    # -- scalars -------------------------------------------------------------

    def integer_range(self, node: Node) -> tuple[int, int]:
        return integer_range(node, self.realistic)

    def integers(self, node: Node) -> st.SearchStrategy[int | float]:
        """Integers within the node's bounds; in arbitrary mode also integral floats.

        JSON Schema counts ``7.0`` as an integer, so the contract allows it where an
        integer is due (parsers that demand ``7`` break on it). Realistic mode keeps
        to ``7``, as the API writes integers.
        """
        low, high = self.integer_range(node)
        ints: st.SearchStrategy[int | float] = st.integers(low, high)
        if self.realistic:
            return ints
        flow, fhigh = max(low, -EXACT_FLOAT_INT), min(high, EXACT_FLOAT_INT)
        if flow > fhigh:
            return ints
        return seldom(ints, st.integers(flow, fhigh).map(float))

    def integers_any(self) -> st.SearchStrategy[int]:
        """Integers with no schema bound (small ones in realistic mode)."""
        if self.realistic:
            return st.integers(*SMALL_INT)
        return st.integers(INT_MIN, INT_MAX)

    def numbers(self, node: Node) -> st.SearchStrategy[int | float]:
        low, high = self.integer_range(node)
        parts: list[st.SearchStrategy[int | float]] = []
        if low <= high:
            parts.append(st.integers(low, high))
        parts.append(self.floats(node))
        return st.one_of(parts)

    def floats(self, node: Node) -> st.SearchStrategy[float]:
        bound = node.lower
        low = None if bound is None else float(bound[0])
        exclude_low = bool(bound and bound[1])
        high = None if node.maximum is None else float(node.maximum)
        if self.realistic:
            wlow, whigh = REALISTIC_FLOAT
            rlow = wlow if low is None else max(low, wlow)
            rhigh = whigh if high is None else min(high, whigh)
            if rlow < rhigh:
                exclude = exclude_low and rlow == low
                return st.floats(
                    rlow, rhigh, exclude_min=exclude, allow_nan=False, allow_infinity=False
                )
        return st.floats(low, high, exclude_min=exclude_low, allow_nan=False, allow_infinity=False)

    def text(self, min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
        if self.realistic:
            return st.text(_READABLE, min_size=min_size, max_size=max_size)
        return st.text(st.characters(codec="utf-8"), min_size=min_size, max_size=max_size)

    def strings(self, node: Node, hint: str | None) -> st.SearchStrategy[str]:
        limit, low = node.max_length, node.min_length or 0
        if limit is not None:
            # Reach the limits themselves, which plain text() hardly ever does.
            within = self.text(min_size=low, max_size=limit)
            edges = self.text(min_size=limit, max_size=limit)
            if low:
                edges = edges | self.text(min_size=low, max_size=low)
            return seldom(within, edges)
        if low:
            return seldom(self.text(min_size=low), self.text(min_size=low, max_size=low))
        if self.realistic:
            if hint in _HINTS:
                return _HINTS[hint]()
            examples = [e for e in node.examples if isinstance(e, str)]
            if examples:
                return st.sampled_from(examples) | self.text()
        return self.text()

    # -- containers ------------------------------------------------------------

    def arrays(self, node: Node, hint: str | None) -> st.SearchStrategy[list[Any]]:
        items = self.strategy(node.items, hint) if node.items is not None else any_json()
        low, high = node.min_items or 0, node.max_items
        if self.minimal:
            high = low
        lists = st.lists(items, min_size=low, max_size=high)
        if high is not None and high > low:
            lists = seldom(lists, st.lists(items, min_size=high, max_size=high))
        return lists

    def keys(self, node: Node) -> st.SearchStrategy[str]:
        """Keys for the object's additional properties, honouring propertyNames."""
        names = node.property_names
        limit = names.max_length if names is not None else None
        if limit is None:
            return self.text()
        return seldom(self.text(max_size=limit), self.text(min_size=limit, max_size=limit))

    def additional(
        self, node: Node, min_size: int = 0, max_size: int | None = None
    ) -> st.SearchStrategy[dict[str, Any]]:
        """The object's additional properties (those its ``additionalProperties`` describes).

        Without ``max_size``: up to ``maxProperties``, or ``min_size`` in a minimal context.
        """
        values = any_json() if node.additional is None else self.strategy(node.additional)
        keys = self.keys(node)
        if node.properties:
            keys = keys.filter(lambda k: k not in node.properties)
        if max_size is None:
            max_size = min_size if self.minimal else node.max_properties
        dicts = st.dictionaries(keys, values, min_size=min_size, max_size=max_size)
        if max_size is not None and max_size > min_size:
            dicts = seldom(
                dicts, st.dictionaries(keys, values, min_size=max_size, max_size=max_size)
            )
        return dicts

    def extras(self, node: Node) -> st.SearchStrategy[dict[str, Any]] | None:
        """Unknown properties added to open objects when ``extra_properties`` is set."""
        if not self.extra_properties or node.additional is not None:
            return None
        keys = self.text(min_size=1, max_size=20)
        if self.realistic:
            keys = st.sampled_from(REALISTIC_EXTRA_KEYS) | keys
        known = set(node.properties)
        keys = keys.filter(lambda k: k not in known)
        return st.dictionaries(keys, any_json(), max_size=3)

    def others(self, low: int, high: int | None) -> tuple[int, int | None]:
        """Size bounds for the other entries of a container that also holds a chosen one.

        ``low``/``high`` leave room for the chosen entry; a minimal context keeps at
        most :data:`SIBLINGS` entries beyond ``low``.
        """
        if self.minimal:
            high = low + SIBLINGS if high is None else min(high, low + SIBLINGS)
        return low, high

    def fixed(self, node: Node, skip: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
        """The object's described properties: required always, optional ones maybe.

        A minimal context leaves the optional ones out.
        """
        required = {
            name: self.strategy(node.properties[name], name)
            for name in node.required
            if name != skip
        }
        optional = {
            name: self.strategy(child, name)
            for name, child in node.properties.items()
            if name not in node.required and name != skip and not self.minimal
        }
        return st.fixed_dictionaries(required, optional=optional)

    def objects(self, node: Node) -> st.SearchStrategy[dict[str, Any]]:
        if not node.properties and (node.additional is not None or node.max_properties is not None):
            return self.additional(node)
        base = self.fixed(node)
        extras = self.extras(node)
        if extras is None:
            return base
        return st.builds(_merge, base, extras)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    return {**base, **extra}


@cache
def compiler(
    *,
    realistic: bool,
    extra_properties: bool,
    minimal: bool = False,
    coherent: bool = False,
    profile: Profile | None = None,
) -> Compiler:
    """The shared compiler for one combination of knobs (and profile: None, or one with
    amendments)."""
    return Compiler(
        realistic=realistic,
        extra_properties=extra_properties,
        minimal=minimal,
        coherent=coherent,
        profile=profile,
    )
