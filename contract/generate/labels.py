"""The labels of mutants: (keyword, description) for each way of breaking a rule.

Both mutant generators (the Hypothesis strategies and the direct sampler) and
the coverage corpus word their labels here, so the same broken rule always
reads the same. ``who`` names the value (see :func:`contract.generate.constraints.subject`).
"""

from __future__ import annotations

import json
from typing import Any

Label = tuple[str, str]


def show(value: Any) -> str:
    """A value as JSON, for descriptions."""
    return json.dumps(value, ensure_ascii=False)


def describe_kind(kind: str) -> str:
    """Readable name of a kind ("float" is a number that is not an integer)."""
    return "non-integer number" if kind == "float" else kind


def wrong_type(who: str, kind: str) -> Label:
    return "type", f"{who} of wrong type {describe_kind(kind)}"


def not_const(who: str, value: Any) -> Label:
    return "const", f"{who} is not {show(value)}"


def outside_enum(who: str) -> Label:
    return "enum", f"{who} outside enum"


def no_alternative(who: str, discriminator: str | None = None) -> Label:
    """A ``oneOf`` none of whose alternatives matches (at its discriminator, if named)."""
    where = f"{who} {discriminator}" if discriminator else who
    return "oneOf", f"{where} matches no oneOf alternative"


def missing(who: str, prop: str) -> Label:
    return "required", f"{who} missing required property {show(prop)}"


def below_minimum(who: str, bound: Any) -> Label:
    return "minimum", f"{who} below minimum {show(bound)}"


def above_maximum(who: str, bound: Any) -> Label:
    return "maximum", f"{who} above maximum {show(bound)}"


def at_exclusive_minimum(who: str, bound: Any) -> Label:
    return "exclusiveMinimum", f"{who} at exclusive minimum {show(bound)}"


def below_exclusive_minimum(who: str, bound: Any) -> Label:
    return "exclusiveMinimum", f"{who} below exclusive minimum {show(bound)}"


def too_long(who: str, limit: int) -> Label:
    return "maxLength", f"{who} longer than maxLength {limit}"


def too_short(who: str, limit: int) -> Label:
    return "minLength", f"{who} shorter than minLength {limit}"


def too_many_items(who: str, limit: int) -> Label:
    return "maxItems", f"{who} with more than {limit} items"


def too_few_items(who: str, limit: int) -> Label:
    return "minItems", f"{who} with fewer than {limit} items"


def too_many_properties(who: str, limit: int) -> Label:
    return "maxProperties", f"{who} with more than {limit} properties"


def key_too_long(who: str, limit: int) -> Label:
    return "propertyNames", f"{who} key longer than {limit} characters"
