"""Lines seen before: a JSON Lines payload repeated byte for byte is checked once.

Captured traffic repeats itself. A client polling a job writes the same body
every few seconds until something changes, and a body that breaks the
contract once breaks it the same way each time. Whatever a line's check finds
depends on nothing but the line's bytes and the run's options, so a run
remembers it by the bytes:

- a line the conforming-line shortcut (:mod:`contract.engine._lane`) proved
  conforming: how many jobs it holds, and, with traffic coverage, what it
  exercised (:class:`contract.traffic.Recorded`, kept when the line comes a
  second time), so a repeat is counted with no decoding, validating or walking;
- a line checked in full: its result, which a later identical line gets a copy
  of, named for its own place (:meth:`contract.engine.results.Result.renamed`),
  instead of a second explanation; with traffic coverage, what it exercised too.

Each memory is bounded (:class:`Held`): at most so many bytes of lines and so
many lines are held (a result costs about what its line does, and a short
line's result more: hence both bounds); when one more would not fit,
everything is dropped and keeping starts over. Conforming lines get the
larger memory: a capture polls many jobs, and what a line proven conforming
leaves behind is small.

One :class:`Repeats` serves one run in this process
(:func:`contract.engine._work.serial`); a worker process keeps one for as long
as it is given units with the same options (:func:`for_worker`).

With traffic coverage, a line met again is counted, not walked, and what it
exercised is added by how often it came (:meth:`contract.traffic.Tally.replay`).
In one process that happens once, at the end of the file. A worker process
(``--jobs``) hands coverage over with each stretch of about 1 MiB, in which
nearly every line of a polled capture comes once: adding each record back there
cost about what walking its payload did. So a worker defers instead
(:class:`Deferred`): it sends each record once, under a number of its own (a
key), then only the key of each sight; and the keys of the records its memory
drops, which it never names again. The parent counts the keys (in C) and adds
each record once, when the worker drops it or at the end of the run
(:class:`Gathered`). The parent takes the units in the order it gave them out,
and a worker takes them in that order too, so a key always reaches the parent
before its sights and its retirement.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from contract.traffic import Counts, Recorded, Tally

if TYPE_CHECKING:
    from contract.engine._work import Options
    from contract.engine.results import Result

#: Most bytes of lines checked in full held at once, and most such lines.
BUDGET = 4 << 20
MOST = 1024
#: Most bytes of lines proven conforming held at once, and most such lines.
CONFORMING_BUDGET = 8 << 20
CONFORMING_MOST = 8192

V = TypeVar("V")


class Held(Generic[V]):
    """Values kept by a line's bytes, bounded: ``budget`` bytes of lines, ``most`` lines
    (``dropping``: told of the values before they are all dropped)."""

    def __init__(
        self, budget: int, most: int, dropping: Callable[[Iterable[V]], None] | None = None
    ) -> None:
        self._values: dict[bytes, V] = {}
        #: The value kept for a line's bytes, or None.
        self.get = self._values.get
        self._held = 0
        self._budget, self._most = budget, most
        self._dropping = dropping

    def __len__(self) -> int:
        return len(self._values)

    def keep(self, text: bytes, value: V) -> None:
        """Remember ``value`` for any line of exactly ``text`` (not at all when the line
        alone is over the budget; after dropping everything when it would not fit)."""
        size = len(text)
        if size > self._budget:
            return
        if self._held + size > self._budget or len(self._values) >= self._most:
            if self._dropping is not None:
                self._dropping(self._values.values())
            self._values.clear()  # (the same dict: ``get`` stays bound to it)
            self._held = 0
        self._values[text] = value
        self._held += size


class Checked:
    """A line checked in full: its result, named for the line first met, and, with
    traffic coverage, from its second sight on, what it exercised."""

    __slots__ = ("key", "recorded", "result")

    def __init__(self, result: Result) -> None:
        self.result = result
        self.recorded: Recorded | None = None
        #: Its record's key, once a :class:`Deferred` hand-over has sent it.
        self.key: int | None = None


class Handover(NamedTuple):
    """What a worker's lines met again exercised since its last hand-over: its process id,
    the records not sent before (by key), the key of each line met again (once per
    sight), and the keys it will name no more (its memory dropped their lines)."""

    worker: int
    sent: dict[int, Recorded]
    seen: list[int]
    retired: list[int]


class Deferred:
    """A worker's counts of the lines met again (each holding ``recorded`` and ``key``),
    kept for :class:`Gathered` in the parent, by key (see the module's text). A key is a
    number of this worker's: sights go as a list of them, which the parent counts in C."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._next = 0
        self._sent: dict[int, Recorded] = {}
        self._seen: list[int] = []
        self._retired: list[int] = []

    def count(self, line: Any) -> None:
        """One more sight of ``line`` (its record kept), sending its record the first time."""
        key: int | None = line.key
        if key is None:
            key = line.key = self._next
            self._next += 1
            self._sent[key] = line.recorded
        self._seen.append(key)

    def dropping(self, lines: Iterable[Any]) -> None:
        """``lines`` leave the memory: their keys are named no more (a value with no
        key, such as what the plain lane keeps of a line, never had one sent)."""
        keys = (getattr(line, "key", None) for line in lines)
        self._retired.extend(key for key in keys if key is not None)

    def take(self) -> Handover | None:
        """What to hand over since the last call (None: nothing)."""
        if not (self._seen or self._retired):
            return None
        found = Handover(self._pid, self._sent, self._seen, self._retired)
        self._sent, self._seen, self._retired = {}, [], []
        return found


class Gathered:
    """The parent's side of :class:`Deferred`: records by worker and key and how often each
    came, each record added to :attr:`tally` once, when its worker retires its key or at
    :meth:`counts`. It holds at most the records the workers' memories hold."""

    def __init__(self) -> None:
        self.tally = Tally()
        self._records: dict[int, dict[int, Recorded]] = {}
        self._times: dict[int, Counter[int]] = {}

    def __len__(self) -> int:
        return sum(len(records) for records in self._records.values())

    def add(self, handover: Handover) -> None:
        """One hand-over, in the order its worker made them."""
        worker = handover.worker
        records = self._records.setdefault(worker, {})
        records.update(handover.sent)
        times = self._times.setdefault(worker, Counter())
        times.update(handover.seen)  # (a list of keys: counted in C)
        if handover.retired:
            self.tally.replay((records.pop(key), times.pop(key, 0)) for key in handover.retired)

    def counts(self) -> Counts | None:
        """Everything handed over, as counts (None if nothing was); nothing is held after."""
        for worker, times in self._times.items():
            records = self._records[worker]
            self.tally.replay((records[key], count) for key, count in times.items())
        self._records.clear()
        self._times.clear()
        tally, self.tally = self.tally, Tally()
        return tally.counts() if tally.payloads else None


class Repeats:
    """What one run remembers of the lines it has seen (see the module's text), within
    the bounds this module names (``deferred``: a worker's, whose coverage of lines
    met again is handed over by key, :class:`Deferred`)."""

    def __init__(self, deferred: bool = False) -> None:
        #: A worker's counts of lines met again, when it defers them (else None).
        self.deferred = Deferred() if deferred else None
        dropping = self.deferred.dropping if self.deferred is not None else None
        #: Lines checked in full.
        self.results: Held[Checked] = Held(BUDGET, MOST, dropping)
        #: Lines proven conforming: what the run's shortcut keeps for each (its own kind).
        self.conforming: Held[Any] = Held(CONFORMING_BUDGET, CONFORMING_MOST, dropping)


_worker: tuple[Options, Repeats] | None = None


def for_worker(options: Options) -> Repeats:
    """The repeats a worker process keeps across the units it runs with ``options``
    (a unit with other options starts afresh: a result holds for the options it was
    checked with)."""
    global _worker
    if _worker is None or _worker[0] != options:
        _worker = (options, Repeats(deferred=options.deferred))
    return _worker[1]


def forget_worker() -> None:
    """Start a worker process with no repeats (one forked from a process that ran units)."""
    global _worker
    _worker = None


__all__ = [
    "BUDGET",
    "CONFORMING_BUDGET",
    "CONFORMING_MOST",
    "MOST",
    "Checked",
    "Deferred",
    "Gathered",
    "Handover",
    "Held",
    "Repeats",
    "for_worker",
    "forget_worker",
]
