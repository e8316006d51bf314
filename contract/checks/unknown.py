"""Unknown properties: names a payload carries that the contract does not.

The contract allows them (no document forbids additional properties); strict
mode lists them. An object's known names are those of every schema that
applies to it: its own ``properties``, those of ``allOf`` parts, ``$ref``
targets, the ``anyOf``/``oneOf`` branches it matches and the ``then``/``else``
its ``if`` picks. Objects described by ``additionalProperties`` or
``patternProperties`` (maps such as metadata) have no unknown names.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urljoin

import jsonschema_rs
from jsonschema import Draft202012Validator

from contract import schema as _registry
from contract._core import jsonpointer
from contract.profiles import ProfileLike, coerce
from contract.schema.amendments import Profile
from contract.validation import overlay_of, rs_registry
from contract.validation._explain import pointer, show
from contract.violations import Violation

#: The keyword of an unknown-property report.
UNKNOWN = "unknown-property"

_MAX_DEPTH = 64


@cache
def _matcher(location: str, profile: Profile | None) -> Any:
    """A validator for the schema at ``location`` (``uri#pointer``) in the profile's documents."""
    ref = {"$ref": location}
    return jsonschema_rs.validator_for(ref, registry=rs_registry(profile), validate_formats=False)


def _matches(value: Any, location: str, profile: Profile | None) -> bool:
    try:
        return bool(_matcher(location, profile).is_valid(value))
    except (ValueError, OverflowError, TypeError):
        validator = Draft202012Validator({"$ref": location}, registry=_registry.registry(profile))
        return bool(validator.is_valid(value))


class _Walk:
    def __init__(self, profile: Profile | None) -> None:
        self.profile = profile
        self.known: dict[str, set[str]] = {}
        self.open: set[str] = set()
        self.where: dict[str, str] = {}

    def node(self, uri: str, parts: tuple[str, ...]) -> Any:
        node: Any = _registry.registry(self.profile).contents(uri)
        for part in parts:
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def walk(self, value: Any, path: str, uri: str, parts: tuple[str, ...], depth: int = 0) -> None:
        schema = self.node(uri, parts)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return
        if "$ref" in schema:
            target, _, fragment = urljoin(uri, schema["$ref"]).partition("#")
            steps = tuple(jsonpointer.split(fragment))
            self.walk(value, path, target, steps, depth + 1)
        for index, _ in enumerate(schema.get("allOf", ())):
            self.walk(value, path, uri, (*parts, "allOf", str(index)), depth + 1)
        for combinator in ("anyOf", "oneOf"):
            for index, _ in enumerate(schema.get(combinator, ())):
                branch = (*parts, combinator, str(index))
                if _matches(value, self.location(uri, branch), self.profile):
                    self.walk(value, path, uri, branch, depth + 1)
                    if combinator == "oneOf":
                        break
        if "if" in schema:
            taken = (
                "then"
                if _matches(value, self.location(uri, (*parts, "if")), self.profile)
                else "else"
            )
            if taken in schema:
                self.walk(value, path, uri, (*parts, taken), depth + 1)
        if isinstance(value, dict):
            self.object(value, path, uri, parts, schema, depth)
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.walk(item, f"{path}/{index}", uri, (*parts, "items"), depth + 1)

    def object(
        self,
        value: dict[str, Any],
        path: str,
        uri: str,
        parts: tuple[str, ...],
        schema: dict[str, Any],
        depth: int,
    ) -> None:
        if any(
            k in schema
            for k in ("additionalProperties", "patternProperties", "unevaluatedProperties")
        ):
            self.open.add(path)
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return
        self.known.setdefault(path, set()).update(properties)
        self.where.setdefault(path, self.location(uri, parts))
        for name in properties:
            if name in value:
                child = f"{path}{pointer([name])}"
                self.walk(value[name], child, uri, (*parts, "properties", name), depth + 1)

    @staticmethod
    def location(uri: str, parts: tuple[str, ...]) -> str:
        return f"{uri}#{pointer(parts)}"

    def unknown(self, payload: Any) -> Iterator[Violation]:
        for path, known in self.known.items():
            if path in self.open:
                continue
            value = _at(payload, path)
            for name in value:
                if name not in known:
                    where = self.where[path]
                    yield Violation(
                        f"{path}{pointer([name])}",
                        UNKNOWN,
                        f"unknown property {show(name)}: the contract does not name it "
                        "(allowed; listed in strict mode)",
                        _registry.name_of(where),
                    )


_at = jsonpointer.resolve


def unknown_properties(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> list[Violation]:
    """Every property ``payload`` carries that the contract (under ``profile``) does not name."""
    overlay = overlay_of(coerce(profile) if profile is not None else None)
    walk = _Walk(overlay)
    walk.walk(payload, "", _registry.uri_of(schema), ())
    return sorted(walk.unknown(payload), key=lambda v: v.path)
