"""The schema documents compiled into a small tree that the generators walk.

Only the keywords our documents use are understood. Any other keyword, or a
combination the generators cannot honour (``$ref`` with assertion siblings,
``additionalProperties: false``, overlapping ``oneOf`` branches, recursion),
raises :class:`UnsupportedSchema` naming the document and location, so a later
schema edit can never make the generators produce wrong data silently.

Under a profile, the tree is compiled from the documents its unconditional
amendments amend (``anyOf`` alternatives, enum values, properties no longer
required); a conditional amendment moves its property's rule into an
``if``/``then``/``else`` at the document's root, which the tree does not model:
the generators apply those as rules (:mod:`contract.generate.conditional`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from contract import schema as _registry
from contract._core import jsonpointer
from contract.schema.amendments import Catalogue, Profile

if TYPE_CHECKING:
    from contract.schema.amendments import Amendment

#: Keywords that never constrain a value.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "format",
        "deprecated",
        "$defs",
    }
)
#: Keywords the generators honour.
ASSERTIONS = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "maxProperties",
        "maxLength",
        "maxItems",
        "minItems",
        "items",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "minLength",
        "oneOf",
        "anyOf",
    }
)
_OBJECT_KEYWORDS = (
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "maxProperties",
)
_ARRAY_KEYWORDS = ("items", "maxItems", "minItems")
_STRING_KEYWORDS = ("maxLength", "minLength")
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum")

#: Kinds of JSON value the generators tell apart; "float" is a non-integral number.
KINDS = ("null", "boolean", "integer", "float", "string", "array", "object")
ALL_KINDS = frozenset(KINDS)
_TYPE_KINDS: dict[str, frozenset[str]] = {
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"integer", "float"}),
    "string": frozenset({"string"}),
    "array": frozenset({"array"}),
    "object": frozenset({"object"}),
}


class UnsupportedSchema(ValueError):
    """A schema uses a keyword or a combination the generators do not handle."""


def kind_of(value: Any) -> str:
    """The kind (see :data:`KINDS`) of a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass(eq=False)
class Node:
    """One subschema, with its ``$ref`` resolved and its keywords parsed."""

    doc: str
    pointer: str
    types: tuple[str, ...] | None = None
    has_const: bool = False
    const: Any = None
    enum: tuple[Any, ...] | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    additional: Node | None = None
    property_names: Node | None = None
    max_properties: int | None = None
    items: Node | None = None
    min_items: int | None = None
    max_items: int | None = None
    max_length: int | None = None
    min_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    combinator: str | None = None  # "oneOf" or "anyOf"
    branches: tuple[Node, ...] = ()
    discriminator: str | None = None  # property telling the oneOf's object branches apart
    format: str | None = None
    examples: tuple[Any, ...] = ()
    title: str | None = None

    @property
    def location(self) -> str:
        """Where the subschema sits, as ``Document.json#/json/pointer``."""
        return f"{self.doc}.json#{self.pointer}"

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of value this subschema accepts at least one of."""
        if self.has_const:
            return frozenset({kind_of(self.const)})
        if self.enum is not None:
            return frozenset(kind_of(v) for v in self.enum)
        allowed = ALL_KINDS
        if self.types is not None:
            allowed = frozenset().union(*(_TYPE_KINDS[t] for t in self.types))
        if self.branches:
            allowed &= frozenset().union(*(b.kinds for b in self.branches))
        return allowed

    @property
    def lower(self) -> tuple[int | float, bool] | None:
        """The lower bound and whether it is exclusive, or None."""
        if self.exclusive_minimum is not None and (
            self.minimum is None or self.exclusive_minimum >= self.minimum
        ):
            return self.exclusive_minimum, True
        if self.minimum is not None:
            return self.minimum, False
        return None

    def integer_bounds(self) -> tuple[int | None, int | None]:
        """The smallest and largest integers within the numeric bounds."""
        low: int | None = None
        bound = self.lower
        if bound is not None:
            value, exclusive = bound
            low = math.floor(value) + 1 if exclusive else math.ceil(value)
        high = math.floor(self.maximum) if self.maximum is not None else None
        return low, high

    def describe_types(self) -> str:
        return " or ".join(self.types) if self.types else "/".join(sorted(self.kinds))


_escape = jsonpointer.escape
_unescape = jsonpointer.unescape


def _lookup(documents: Mapping[str, Mapping[str, Any]] | None, doc: str, pointer: str) -> Any:
    node: Any = _registry.document(doc) if documents is None else documents[doc]
    for part in pointer.split("/")[1:]:
        key = _unescape(part)
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _resolve(doc: str, ref: str) -> tuple[str, str]:
    target = urljoin(_registry.BASE_URI + doc + ".json", ref)
    uri, _, fragment = target.partition("#")
    if not uri.startswith(_registry.BASE_URI) or not uri.endswith(".json"):
        raise UnsupportedSchema(f"{doc}.json: $ref {ref!r} points outside the contract")
    name = uri[len(_registry.BASE_URI) : -len(".json")]
    if name not in _registry.documents():
        raise UnsupportedSchema(f"{doc}.json: $ref {ref!r} names no schema document")
    if fragment and not fragment.startswith("/"):
        raise UnsupportedSchema(
            f"{doc}.json: $ref {ref!r}: only JSON Pointer fragments are supported"
        )
    return name, fragment


class _Compiler:
    """Compiles nodes of ``documents`` (default: the published ones), each location once."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.documents = documents
        self.done: dict[tuple[str, str], Node] = {}
        self.active: list[tuple[str, str]] = []

    def node(self, doc: str, pointer: str) -> Node:
        key = (doc, pointer)
        if key in self.done:
            return self.done[key]
        if key in self.active:
            raise UnsupportedSchema(
                f"{doc}.json#{pointer}: recursive reference; generators do not support recursion"
            )
        self.active.append(key)
        try:
            built = self._build(doc, pointer)
        finally:
            self.active.pop()
        self.done[key] = built
        return built

    def _fail(self, doc: str, pointer: str, message: str) -> UnsupportedSchema:
        return UnsupportedSchema(f"{doc}.json#{pointer}: {message}")

    def _build(self, doc: str, pointer: str) -> Node:
        raw = _lookup(self.documents, doc, pointer)
        if raw is True or raw == {}:
            return Node(doc, pointer)
        if not isinstance(raw, Mapping):
            raise self._fail(doc, pointer, f"schema must be an object, not {raw!r}")
        unknown = sorted(set(raw) - ANNOTATIONS - ASSERTIONS)
        if unknown:
            raise self._fail(
                doc,
                pointer,
                f"keyword(s) {', '.join(unknown)} not supported by the payload generators",
            )
        if "$ref" in raw:
            siblings = sorted(set(raw) & ASSERTIONS - {"$ref"})
            if siblings:
                raise self._fail(
                    doc, pointer, f"$ref next to {', '.join(siblings)} is not supported"
                )
            target_doc, target_pointer = _resolve(doc, raw["$ref"])
            return self.node(target_doc, target_pointer)
        node = Node(doc, pointer)
        self._scalars(node, raw)
        self._objects(node, raw)
        self._arrays(node, raw)
        self._combinators(node, raw)
        self._check_values(node, raw)
        return node

    def _scalars(self, node: Node, raw: Mapping[str, Any]) -> None:
        doc, pointer = node.doc, node.pointer
        if "type" in raw:
            types = raw["type"]
            types = (types,) if isinstance(types, str) else tuple(types)
            bad = [t for t in types if t not in _TYPE_KINDS]
            if bad or not types:
                raise self._fail(doc, pointer, f"unknown type {raw['type']!r}")
            node.types = types
        if "const" in raw:
            node.has_const, node.const = True, raw["const"]
        if "enum" in raw:
            if not isinstance(raw["enum"], list) or not raw["enum"]:
                raise self._fail(doc, pointer, "enum must be a non-empty list")
            node.enum = tuple(raw["enum"])
        for keyword in _NUMBER_KEYWORDS:
            if keyword in raw:
                value = raw[keyword]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise self._fail(doc, pointer, f"{keyword} must be a number, not {value!r}")
                if not math.isfinite(value):
                    raise self._fail(doc, pointer, f"{keyword} must be finite")
        node.minimum = raw.get("minimum")
        node.maximum = raw.get("maximum")
        node.exclusive_minimum = raw.get("exclusiveMinimum")
        for keyword in ("maxLength", "minLength", "maxItems", "minItems", "maxProperties"):
            value = raw.get(keyword)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise self._fail(doc, pointer, f"{keyword} must be a non-negative integer")
        node.max_length = raw.get("maxLength")
        node.min_length = raw.get("minLength")
        node.format = raw.get("format")
        node.examples = tuple(raw.get("examples", ()))
        node.title = raw.get("title")
        for keywords, needed in (
            (_STRING_KEYWORDS, "string"),
            (_NUMBER_KEYWORDS, "number"),
            (_ARRAY_KEYWORDS, "array"),
            (_OBJECT_KEYWORDS, "object"),
        ):
            used = [k for k in keywords if k in raw]
            if not used:
                continue
            kinds = _TYPE_KINDS[needed] if needed != "number" else frozenset({"integer", "float"})
            if node.types is None or not any(_TYPE_KINDS[t] & kinds for t in node.types):
                raise self._fail(
                    doc,
                    pointer,
                    f'{", ".join(used)} without a "type" of {needed} is not supported',
                )

    def _objects(self, node: Node, raw: Mapping[str, Any]) -> None:
        doc, pointer = node.doc, node.pointer
        for name in raw.get("properties", {}):
            node.properties[name] = self.node(doc, f"{pointer}/properties/{_escape(name)}")
        required = raw.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self._fail(doc, pointer, "required must be a list of strings")
        missing = [r for r in required if r not in node.properties]
        if missing and "additionalProperties" in raw:
            raise self._fail(doc, pointer, f"required {missing} not described by properties")
        for name in missing:
            # A required property with no description takes any value.
            node.properties[name] = Node(doc, f"{pointer}/required")
        node.required = tuple(required)
        if "additionalProperties" in raw:
            extra = raw["additionalProperties"]
            if extra is False:
                raise self._fail(doc, pointer, "additionalProperties: false is not supported")
            if extra is not True:
                node.additional = self.node(doc, f"{pointer}/additionalProperties")
        if "propertyNames" in raw:
            names_pointer = f"{pointer}/propertyNames"
            names = raw["propertyNames"]
            unsupported = sorted(set(names) - ANNOTATIONS - {"maxLength", "type"})
            if (
                not isinstance(names, Mapping)
                or unsupported
                or names.get("type", "string") != "string"
            ):
                raise self._fail(
                    doc, names_pointer, "only maxLength is supported inside propertyNames"
                )
            node.property_names = Node(doc, names_pointer, types=("string",))
            length = names.get("maxLength")
            if length is not None and (
                isinstance(length, bool) or not isinstance(length, int) or length < 0
            ):
                raise self._fail(doc, names_pointer, "maxLength must be a non-negative integer")
            node.property_names.max_length = length
        if "maxProperties" in raw:
            if node.properties:
                raise self._fail(doc, pointer, "maxProperties next to properties is not supported")
            node.max_properties = raw["maxProperties"]
        if "properties" in raw and node.additional is not None:
            raise self._fail(
                doc, pointer, "properties next to additionalProperties is not supported"
            )

    def _arrays(self, node: Node, raw: Mapping[str, Any]) -> None:
        if "items" in raw:
            node.items = self.node(node.doc, f"{node.pointer}/items")
        node.min_items = raw.get("minItems")
        node.max_items = raw.get("maxItems")
        if (node.min_items or 0) > (node.max_items if node.max_items is not None else math.inf):
            raise self._fail(node.doc, node.pointer, "minItems above maxItems")

    def _combinators(self, node: Node, raw: Mapping[str, Any]) -> None:
        doc, pointer = node.doc, node.pointer
        present = [k for k in ("oneOf", "anyOf") if k in raw]
        if not present:
            return
        if len(present) > 1:
            raise self._fail(doc, pointer, "oneOf next to anyOf is not supported")
        keyword = present[0]
        siblings = sorted(set(raw) & ASSERTIONS - {keyword, "type"})
        if siblings:
            raise self._fail(
                doc, pointer, f"{keyword} next to {', '.join(siblings)} is not supported"
            )
        node.combinator = keyword
        node.branches = tuple(
            self.node(doc, f"{pointer}/{keyword}/{i}") for i in range(len(raw[keyword]))
        )
        if not node.branches:
            raise self._fail(doc, pointer, f"{keyword} must not be empty")
        if node.types is not None:
            allowed = frozenset().union(*(_TYPE_KINDS[t] for t in node.types))
            for i, branch in enumerate(node.branches):
                if not branch.kinds <= allowed:
                    raise self._fail(
                        doc,
                        f"{pointer}/{keyword}/{i}",
                        f"branch accepts values the sibling type {node.types} rejects",
                    )
        if keyword == "oneOf":
            node.discriminator = self._check_disjoint(node)

    def _check_disjoint(self, node: Node) -> str | None:
        """Prove the oneOf branches never accept the same value; return the discriminator."""
        objects = [b for b in node.branches if "object" in b.kinds]
        discriminator = _discriminator(objects) if len(objects) > 1 else None
        for i, first in enumerate(node.branches):
            for second in node.branches[i + 1 :]:
                shared = first.kinds & second.kinds
                if shared and not (shared == {"object"} and discriminator):
                    raise self._fail(
                        node.doc,
                        node.pointer,
                        f"oneOf branches {first.location} and {second.location} may accept the "
                        f"same value ({', '.join(sorted(shared))}); the generators need "
                        "disjoint branches",
                    )
        return discriminator

    def _check_values(self, node: Node, raw: Mapping[str, Any]) -> None:
        values = [node.const] if node.has_const else list(node.enum or ())
        for value in values:
            if not locally_valid(node, value):
                raise self._fail(
                    node.doc, node.pointer, f"const/enum value {value!r} breaks its own schema"
                )


def _discriminator(objects: list[Node]) -> str | None:
    """A required property whose const/enum values tell every object branch apart."""
    if not objects:
        return None
    candidates = set(objects[0].required)
    for branch in objects[1:]:
        candidates &= set(branch.required)
    for name in sorted(candidates):
        seen: set[Any] = set()
        ok = True
        for branch in objects:
            prop = branch.properties.get(name)
            if prop is None or (not prop.has_const and prop.enum is None):
                ok = False
                break
            values = {_hashable(v) for v in ([prop.const] if prop.has_const else prop.enum or ())}
            if values & seen:
                ok = False
                break
            seen |= values
        if ok:
            return name
    return None


def _hashable(value: Any) -> Any:
    return (kind_of(value), repr(value))


def discriminator_values(node: Node) -> list[Any]:
    """Every value the discriminator of a oneOf takes, over all its object branches."""
    values: list[Any] = []
    if node.discriminator is None:
        return values
    for branch in node.branches:
        prop = branch.properties.get(node.discriminator)
        if prop is not None:
            values.extend([prop.const] if prop.has_const else list(prop.enum or ()))
    return values


def locally_valid(node: Node, value: Any) -> bool:
    """Whether a scalar value meets the node's type and scalar keywords (not its branches)."""
    kind = kind_of(value)
    if node.types is not None and not any(kind in _TYPE_KINDS[t] for t in node.types):
        return False
    if node.has_const and (kind_of(node.const), node.const) != (kind, value):
        return False
    if node.enum is not None and all((kind_of(v), v) != (kind, value) for v in node.enum):
        return False
    if kind in ("integer", "float"):
        if node.minimum is not None and value < node.minimum:
            return False
        if node.maximum is not None and value > node.maximum:
            return False
        if node.exclusive_minimum is not None and value <= node.exclusive_minimum:
            return False
    if kind != "string":
        return True
    if node.min_length is not None and len(value) < node.min_length:
        return False
    return not (node.max_length is not None and len(value) > node.max_length)


@cache
def _compiled(amendments: tuple[Amendment, ...] = ()) -> _Compiler:
    if not amendments:
        return _Compiler()
    overlay = Profile("", amendments, Catalogue({}, {}))
    return _Compiler(_registry.documents(overlay))


def unconditional(profile: Profile | None) -> tuple[Amendment, ...]:
    """The profile's amendments without ``when``: those the compiled tree holds."""
    if profile is None:
        return ()
    return tuple(a for a in profile.amendments if a.when is None)


def root(name: str, profile: Profile | None = None) -> Node:
    """The compiled schema of the named type (``ValueError`` for unknown names).

    With a profile: the documents as its unconditional amendments amend them.
    """
    _registry.uri_of(name)
    return _compiled(unconditional(profile)).node(name, "")


def amended_node(doc: str, pointer: str, profile: Profile) -> Node:
    """A subschema of the documents as every amendment of the profile amends them.

    For the rules conditional amendments move to a document's root
    (``/allOf/i/then/properties/NAME``); the root itself does not compile.
    """
    return _compiled(profile.amendments).node(doc, pointer)


def check_all() -> None:
    """Compile every document's root; raise :class:`UnsupportedSchema` on the first problem."""
    for name in _registry.schema_names():
        root(name)


def walk(node: Node) -> Iterator[Node]:
    """Every node reachable from ``node``, each once."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(current.branches)
        stack.extend(current.properties.values())
        for child in (current.items, current.additional, current.property_names):
            if child is not None:
                stack.append(child)
