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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from contract.engine._work import Options
    from contract.engine.results import Result
    from contract.traffic import Recorded

#: Most bytes of lines checked in full held at once, and most such lines.
BUDGET = 4 << 20
MOST = 1024
#: Most bytes of lines proven conforming held at once, and most such lines.
CONFORMING_BUDGET = 8 << 20
CONFORMING_MOST = 8192

V = TypeVar("V")


class Held(Generic[V]):
    """Values kept by a line's bytes, bounded: ``budget`` bytes of lines, ``most`` lines."""

    def __init__(self, budget: int, most: int) -> None:
        self._values: dict[bytes, V] = {}
        #: The value kept for a line's bytes, or None.
        self.get = self._values.get
        self._held = 0
        self._budget, self._most = budget, most

    def __len__(self) -> int:
        return len(self._values)

    def keep(self, text: bytes, value: V) -> None:
        """Remember ``value`` for any line of exactly ``text`` (not at all when the line
        alone is over the budget; after dropping everything when it would not fit)."""
        size = len(text)
        if size > self._budget:
            return
        if self._held + size > self._budget or len(self._values) >= self._most:
            self._values.clear()  # (the same dict: ``get`` stays bound to it)
            self._held = 0
        self._values[text] = value
        self._held += size


class Checked:
    """A line checked in full: its result, named for the line first met, and, with
    traffic coverage, from its second sight on, what it exercised."""

    __slots__ = ("recorded", "result")

    def __init__(self, result: Result) -> None:
        self.result = result
        self.recorded: Recorded | None = None


class Repeats:
    """What one run remembers of the lines it has seen (see the module's text), within
    the bounds this module names."""

    def __init__(self) -> None:
        #: Lines checked in full.
        self.results: Held[Checked] = Held(BUDGET, MOST)
        #: Lines proven conforming: what the run's shortcut keeps for each (its own kind).
        self.conforming: Held[Any] = Held(CONFORMING_BUDGET, CONFORMING_MOST)


_worker: tuple[Options, Repeats] | None = None


def for_worker(options: Options) -> Repeats:
    """The repeats a worker process keeps across the units it runs with ``options``
    (a unit with other options starts afresh: a result holds for the options it was
    checked with)."""
    global _worker
    if _worker is None or _worker[0] != options:
        _worker = (options, Repeats())
    return _worker[1]


__all__ = [
    "BUDGET",
    "CONFORMING_BUDGET",
    "CONFORMING_MOST",
    "MOST",
    "Checked",
    "Held",
    "Repeats",
    "for_worker",
]
