"""Traffic coverage: what checked traffic exercised of the contract, and what it never did.

::

    from contract.traffic import TrafficCoverage, observe

    coverage = TrafficCoverage()
    for interaction in recordings.read("cassette.yaml"):
        coverage.add(observe(interaction))
    print("\\n".join(coverage.lines()))      # or coverage.as_dict()

Counted per response: the jobs operation and HTTP status. Counted per job
(a page's jobs one by one): every enum value (job ``status``,
``method.type``...), which alternative a value took (grader kinds, ``"auto"``
or a number), null and non-null for nullable fields, present and absent for
optional properties. What could have been seen is read from the schema
documents (:mod:`contract.traffic._walk`); a team learns from the "never"
lists which answers their client was never tested on. Values the traffic
showed outside the contract are listed as they came, credentials masked and,
in :meth:`TrafficCoverage.lines`, control characters escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract import schema as _registry
from contract.redact import for_terminal, redact
from contract.schema import operations as _operations
from contract.schema.tree import KINDS
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.traffic import _slots
from contract.traffic._walk import Fact, Place, page_jobs, parent, universe

if TYPE_CHECKING:
    from contract.checks import Assessment
    from contract.recordings import Interaction


@dataclass(frozen=True)
class Observation:
    """What one checked response or payload showed (plain data: it pickles and travels as JSON).

    ``facts`` pairs each fact ``(kind, place, value)`` with how often it was seen.
    """

    operation: str | None
    status: int | None
    jobs: int
    facts: tuple[tuple[Fact, int], ...] = ()

    def as_list(self) -> list[Any]:
        """A JSON-ready form (see :meth:`from_list`)."""
        return [self.operation, self.status, self.jobs, [[*f, n] for f, n in self.facts]]

    @classmethod
    def from_list(cls, data: list[Any]) -> Observation:
        operation, status, jobs, found = data
        pairs = tuple(((str(k), str(p), str(v)), int(n)) for k, p, v, n in found)
        return cls(operation, status, int(jobs), pairs)


def _value(body: bytes | str | Decoded | Any) -> Any:
    if isinstance(body, Decoded):
        return body.value
    if isinstance(body, (bytes, str)):
        try:
            return decode(body).value
        except JSONSyntaxError:
            return None
    return body


def jobs_of(payload: Any, schema: str | None = None) -> list[Any]:
    """The jobs a decoded body holds: a page's items, or the body itself when it is one job."""
    page = _operations.get("list").schema
    job = _registry.DEFAULT_SCHEMA
    if schema not in (None, job, page):
        return []
    found = page_jobs(payload, page, job)
    if found is not None:
        return [j for j in found if isinstance(j, dict)]
    if schema == page or not isinstance(payload, dict):
        return []
    from contract.checks import api_error_of

    return [] if api_error_of(payload) is not None else [payload]


def observe(
    interaction: Interaction, assessment: Assessment | None = None, schema: str | None = None
) -> Observation:
    """What ``interaction`` exercised (``assessment``: its verdict, if already known)."""
    found = assessment if assessment is not None else interaction.assess(schema)
    operation = found.operation.operation_id if found.operation is not None else None
    status = interaction.status
    if found.api_error is not None:
        return Observation(operation, status, 0)
    body = interaction.decoded if interaction.decoded is not None else interaction.body
    tally = Tally()
    tally.add(_value(body), schema)
    return tally.observation(operation, status)


class Tally:
    """The facts of many payloads added up in slots (:mod:`contract.traffic._slots`): what
    :func:`observe` gives for each, summed, at the cost of one compiled walk per job."""

    def __init__(self) -> None:
        self.counter = _slots.Counter.of(_registry.DEFAULT_SCHEMA)
        self.counts, self.named = self.counter.empty()
        self.payloads = self.jobs = 0

    def add(self, payload: Any, schema: str | None = None) -> int:
        """Count the jobs of one decoded payload (see :func:`jobs_of`); how many it held."""
        jobs = jobs_of(payload, schema)
        for job in jobs:
            self.counter.add(job, self.counts, self.named)
        self.payloads += 1
        self.jobs += len(jobs)
        return len(jobs)

    def observation(self, operation: str | None = None, status: int | None = None) -> Observation:
        """What the payloads added showed, as one :class:`Observation`."""
        found = self.counter.facts(self.counts, self.named)
        return Observation(operation, status, self.jobs, tuple(sorted(found.items())))


_NULLABLE = ("null", "non-null")
_OPTIONAL = ("present", "absent")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class TrafficCoverage:
    """Observations added up, and compared with what the contract allows."""

    responses: int = 0
    jobs: int = 0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    seen: Counter[Fact] = field(default_factory=Counter)

    def add(self, observation: Observation | None, responses: int = 1) -> None:
        """Add what ``responses`` responses or payloads showed (one observation for all)."""
        if observation is None:
            return
        self.responses += responses
        self.jobs += observation.jobs
        if observation.operation is not None:
            counts = self.statuses.setdefault(observation.operation, Counter())
            counts[observation.status if observation.status is not None else 0] += responses
        for fact, count in observation.facts:
            self.seen[fact] += count

    @classmethod
    def of(cls, observations: Iterable[Observation | None]) -> TrafficCoverage:
        coverage = cls()
        for observation in observations:
            coverage.add(observation)
        return coverage

    # -- what was and was not seen ---------------------------------------------------------

    def _reached(self, place: str, kinds: Iterable[str] = KINDS) -> bool:
        return place == "" or any(self.seen[("reached", place, kind)] for kind in kinds)

    def _visible(self, place: str) -> bool:
        """Whether the object holding ``place`` was ever seen (else the place is unreached)."""
        return self._reached(parent(place)) if place else True

    def _count(self, kind: str, place: str, value: str) -> int:
        return self.seen[(kind, place, value)]

    def _places(self) -> dict[str, Place]:
        return universe(_registry.DEFAULT_SCHEMA)

    def operations(self) -> dict[str, dict[str, Any]]:
        """Per jobs operation: how many responses, and their HTTP statuses."""
        result: dict[str, dict[str, Any]] = {}
        for op in sorted(_operations.operations(), key=lambda o: o.operation_id):
            counts = self.statuses.get(op.operation_id, Counter())
            result[op.operation_id] = {
                "responses": sum(counts.values()),
                "statuses": {str(s): n for s, n in sorted(counts.items()) if s},
            }
        return result

    def never_reached(self) -> list[str]:
        """Array items and map values never seen although their array or map was (always empty)."""
        return [
            place
            for place in self._places()
            if place.endswith("/*")
            and not self._reached(place)
            and self._reached(parent(place), ("array", "object"))
        ]

    def as_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: every place of the contract with its counts."""
        values: dict[str, Any] = {}
        alternatives: dict[str, Any] = {}
        nullable: dict[str, Any] = {}
        optional: dict[str, Any] = {}
        total = seen = 0
        for place, allowed in self._places().items():
            if allowed.enum:
                counts = {v: self._count("enum", place, v) for v in allowed.enum}
                outside = {
                    redact(v): n
                    for (k, p, v), n in sorted(self.seen.items())
                    if k == "outside" and p == place
                }
                values[place or "/"] = {
                    "seen": {v: n for v, n in counts.items() if n},
                    "never": [v for v, n in counts.items() if not n],
                    **({"outside": outside} if outside else {}),
                }
                total, seen = total + len(counts), seen + sum(1 for n in counts.values() if n)
            if allowed.alternatives:
                counts = {v: self._count("alternative", place, v) for v in allowed.alternatives}
                alternatives[place or "/"] = {
                    "seen": {v: n for v, n in counts.items() if n},
                    "never": [v for v, n in counts.items() if not n],
                }
                total, seen = total + len(counts), seen + sum(1 for n in counts.values() if n)
            for kind, target, states in (
                ("nullable", nullable, _NULLABLE),
                ("optional", optional, _OPTIONAL),
            ):
                if getattr(allowed, kind):
                    counts = {s: self._count(kind, place, s) for s in states}
                    target[place] = counts
                    total, seen = total + 2, seen + sum(1 for n in counts.values() if n)
        ops = self.operations()
        return {
            "responses": self.responses,
            "jobs": self.jobs,
            "operations": ops,
            "values": values,
            "alternatives": alternatives,
            "nullable": nullable,
            "optional": optional,
            "never_reached": self.never_reached(),
            "seen": seen,
            "of": total,
        }

    def lines(self) -> list[str]:
        """The report for people: what was seen, and each place where something never was."""
        data = self.as_dict()
        lines = [
            f"traffic coverage: {_plural(self.responses, 'response')} "
            f"({_plural(self.jobs, 'job')}); {data['seen']} of {data['of']} "
            "values, alternatives and null/absent cases seen"
        ]
        ops = data["operations"]
        used = {k: v for k, v in ops.items() if v["responses"]}
        shown = [
            f"{name} ({', '.join(f'{s}: {n}' for s, n in v['statuses'].items())})"
            for name, v in used.items()
        ]
        lines.append(f"  operations: {len(used)} of {len(ops)} seen: {', '.join(shown) or 'none'}")
        never_ops = [name for name, v in ops.items() if not v["responses"]]
        if never_ops:
            lines.append(f"  operations never seen: {', '.join(never_ops)}")
        for title, section in (("values", data["values"]), ("alternatives", data["alternatives"])):
            for place, entry in section.items():
                if not self._visible("" if place == "/" else place):
                    continue
                if not entry["seen"] and "outside" not in entry:
                    continue  # the place itself was never reached (another alternative was)
                if not entry["never"] and "outside" not in entry:
                    continue
                seen = ", ".join(entry["seen"]) or "nothing"
                text = f"  {place}: never {', '.join(entry['never'])} (seen: {seen})"
                if not entry["never"]:
                    text = f"  {place}: every {title[:-1]} seen"
                if "outside" in entry:
                    outside = ", ".join(for_terminal(v) for v in entry["outside"])
                    text += f"; outside the contract: {outside}"
                lines.append(text)
        for kind, states in (("nullable", _NULLABLE), ("optional", _OPTIONAL)):
            noun = "nullable fields never" if kind == "nullable" else "optional properties never"
            for state, other in (states, states[::-1]):
                places = [
                    place
                    for place, counts in data[kind].items()
                    if counts[other] and not counts[state]
                ]
                if places:
                    lines.append(f"  {noun} {state}: {', '.join(places)}")
        if data["never_reached"]:
            lines.append(f"  never reached: {', '.join(data['never_reached'])}")
        return lines


__all__ = ["Observation", "Tally", "TrafficCoverage", "jobs_of", "observe"]
