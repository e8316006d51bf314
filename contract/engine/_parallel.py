"""Running units of checking work elsewhere (processes, Dask), results in input order.

:func:`ordered` keeps a bounded window of units in flight and gives each
unit's events as soon as every unit before it has given its own, so output
keeps the input's order and memory stays bounded by the window, whatever
the input's size; the lines of a file's stretches are numbered in the file
there (:func:`contract.engine._work.joined`).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Protocol, cast

from contract.engine._repeats import Gathered, Handover, forget_worker
from contract.engine._work import Local, Options, Spanned, Work, joined, run_all
from contract.engine.results import Conforming, Event


class Pending(Protocol):
    """A unit's outcome to come: a :class:`concurrent.futures.Future` or a Dask future."""

    def done(self) -> bool: ...

    def result(self) -> Any: ...


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory): the run cannot be completed."""


def ordered(
    work: Iterable[Work],
    submit: Callable[[Work], Pending],
    window: int,
    gathered: Gathered | None = None,
) -> Iterator[Event]:
    """Every unit's events in input order; at most ``window`` units submitted and not yet given.

    :class:`~contract.engine._work.Local` units run here, when their turn comes. A
    worker's coverage hand-over (after a unit's events) goes to ``gathered``, in order.
    """
    return joined(_in_order(work, submit, window, gathered))


def _in_order(
    work: Iterable[Work],
    submit: Callable[[Work], Pending],
    window: int,
    gathered: Gathered | None,
) -> Iterator[Event | Spanned]:
    pending: deque[tuple[Pending | None, Work]] = deque()

    def take() -> Iterable[Event | Spanned]:
        future, unit = pending.popleft()
        if future is None:
            assert isinstance(unit, Local)
            return unit.events
        events: list[Event | Spanned | Handover] = future.result()
        last = events[-1] if events else None
        if isinstance(last, Handover):
            assert gathered is not None, "a hand-over from a worker told not to defer"
            gathered.add(last)
            events.pop()
        return cast("list[Event | Spanned]", events)  # (the hand-over taken out)

    for unit in work:
        pending.append((None if isinstance(unit, Local) else submit(unit), unit))
        while pending and (len(pending) > window or _ready(pending[0][0])):
            yield from take()
    while pending:
        yield from take()


def _ready(future: Pending | None) -> bool:
    return future is None or future.done()


#: Imported by the fork server before it starts any worker (see the module it names).
PRELOAD = "contract.engine._preload"


def _context() -> Any:
    """How worker processes start.

    On Linux, a process running one thread (the command line) forks them: they start
    at once with everything it has imported, and no lock is held by a thread that a
    fork would not copy. A process with other threads (a test runner, a server), and
    any other system (macOS's own libraries do not survive a fork), starts them from a
    fork server that has imported and compiled what each of them needs
    (:data:`PRELOAD`), or, where there is none, spawns them.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    return context


def in_processes(work: Iterable[Work], options: Options, jobs: int) -> Iterator[Event]:
    """Every unit run by ``jobs`` worker processes; events in input order.

    With traffic coverage, and a reader that never stops early, the workers defer what
    the lines they met again exercised (:class:`contract.engine._repeats.Deferred`): it
    comes last, added up, as a :class:`Conforming` event counting no payload itself.
    """
    gathered = Gathered() if options.observing and not options.may_stop else None
    if gathered is not None:
        options = replace(options, deferred=True)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=forget_worker
    ) as pool:
        try:
            yield from ordered(
                work, lambda unit: pool.submit(run_all, unit, options), 2 * jobs + 2, gathered
            )
        except BrokenProcessPool as exc:
            raise WorkerError(f"a worker process stopped unexpectedly ({exc})") from None
    counts = gathered.counts() if gathered is not None else None
    if counts is not None:
        yield Conforming(0, 0, counts)


__all__ = ["Pending", "WorkerError", "in_processes", "ordered"]
