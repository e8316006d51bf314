"""The built-in amendment catalogue, and reading catalogue-shaped data (validated).

The built-in catalogue is data: ``schemas/amendments/catalogue.json``. It and
every user configuration are checked against
``schemas/amendments/config.schema.json``, then for meaning: names unique,
profiles naming known amendments, each scope an existing schema location the
change applies to (for ``status-add``: an existing operation's responses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from contract import schema as _registry
from contract.schema import _overlay, operations
from contract.schema._paths import schema_dir
from contract.schema.amendments import Amendment, AmendmentError, Catalogue

#: Where the catalogue and its schema live, under the schema directory.
FOLDER = "amendments"


def _load(name: str) -> Any:
    with (schema_dir() / FOLDER / name).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def config_schema() -> Mapping[str, Any]:
    """The JSON Schema of configuration files and of the catalogue."""
    schema: Mapping[str, Any] = _load("config.schema.json")
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(config_schema())


def _place(prefix: str, path: Any) -> str:
    parts = [prefix] if prefix else []
    parts.extend(str(p) for p in path)
    return ".".join(parts) or "<top level>"


def check_shape(data: Any, source: str, prefix: str = "") -> None:
    """Raise :class:`AmendmentError` (``source: place: problem``) unless ``data`` fits the schema.

    ``prefix`` is the dotted place of ``data`` inside its file
    (``tool.finetune-contract`` in ``pyproject.toml``).
    """
    error = best_match(_validator().iter_errors(data))
    if error is not None:
        message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
        raise AmendmentError(f"{source}: {_place(prefix, error.absolute_path)}: {message}")


def _amendment(name: str, data: Mapping[str, Any], source: str) -> Amendment:
    scope = data["scope"]
    return Amendment(
        name=name,
        description=data["description"],
        evidence=tuple(data["evidence"]),
        first_seen=data["first-seen"],
        scope=(scope,) if isinstance(scope, str) else tuple(scope),
        change=dict(data["change"]),
        when=dict(data["when"]) if "when" in data else None,
        message=data.get("message", "{raw}"),
        source=source,
    )


def _members(
    name: str,
    spec: Mapping[str, Any],
    specs: Mapping[str, Any],
    base: Catalogue,
    trail: tuple[str, ...],
) -> tuple[str, ...]:
    """A profile's amendment names, following ``extends``."""
    if name in trail:
        raise AmendmentError(f"profile {name!r} extends itself ({' -> '.join([*trail, name])})")
    members: list[str] = []
    parent = spec.get("extends")
    if parent is not None:
        if parent in specs:
            members.extend(_members(parent, specs[parent], specs, base, (*trail, name)))
        else:
            members.extend(base.members(parent))
    removed = set(spec.get("no-amend", ()))
    members = [m for m in members if m not in removed]
    members.extend(m for m in spec.get("amendments", ()) if m not in members)
    return tuple(members)


def parse(data: Any, source: str, base: Catalogue | None = None, prefix: str = "") -> Catalogue:
    """A catalogue from configuration-shaped ``data``, added to ``base``.

    Raises :class:`AmendmentError` naming ``source`` and the place of the first
    problem. New names must not repeat names of ``base``.
    """
    check_shape(data, source, prefix)
    base = base or Catalogue({}, {})
    amendments = dict(base.amendments)
    for name, spec in data.get("amendments", {}).items():
        place = _place(prefix, ["amendments", name])
        if name in amendments:
            raise AmendmentError(
                f"{source}: {place}: amendment {name!r} is already defined "
                f"({amendments[name].source}); choose another name"
            )
        amendment = _amendment(name, spec, source)
        try:
            _overlay.apply(_registry.documents(), [amendment])
            operations.check_status_amendment(amendment)
        except AmendmentError as exc:
            raise AmendmentError(f"{source}: {place}: {exc}") from None
        amendments[name] = amendment
    profiles = dict(base.profiles)
    descriptions = dict(base.descriptions)
    specs = data.get("profiles", {})
    for name, spec in specs.items():
        place = _place(prefix, ["profiles", name])
        if name in base.profiles:
            raise AmendmentError(
                f"{source}: {place}: profile {name!r} is already defined; choose another name"
            )
        try:
            members = _members(name, spec, specs, base, ())
        except AmendmentError as exc:
            raise AmendmentError(f"{source}: {place}: {exc}") from None
        for member in members:
            if member not in amendments:
                known = ", ".join(sorted(amendments))
                raise AmendmentError(
                    f"{source}: {place}: unknown amendment {member!r}; known amendments: {known}"
                )
        profiles[name] = members
        descriptions[name] = spec.get("description", "")
    catalogue = Catalogue(amendments, profiles, descriptions)
    for key in ("amend", "no-amend"):
        for index, member in enumerate(data.get(key, ())):
            if member not in amendments:
                raise AmendmentError(
                    f"{source}: {_place(prefix, [key, index])}: unknown amendment {member!r}; "
                    f"known amendments: {', '.join(sorted(amendments))}"
                )
    if "profile" in data and data["profile"] not in profiles:
        raise AmendmentError(
            f"{source}: {_place(prefix, ['profile'])}: unknown profile {data['profile']!r}; "
            f"known profiles: {', '.join(profiles)}"
        )
    return catalogue


@cache
def builtin() -> Catalogue:
    """The amendments and profiles shipped with the package."""
    return parse(_load("catalogue.json"), f"{FOLDER}/catalogue.json")
