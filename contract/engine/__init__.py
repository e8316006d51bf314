"""Checking many recordings: the engine behind ``finetune-contract check``, without output.

:func:`check_paths` walks the paths it is given and yields, in input order,
one :class:`~contract.engine.results.Result` per checked response or payload
and a :class:`~contract.engine.results.Notice` for everything else worth
saying (a file skipped, a file in which nothing was checked, a file that
cannot be read). It never stops at a bad file: every readable one is checked.
:class:`~contract.engine.results.Tally` keeps the counts.

``serial`` checks one recording file in full (:func:`check_file`) and holds what
every way of running shares (a file's events, the files behind the paths); ``_work``
cuts the work into units (JSON Lines read as they are checked, their stretches or
chunks, recording files) that this process runs one after the other, ``_parallel``
on worker processes and :mod:`contract.engine.dask` on a Dask cluster, with
results in input order; ``_lane`` is the conforming-line shortcut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from contract.engine.results import Conforming, Event, Notice, Result, Summary, Tally
from contract.engine.serial import check_file, events_of, files_of

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.profiles import ProfileLike


def check_paths(
    paths: Iterable[str | Path],
    *,
    schema: str | None = None,
    fail_api_errors: bool = False,
    label_of: dict[str, str] | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
    observe: bool = False,
    jobs: int = 1,
    count_conforming: bool = False,
    sessions: bool = True,
    requests: bool = True,
    may_stop: bool = True,
) -> Iterator[Event]:
    """Results and notices for every recording behind ``paths``, in input order.

    With ``jobs`` above 1, ``jobs`` worker processes check the files (JSON Lines
    in chunks of lines): the same results, in the same order.
    ``count_conforming`` gives the JSON Lines payloads proven to conform as
    :class:`Conforming` counts instead of one valid :class:`Result` each (much
    faster; for reports that list only failures). The summary is the same.
    Without it, such a payload gets the result the full check gives it, made
    without running that check.

    With ``observe``, each count carries in ``observed`` what its payloads
    exercised, all together (traffic coverage). Without counting, a payload given
    its result that way has no observation on it: what it exercised comes in a
    :class:`Conforming` that counts no payload of its own, before the next result
    checked in full and at the end. With ``may_stop`` off (the reader never stops
    before the last event), the counts of a chunk of lines come once, with its last
    :class:`Conforming`, and so does what the other bare payloads exercised (their
    results carry no observation either).

    ``sessions`` checks the responses about one job within a recording together
    (:mod:`contract.checks.sessions`; a finding has keyword ``session`` and joins the
    later response's result). ``label_of`` maps a file's path to the name reports
    use for it; the other options are :func:`check_file`'s.
    """
    from contract.engine._work import Options, plan, serial

    more = {
        "profile": profile,
        "strict": strict,
        "deviations": deviations,
        "observe": observe,
        "requests": requests,
    }
    options = Options(
        schema,
        fail_api_errors,
        more,
        count_conforming,
        sessions=sessions,
        may_stop=may_stop,
        list_proven=not count_conforming,
    )
    if jobs == 1:
        yield from serial(plan(paths, options, label_of=label_of, stream=True), options)
        return
    work = plan(paths, options, label_of=label_of, stretches=True)
    from contract.engine._parallel import in_processes

    yield from in_processes(work, options, jobs)


__all__ = [
    "Conforming",
    "Event",
    "Notice",
    "Result",
    "Summary",
    "Tally",
    "check_file",
    "check_paths",
    "events_of",
    "files_of",
]
