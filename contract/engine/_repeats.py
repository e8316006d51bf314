"""Lines seen before: a JSON Lines payload repeated byte for byte is explained once.

Captured traffic repeats itself. A client polling a job writes the same body
every few seconds until something changes, and a body that breaks the
contract once breaks it the same way each time. A line the conforming-line
shortcut could not prove is checked in full, and that check depends on
nothing but the line's bytes and the run's options; so its result is kept
here, by the bytes, and a later identical line gets a copy named for its own
place (:meth:`contract.engine.results.Result.renamed`) instead of a second
explanation.

The memory is bounded: at most :data:`BUDGET` bytes of lines, and
:data:`MOST` of them, are held (a result costs about what its line does, and a
short line's result more: hence both bounds); when one more would not fit,
everything is dropped and keeping starts over.

One :class:`Repeats` serves one run in this process
(:func:`contract.engine._work.serial`); a worker process keeps one for as long
as it is given units with the same options (:func:`for_worker`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract.engine._work import Options
    from contract.engine.results import Result

#: Most bytes of lines held at once.
BUDGET = 4 << 20
#: Most lines held at once.
MOST = 1024


class Repeats:
    """The results of lines checked in full, by the lines' bytes (bounded: :data:`BUDGET`
    bytes of lines, :data:`MOST` lines)."""

    def __init__(self, budget: int = BUDGET, most: int = MOST) -> None:
        self._results: dict[bytes, Result] = {}
        self._held = 0
        self._budget, self._most = budget, most

    def get(self, text: bytes, source: str, name: str) -> Result | None:
        """The result of an earlier line of exactly ``text``, named ``source`` and ``name``
        (those of the line asked about); None when there was none."""
        found = self._results.get(text)
        return None if found is None else found.renamed(source, name)

    def keep(self, text: bytes, result: Result) -> None:
        """Remember ``result`` as the result of any line of exactly ``text``."""
        size = len(text)
        if size > self._budget:
            return
        if self._held + size > self._budget or len(self._results) >= self._most:
            self._results.clear()
            self._held = 0
        self._results[text] = result
        self._held += size


_worker: tuple[Options, Repeats] | None = None


def for_worker(options: Options) -> Repeats:
    """The repeats a worker process keeps across the units it runs with ``options``
    (a unit with other options starts afresh: a result holds for the options it was
    checked with)."""
    global _worker
    if _worker is None or _worker[0] != options:
        _worker = (options, Repeats())
    return _worker[1]


__all__ = ["BUDGET", "MOST", "Repeats", "for_worker"]
