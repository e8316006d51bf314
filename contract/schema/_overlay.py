"""Apply amendments to the schema documents: amended in-memory copies, same ``$id``s.

Only the documents an amendment touches are copied; the others are shared.
Each kind of change widens the schema at its location:

``enum-add``  the values join the ``enum`` (a ``const`` becomes a one-more ``enum``);
``allow``     the schema becomes ``anyOf: [original, allowed]`` (or joins an existing ``anyOf``);
``nullable``  as ``allow: {"type": "null"}``;
``absent``    the property leaves its object's ``required``.

With ``when``, the property's rule moves to the document's root, as
``allOf: [..., {"if": <when>, "then": <amended rule>, "else": <original rule>}]``,
so every object is checked against exactly one of them (and failures read as
they do without the amendment).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

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
    if node == _MOVED:
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


def apply(
    documents: Mapping[str, Mapping[str, Any]], amendments: Iterable[Amendment]
) -> dict[str, Mapping[str, Any]]:
    """The documents with every amendment applied (unconditional ones first)."""
    result: dict[str, Mapping[str, Any]] = dict(documents)
    copied: dict[str, dict[str, Any]] = {}
    pending: Pending = {}
    ordered = sorted(amendments, key=lambda a: (a.when is not None, a.name))
    for amendment in ordered:
        for location in amendment.scope:
            name, _ = split(location)
            if name not in result:
                known = ", ".join(f"{n}.json" for n in sorted(documents))
                raise AmendmentError(
                    f"{_where(amendment, location)}: no document {name}.json; known: {known}"
                )
            if name not in copied:
                copied[name] = copy.deepcopy(dict(result[name]))
                result[name] = copied[name]
            _apply_one(copied[name], documents[name], amendment, location, pending)
    for (name, chain), conditions in pending.items():
        when = conditions[0] if len(conditions) == 1 else {"anyOf": conditions}
        block = {"if": when, "then": {}, "else": _nest(list(chain[:-1]), {"required": [chain[-1]]})}
        copied[name]["allOf"] = [*copied[name].get("allOf", []), block]
    return result
