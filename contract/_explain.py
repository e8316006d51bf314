"""Turn :mod:`jsonschema` errors into :class:`Violation` objects.

Two jobs: write one plain sentence per failure, showing values as JSON, and
for ``oneOf``/``anyOf`` failures report what went wrong in the branch the value
was most likely meant for, instead of "is not valid under any of the given
schemas".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from jsonschema.exceptions import ValidationError

from contract import registry as _registry
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.amendments.model import Profile

_MAX_SHOWN = 60

# How badly a branch of a oneOf/anyOf misses the value: the lowest score wins.
_FITS = 0
_WRONG_VALUE = 1  # right kind of value, wrong content (a const/enum of the same type)
_WRONG_KIND = 2  # the value is not even of the branch's type


def pointer(parts: Iterable[str | int]) -> str:
    """A JSON Pointer (RFC 6901) from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def show(value: Any) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return text


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


@lru_cache(maxsize=4096)
def _schema_location(root: str, path: tuple[str | int, ...], profile: Profile | None = None) -> str:
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
            parts = [p.replace("~1", "/").replace("~0", "~") for p in fragment.split("/")[1:]]
            node = contents(uri)
            for part in parts:
                node = step(node, part)
        parts.append(seg)
        node = step(node, seg)
    return f"{_registry.name_of(uri)}#{pointer(parts)}"


def _message(error: ValidationError) -> str:
    keyword = error.validator
    expected: Any = error.validator_value
    value: Any = error.instance
    if keyword == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"{show(value)} is not of type {' or '.join(kinds)}"
    if keyword == "const":
        return f"{show(value)} is not the allowed value {show(expected)}"
    if keyword == "enum":
        return f"{show(value)} is not one of {', '.join(show(v) for v in expected)}"
    if keyword == "minimum":
        return f"{show(value)} is less than the minimum of {show(expected)}"
    if keyword == "maximum":
        return f"{show(value)} is greater than the maximum of {show(expected)}"
    if keyword == "exclusiveMinimum":
        return f"{show(value)} is not greater than the exclusive minimum of {show(expected)}"
    if keyword == "exclusiveMaximum":
        return f"{show(value)} is not less than the exclusive maximum of {show(expected)}"
    if keyword in _SIZE_LIMITS:
        noun, more = _SIZE_LIMITS[keyword]
        size = f"{_plural(len(value), noun)}"
        bound = "more than the maximum" if more else "fewer than the minimum"
        if noun == "character":
            return f"{show(value)} is {size} long, {bound} of {expected}"
        return f"{_json_type(value)} has {size}, {bound} of {expected}"
    if keyword == "oneOf" and not error.context:
        return f"{show(value)} matches more than one of the allowed alternatives"
    return str(error.message)


def _violations(
    error: ValidationError, root: str, profile: Profile | None = None
) -> Iterator[Violation]:
    schema_path = _schema_location(root, tuple(error.absolute_schema_path), profile)
    where = pointer(error.absolute_path)
    if error.validator == "required":
        # One error per missing name, without saying which: name them all
        # (explain() drops the repeats).
        instance: Any = error.instance
        for name in _any(error.validator_value):
            if name not in instance:
                yield Violation(
                    where, "required", f"required property {show(name)} is missing", schema_path
                )
        return
    keyword, message = str(error.validator), _message(error)
    if "propertyNames" in error.relative_schema_path:
        # jsonschema reports a bad key at the object holding it, with the key
        # itself as the instance; say so in those words.
        keyword, message = "propertyNames", "key " + message
    yield Violation(where, keyword, message, schema_path)


def _miss(error: ValidationError) -> int:
    """How badly one error of a branch says the value misses that branch."""
    if error.relative_path:
        # A failure deeper down: the branch's own discriminator ("type": const)
        # failing means the value is another kind of object.
        if list(error.relative_path) == ["type"] and error.validator in ("const", "enum"):
            return _WRONG_VALUE
        return _FITS
    if error.validator == "type":
        return _WRONG_KIND
    if error.validator in ("oneOf", "anyOf") and error.context:
        return min(_branch_miss(errs) for errs in _branches(error).values())
    if error.validator in ("const", "enum"):
        expected: Any = error.validator_value
        allowed = [expected] if error.validator == "const" else expected
        same_kind = any(_json_type(a) == _json_type(error.instance) for a in allowed)
        return _WRONG_VALUE if same_kind else _WRONG_KIND
    return _FITS


def _branches(error: ValidationError) -> dict[int, list[ValidationError]]:
    """A oneOf/anyOf error's context, grouped by the branch each error came from."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    return branches


def _branch_miss(errors: list[ValidationError]) -> int:
    return max((_miss(e) for e in errors), default=_FITS)


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


def _explain(
    error: ValidationError, root: str, profile: Profile | None = None
) -> Iterator[Violation]:
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield from _violations(error, root, profile)
        return
    branches = _branches(error)
    scored = sorted((_branch_miss(errs), len(errs), index) for index, errs in branches.items())
    best_score, _, best = scored[0]
    if best_score == _WRONG_KIND:
        # The value is of no kind any branch takes: one "type" violation.
        location = _schema_location(root, tuple(error.absolute_schema_path), profile)
        base = _registry.BASE_URI + location.partition("#")[0]
        kinds = list(
            dict.fromkeys(
                k for s in _any(error.validator_value) for k in _kinds(s, base, 0, profile)
            )
        )
        values = [k for k in kinds if not k[0].isalpha()]
        types = [k for k in kinds if k[0].isalpha()]
        allowed = " or ".join(values + ([f"of type {' or '.join(types)}"] if types else []))
        yield Violation(
            pointer(error.absolute_path),
            "type",
            f"{show(error.instance)} is not {allowed}",
            location,
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
                pointer(list(error.absolute_path) + where),
                str(error.validator),
                f"{show(_get(error.instance, where))} is not one of the known kinds "
                f"{', '.join(show(v) for v in kinds)}",
                _schema_location(root, tuple(error.absolute_schema_path), profile),
            )
            return
    for sub in branches[best]:
        yield from _explain(sub, root, profile)


def _any(value: object) -> Any:
    """jsonschema types error attributes loosely; they hold plain JSON here."""
    return value


def _get(value: Any, where: Sequence[str | int]) -> Any:
    for part in where:
        value = value[part]
    return value


def _discriminator_values(
    branches: dict[int, list[ValidationError]],
) -> tuple[list[str | int], list[Any]] | None:
    """If every branch rejects the same property's const, that property and its values."""
    where: list[str | int] | None = None
    allowed: list[Any] = []
    for index in sorted(branches):
        hits = [
            e
            for e in branches[index]
            if e.relative_path and e.validator in ("const", "enum") and _miss(e) == _WRONG_VALUE
        ]
        if not hits:
            return None
        here = list(hits[0].relative_path)
        if where is not None and here != where:
            return None
        where = here
        value: Any = hits[0].validator_value
        allowed.extend([value] if hits[0].validator == "const" else value)
    return (where or []), allowed


def explain(
    errors: Iterable[ValidationError], root: str, profile: Profile | None = None
) -> list[Violation]:
    """Every violation behind ``errors`` (from a validator rooted at ``root``), in payload order.

    ``profile``: the amended documents the errors were found in (None: the published ones).
    """
    found: list[Violation] = []
    for error in errors:
        found.extend(_explain(error, root, profile))
    return sorted(dict.fromkeys(found), key=lambda v: (v.path, v.schema_path))
