"""Apply amendments to the schema documents: amended in-memory copies, same ``$id``s.

Only the documents an amendment touches are copied; the others are shared.
Each kind of change widens the schema at its location:

``enum-add``  the values join the ``enum`` (a ``const`` becomes a one-more ``enum``);
``allow``     the schema becomes ``anyOf: [original, allowed]`` (or joins an existing ``anyOf``);
``nullable``  as ``allow: {"type": "null"}``;
``absent``    the property leaves its object's ``required``.
``absent-where-nullable``
              every required property whose published rule accepts null may be
              absent: in the documents the scope names (their roots,
              ``FineTuningJob.json#``) and every document they reach by ``$ref``.
              Derived from the published documents (another amendment making a
              property nullable does not extend it); never with ``when``.

With ``when``, the property's rule moves to the document's root, as
``allOf: [..., {"if": <when>, "then": <amended rule>, "else": <original rule>}]``,
so every object is checked against exactly one of them (and failures read as
they do without the amendment).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import referencing
from jsonschema import Draft202012Validator
from referencing.jsonschema import DRAFT202012

from contract._core import jsonpointer
from contract.schema.amendments import Amendment, AmendmentError

_ANNOTATIONS = ("description", "title", "default", "examples", "$comment")

#: Left in place of a property's rule that a conditional amendment moved to the root.
_MOVED = {"$comment": "rule moved to the root's allOf by a conditional amendment"}


def split(location: str) -> tuple[str, list[str]]:
    """``Doc.json#/a/b`` -> (``Doc``, [``a``, ``b``])."""
    document, _, pointer = location.partition("#")
    parts = jsonpointer.split(pointer)
    return document.removesuffix(".json"), parts


def _where(amendment: Amendment, location: str) -> str:
    return f"amendment {amendment.name!r}, scope {location}"


def _locate(document: Any, parts: list[str], where: str) -> Any:
    node = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise AmendmentError(f"{where}: no such schema location")
    if not isinstance(node, dict):
        raise AmendmentError(f"{where}: the location is not a schema object")
    return node


def _property_chain(parts: list[str], where: str) -> list[str]:
    """The property names of a ``/properties/a/properties/b`` pointer."""
    if len(parts) % 2 or any(p != "properties" for p in parts[0::2]):
        raise AmendmentError(f"{where}: must be a chain of /properties/NAME steps here")
    return parts[1::2]


def _widen(node: dict[str, Any], alternative: Any) -> None:
    """Make ``node`` accept ``alternative`` too, in place."""
    rules = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    if set(rules) == {"anyOf"}:
        node["anyOf"] = [*node["anyOf"], alternative]
        return
    for key in rules:
        del node[key]
    node["anyOf"] = [rules, alternative]


def _add_values(node: dict[str, Any], values: list[Any], where: str) -> None:
    if "enum" in node:
        node["enum"] = [*node["enum"], *(v for v in values if v not in node["enum"])]
    elif "const" in node:
        node["enum"] = [node.pop("const"), *values]
    else:
        raise AmendmentError(f"{where}: enum-add needs an enum or const there")


def _nest(names: list[str], innermost: dict[str, Any]) -> dict[str, Any]:
    """``{"properties": {a: {"properties": {b: ...}}}}`` around ``innermost``."""
    schema = innermost
    for name in reversed(names):
        schema = {"properties": {name: schema}}
    return schema


def _change_value(
    node: dict[str, Any], change: Mapping[str, Any], parts: list[str], where: str
) -> None:
    """Apply the value changes (``enum-add``, ``allow``, ``nullable``) to ``node`` in place."""
    if "enum-add" in change:
        _add_values(node, list(change["enum-add"]), where)
    if "allow" in change or "nullable" in change:
        if not parts:
            raise AmendmentError(f"{where}: a document's root cannot be widened; scope a property")
        if "allow" in change:
            _widen(node, copy.deepcopy(change["allow"]))
        if change.get("nullable"):
            _widen(node, {"type": "null"})


def _unrequire(holder: dict[str, Any], pristine: Any, name: str, where: str) -> bool:
    """Drop ``name`` from ``required``; False if an earlier amendment already did."""
    if name not in pristine.get("required", []):
        raise AmendmentError(f"{where}: {name!r} is not required there")
    required = holder.get("required", [])
    holder["required"] = [n for n in required if n != name]
    return name in required


#: Conditional ``absent`` amendments met so far: (document, property chain) -> their ``when``s.
Pending = dict[tuple[str, tuple[str, ...]], list[Any]]


def _apply_one(
    document: dict[str, Any],
    pristine: Any,
    amendment: Amendment,
    location: str,
    pending: Pending,
) -> None:
    """Apply one amendment at one location of ``document`` (``pristine``: as published)."""
    where = _where(amendment, location)
    _, parts = split(location)
    change = amendment.change
    node = _locate(document, parts, where)
    absent = bool(change.get("absent"))
    pristine_holder = _locate(pristine, parts[:-2], where) if absent else None
    if amendment.when is None:
        _change_value(node, change, parts, where)
        if absent:
            chain = _property_chain(parts, where)
            _unrequire(_locate(document, parts[:-2], where), pristine_holder, chain[-1], where)
        return
    # Conditional: the property's rule moves into {"if": when, "then": amended, "else": original}
    # at the document's root, so each object is checked against exactly one of them.
    chain = _property_chain(parts, where)
    name = chain[-1]
    holder = _locate(document, parts[:-2], where)
    if node == _MOVED and set(change) - {"absent"}:
        # Two conditional changes of one rule cannot be combined; a conditional absence
        # only touches the holder's "required", so it combines with either.
        raise AmendmentError(f"{where}: another conditional amendment already changes it")
    amended: dict[str, Any] = {}
    original: dict[str, Any] = {}
    if set(change) - {"absent"}:
        relaxed = copy.deepcopy(node)
        _change_value(relaxed, change, parts, where)
        amended["properties"] = {name: relaxed}
        original["properties"] = {name: copy.deepcopy(node)}
        holder["properties"][name] = dict(_MOVED)
    if absent:
        # Required unless one of the conditions of the amendments that let it be absent
        # holds: the requirement is written once, after every amendment (see apply).
        key = (split(location)[0], tuple(chain))
        if _unrequire(holder, pristine_holder, name, where):
            pending[key] = [dict(amendment.when)]
        elif key in pending:
            pending[key].append(dict(amendment.when))
        # else an unconditional amendment already made it optional everywhere.
    if amended or original:
        block = {"if": dict(amendment.when), "then": _nest(chain[:-1], amended)}
        block["else"] = _nest(chain[:-1], original)
        document["allOf"] = [*document.get("allOf", []), block]


#: The change that lets every nullable required property be absent.
WHERE_NULLABLE = "absent-where-nullable"
#: The change that adds HTTP statuses to an operation (read by the checks, not applied here).
STATUS_ADD = "status-add"
#: Keywords whose values are data, not schemas.
_DATA = frozenset({"enum", "const", "examples", "default", "required", *_ANNOTATIONS})


def _referenced(node: Any, here: str) -> Iterator[str]:
    """The names of the documents ``node`` refers to (``here``: its own document)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = ref.partition("#")[0]
            yield target.rsplit("/", 1)[-1].removesuffix(".json") if target else here
        for key, value in node.items():
            if key not in _DATA:
                yield from _referenced(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from _referenced(item, here)


def reach(documents: Mapping[str, Mapping[str, Any]], roots: Iterable[str]) -> list[str]:
    """``roots`` and every document they reach by ``$ref``, in the order met."""
    seen: dict[str, None] = {}
    stack = list(roots)[::-1]
    while stack:
        name = stack.pop()
        if name in seen or name not in documents:
            continue
        seen[name] = None
        stack.extend(n for n in _referenced(documents[name], name) if n not in seen)
    return list(seen)


def _objects(node: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object under ``node`` with ``properties`` and ``required``."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and isinstance(node.get("required"), list):
            yield pointer, node
        for key, value in node.items():
            if key not in _DATA:
                yield from _objects(value, f"{pointer}/{jsonpointer.escape(key)}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _objects(item, f"{pointer}/{index}")


def nullable_required(
    documents: Mapping[str, Mapping[str, Any]], roots: Iterable[str]
) -> list[str]:
    """The locations (``Doc.json#/properties/x``) of the required properties, in the
    documents ``roots`` reach, whose rule accepts null: what ``absent-where-nullable``
    lets be absent."""
    resources = [(d["$id"], DRAFT202012.create_resource(d)) for d in documents.values()]
    registry: referencing.Registry[Any] = referencing.Registry().with_resources(resources)
    found: list[str] = []
    for name in reach(documents, roots):
        uri = documents[name]["$id"]
        for pointer, holder in _objects(documents[name], ""):
            for prop in holder["required"]:
                if prop not in holder["properties"]:
                    continue
                at = f"{pointer}/properties/{jsonpointer.escape(prop)}"
                check = Draft202012Validator({"$ref": f"{uri}#{at}"}, registry=registry)
                if check.is_valid(None):
                    found.append(f"{name}.json#{at}")
    return found


def _rank(amendment: Amendment) -> tuple[bool, str]:
    """Unconditional changes first, then conditional ones."""
    return amendment.when is not None, amendment.name


def _check_special(amendment: Amendment) -> None:
    """The rules of the two changes that are not read at one schema location."""
    for kind in (WHERE_NULLABLE, STATUS_ADD):
        if kind in amendment.change:
            if len(amendment.change) > 1:
                raise AmendmentError(f"amendment {amendment.name!r}: {kind} cannot be combined")
            if amendment.when is not None:
                raise AmendmentError(f"amendment {amendment.name!r}: {kind} cannot have when")


def _where_nullable(
    amendment: Amendment,
    result: dict[str, Mapping[str, Any]],
    copied: dict[str, dict[str, Any]],
    pristine: Mapping[str, Mapping[str, Any]],
) -> None:
    roots = []
    for location in amendment.scope:
        name, parts = split(location)
        if parts:
            raise AmendmentError(
                f"{_where(amendment, location)}: {WHERE_NULLABLE} needs a document's root "
                f"({name}.json#)"
            )
        roots.append(name)
    for location in nullable_required(pristine, roots):
        name, parts = split(location)
        if name not in copied:
            copied[name] = copy.deepcopy(dict(result[name]))
            result[name] = copied[name]
        where = _where(amendment, location)
        holder = _locate(copied[name], parts[:-2], where)
        _unrequire(holder, _locate(pristine[name], parts[:-2], where), parts[-1], where)


def apply(
    documents: Mapping[str, Mapping[str, Any]], amendments: Iterable[Amendment]
) -> dict[str, Mapping[str, Any]]:
    """The documents with every amendment applied (unconditional ones first)."""
    result: dict[str, Mapping[str, Any]] = dict(documents)
    copied: dict[str, dict[str, Any]] = {}
    pending: Pending = {}
    ordered = sorted(amendments, key=_rank)
    for amendment in ordered:
        _check_special(amendment)
        if STATUS_ADD in amendment.change:
            continue  # no schema changes: the checks read it (contract.schema.operations)
        for location in amendment.scope:
            name, _ = split(location)
            if name not in result:
                known = ", ".join(f"{n}.json" for n in sorted(documents))
                raise AmendmentError(
                    f"{_where(amendment, location)}: no document {name}.json; known: {known}"
                )
        if WHERE_NULLABLE in amendment.change:
            _where_nullable(amendment, result, copied, documents)
            continue
        for location in amendment.scope:
            name, _ = split(location)
            if name not in copied:
                copied[name] = copy.deepcopy(dict(result[name]))
                result[name] = copied[name]
            _apply_one(copied[name], documents[name], amendment, location, pending)
    for (name, chain), conditions in pending.items():
        when = conditions[0] if len(conditions) == 1 else {"anyOf": conditions}
        block = {"if": when, "then": {}, "else": _nest(list(chain[:-1]), {"required": [chain[-1]]})}
        copied[name]["allOf"] = [*copied[name].get("allOf", []), block]
    return result
