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
optional properties. Events and checkpoints (the pages of the events and
checkpoints operations) are counted the same way, their places named after
their type (``FineTuningJobEvent:/level``); they are listed only when the
traffic held some. What could have been seen is read from the schema
documents (:mod:`contract.traffic._walk`); a team learns from the "never"
lists which answers their client was never tested on. Values the traffic
showed outside the contract are listed as they came, credentials masked and,
in :meth:`TrafficCoverage.lines`, control characters escaped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, repeat
from operator import add
from typing import TYPE_CHECKING, Any, NamedTuple

from contract import schema as _registry
from contract.checks import body_schema
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
    #: Events, checkpoints...: how many of each type (jobs are ``jobs``).
    items: tuple[tuple[str, int], ...] = ()

    def as_list(self) -> list[Any]:
        """A JSON-ready form (see :meth:`from_list`)."""
        found = [[*f, n] for f, n in self.facts]
        return [self.operation, self.status, self.jobs, found, [list(i) for i in self.items]]

    @classmethod
    def from_list(cls, data: list[Any]) -> Observation:
        operation, status, jobs, found, *rest = data
        pairs = tuple(((str(k), str(p), str(v)), int(n)) for k, p, v, n in found)
        items = tuple((str(name), int(n)) for name, n in (rest[0] if rest else ()))
        return cls(operation, status, int(jobs), pairs, items)


def _value(body: bytes | str | Decoded | Any) -> Any:
    if isinstance(body, Decoded):
        return body.value
    if isinstance(body, (bytes, str)):
        try:
            return decode(body).value
        except JSONSyntaxError:
            return None
    return body


def items_of(payload: Any, schema: str | None = None) -> tuple[str | None, list[Any]]:
    """The type of the objects a decoded body holds and those objects: a page's items, or
    the body itself when it is one job, event or checkpoint (``schema``: the type it was
    checked as; None to tell by its shape). (None, []) for an error envelope."""
    kind = body_schema(payload, schema)
    if kind is None:
        return None, []
    item = _operations.page_items(kind)
    if item is not None:
        found = page_jobs(payload, kind, item)
        return item, [j for j in found or () if isinstance(j, dict)]
    if kind not in _item_types() or not isinstance(payload, dict):
        return kind, []
    return kind, [payload]


def jobs_of(payload: Any, schema: str | None = None) -> list[Any]:
    """The jobs a decoded body holds: a page's items, or the body itself when it is one job."""
    kind, found = items_of(payload, schema)
    return found if kind == _registry.DEFAULT_SCHEMA else []


@cache
def _item_types() -> tuple[str, ...]:
    """Every type a page of an operation holds (jobs first), each counted in coverage
    (asked once per payload: the operations are loaded once, so is this)."""
    found = [_registry.DEFAULT_SCHEMA]
    for op in sorted(_operations.operations(), key=lambda o: o.operation_id):
        if op.item_schema is not None and op.item_schema not in found:
            found.append(op.item_schema)
    return tuple(found)


def _prefix(schema: str) -> str:
    """How the places of a type's objects begin: "" for jobs, ``FineTuningJobEvent:`` else."""
    return "" if schema == _registry.DEFAULT_SCHEMA else f"{schema}:"


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
    if found.operation is not None:
        schema = found.operation.schema
    tally = Tally()
    tally.add(_value(body), schema)
    return tally.observation(operation, status)


class Counts(NamedTuple):
    """A :class:`Tally`'s counts as plain data: per type, its slot counts and the facts
    counted by name; the items of other types; jobs; payloads."""

    kinds: tuple[tuple[str, list[int], Counter[Fact]], ...]
    items: tuple[tuple[str, int], ...]
    jobs: int
    payloads: int


class Recorded(NamedTuple):
    """What :meth:`Tally.add` counts for one payload, kept to be added again
    (:meth:`Tally.replay`) without walking the payload: per type, each slot it added to,
    once per time it added to it, and its facts counted by name; its items of other
    types; its jobs."""

    kinds: tuple[tuple[str, tuple[int, ...], tuple[tuple[Fact, int], ...]], ...]
    items: tuple[tuple[str, int], ...]
    jobs: int


class Tally:
    """The facts of many payloads added up in slots (:mod:`contract.traffic._slots`): what
    :func:`observe` gives for each, summed, at the cost of one compiled walk per object."""

    def __init__(self) -> None:
        #: Per type of object: its compiled counter, the slot counts, the facts counted by name.
        self.kinds: dict[str, tuple[_slots.Counter, Any, Counter[Fact]]] = {}
        self.items: Counter[str] = Counter()
        self.payloads = self.jobs = 0

    def _of(self, kind: str) -> tuple[_slots.Counter, Any, Counter[Fact]]:
        """The counter and counts of type ``kind``, fresh ones the first time."""
        found = self.kinds.get(kind)
        if found is None:
            counter = _slots.Counter.of(kind)
            found = self.kinds[kind] = (counter, *self._empty(counter))
        return found

    @staticmethod
    def _empty(counter: _slots.Counter) -> tuple[Any, Counter[Fact]]:
        return counter.empty()

    def add(self, payload: Any, schema: str | None = None) -> int:
        """Count the objects of one decoded payload (see :func:`items_of`); how many it held."""
        self.payloads += 1
        if schema is not None and isinstance(payload, dict):
            found = self.kinds.get(schema)
            if found is not None:  # a type counted before is one of objects: the payload
                found[0].count(payload, found[1], found[2])
                return self._tallied(schema, 1)
        kind, objects = items_of(payload, schema)
        if kind is None or not objects:
            return 0
        counter, counts, named = self._of(kind)
        for item in objects:
            counter.add(item, counts, named)
        return self._tallied(kind, len(objects))

    def _tallied(self, kind: str, objects: int) -> int:
        """``objects`` of type ``kind`` counted as jobs or as items; how many."""
        if kind == _registry.DEFAULT_SCHEMA:
            self.jobs += objects
        else:
            self.items[kind] += objects
        return objects

    def add_checked(self, interaction: Interaction, api_error: bool) -> None:
        """Count a checked response or payload of no operation as :func:`observe` counts it
        (``api_error``: its check found the API's error envelope, which shows nothing)."""
        if api_error:
            self.payloads += 1
            return
        body = interaction.decoded if interaction.decoded is not None else interaction.body
        self.add(_value(body))

    @staticmethod
    def recorded(payload: Any, schema: str | None = None) -> Recorded:
        """What :meth:`add` would count for ``payload``, to add again with :meth:`replay`."""
        sparse = _Sparse()
        sparse.add(payload, schema)
        return sparse.recorded_form()

    @staticmethod
    def recorded_checked(interaction: Interaction, api_error: bool) -> Recorded:
        """What :meth:`add_checked` would count, to add again with :meth:`replay`."""
        sparse = _Sparse()
        sparse.add_checked(interaction, api_error)
        return sparse.recorded_form()

    def replay(self, recorded: Iterable[tuple[Recorded, int]]) -> None:
        """Count, for each pair, ``times`` payloads of which :meth:`recorded` gave
        ``recorded``: what as many calls of :meth:`add` count, with no payload walked.

        The slots of the payloads counted once are counted together, in C; those of
        the others one by one; then each slot met is added to the tally's once.
        """
        once: dict[str, list[tuple[int, ...]]] = {}
        added: dict[str, Counter[int]] = {}
        payloads = jobs = 0
        for found, times in recorded:
            payloads += times
            jobs += found.jobs * times
            for kind, slots, named in found.kinds:
                if times == 1:
                    listed = once.get(kind)
                    if listed is None:
                        listed = once[kind] = []
                    listed.append(slots)
                else:
                    counter = added.get(kind)
                    if counter is None:
                        counter = added[kind] = Counter()
                    for slot in slots:
                        counter[slot] += times
                if named:
                    by_name = self._of(kind)[2]
                    for fact, count in named:
                        by_name[fact] += count * times
            for name, count in found.items:
                self.items[name] += count * times
        for kind, listed in once.items():
            added.setdefault(kind, Counter()).update(chain.from_iterable(listed))
        for kind, counter in added.items():
            counts = self._of(kind)[1]
            for slot, count in counter.items():
                counts[slot] += count
        self.payloads += payloads
        self.jobs += jobs

    def counts(self) -> Counts:
        """What was added, as plain data a worker process can send (no compiled counters);
        its types in order of name, whatever order they were first met in."""
        kinds = tuple(
            (kind, counts, named) for kind, (_, counts, named) in sorted(self.kinds.items())
        )
        return Counts(kinds, tuple(sorted(self.items.items())), self.jobs, self.payloads)

    def absorb(self, other: Counts) -> None:
        """Add what another tally counted (:meth:`counts`): slot by slot, nothing walked."""
        for kind, counts, named in other.kinds:
            _, mine, by_name = self._of(kind)
            mine[:] = map(add, mine, counts)
            by_name.update(named)
        self.items.update(dict(other.items))
        self.jobs += other.jobs
        self.payloads += other.payloads

    def observation(self, operation: str | None = None, status: int | None = None) -> Observation:
        """What the payloads added showed, as one :class:`Observation`."""
        total: Counter[Fact] = Counter()
        for kind, (counter, counts, named) in self.kinds.items():
            found = counter.facts(counts, named)
            prefix = _prefix(kind)
            if prefix:  # events, checkpoints: their places named after their type
                found = Counter({(f, prefix + place, v): n for (f, place, v), n in found.items()})
            total.update(found)
        facts = tuple(sorted(total.items()))
        return Observation(operation, status, self.jobs, facts, tuple(sorted(self.items.items())))


class _Sparse(Tally):
    """A tally of one payload: slot counts kept by slot number, only those it added to."""

    @staticmethod
    def _empty(counter: _slots.Counter) -> tuple[Any, Counter[Fact]]:
        return defaultdict(int), Counter()

    def recorded_form(self) -> Recorded:
        kinds = tuple(
            (
                kind,
                tuple(chain.from_iterable(map(repeat, counts, counts.values()))),
                tuple(named.items()),
            )
            for kind, (_, counts, named) in self.kinds.items()
        )
        return Recorded(kinds, tuple(self.items.items()), self.jobs)


_NULLABLE = ("null", "non-null")
_OPTIONAL = ("present", "absent")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class TrafficCoverage:
    """Observations added up, and compared with what the contract allows."""

    responses: int = 0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    _jobs: int = 0
    _seen: Counter[Fact] = field(default_factory=Counter)
    _items: Counter[str] = field(default_factory=Counter)
    #: Counts of payloads proven conforming, added slot by slot and named as facts only
    #: when the coverage is read (naming them per batch cost more than counting them).
    _pending: Tally | None = field(default=None, repr=False, compare=False)

    def add(self, observation: Observation | Counts | None, responses: int = 1) -> None:
        """Add what ``responses`` responses or payloads showed (one observation for all);
        or the counts of payloads of no operation, as the JSON Lines lane hands them over
        (each payload they counted one response)."""
        if observation is None:
            return
        if isinstance(observation, Counts):
            self.responses += observation.payloads
            if self._pending is None:
                self._pending = Tally()
            self._pending.absorb(observation)
            return
        self.responses += responses
        self._add(observation, responses)

    def _add(self, observation: Observation, responses: int) -> None:
        self._jobs += observation.jobs
        for name, count in observation.items:
            self._items[name] += count
        if observation.operation is not None:
            counts = self.statuses.setdefault(observation.operation, Counter())
            counts[observation.status if observation.status is not None else 0] += responses
        for fact, count in observation.facts:
            self._seen[fact] += count

    def _settle(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._add(pending.observation(), 0)  # its payloads were counted as they came

    @property
    def jobs(self) -> int:
        self._settle()
        return self._jobs

    @property
    def seen(self) -> Counter[Fact]:
        self._settle()
        return self._seen

    @property
    def items(self) -> Counter[str]:
        self._settle()
        return self._items

    @classmethod
    def of(cls, observations: Iterable[Observation | None]) -> TrafficCoverage:
        coverage = cls()
        for observation in observations:
            coverage.add(observation)
        return coverage

    # -- what was and was not seen ---------------------------------------------------------

    def _reached(self, place: str, kinds: Iterable[str] = KINDS) -> bool:
        return place == "" or any(self.seen[("reached", place, kind)] for kind in kinds)

    @staticmethod
    def _root(place: str) -> bool:
        """Whether ``place`` is the root of a type's objects (``""``, ``FineTuningJobEvent:``)."""
        return place == "" or place.endswith(":")

    def _visible(self, place: str) -> bool:
        """Whether the object holding ``place`` was ever seen (else the place is unreached)."""
        return self._reached(parent(place)) if not self._root(place) else True

    def _count(self, kind: str, place: str, value: str) -> int:
        return self.seen[(kind, place, value)]

    def _places(self) -> dict[str, Place]:
        """Every place of jobs, and of the other types the traffic held (events...)."""
        places = dict(universe(_registry.DEFAULT_SCHEMA))
        for kind in _item_types()[1:]:
            if self.items[kind]:
                places.update({_prefix(kind) + p: a for p, a in universe(kind).items()})
        return places

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
                values[place if not self._root(place) else place + "/"] = {
                    "seen": {v: n for v, n in counts.items() if n},
                    "never": [v for v, n in counts.items() if not n],
                    **({"outside": outside} if outside else {}),
                }
                total, seen = total + len(counts), seen + sum(1 for n in counts.values() if n)
            if allowed.alternatives:
                counts = {v: self._count("alternative", place, v) for v in allowed.alternatives}
                alternatives[place if not self._root(place) else place + "/"] = {
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
            "items": {kind: self.items[kind] for kind in _item_types()[1:] if self.items[kind]},
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
        held = [_plural(self.jobs, "job")]
        held.extend(_plural(n, _noun(kind)) for kind, n in data["items"].items())
        lines = [
            f"traffic coverage: {_plural(self.responses, 'response')} "
            f"({', '.join(held)}); {data['seen']} of {data['of']} "
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
                if not self._visible(
                    place.removesuffix("/") if place.endswith(":/") or place == "/" else place
                ):
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


def _noun(schema: str) -> str:
    """``event`` for FineTuningJobEvent, ``checkpoint`` for FineTuningJobCheckpoint."""
    return schema.removeprefix(_registry.DEFAULT_SCHEMA).lower() or "job"


__all__ = [
    "Counts",
    "Observation",
    "Recorded",
    "Tally",
    "TrafficCoverage",
    "items_of",
    "jobs_of",
    "observe",
]
