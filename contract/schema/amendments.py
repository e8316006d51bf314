"""Amendments, catalogues and profiles: plain, immutable, picklable values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The profile used when none is asked for: the documents with only our defect fixes.
DEFAULT_PROFILE = "published"


class AmendmentError(ValueError):
    """A bad amendment, profile or name; the message names the place."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, eq=False)
class Amendment:
    """A named, documented change to the contract, applied as an overlay.

    ``scope`` holds schema locations (``FineTuningJob.json#/properties/error``);
    ``change`` says how the schema there is widened (``allow``, ``nullable``,
    ``enum-add``, ``absent``); ``when``, if given, is a JSON Schema the object
    the scope's document describes must match for the change to apply;
    ``message`` is the explanation used when a failure is exactly what the
    amendment accepts (``{value}`` and ``{raw}`` are filled in).
    """

    name: str
    description: str = field(repr=False)
    evidence: tuple[str, ...] = field(repr=False)
    first_seen: str = field()
    scope: tuple[str, ...] = field(repr=False)
    change: Mapping[str, Any] = field(repr=False)
    when: Mapping[str, Any] | None = field(default=None, repr=False)
    message: str = field(default="{raw}", repr=False)
    source: str = field(default="built-in", repr=False)
    key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        definition = [self.name, list(self.scope), self.change, self.when]
        object.__setattr__(self, "key", _canonical(definition))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Amendment) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def as_dict(self) -> dict[str, Any]:
        """The amendment in the configuration file's shape (kebab-case keys)."""
        data: dict[str, Any] = {
            "description": self.description,
            "evidence": list(self.evidence),
            "first-seen": self.first_seen,
            "scope": list(self.scope),
            "change": dict(self.change),
        }
        if self.when is not None:
            data["when"] = dict(self.when)
        data["message"] = self.message
        return data


@dataclass(frozen=True)
class Catalogue:
    """Every known amendment and profile (built-in, then from configuration files)."""

    amendments: Mapping[str, Amendment]
    profiles: Mapping[str, tuple[str, ...]]
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def amendment(self, name: str) -> Amendment:
        """The named amendment; :class:`AmendmentError` listing the known ones otherwise."""
        try:
            return self.amendments[name]
        except KeyError:
            known = ", ".join(sorted(self.amendments))
            raise AmendmentError(f"unknown amendment {name!r}; known amendments: {known}") from None

    def profile_names(self) -> tuple[str, ...]:
        return tuple(self.profiles)

    def members(self, profile: str) -> tuple[str, ...]:
        """The amendment names of a profile; :class:`AmendmentError` for unknown names."""
        try:
            return self.profiles[profile]
        except KeyError:
            known = ", ".join(self.profiles)
            raise AmendmentError(f"unknown profile {profile!r}; known profiles: {known}") from None

    def profiles_holding(self, amendment: str) -> tuple[str, ...]:
        """The profiles that hold an amendment, in catalogue order."""
        return tuple(name for name, members in self.profiles.items() if amendment in members)


@dataclass(frozen=True, eq=False)
class Profile:
    """A named set of amendments: what validation under this profile accepts.

    ``amendments`` are sorted by name; ``catalogue`` is where the profile was
    resolved from (it names the amendments a failure could be explained by).
    Two profiles are equal when they enable the same amendments.
    """

    name: str
    amendments: tuple[Amendment, ...]
    catalogue: Catalogue = field(repr=False)
    base: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "amendments", tuple(sorted(self.amendments, key=_by_name)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Profile) and other.amendments == self.amendments

    def __hash__(self) -> int:
        return hash(self.amendments)

    @property
    def names(self) -> tuple[str, ...]:
        """The enabled amendments' names, sorted."""
        return tuple(a.name for a in self.amendments)

    def holds(self, name: str) -> bool:
        return any(a.name == name for a in self.amendments)

    def describe(self) -> str:
        """``observed``, or ``observed +azure-method-null -status-paused``."""
        changes = [f"+{n}" for n in self.added] + [f"-{n}" for n in self.removed]
        return " ".join([self.base or self.name, *changes])

    def without(self, name: str) -> Profile:
        """The same profile without one amendment."""
        kept = tuple(a for a in self.amendments if a.name != name)
        return Profile(f"{self.name}-{name}", kept, self.catalogue, self.base, self.added)

    def plus(self, amendment: Amendment) -> Profile:
        """The same profile with one more amendment."""
        merged = (*self.amendments, amendment)
        return Profile(f"{self.name}+{amendment.name}", merged, self.catalogue, self.base)


def _by_name(amendment: Amendment) -> str:
    return amendment.name


def names_of(amendments: Iterable[Amendment]) -> list[str]:
    return [a.name for a in amendments]
