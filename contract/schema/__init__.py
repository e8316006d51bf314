"""The schema documents, loaded once into a :class:`referencing.Registry`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import referencing
from referencing.jsonschema import DRAFT202012

from contract.schema._paths import schema_dir

if TYPE_CHECKING:
    from contract.schema.amendments import Amendment, Profile

#: Base URI of every schema document; a document's ``$id`` is BASE + ``Name.json``.
BASE_URI = "https://finetune-contract.example/schemas/"

#: Data files beside the schema documents that are not schema documents.
NOT_SCHEMAS = frozenset({"lifecycle.json"})

#: The type checked when no ``schema=`` is given.
DEFAULT_SCHEMA = "FineTuningJob"


def documents(profile: Profile | None = None) -> Mapping[str, Mapping[str, Any]]:
    """Every schema document, keyed by type name (the file name without ``.json``).

    With a profile, its amendments are applied: amended in-memory copies of
    the documents they touch, under the same ``$id``s (the files are never edited).
    """
    if profile is None or not profile.amendments:
        return _published()
    return _amended(profile.amendments)


@cache
def _amended(amendments: tuple[Amendment, ...]) -> Mapping[str, Mapping[str, Any]]:
    from contract.schema._overlay import apply

    return apply(_published(), amendments)


@cache
def _published() -> Mapping[str, Mapping[str, Any]]:
    docs: dict[str, Mapping[str, Any]] = {}
    for path in sorted(schema_dir().glob("*.json")):
        if path.name in NOT_SCHEMAS:
            continue
        with path.open(encoding="utf-8") as handle:
            doc = json.load(handle)
        expected = BASE_URI + path.name
        if doc.get("$id") != expected:
            raise RuntimeError(f"{path}: $id is {doc.get('$id')!r}, expected {expected!r}")
        docs[path.stem] = doc
    if not docs:
        raise RuntimeError(f"no schema documents found in {schema_dir()}")
    return docs


def registry(profile: Profile | None = None) -> referencing.Registry[Any]:
    """A registry holding every schema document (of the profile) under its ``$id``."""
    if profile is None or not profile.amendments:
        return _registry(())
    return _registry(profile.amendments)


@cache
def _registry(amendments: tuple[Amendment, ...]) -> referencing.Registry[Any]:
    docs = _amended(amendments) if amendments else _published()
    resources = [(doc["$id"], DRAFT202012.create_resource(doc)) for doc in docs.values()]
    return referencing.Registry().with_resources(resources).crawl()


def schema_names() -> tuple[str, ...]:
    """The type names ``schema=`` accepts, sorted."""
    return tuple(sorted(_published()))


def uri_of(name: str) -> str:
    """The ``$id`` of the named type; a clear :class:`ValueError` for unknown names."""
    if name not in _published():
        known = ", ".join(schema_names())
        raise ValueError(f"unknown schema {name!r}; known schemas: {known}")
    return BASE_URI + name + ".json"


def document(name: str, profile: Profile | None = None) -> Mapping[str, Any]:
    """The schema document of the named type (amended by the profile, if any)."""
    uri_of(name)
    return documents(profile)[name]


def name_of(uri: str) -> str:
    """The short document name (``FineTuningJob.json``) for a document URI."""
    return uri[len(BASE_URI) :] if uri.startswith(BASE_URI) else uri
