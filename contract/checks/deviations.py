"""Known deviations: failures an amendment would accept, said once, in words; usage accounting.

::

    from contract.checks.deviations import Usage, assess

    usage = Usage(profile)
    for job in jobs:
        result = assess(job, profile=profile)   # violations, warnings, needed, deviations
        usage.add(result)
    print("\\n".join(usage.lines()))

A failure that an amendment outside the profile would accept (exactly: with
it, those lines go and nothing new appears) is reported as one ``deviation``
violation per place, replacing the raw lines, e.g. ``/error: {} is an empty
object; the contract allows null or an object with code, message and param
(known deviation error-empty-object; accepted by profile observed)``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from contract import schema as _registry
from contract._core import jsonpointer
from contract.checks._assessment import Assessment
from contract.checks.unknown import unknown_properties
from contract.config import Strict
from contract.profiles import ProfileLike, coerce
from contract.schema._overlay import STATUS_ADD, WHERE_NULLABLE, nullable_required, split
from contract.schema.amendments import Amendment, Profile
from contract.validation import fast_validator as _fast
from contract.validation import is_valid, violations_and_errors, violations_of
from contract.validation._explain import show
from contract.violations import Violation

#: The keyword of a failure a known amendment would accept.
DEVIATION = "deviation"

_REQUIRED = re.compile(r'^required property (".*") is missing$')

Line = tuple[str, str, str]


def _line(violation: Violation) -> Line:
    return (violation.path, violation.keyword, violation.message)


_Fingerprint = Counter[tuple[Any, ...]]


def _fingerprint(payload: Any, schema: str, profile: Profile) -> _Fingerprint | None:
    """What fails, cheaply (jsonschema-rs): places and kinds; None if it cannot tell."""
    validator = _fast(schema, profile)
    try:
        if validator.is_valid(payload):
            return Counter()
        errors = list(validator.iter_errors(payload))
    except (ValueError, OverflowError, TypeError):
        return None
    return _fingerprint_of(errors)


def _fingerprint_of(errors: Sequence[Any]) -> _Fingerprint:
    """The places and kinds of jsonschema-rs's ``errors``."""
    found: _Fingerprint = Counter()
    for error in errors:
        kind = type(error.kind).__name__
        detail = error.message if kind == "Required" else ""
        found[(tuple(error.instance_path), kind, detail)] += 1
    return found


def _lines(payload: Any, schema: str, profile: Profile) -> set[Line]:
    return {_line(v) for v in violations_of(payload, schema, profile)}


@lru_cache(maxsize=1024)
def _plus(profile: Profile, amendment: Amendment) -> Profile:
    return profile.plus(amendment)


@lru_cache(maxsize=1024)
def _without(profile: Profile, name: str) -> Profile:
    return profile.without(name)


@lru_cache(maxsize=64)
def _with_all(profile: Profile, known: tuple[Amendment, ...]) -> Profile:
    """``profile`` widened by every amendment of ``known`` it does not hold."""
    wider = profile
    for amendment in known:
        if not profile.holds(amendment.name):
            wider = _plus(wider, amendment)
    return wider


def _with_every_known(profile: Profile) -> Profile:
    """``profile`` widened by every amendment of its catalogue (profiles equal across
    catalogues compare equal, so the catalogue's amendments are part of the cache key)."""
    return _with_all(profile, tuple(profile.catalogue.amendments.values()))


class _Probe:
    """One payload under one profile, compared with the profile one amendment more or less."""

    def __init__(
        self, payload: Any, schema: str, profile: Profile, errors: Sequence[Any] | None = None
    ) -> None:
        """``errors``: jsonschema-rs's errors of ``payload`` under ``profile``, when the
        caller has them (:func:`contract.validation.violations_and_errors`)."""
        self.payload, self.schema, self.profile = payload, schema, profile
        if errors is None:
            self.base = _fingerprint(payload, schema, profile)
        else:
            self.base = _fingerprint_of(errors)

    def differs(self, other: Profile) -> bool:
        theirs = _fingerprint(self.payload, self.schema, other)
        if self.base is None or theirs is None:
            mine = _lines(self.payload, self.schema, self.profile)
            return mine != _lines(self.payload, self.schema, other)
        return self.base != theirs

    def fails_elsewhere(self, other: Profile) -> bool:
        """Whether the places that fail (not only how) differ under ``other``.

        An amendment accepts a failure only by making its place pass (or moving
        the failure up to a new ``anyOf`` around it), so the places change.
        """
        theirs = _fingerprint(self.payload, self.schema, other)
        if self.base is None or theirs is None:
            return True
        return {place for place, _, _ in self.base} != {place for place, _, _ in theirs}


def needed(
    payload: Any, schema: str = _registry.DEFAULT_SCHEMA, profile: ProfileLike = None
) -> tuple[str, ...]:
    """The profile's amendments this payload needs: without one, it would fail more."""
    return _needed(payload, schema, coerce(profile))


def _needed(
    payload: Any, schema: str, chosen: Profile, errors: Sequence[Any] | None = None
) -> tuple[str, ...]:
    """:func:`needed`; ``errors`` as :class:`_Probe` takes them."""
    if not chosen.amendments:
        return ()
    # Amendments only widen the contract (each change is one of allow, nullable, enum-add,
    # absent): a payload the published documents accept needs none of them.
    if is_valid(payload, schema):
        return ()
    probe = _Probe(payload, schema, chosen, errors)
    return tuple(a.name for a in chosen.amendments if probe.differs(_without(chosen, a.name)))


_get = jsonpointer.resolve


def _raw(lines: Sequence[Violation]) -> str:
    names = [_REQUIRED.match(v.message) for v in lines]
    if len(lines) > 1 and all(names):
        quoted = ", ".join(m.group(1) for m in names if m)
        return f"required properties {quoted} are missing"
    return "; ".join(v.message for v in lines)


def _accepted(amendment: Amendment, profile: Profile) -> str:
    holders = profile.catalogue.profiles_holding(amendment.name)
    if not holders:
        return "accepted by no profile; switch it on by name"
    return f"accepted by profile{'s' if len(holders) > 1 else ''} {', '.join(holders)}"


def deviation(
    amendment: Amendment, profile: Profile, payload: Any, lines: list[Violation]
) -> Violation:
    """One ``deviation`` violation in place of ``lines``, the failures ``amendment``
    (outside ``profile``) accepts, worded by its message."""
    path = lines[0].path
    try:
        value = show(_get(payload, path))
    except (KeyError, IndexError, ValueError, TypeError):
        value = "the value"
    text = amendment.message.replace("{raw}", _raw(lines)).replace("{value}", value)
    return Violation(
        path,
        DEVIATION,
        f"{text} (known deviation {amendment.name}; {_accepted(amendment, profile)})",
        amendment.scope[0],
        amendment.name,
    )


@lru_cache(maxsize=256)
def _names(amendment: Amendment) -> frozenset[str] | None:
    """The property names an amendment's scopes end in; None if one ends elsewhere."""
    if WHERE_NULLABLE in amendment.change:
        # The properties it lets be absent, read from the documents it reaches.
        roots = [split(location)[0] for location in amendment.scope]
        found = nullable_required(_registry.documents(), roots)
        return frozenset(split(location)[1][-1] for location in found)
    names = set()
    for location in amendment.scope:
        parts = location.partition("#")[2].split("/")
        if len(parts) < 3 or parts[-2] != "properties":
            return None
        names.add(jsonpointer.unescape(parts[-1]))
    return frozenset(names)


@dataclass(frozen=True)
class _Touched:
    """What a run of failures concerns, for the cheap look of :func:`_candidates`."""

    last: frozenset[str]  # the property each failure is at
    anywhere: frozenset[str]  # every name on the failures' paths
    missing: frozenset[str]  # required properties missing
    unread: bool  # a "required" failure whose property could not be read

    @classmethod
    def of(cls, found: Sequence[Violation]) -> _Touched:
        parts = [v.path.split("/") for v in found]
        missing: set[str] = set()
        unread = False
        for violation in found:
            if violation.keyword == "required":
                name = _REQUIRED.match(violation.message)
                if name is None:
                    unread = True
                else:
                    missing.add(json.loads(name[1]))
        return cls(
            frozenset(p[-1] for p in parts),
            frozenset(n for p in parts for n in p),
            frozenset(missing),
            unread,
        )


@lru_cache(maxsize=256)
def _reach(amendment: Amendment) -> tuple[frozenset[str] | None, bool, bool, bool]:
    """The amendment's property names; whether it changes values there, only at the
    property itself (null, an enum value), and whether it lets the property be absent."""
    changes = set(amendment.change) - {"absent", WHERE_NULLABLE}
    # null or an added enum value is accepted at the property itself; a subschema allowed
    # there may accept a whole value whose failures lie deeper.
    at_place = bool(changes) and changes <= {"nullable", "enum-add"}
    absent = "absent" in amendment.change or WHERE_NULLABLE in amendment.change
    return _names(amendment), bool(changes), at_place, absent


@dataclass(frozen=True)
class _Outside:
    """The amendments outside a profile, by what the cheap look of :func:`_candidates`
    asks: for each property name, those that concern it, so a run of failures is looked
    up instead of compared with every amendment. Indexes are catalogue order."""

    amendments: tuple[Amendment, ...]
    always: frozenset[int]  # a scope ends elsewhere than at a property
    at_place: Mapping[str, frozenset[int]]  # values changed at the property itself
    anywhere: Mapping[str, frozenset[int]]  # values changed at the property or below it
    absent: Mapping[str, frozenset[int]]  # the property let be absent
    any_absent: frozenset[int]  # every amendment that lets a property be absent


@lru_cache(maxsize=64)
def _outside(profile: Profile, known: tuple[Amendment, ...]) -> _Outside:
    always: set[int] = set()
    any_absent: set[int] = set()
    by_name: dict[str, dict[str, set[int]]] = {"at": {}, "in": {}, "absent": {}}
    for index, amendment in enumerate(known):
        if profile.holds(amendment.name) or STATUS_ADD in amendment.change:
            continue
        names, changes, at_place, absent = _reach(amendment)
        if names is None:
            always.add(index)
            continue
        for name in names:
            if changes:
                by_name["at" if at_place else "in"].setdefault(name, set()).add(index)
            if absent:
                by_name["absent"].setdefault(name, set()).add(index)
        if absent:
            any_absent.add(index)

    def frozen(table: dict[str, set[int]]) -> dict[str, frozenset[int]]:
        return {name: frozenset(found) for name, found in table.items()}

    return _Outside(
        known,
        frozenset(always),
        frozen(by_name["at"]),
        frozen(by_name["in"]),
        frozen(by_name["absent"]),
        frozenset(any_absent),
    )


def _candidates(profile: Profile, touched: _Touched) -> list[Amendment]:
    """The amendments outside ``profile`` that may accept a failure of ``touched``, in
    catalogue order: a cheap first look at names, before anything is validated again.

    One may when a failure concerns a property whose values it changes (at the
    property itself for null or an added enum value, else at or below it), when it
    lets a missing property be absent, or when a scope of it ends elsewhere than at
    a property. One that adds a status never accepts a body's failure.
    """
    index = _outside(profile, tuple(profile.catalogue.amendments.values()))
    found = set(index.always)
    for names, table in ((touched.last, index.at_place), (touched.anywhere, index.anywhere)):
        for name in names & table.keys():
            found |= table[name]
    if touched.unread:
        found |= index.any_absent
    else:
        for name in touched.missing & index.absent.keys():
            found |= index.absent[name]
    return [index.amendments[i] for i in sorted(found)]


def _accounted(probe: _Probe, amendment: Amendment, found: Sequence[Violation]) -> list[Violation]:
    """The lines of ``found`` the amendment accepts: with it they go, nothing new comes."""
    wider = _plus(probe.profile, amendment)
    if not probe.differs(wider):
        return []
    remaining = _lines(probe.payload, probe.schema, wider)
    if not remaining <= {_line(v) for v in found}:
        return []
    return [v for v in found if _line(v) not in remaining]


def explain_deviations(
    payload: Any,
    violations: Sequence[Violation],
    schema: str = _registry.DEFAULT_SCHEMA,
    profile: ProfileLike = None,
) -> tuple[list[Violation], tuple[str, ...]]:
    """``violations`` with the lines known amendments outside the profile accept folded
    into one ``deviation`` violation per amendment and place; and those amendments."""
    return _folded(payload, violations, schema, coerce(profile))


def _folded(
    payload: Any,
    violations: Sequence[Violation],
    schema: str,
    chosen: Profile,
    errors: Sequence[Any] | None = None,
) -> tuple[list[Violation], tuple[str, ...]]:
    """:func:`explain_deviations`; ``errors`` as :class:`_Probe` takes them."""
    if not violations:
        return [], ()
    claimed: dict[Line, Violation] = {}
    used: list[str] = []
    # First the cheap look at names: most failures concern no property any amendment
    # outside the profile changes, and then nothing is validated again.
    candidates = _candidates(chosen, _Touched.of(violations))
    if not candidates:
        return list(violations), ()
    probe = _Probe(payload, schema, chosen, errors)
    # Amendments only widen the contract: when all of them together leave the same places
    # failing, no one of them accepts a failure, and the per-amendment probes are skipped.
    if not probe.fails_elsewhere(_with_every_known(chosen)):
        return list(violations), ()
    for amendment in candidates:
        lines = _accounted(probe, amendment, violations)
        lines = [v for v in lines if _line(v) not in claimed]
        if not lines:
            continue
        used.append(amendment.name)
        for path in dict.fromkeys(v.path for v in lines):
            group = [v for v in lines if v.path == path]
            replacement = deviation(amendment, chosen, payload, group)
            for v in group:
                claimed[_line(v)] = replacement
    result: list[Violation] = []
    for violation in violations:
        folded = claimed.get(_line(violation))
        if folded is None:
            result.append(violation)
        elif folded not in result:
            result.append(folded)
    return result, tuple(used)


def assess(
    payload: Any,
    schema: str = _registry.DEFAULT_SCHEMA,
    profile: ProfileLike = None,
    *,
    strict: Strict = "off",
    deviations: bool = True,
) -> Assessment:
    """Check ``payload`` under ``profile``: violations (known deviations said in words),
    unknown properties (``strict``: warnings, or violations with ``"fail"``), the
    profile's amendments it needed and the known deviations it showed."""
    chosen = coerce(profile)
    used: tuple[str, ...] = ()
    wanted: tuple[str, ...] = ()
    # Amendments only widen the contract: a body the published documents accept conforms
    # under every profile, needs no amendment and shows no deviation. Under an amended
    # profile that one check replaces validating twice (amended, then published).
    if chosen.amendments and is_valid(payload, schema):
        found: list[Violation] = []
    else:
        # jsonschema-rs's errors, read once: the probes compare against them.
        found, errors = violations_and_errors(payload, schema, chosen)
        if deviations and found:
            found, used = _folded(payload, found, schema, chosen, errors)
        wanted = _needed(payload, schema, chosen, errors)
    unknown: list[Violation] = []
    if strict != "off":
        unknown = unknown_properties(payload, schema, chosen)
    if strict == "fail":
        found = [*found, *unknown]
        unknown = []
    return Assessment(
        tuple(found),
        warnings=tuple(unknown),
        needed=wanted,
        deviations=used,
    )


class Findings(Protocol):
    """What :class:`Usage` counts of a checked body."""

    @property
    def needed(self) -> tuple[str, ...]: ...

    @property
    def deviations(self) -> tuple[str, ...]: ...


@dataclass
class Usage:
    """Which amendments a run's traffic needed, how often, and which enabled ones none did."""

    profile: Profile
    payloads: int = 0
    needed: Counter[str] = field(default_factory=Counter)
    deviations: Counter[str] = field(default_factory=Counter)

    def add(self, found: Findings) -> None:
        """Count one checked body (an :class:`Assessment`, or a report's result)."""
        self.payloads += 1
        if found.needed:  # (most bodies need none: no update to pay for)
            self.needed.update(found.needed)
        if found.deviations:
            self.deviations.update(found.deviations)

    def merge(self, other: Usage) -> None:
        """Add another accumulator's counts (for example from a worker process)."""
        self.payloads += other.payloads
        self.needed.update(other.needed)
        self.deviations.update(other.deviations)

    def stale(self) -> tuple[str, ...]:
        """Enabled amendments no payload needed (none when nothing was checked)."""
        if not self.payloads:
            return ()
        return tuple(n for n in self.profile.names if not self.needed[n])

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile.describe(),
            "payloads": self.payloads,
            "needed": dict(sorted(self.needed.items())),
            "stale": list(self.stale()),
            "deviations": dict(sorted(self.deviations.items())),
        }

    def lines(self, stale: bool = False) -> list[str]:
        """The summary for people; empty when there is nothing to say.

        The stale amendments are listed only when ``stale`` asks for them: a run over a
        few recordings says nothing about what the API no longer sends
        (:meth:`as_dict` always holds them).
        """
        out: list[str] = []
        if self.needed:
            out.append(
                f"amendments needed (profile {self.profile.describe()}): " + _counts(self.needed)
            )
        unused = self.stale() if stale else ()
        if unused:
            out.append("stale amendments (enabled, needed by nothing): " + ", ".join(unused))
        if self.deviations:
            out.append("known deviations outside the profile: " + _counts(self.deviations))
        return out


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))


__all__ = [
    "DEVIATION",
    "Assessment",
    "Usage",
    "assess",
    "deviation",
    "explain_deviations",
    "needed",
]
