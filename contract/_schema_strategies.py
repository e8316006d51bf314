"""Compile schema nodes (:mod:`contract._schema_nodes`) into Hypothesis strategies.

Every bound comes from the node; the only numbers written here are the
"realistic" windows (plausible timestamps, identifiers) used when the schema
leaves a side open, and the int64 / finite-float limits that keep values
JSON-safe. Alternatives are ordered simplest first (null, constants, scalars,
then containers) so that failing examples shrink to small, readable payloads.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contract._schema_nodes import Node

#: JSON-safe integer range used where the schema leaves a side open (int64).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: Integers up to this size are exactly representable as floats.
EXACT_FLOAT_INT = 2**53
#: Plausible Unix timestamps (2020-09-13 .. 2030-03-17) for ``format: unixtime``.
REALISTIC_TIME = (1_600_000_000, 1_900_000_000)
#: Plausible window for open-ended integers and numbers in realistic mode.
REALISTIC_INT = (0, 2**31 - 1)
REALISTIC_FLOAT = (0.0, 1000.0)

_ALNUM = string.ascii_letters + string.digits
#: Printable ASCII: readable, and one code-point interval, which Hypothesis draws fastest.
_READABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_BASE_MODELS = (
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-2025-04-14",
    "o4-mini-2025-04-16",
    "gpt-3.5-turbo-0125",
)
#: Unknown properties real responses have been seen to carry.
REALISTIC_EXTRA_KEYS = ("user_provided_suffix", "usage_metrics", "shared_with_openai", "eval_id")

#: One draw in RARE_ODDS takes the rare case: a size limit exactly (strings, arrays,
#: objects), or an integer written as ``7.0``. Often enough to reach it in a few hundred
#: examples, rare enough to keep payloads small and varied.
RARE_ODDS = 16
_ODDS = st.integers(0, RARE_ODDS - 1)


def seldom(main: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``main`` most of the time, ``rare`` one draw in :data:`RARE_ODDS`.

    (``st.one_of`` would pick each branch equally often; shrinks towards ``main``.)
    """

    @st.composite
    def pick(draw: st.DrawFn) -> Any:
        return draw(rare if draw(_ODDS) == RARE_ODDS - 1 else main)

    return pick()


_ORDER = {"null": 0, "boolean": 1, "integer": 2, "number": 3, "string": 4, "array": 5, "object": 6}


def _identifier(prefix: str) -> st.SearchStrategy[str]:
    return st.text(_ALNUM, min_size=1, max_size=24).map(lambda tail: prefix + tail)


def _fine_tuned_model() -> st.SearchStrategy[str]:
    return st.builds(
        lambda base, org, tail: f"ft:{base}:{org}::{tail}",
        st.sampled_from(_BASE_MODELS),
        st.text(string.ascii_lowercase + "-", min_size=1, max_size=12),
        st.text(_ALNUM, min_size=8, max_size=8),
    )


#: Realistic strings by property name (applied to plain, unconstrained string schemas only).
_HINTS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "id": lambda: _identifier("ftjob-"),
    "training_file": lambda: _identifier("file-"),
    "validation_file": lambda: _identifier("file-"),
    "result_files": lambda: _identifier("file-"),
    "organization_id": lambda: _identifier("org-"),
    "model": lambda: st.sampled_from(_BASE_MODELS),
    "fine_tuned_model": _fine_tuned_model,
}
#: The same, as one fixed readable value each (for the deterministic corpus).
HINT_EXAMPLES: dict[str, str] = {
    "id": "ftjob-abc123",
    "training_file": "file-abc123",
    "validation_file": "file-def456",
    "result_files": "file-ghi789",
    "organization_id": "org-abc123",
    "model": _BASE_MODELS[0],
    "fine_tuned_model": f"ft:{_BASE_MODELS[0]}:my-org::abc12345",
}


def simplicity(node: Node) -> int:
    """A rough rank of how simple a node's values are (lower shrinks better)."""
    if node.has_const:
        return 0 if node.const is None else 1
    if node.enum is not None:
        return 1
    if node.types is not None:
        return min(_ORDER[t] for t in node.types) + 1
    if node.branches:
        return min(simplicity(b) for b in node.branches)
    return 8


def ordered_branches(node: Node) -> list[tuple[int, Node]]:
    """The node's branches with their index, simplest first (stable)."""
    return sorted(enumerate(node.branches), key=lambda pair: (simplicity(pair[1]), pair[0]))


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


#: In a minimal context, how many entries beyond its minimum a container that holds a
#: chosen entry (see :meth:`Compiler.others`) may have, so the chosen one's position varies.
SIBLINGS = 2


class Compiler:
    """Builds (and caches) the conforming strategy of every node, for one set of knobs.

    ``minimal`` compiles the smallest values of each shape: objects carry their
    required properties only, arrays and maps hold their minimum number of
    entries; scalars are drawn as usual. Mutants use it for the valid part of
    the payload around the one broken value.
    """

    def __init__(self, *, realistic: bool, extra_properties: bool, minimal: bool = False) -> None:
        self.realistic = realistic
        self.extra_properties = extra_properties and not minimal
        self.minimal = minimal
        self._cache: dict[tuple[int, str | None], st.SearchStrategy[Any]] = {}

    # -- entry point -------------------------------------------------------

    def strategy(self, node: Node, hint: str | None = None) -> st.SearchStrategy[Any]:
        """Values valid against ``node``; ``hint`` is the property name it sits under."""
        key = (id(node), hint)
        found = self._cache.get(key)
        if found is None:
            found = self._build(node, hint)
            self._cache[key] = found
        return found

    def _build(self, node: Node, hint: str | None) -> st.SearchStrategy[Any]:
        if node.has_const:
            return st.just(node.const)
        if node.enum is not None:
            return st.sampled_from(node.enum)
        if node.branches:
            return st.one_of([self.strategy(b, hint) for _, b in ordered_branches(node)])
        if node.types is None:
            return any_json()
        types = sorted(node.types, key=_ORDER.__getitem__)
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
        low, high = node.integer_bounds()
        low = INT_MIN if low is None else low
        high = INT_MAX if high is None else high
        if self.realistic:
            window = REALISTIC_TIME if node.format == "unixtime" else REALISTIC_INT
            wlow, whigh = max(low, window[0]), min(high, window[1])
            if wlow <= whigh:
                return wlow, whigh
        return low, high

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
            return st.integers(-1000, 1000)
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
        limit = node.max_length
        if limit is not None:
            # Reach the limit itself, which plain text() hardly ever does.
            return seldom(self.text(max_size=limit), self.text(min_size=limit, max_size=limit))
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
        if node.additional is not None and not node.properties:
            return self.additional(node)
        base = self.fixed(node)
        extras = self.extras(node)
        if extras is None:
            return base
        return st.builds(_merge, base, extras)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    return {**base, **extra}


@cache
def compiler(*, realistic: bool, extra_properties: bool, minimal: bool = False) -> Compiler:
    """The shared compiler for one combination of knobs."""
    return Compiler(realistic=realistic, extra_properties=extra_properties, minimal=minimal)


def minimal_integer(node: Node, realistic: bool = True) -> int:
    """A simple integer within the node's bounds (a plausible timestamp for unixtime)."""
    low, high = node.integer_bounds()
    target = REALISTIC_TIME[0] if (realistic and node.format == "unixtime") else 0
    if low is not None:
        target = max(target, low)
    if high is not None:
        target = min(target, high)
    return target


def is_json_safe_float(value: float) -> bool:
    return math.isfinite(value)
