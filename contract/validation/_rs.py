"""Violations from jsonschema-rs's errors, worded and chosen as ``validation._explain`` does.

jsonschema-rs reports, for each failing keyword, the instance path, the
keyword's absolute location (``uri#pointer``, ``$ref`` already followed) and,
for ``oneOf``/``anyOf``, every branch's errors. That is all the wording and
the branch choice need: the keyword's value is read from the schema document
at that location and the failing value from the payload at that path.

Where that is not enough, :func:`violations` returns None and the caller asks
the reference validator (jsonschema) instead: a keyword this toolkit does not
word itself (its message would be jsonschema's), a ``propertyNames`` schema
with more than one keyword, an error without a location, a path that could
pass through empty names at more than one place holding the failing value
(jsonschema-rs leaves empty names out of its paths), or a payload
jsonschema-rs cannot read (a failing value nested deeper than it converts,
about 250 levels, or a value of no JSON type).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import jsonschema_rs

from contract import schema as _registry
from contract._core import jsonpointer
from contract.validation._explain import WORDED, Failure, Path, explain_failures
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

_Kind = jsonschema_rs.ValidationErrorKind
_COMBINATORS = ("oneOf", "anyOf")
# Keywords of a propertyNames subschema that only annotate.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


class _Unexplained(Exception):
    """An error this module cannot turn into the reference's exact words."""


@lru_cache(maxsize=4096)
def _keyword_at(location: str, profile: Profile | None) -> tuple[str, Any]:
    """``Document.json#/pointer`` of an absolute keyword location, and the keyword's value."""
    uri, _, fragment = location.partition("#")
    path = unquote(fragment)
    try:
        node: Any = _registry.registry(profile).contents(uri)
        for token in path.split("/")[1:]:
            token = jsonpointer.unescape(token)
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (LookupError, ValueError, TypeError) as exc:
        raise _Unexplained(location) from exc
    return f"{_registry.name_of(uri)}#{path}", node


#: Most places an error's path could stand for when empty names are involved.
_MOST_PLACES = 16
_MISSING = object()


#: The member names jsonschema-rs gives as integers in its paths (Rust's usize parsing).
_INTEGER_NAME = re.compile(r"\+?[0-9]+")


def _names(node: Any, part: str | int) -> list[str | int]:
    """The keys ``part`` of a jsonschema-rs path may stand for in ``node``: itself, or, in
    an object, every member whose name parses as that integer (``"0"``, ``"00"``, ``"+0"``:
    jsonschema-rs gives such names as integers)."""
    if type(part) is not int or not isinstance(node, dict):
        return [part]
    return [
        k for k in node if isinstance(k, str) and _INTEGER_NAME.fullmatch(k) and int(k) == part
    ]


def _places(payload: Any, path: Path) -> list[tuple[Path, Any]]:
    """Every place (path and value) ``path`` may stand for: jsonschema-rs leaves empty
    names out of its paths, so below an object with an empty name the path may also
    have gone through that name, any number of times, at any step."""
    found: list[tuple[Path, Any]] = []
    stack: list[tuple[Any, int, Path]] = [(payload, 0, ())]
    while stack:
        node, step, taken = stack.pop()
        if isinstance(node, dict) and "" in node:
            stack.append((node[""], step, (*taken, "")))
        if step == len(path):
            found.append((taken, node))
        else:
            container: Any = node
            for part in _names(node, path[step]):
                try:
                    child = container[part] if isinstance(node, (dict, list)) else _MISSING
                except (LookupError, TypeError):
                    child = _MISSING
                if child is not _MISSING:
                    stack.append((child, step + 1, (*taken, part)))
        if len(found) + len(stack) > _MOST_PLACES:
            raise _Unexplained(path)
    return found


#: The places already found in one payload, by jsonschema-rs path (``oneOf`` branches
#: report many errors at one place).
_Places = dict[Path, tuple[Path, Any]]


def _place(error: Any, payload: Any, places: _Places) -> tuple[Path, Any]:
    """The path and value of the instance ``error`` is about.

    Without an empty name on the way the path is the error's own. Otherwise the
    one candidate place holding the error's instance is taken; where none or
    several do, the reference explains instead.
    """
    path: Path = tuple(error.instance_path)
    found = places.get(path)
    if found is not None:
        return found
    node: Any = payload
    taken: list[str | int] = []
    try:
        for part in path:  # the common case: no empty name on the way
            if isinstance(node, dict) and "" in node:
                break
            if type(part) is int and isinstance(node, dict):  # a name given as an integer
                names = _names(node, part)
                if len(names) != 1:
                    break
                part = names[0]
            node = node[part]
            taken.append(part)
        else:
            if not (isinstance(node, dict) and "" in node):
                found = places[path] = tuple(taken), node
                return found
    except (LookupError, TypeError) as exc:
        raise _Unexplained(path) from exc
    instance = error.instance
    matching = [place for place in _places(payload, path) if _same(place[1], instance)]
    if len(matching) != 1:
        raise _Unexplained(path)
    return matching[0]


def _same(value: Any, other: Any) -> bool:
    """JSON equality: ``1`` is not ``true`` and ``1`` is not ``1.0`` here."""
    if type(value) is not type(other):
        return False
    if isinstance(value, dict):
        return value.keys() == other.keys() and all(_same(value[k], other[k]) for k in value)
    if isinstance(value, list):
        return len(value) == len(other) and all(map(_same, value, other))
    return bool(value == other)


def _location(error: Any, profile: Profile | None) -> tuple[str, Any]:
    location = error.absolute_keyword_location
    if location is None:
        raise _Unexplained(error.schema_path)
    return _keyword_at(location, profile)


def _property_name(error: Any, path: Path, relative: Path, profile: Profile | None) -> Failure:
    """A ``propertyNames`` error: the key that failed, reported at the object holding it."""
    _, names_schema = _location(error, profile)
    inner = error.kind.error
    keyword = inner.kind.name
    checks = set(names_schema) - _ANNOTATIONS if isinstance(names_schema, dict) else {keyword}
    if keyword not in WORDED or keyword in ("required", *_COMBINATORS) or checks != {keyword}:
        raise _Unexplained(keyword)
    where, expected = _location(inner, profile)
    return Failure(keyword, expected, inner.instance, path, relative, where, property_name=True)


def _failure(
    error: Any, payload: Any, base: Path, profile: Profile | None, places: _Places
) -> Failure:
    """One error as a :class:`Failure`; ``base``: the place of the combinator it is under."""
    kind = error.kind
    keyword = kind.name
    path, value = _place(error, payload, places)
    if path[: len(base)] != base:
        raise _Unexplained(path)
    relative = path[len(base) :]
    if keyword == "propertyNames":
        return _property_name(error, path, relative, profile)
    if keyword not in WORDED:
        raise _Unexplained(keyword)
    where, expected = _location(error, profile)
    branches: dict[int, list[Failure]] = {}
    if keyword in _COMBINATORS and not isinstance(kind, _Kind.OneOfMultipleValid):
        for index, errors in enumerate(kind.context):
            if errors:
                branches[index] = [_failure(e, payload, path, profile, places) for e in errors]
    return Failure(keyword, expected, value, path, relative, where, branches)


def violations(
    validator: Any, payload: Any, profile: Profile | None = None, errors: list[Any] | None = None
) -> list[Violation] | None:
    """Every violation of ``payload`` from ``validator``'s (jsonschema-rs) errors, worded
    as the reference explanation words them; None where they cannot say it. ``errors``,
    if given, receives jsonschema-rs's errors (when it could read the payload)."""
    places: _Places = {}
    try:
        found = list(validator.iter_errors(payload))
        if errors is not None:
            errors.extend(found)
        failures = [_failure(e, payload, (), profile, places) for e in found]
    except (_Unexplained, ValueError, OverflowError, TypeError):
        return None
    return explain_failures(failures, profile)
