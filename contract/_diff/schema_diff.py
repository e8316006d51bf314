"""Comparing a published schema with ours, structurally, for ``diff``.

Both sides are first read into the same plain form (:class:`Node`): references
followed, annotations (descriptions, titles, examples, defaults, formats,
``x-…``) dropped, null alternatives (``nullable: true``, ``type: [..., "null"]``,
``anyOf: [..., {"type": "null"}]``) turned into a flag, one-branch ``oneOf``/
``anyOf`` unwrapped, ``const`` read as a one-value ``enum``. Then each
difference becomes one :class:`Difference` in a category API-diff users know,
and each place where the published form differs only by one of our documented
fixes (``schemas/README.md``) becomes a :class:`Fix`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin

from contract import schema as _registry
from contract._core import jsonpointer
from contract._diff.openapi_doc import Document
from contract.validation._explain import show

#: Our documented fixes (numbers and titles as in schemas/README.md) that diff recognises.
FIXES = {
    1: "exclusiveMinimum is a number",
    2: "GraderScoreModel.range is exactly two numbers",
    3: "Metadata limits are encoded",
    4: "Single-value enums marked x-stainless-const are const",
    6: "integrations items are a plain $ref",
    8: "Request parameter bounds are encoded",
}

_BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
_MAX_DEPTH = 200

Child = tuple[Any, str]


@dataclass(frozen=True)
class Difference:
    """One difference: its category, where (``Schema/property/…``) and what."""

    category: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.category}: {self.where}" + (f": {self.detail}" if self.detail else "")

    def as_dict(self) -> dict[str, str]:
        return {"category": self.category, "where": self.where, "detail": self.detail}


@dataclass(frozen=True)
class Fix:
    """A place where the published form differs only by one of our documented fixes."""

    number: int
    where: str
    detail: str

    @property
    def title(self) -> str:
        return FIXES[self.number]

    def as_dict(self) -> dict[str, Any]:
        return {"fix": self.number, "title": self.title, "where": self.where, "detail": self.detail}


@dataclass
class Node:
    """A schema in plain form (see the module docstring)."""

    name: str | None = None
    types: frozenset[str] | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    const_form: bool = False
    properties: dict[str, Child] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Child | None = None
    additional: Child | bool | None = None
    property_names: Child | None = None
    bounds: dict[str, Any] = field(default_factory=dict)
    branches: list[Child] = field(default_factory=list)
    one_branch_wrapper: bool = False
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (fix, bound, detail)


class Side:
    """How one side follows ``$ref``: returns (target, its base, the name it is, if whole)."""

    def resolve(self, ref: str, base: str, where: str) -> tuple[Any, str, str | None]:
        raise NotImplementedError


class Upstream(Side):
    def __init__(self, document: Document) -> None:
        self.document = document

    def resolve(self, ref: str, base: str, where: str) -> tuple[Any, str, str | None]:
        return self.document.resolve(ref, where), base, Document.component_name(ref)


class Ours(Side):
    def resolve(self, ref: str, base: str, where: str) -> tuple[Any, str, str | None]:
        target = urljoin(base, ref)
        uri, _, fragment = target.partition("#")
        node: Any = _registry.registry().contents(uri)
        for part in jsonpointer.split(fragment):
            node = node[part]
        name = _registry.name_of(uri).removesuffix(".json") if not fragment else None
        return node, uri, name


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and "enum" not in schema


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _merge(outer: Node, inner: Node) -> Node:
    """``outer`` with ``inner``'s rules added (an unwrapped branch or an ``allOf`` part)."""
    types = inner.types if outer.types is None else outer.types
    if outer.types is not None and inner.types is not None:
        types = outer.types & inner.types
    return Node(
        name=inner.name or outer.name,
        types=types,
        nullable=outer.nullable or inner.nullable,
        enum=inner.enum if inner.enum is not None else outer.enum,
        const_form=inner.const_form or outer.const_form,
        properties={**outer.properties, **inner.properties},
        required=outer.required | inner.required,
        items=inner.items or outer.items,
        additional=inner.additional if inner.additional is not None else outer.additional,
        property_names=inner.property_names or outer.property_names,
        bounds={**outer.bounds, **inner.bounds},
        branches=inner.branches or outer.branches,
        one_branch_wrapper=outer.one_branch_wrapper or inner.one_branch_wrapper,
        notes=[*outer.notes, *inner.notes],
    )


def build(schema: Any, base: str, side: Side, where: str, depth: int = 0) -> Node:
    """The plain form of ``schema`` (whose relative references resolve against ``base``)."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return Node()
    if "$ref" in schema:
        target, target_base, name = side.resolve(str(schema["$ref"]), base, where)
        inner = build(target, target_base, side, where, depth + 1)
        if name and not inner.name:
            inner = replace(inner, name=name)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _merge(build(rest, base, side, where, depth + 1), inner) if rest else inner
    node = Node()
    if schema.get("nullable") is True:
        node.nullable = True
    kind = schema.get("type")
    types = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else None
    if types is not None and "null" in types:
        node.nullable = True
        types.discard("null")
    if "const" in schema:
        node.enum, node.const_form = (schema["const"],), True
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
        node.nullable = node.nullable or None in values
        node.enum = tuple(v for v in values if v is not None)
    if types is None and node.enum:
        types = {_json_type(v) for v in node.enum}
    node.types = frozenset(types) if types is not None else None
    node.bounds = {k: schema[k] for k in _BOUNDS if k in schema}
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = node.bounds.pop(exclusive) if isinstance(node.bounds.get(exclusive), bool) else None
        if flag and bound in node.bounds:
            value = node.bounds.pop(bound)
            node.bounds[exclusive] = value
            detail = f"{bound}: {show(value)}, {exclusive}: true read as {exclusive}: {show(value)}"
            node.notes.append((1, exclusive, detail))
    if isinstance(schema.get("properties"), Mapping):
        node.properties = {str(k): (v, base) for k, v in schema["properties"].items()}
    if isinstance(schema.get("required"), list):
        node.required = frozenset(str(n) for n in schema["required"])
    items = schema.get("items")
    if isinstance(items, Mapping):
        node.items = (items, base)
        for wrong, right in (("min_items", "minItems"), ("max_items", "maxItems")):
            if wrong in items and right not in node.bounds:
                node.bounds[right] = items[wrong]
                node.notes.append(
                    (2, right, f"{wrong}: {show(items[wrong])} inside items read as {right}")
                )
    extra = schema.get("additionalProperties")
    node.additional = (extra, base) if isinstance(extra, Mapping) else extra
    if isinstance(schema.get("propertyNames"), Mapping):
        node.property_names = (schema["propertyNames"], base)
    alternatives = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    node.one_branch_wrapper = len(schema.get("oneOf", ())) == 1 and not schema.get("anyOf")
    branches = [(b, base) for b in alternatives if not _is_null(b)]
    node.nullable = node.nullable or len(branches) < len(alternatives)
    if len(branches) == 1:
        node = _merge(node, build(branches[0][0], base, side, where, depth + 1))
    else:
        node.branches = branches
    for part in schema.get("allOf", ()):
        node = _merge(node, build(part, base, side, where, depth + 1))
    return node


@dataclass
class Comparison:
    """Walks two schemas in step, collecting differences and recognised fixes."""

    upstream: Side
    ours: Side
    differences: list[Difference] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    visited: set[tuple[str, str]] = field(default_factory=set)

    def differ(self, category: str, where: str, detail: str = "") -> None:
        self.differences.append(Difference(category, where, detail))

    def compare(self, up: Child, ours: Child, where: str, depth: int = 0) -> None:
        """Compare an upstream (schema, base) with ours at ``where`` (``Schema/path``)."""
        a = build(up[0], up[1], self.upstream, where)
        b = build(ours[0], ours[1], self.ours, where)
        if a.one_branch_wrapper and not b.one_branch_wrapper:
            self.fixes.append(Fix(6, where, "a one-branch oneOf read as its branch"))
        if a.name and b.name:
            if (a.name, b.name) in self.visited or depth > _MAX_DEPTH:
                return
            self.visited.add((a.name, b.name))
            where = b.name
        self._nodes(a, b, where, depth)

    def _nodes(self, a: Node, b: Node, where: str, depth: int) -> None:
        if a.nullable != b.nullable:
            self.differ(
                "nullability changed",
                where,
                "upstream allows null, ours does not"
                if a.nullable
                else "ours allows null, upstream does not",
            )
        if a.types is not None and b.types is not None and a.types != b.types:
            self.differ(
                "type changed", where, f"{_kinds(b.types)} (ours) -> {_kinds(a.types)} (upstream)"
            )
        self._enums(a, b, where)
        self._bounds(a, b, where)
        self._objects(a, b, where, depth)
        if a.items is not None and b.items is not None:
            self.compare(a.items, b.items, f"{where}[]", depth + 1)
        self._branches(a, b, where, depth)

    def _enums(self, a: Node, b: Node, where: str) -> None:
        if a.enum is None or b.enum is None:
            if (a.enum is None) != (b.enum is None):
                limited = "upstream" if a.enum is not None else "ours"
                values = a.enum if a.enum is not None else b.enum
                self.differ(
                    "enum changed", where, f"only {limited} limits the values to {_values(values)}"
                )
            return
        added = [v for v in a.enum if v not in b.enum]
        removed = [v for v in b.enum if v not in a.enum]
        if added:
            self.differ("enum values added", where, _values(added))
        if removed:
            self.differ("enum values removed", where, _values(removed))
        if not added and not removed and len(a.enum) == 1 and b.const_form and not a.const_form:
            self.fixes.append(Fix(4, where, f"enum [{show(a.enum[0])}] read as const"))

    def _bounds(self, a: Node, b: Node, where: str) -> None:
        noted = {bound: (fix, detail) for fix, bound, detail in a.notes}
        for bound in _BOUNDS:
            mine, theirs = b.bounds.get(bound), a.bounds.get(bound)
            if mine == theirs:
                if bound in noted and mine is not None:
                    self.fixes.append(Fix(noted[bound][0], where, noted[bound][1]))
                continue
            if theirs is None and where.startswith("Metadata"):
                self.fixes.append(Fix(3, where, f"{bound}: {show(mine)} encoded"))
                continue
            self.differ(
                "bounds changed",
                where,
                f"{bound} {_bound(mine)} (ours) -> {_bound(theirs)} (upstream)",
            )

    def _objects(self, a: Node, b: Node, where: str, depth: int) -> None:
        for name in a.properties:
            if name not in b.properties:
                self.differ("property added", f"{where}/{name}")
        for name in b.properties:
            if name not in a.properties:
                self.differ("property removed", f"{where}/{name}")
        for name in a.properties:
            if name in b.properties:
                self.compare(a.properties[name], b.properties[name], f"{where}/{name}", depth + 1)
        for name in sorted(a.required - b.required):
            self.differ("required changed", where, f"{name!r} required upstream, optional in ours")
        for name in sorted(b.required - a.required):
            self.differ("required changed", where, f"{name!r} required in ours, optional upstream")
        if isinstance(a.additional, tuple) and isinstance(b.additional, tuple):
            self.compare(a.additional, b.additional, f"{where}{{}}", depth + 1)
        elif _open(a.additional) != _open(b.additional):
            self.differ(
                "additional properties changed",
                where,
                f"{_describe(b.additional)} (ours) -> {_describe(a.additional)} (upstream)",
            )
        if (
            b.property_names is not None
            and a.property_names is None
            and where.startswith("Metadata")
        ):
            self.fixes.append(Fix(3, where, "propertyNames limit encoded"))
        elif a.property_names is not None and b.property_names is not None:
            self.compare(a.property_names, b.property_names, f"{where}(keys)", depth + 1)
        elif (a.property_names is None) != (b.property_names is None):
            self.differ("bounds changed", where, "propertyNames only on one side")

    def _branches(self, a: Node, b: Node, where: str, depth: int) -> None:
        if not a.branches and not b.branches:
            return
        theirs = {self._label(c, self.upstream, where): c for c in a.branches}
        mine = {self._label(c, self.ours, where): c for c in b.branches}
        for label in theirs:
            if label not in mine:
                self.differ("alternative added", f"{where}|{label}")
        for label in mine:
            if label not in theirs:
                self.differ("alternative removed", f"{where}|{label}")
        for label, child in theirs.items():
            if label in mine:
                self.compare(child, mine[label], f"{where}|{label}", depth + 1)

    @staticmethod
    def _label(child: Child, side: Side, where: str) -> str:
        node = build(child[0], child[1], side, where)
        if node.name:
            return node.name
        kind = node.properties.get("type")
        if kind is not None:
            tag = build(kind[0], kind[1], side, where)
            if tag.enum is not None and len(tag.enum) == 1:
                return f"type={show(tag.enum[0])}"
        if node.enum is not None and len(node.enum) == 1:
            return show(node.enum[0])
        return _kinds(node.types) if node.types is not None else "any"


def _kinds(types: frozenset[str]) -> str:
    return " or ".join(sorted(types)) or "nothing"


def _values(values: Any) -> str:
    return ", ".join(show(v) for v in values)


def _bound(value: Any) -> str:
    return "none" if value is None else show(value)


def _open(additional: Child | bool | None) -> bool:
    return additional is not False


def _describe(additional: Child | bool | None) -> str:
    if additional is False:
        return "no other properties"
    return (
        "a schema for other properties" if isinstance(additional, tuple) else "any other properties"
    )
