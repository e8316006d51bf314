"""Turn validation errors into :class:`Violation` objects.

Two jobs: write one plain sentence per failure, showing values as JSON, and
for ``oneOf``/``anyOf`` failures report what went wrong in the branch the value
was most likely meant for, instead of "is not valid under any of the given
schemas".

Both validators' errors are first read into :class:`Failure` records (here for
:mod:`jsonschema`, in :mod:`contract.validation._rs` for jsonschema-rs), so the
wording and the branch choice are one piece of code whichever validator found
the failures.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from jsonschema.exceptions import ValidationError

from contract import schema as _registry
from contract._core import jsonpointer
from contract.redact import CONTEXT, redact
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

_MAX_SHOWN = 60

# How badly a branch of a oneOf/anyOf misses the value: the lowest score wins.
_FITS = 0
_WRONG_VALUE = 1  # right kind of value, wrong content (a const/enum of the same type)
_WRONG_KIND = 2  # the value is not even of the branch's type

Path = tuple[str | int, ...]


#: A JSON Pointer (RFC 6901) from path segments.
pointer = jsonpointer.build


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# What that encoder does with a string and an integer, without its per-call set-up.
_ENCODE_STRING = json.encoder.encode_basestring
_SCALARS = {None: "null", True: "true", False: "false"}


def show(value: Any) -> str:
    """A short JSON rendering of a value for messages."""
    kind = type(value)
    try:
        if kind is str:
            text = _ENCODE_STRING(value)
        elif kind is int:
            text = int.__repr__(value)
        elif value is None or kind is bool:
            text = _SCALARS[value]
        else:
            text = _ENCODE(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        # Redacted before it is cut: a credential across the cut is masked whole.
        shown = redact(text[: _MAX_SHOWN + CONTEXT])
        if len(shown) > _MAX_SHOWN or len(text) > _MAX_SHOWN + CONTEXT:
            shown = shown[: _MAX_SHOWN - 1] + "…"
        text = shown
    return text


@dataclass(eq=False)
class Failure:
    """One failing keyword, as either validator reports it.

    ``expected`` is the keyword's value in the schema, ``instance`` the value
    that failed, at ``path`` (absolute) and ``relative`` (from the value of
    the ``oneOf``/``anyOf`` whose branch holds it; the whole path at the top).
    ``location`` is ``Document.json#/pointer`` of the keyword. ``branches``
    holds a failed ``oneOf``/``anyOf``'s failures by branch (empty when more
    than one branch matched). ``property_name``: the failure is about a key
    of the object at ``path`` (``propertyNames``), the key being ``instance``.
    ``message`` is the validator's own wording, for keywords not worded here.
    """

    keyword: str
    expected: Any
    instance: Any
    path: Path
    relative: Path
    location: str
    branches: dict[int, list[Failure]] = field(default_factory=dict)
    property_name: bool = False
    message: str = ""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


# Size keywords: what they count, and whether they bound from above.
_SIZE_LIMITS = {
    "maxLength": ("character", True),
    "minLength": ("character", False),
    "maxItems": ("item", True),
    "minItems": ("item", False),
    "maxProperties": ("property", True),
    "minProperties": ("property", False),
}
_BOUNDS = {
    "minimum": "is less than the minimum of",
    "maximum": "is greater than the maximum of",
    "exclusiveMinimum": "is not greater than the exclusive minimum of",
    "exclusiveMaximum": "is not less than the exclusive maximum of",
}
#: Keywords this module words itself (others keep the validator's message).
WORDED = frozenset({"type", "const", "enum", "required", "oneOf", "anyOf", *_BOUNDS, *_SIZE_LIMITS})


def _message(failure: Failure) -> str:
    keyword, expected, value = failure.keyword, failure.expected, failure.instance
    if keyword == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"{show(value)} is not of type {' or '.join(kinds)}"
    if keyword == "const":
        return f"{show(value)} is not the allowed value {show(expected)}"
    if keyword == "enum":
        return f"{show(value)} is not one of {_listed(expected)}"
    if keyword in _BOUNDS:
        return f"{show(value)} {_BOUNDS[keyword]} {show(expected)}"
    if keyword in _SIZE_LIMITS:
        noun, more = _SIZE_LIMITS[keyword]
        size = f"{_plural(len(value), noun)}"
        bound = "more than the maximum" if more else "fewer than the minimum"
        if noun == "character":
            return f"{show(value)} is {size} long, {bound} of {expected}"
        return f"{_json_type(value)} has {size}, {bound} of {expected}"
    if keyword == "oneOf" and not failure.branches:
        return f"{show(value)} matches more than one of the allowed alternatives"
    return failure.message


def _listed(values: Sequence[Any]) -> str:
    """``values`` shown, separated by commas (enums of strings are shown once)."""
    if all(type(v) is str for v in values):
        return _listed_strings(tuple(values))
    return ", ".join(show(v) for v in values)


@lru_cache(maxsize=1024)
def _listed_strings(values: tuple[str, ...]) -> str:
    return ", ".join(show(v) for v in values)


def _violations(failure: Failure) -> Iterator[Violation]:
    where = pointer(failure.path)
    if failure.keyword == "required":
        # One failure per missing name, without saying which: name them all,
        # in the schema's order (explain_failures() drops the repeats).
        for name in failure.expected:
            if name not in failure.instance:
                yield Violation(
                    where,
                    "required",
                    f"required property {show(name)} is missing",
                    failure.location,
                )
        return
    keyword, message = failure.keyword, _message(failure)
    if failure.property_name:
        # A bad key is reported at the object holding it; say so in those words.
        keyword, message = "propertyNames", "key " + message
    yield Violation(where, keyword, message, failure.location)


def _miss(failure: Failure) -> int:
    """How badly one failure of a branch says the value misses that branch."""
    if failure.relative:
        # A failure deeper down: the branch's own discriminator ("type": const)
        # failing means the value is another kind of object.
        if failure.relative == ("type",) and failure.keyword in ("const", "enum"):
            return _WRONG_VALUE
        return _FITS
    if failure.keyword == "type":
        return _WRONG_KIND
    if failure.keyword in ("oneOf", "anyOf") and failure.branches:
        return min(_branch_miss(branch) for branch in failure.branches.values())
    if failure.keyword in ("const", "enum"):
        expected = failure.expected
        allowed = [expected] if failure.keyword == "const" else expected
        same_kind = any(_json_type(a) == _json_type(failure.instance) for a in allowed)
        return _WRONG_VALUE if same_kind else _WRONG_KIND
    return _FITS


def _branch_miss(failures: list[Failure]) -> int:
    return max((_miss(f) for f in failures), default=_FITS)


def _kinds(schema: Any, base: str, depth: int = 0, profile: Profile | None = None) -> list[str]:
    """Short descriptions of the values a (sub)schema takes, following references."""
    if not isinstance(schema, dict) or depth > 8:
        return ["(an allowed alternative)"]
    if "const" in schema:
        return [show(schema["const"])]
    if "enum" in schema:
        return [show(v) for v in schema["enum"]]
    if "type" in schema:
        kind = schema["type"]
        return [kind] if isinstance(kind, str) else list(kind)
    if "$ref" in schema:
        target = urljoin(base, schema["$ref"])
        resolved = _registry.registry(profile).resolver(base).lookup(target)
        return _kinds(resolved.contents, target.partition("#")[0], depth + 1, profile)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return [
                k for branch in schema[combinator] for k in _kinds(branch, base, depth + 1, profile)
            ]
    return ["(an allowed alternative)"]


def _explain(failure: Failure, profile: Profile | None) -> Iterator[Violation]:
    if failure.keyword not in ("oneOf", "anyOf") or not failure.branches:
        yield from _violations(failure)
        return
    branches = failure.branches
    scored = sorted((_branch_miss(fs), len(fs), index) for index, fs in branches.items())
    best_score, _, best = scored[0]
    if best_score == _WRONG_KIND:
        # The value is of no kind any branch takes: one "type" violation.
        base = _registry.BASE_URI + failure.location.partition("#")[0]
        kinds = list(
            dict.fromkeys(k for s in failure.expected for k in _kinds(s, base, 0, profile))
        )
        values = [k for k in kinds if not k[0].isalpha()]
        types = [k for k in kinds if k[0].isalpha()]
        allowed = " or ".join(values + ([f"of type {' or '.join(types)}"] if types else []))
        yield Violation(
            pointer(failure.path),
            "type",
            f"{show(failure.instance)} is not {allowed}",
            failure.location,
        )
        return
    if best_score == _WRONG_VALUE:
        # Every branch of the value's kind rejects it by the same property's
        # const (e.g. "type"): the value is an unknown kind of object.
        candidates = {i: branches[i] for score, _, i in scored if score == _WRONG_VALUE}
        discriminators = _discriminator_values(candidates) if len(candidates) > 1 else None
        if discriminators is not None:
            where, kinds = discriminators
            yield Violation(
                pointer(failure.path + where),
                failure.keyword,
                f"{show(_get(failure.instance, where))} is not one of the known kinds "
                f"{', '.join(show(v) for v in kinds)}",
                failure.location,
            )
            return
    for sub in branches[best]:
        yield from _explain(sub, profile)


def _get(value: Any, where: Sequence[str | int]) -> Any:
    for part in where:
        value = value[part]
    return value


def _discriminator_values(
    branches: dict[int, list[Failure]],
) -> tuple[Path, list[Any]] | None:
    """If every branch rejects the same property's const, that property and its values."""
    where: Path | None = None
    allowed: list[Any] = []
    for index in sorted(branches):
        hits = [
            f
            for f in branches[index]
            if f.relative and f.keyword in ("const", "enum") and _miss(f) == _WRONG_VALUE
        ]
        if not hits:
            return None
        if where is not None and hits[0].relative != where:
            return None
        where = hits[0].relative
        expected = hits[0].expected
        allowed.extend([expected] if hits[0].keyword == "const" else expected)
    return (where or ()), allowed


def explain_failures(
    failures: Iterable[Failure], profile: Profile | None = None
) -> list[Violation]:
    """Every violation behind ``failures``, in payload order (``profile``: the amended
    documents the failures were found in; None: the published ones)."""
    found: list[Violation] = []
    for failure in failures:
        found.extend(_explain(failure, profile))
    return sorted(dict.fromkeys(found), key=lambda v: (v.path, v.schema_path))


# --- jsonschema's errors


@lru_cache(maxsize=4096)
def _schema_location(root: str, path: Path, profile: Profile | None = None) -> str:
    """Where the keyword at ``path`` (a jsonschema absolute schema path) sits.

    jsonschema leaves ``$ref`` out of schema paths, so a segment missing from
    the current node means the node is a reference: follow it, then go on.
    """
    contents = _registry.registry(profile).contents
    uri, parts = root, []  # type: str, list[str | int]
    node: Any = contents(uri)

    def step(node: Any, seg: str | int) -> Any:
        if isinstance(node, list):
            return node[int(seg)]
        return node[seg] if isinstance(node, dict) else None

    for seg in path:
        while isinstance(node, dict) and seg not in node and "$ref" in node:
            uri, _, fragment = urljoin(uri, node["$ref"]).partition("#")
            parts = list[str | int](jsonpointer.split(fragment))
            node = contents(uri)
            for part in parts:
                node = step(node, part)
        parts.append(seg)
        node = step(node, seg)
    return f"{_registry.name_of(uri)}#{pointer(parts)}"


def _from_jsonschema(error: ValidationError, root: str, profile: Profile | None) -> Failure:
    branches: dict[int, list[Failure]] = {}
    for sub in error.context or ():
        index = int(sub.relative_schema_path[0])
        branches.setdefault(index, []).append(_from_jsonschema(sub, root, profile))
    value: Any = error.validator_value
    return Failure(
        keyword=str(error.validator),
        expected=value,
        instance=error.instance,
        path=tuple(error.absolute_path),
        relative=tuple(error.relative_path),
        location=_schema_location(root, tuple(error.absolute_schema_path), profile),
        branches=branches,
        # jsonschema reports a bad key at the object holding it, with the key
        # itself as the instance.
        property_name="propertyNames" in error.relative_schema_path,
        message=str(error.message),
    )


def explain(
    errors: Iterable[ValidationError], root: str, profile: Profile | None = None
) -> list[Violation]:
    """Every violation behind jsonschema ``errors`` (from a validator rooted at ``root``).

    ``profile``: the amended documents the errors were found in (None: the published ones).
    """
    return explain_failures((_from_jsonschema(e, root, profile) for e in errors), profile)
