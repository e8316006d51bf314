"""Conditional amendments as generation rules, shared by both generators.

Under a profile the compiled tree (:mod:`contract.schema.tree`) holds the
unconditional amendments. A conditional one (with ``when``) becomes a rule on
the objects of its scope's document, read from its data: now and then (one
object in :data:`RULE_ODDS`) the object is made to match ``when`` (a number
moved within the bounds ``when`` sets, a value of its ``enum``, a fresh draw
until one matches, or the same inside a nested object) and then changed as the
amendment allows (the property left out, set to null, to an added enum value,
or to a value of the allowed schema the original rule rejects). The result is
kept only if the profile's fast validator accepts the whole object; otherwise
the object stays as drawn, which the tree already makes valid (amendments only
widen the contract).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

import jsonschema_rs

from contract import schema as _registry
from contract._core import jsonpointer
from contract.schema._overlay import split
from contract.schema.amendments import Amendment, Profile
from contract.schema.tree import Node, amended_node, locally_valid, root
from contract.validation import fast_validator, rs_registry

#: One drawn object in RULE_ODDS gets a given conditional amendment applied.
RULE_ODDS = 8
#: Fresh draws tried for a value that matches ``when`` or that the original rule rejects.
ATTEMPTS = 16

#: Patterns read as "starts with this text" (``^ftjob-abc``).
_PREFIX = re.compile(r"\^([A-Za-z0-9_:.\- ]+)")
_MISSING = object()


class Chooser(Protocol):
    """Where a rule's choices come from: a ``Random`` or a Hypothesis draw."""

    def chance(self, odds: int) -> bool:
        """True one time in ``odds`` (False is the simpler outcome)."""

    def below(self, count: int) -> int:
        """An integer from 0 to ``count - 1``."""

    def fill(self, node: Node, hint: str | None) -> Any:
        """A value of ``node`` drawn by the generator (``hint``: its property name)."""


@dataclass(eq=False)
class Shape:
    """How to make a value match one part of a ``when`` schema."""

    check: Any  # a compiled validator of that part
    node: Node | None  # what the tree says about the value
    choices: tuple[Any, ...] = ()  # the part's enum/const values the node accepts
    narrowed: Node | None = None  # the node within the part's numeric bounds
    prefix: str | None = None  # the text the part's pattern requires first
    properties: dict[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()


@dataclass(eq=False)
class Rule:
    """One conditional amendment at one scope location."""

    name: str
    chain: tuple[str, ...]  # property names from the document's root to the scoped property
    when: Shape
    absent: bool
    values: tuple[Any, ...]  # enum-add
    nullable: bool
    allowed: Node | None  # the amended rule, for values the original rejects
    original: Any  # a validator of the original rule (for ``allow``)


class Rules:
    """The conditional amendments of one document under a profile."""

    def __init__(self, doc: str, rules: tuple[Rule, ...], profile: Profile) -> None:
        self.doc, self.rules = doc, rules
        self.validator = fast_validator(doc, profile)

    def apply(self, value: Any, chooser: Chooser) -> Any:
        """``value`` (valid) with some rules applied; each kept only if still valid."""
        if not isinstance(value, dict):
            return value
        for rule in self.rules:
            if not chooser.chance(RULE_ODDS):
                continue
            changed = _apply(rule, value, chooser)
            if changed is not None and self.is_valid(changed):
                value = changed
        return value

    def is_valid(self, value: Any) -> bool:
        """Whether the profile accepts ``value`` (False where jsonschema-rs cannot read it)."""
        try:
            return bool(self.validator.is_valid(value))
        except (ValueError, OverflowError, TypeError):
            return False


def _apply(rule: Rule, value: dict[str, Any], chooser: Chooser) -> dict[str, Any] | None:
    """``value`` made to match the rule's ``when``, then changed as the amendment allows."""
    matched = _match_object(rule.when, value, chooser, keep=True)
    if not isinstance(matched, dict):
        return None
    top = holder = dict(matched)
    for name in rule.chain[:-1]:
        inner = holder.get(name)
        if not isinstance(inner, dict):
            return None
        inner = dict(inner)
        holder[name] = inner
        holder = inner
    name = rule.chain[-1]
    options = [
        kind
        for kind, usable in (
            ("absent", rule.absent and name in holder),
            ("null", rule.nullable),
            ("enum", bool(rule.values)),
            ("allow", rule.allowed is not None),
        )
        if usable
    ]
    if not options:
        return None
    kind = options[chooser.below(len(options))]
    if kind == "absent":
        del holder[name]
    elif kind == "null":
        holder[name] = None
    elif kind == "enum":
        holder[name] = rule.values[chooser.below(len(rule.values))]
    else:
        found = _outside_original(rule, chooser)
        if found is _MISSING:
            return None
        holder[name] = found
    return top


def _outside_original(rule: Rule, chooser: Chooser) -> Any:
    """A value of the amended rule that the original one rejects (what ``allow`` adds)."""
    assert rule.allowed is not None
    for _ in range(ATTEMPTS):
        candidate = chooser.fill(rule.allowed, rule.chain[-1])
        if not rule.original.is_valid(candidate):
            return candidate
    return _MISSING


# -- matching ``when`` -------------------------------------------------------------------------


def _match_object(shape: Shape, value: Any, chooser: Chooser, keep: bool) -> Any:
    """``value`` changed so that it matches ``shape`` (``keep``: patch it, never redraw)."""
    if shape.check.is_valid(value):
        return value
    node = shape.node
    if not keep and node is not None:
        for _ in range(ATTEMPTS // 4):
            fresh = chooser.fill(node, None)
            if shape.check.is_valid(fresh):
                return fresh
    if not isinstance(value, dict) or node is None or not (shape.properties or shape.required):
        return _MISSING
    out = dict(value)
    for name in dict.fromkeys((*shape.required, *shape.properties)):
        part = shape.properties.get(name)
        current = out.get(name, _MISSING)
        if part is None:  # required by when, with no rule of its own there
            child = node.properties.get(name)
            if current is _MISSING:
                if child is None:
                    return _MISSING
                out[name] = chooser.fill(child, name)
            continue
        if current is _MISSING and name not in shape.required:
            continue
        if current is not _MISSING and part.check.is_valid(current):
            continue
        found = _match_value(part, current, name, chooser)
        if found is _MISSING:
            return _MISSING
        out[name] = found
    return out if shape.check.is_valid(out) else _MISSING


def _match_value(shape: Shape, current: Any, hint: str, chooser: Chooser) -> Any:
    if shape.choices:
        return shape.choices[chooser.below(len(shape.choices))]
    if shape.narrowed is not None:
        return chooser.fill(shape.narrowed, hint)
    node = shape.node
    if node is None:
        return _MISSING
    if shape.prefix is not None:
        drawn = chooser.fill(node, hint)
        if isinstance(drawn, str):
            candidate = shape.prefix + drawn[len(_common_prefix(shape.prefix, drawn)) :]
            if shape.check.is_valid(candidate):
                return candidate
    if shape.properties or shape.required:
        start = current if isinstance(current, dict) else chooser.fill(node, hint)
        return _match_object(shape, start, chooser, keep=False)
    for _ in range(ATTEMPTS):
        drawn = chooser.fill(node, hint)
        if shape.check.is_valid(drawn):
            return drawn
    return _MISSING


def _common_prefix(first: str, second: str) -> str:
    size = 0
    while size < min(len(first), len(second)) and first[size] == second[size]:
        size += 1
    return first[:size]


# -- building the rules ----------------------------------------------------------------------------


def _checker(profile: Profile, doc: str, pointer: str) -> Any:
    """A validator of the subschema at ``pointer`` of the amended document ``doc``."""
    target = f"{_registry.BASE_URI}{doc}.json#{pointer}"
    return jsonschema_rs.validator_for(
        {"$ref": target}, registry=rs_registry(profile), validate_formats=False
    )


def _escape(name: str) -> str:
    return jsonpointer.escape(name)


def _nest(chain: tuple[str, ...]) -> str:
    return "".join(f"/properties/{_escape(n)}" for n in chain)


def _narrow(node: Node, part: Mapping[str, Any]) -> Node | None:
    """``node`` within the numeric bounds of ``part``, if it is a plain number node."""
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    if not any(k in part for k in bounds) or node.branches or node.enum or node.has_const:
        return None
    if node.types is None or not set(node.types) <= {"integer", "number"}:
        return None
    integer = "number" not in node.types
    low, high = node.minimum, node.maximum
    exclusive_low = node.exclusive_minimum
    if "maximum" in part:
        high = part["maximum"] if high is None else min(high, part["maximum"])
    if "exclusiveMaximum" in part:
        bound = part["exclusiveMaximum"]
        below = math.ceil(bound) - 1 if integer else math.nextafter(bound, -math.inf)
        high = below if high is None else min(high, below)
    if "minimum" in part:
        low = part["minimum"] if low is None else max(low, part["minimum"])
    if "exclusiveMinimum" in part:
        bound = part["exclusiveMinimum"]
        exclusive_low = bound if exclusive_low is None else max(exclusive_low, bound)
    narrowed = dataclasses.replace(node, minimum=low, maximum=high, exclusive_minimum=exclusive_low)
    least, most = narrowed.integer_bounds()
    if integer and least is not None and most is not None and least > most:
        return None
    return narrowed


def _accepts(node: Node, value: Any) -> bool:
    if node.branches:
        return any(_accepts(branch, value) for branch in node.branches)
    return locally_valid(node, value)


def _shape(profile: Profile, doc: str, pointer: str, part: Any, node: Node | None) -> Shape:
    shape = Shape(_checker(profile, doc, pointer), node)
    if not isinstance(part, Mapping) or node is None:
        return shape
    values = [part["const"]] if "const" in part else list(part.get("enum", ()))
    shape.choices = tuple(
        v for v in values if not isinstance(v, (dict, list)) and _accepts(node, v)
    )
    shape.narrowed = _narrow(node, part)
    pattern = part.get("pattern")
    match = _PREFIX.fullmatch(pattern) if isinstance(pattern, str) else None
    shape.prefix = match.group(1) if match else None
    shape.required = tuple(part.get("required", ()))
    children = node.properties
    for name, sub in part.get("properties", {}).items():
        shape.properties[name] = _shape(
            profile, doc, f"{pointer}/properties/{_escape(name)}", sub, children.get(name)
        )
    return shape


def _block(document: Mapping[str, Any], amendment: Amendment, chain: tuple[str, ...]) -> int:
    """The index of the amendment's ``if``/``then``/``else`` block in the document's allOf.

    Blocks with the same ``when`` check the same thing; for a value change, the
    one whose ``then`` holds the property.
    """
    changes_value = bool(set(amendment.change) - {"absent"})
    first = None
    for index, block in enumerate(document.get("allOf", ())):
        if not isinstance(block, Mapping) or block.get("if") != amendment.when:
            continue
        first = index if first is None else first
        then: Any = block.get("then", {})
        for name in chain:
            then = then.get("properties", {}).get(name) if isinstance(then, Mapping) else None
        if not changes_value or then is not None:
            return index
    if first is None or changes_value:
        raise LookupError(f"amendment {amendment.name!r}: its block is not in the document")
    return first


def _rule(profile: Profile, amendment: Amendment, location: str) -> tuple[str, Rule]:
    doc, parts = split(location)
    chain = tuple(parts[1::2])
    document = _registry.document(doc, profile)
    index = _block(document, amendment, chain)
    base = f"/allOf/{index}"
    when = _shape(profile, doc, f"{base}/if", amendment.when, root(doc, profile))
    change = amendment.change
    allowed = original = None
    if "allow" in change:
        allowed = amended_node(doc, f"{base}/then{_nest(chain)}", profile)
        original = _checker(profile, doc, f"{base}/else{_nest(chain)}")
    rule = Rule(
        name=amendment.name,
        chain=chain,
        when=when,
        absent=bool(change.get("absent")),
        values=tuple(change.get("enum-add", ())),
        nullable=bool(change.get("nullable")),
        allowed=allowed,
        original=original,
    )
    return doc, rule


@cache
def rules(profile: Profile | None) -> Mapping[str, Rules]:
    """The rules of the profile's conditional amendments, by document name."""
    if profile is None:
        return {}
    found: dict[str, list[Rule]] = {}
    for amendment in profile.amendments:
        if amendment.when is None:
            continue
        for location in amendment.scope:
            doc, rule = _rule(profile, amendment, location)
            found.setdefault(doc, []).append(rule)
    return {doc: Rules(doc, tuple(items), profile) for doc, items in found.items()}


def for_node(profile: Profile | None, node: Node) -> Rules | None:
    """The rules that apply to values of ``node`` (a document's root), or None."""
    if profile is None or node.pointer:
        return None
    return rules(profile).get(node.doc)
