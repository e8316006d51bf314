"""Units of checking work that other processes (or Dask workers) can run: the bulk engine.

:func:`plan` turns paths into an ordered stream of work: a chunk of JSON
Lines (read here, a line at a time), a stretch of an uncompressed JSON Lines
file (cut here at line ends, read and numbered by whoever runs it), a recording
file (read by whoever runs it, or shipped as bytes), standard input's one
document (run here), and the notices met on the way. :func:`run` checks one unit
and gives its results and notices (a stretch's as one :class:`Spanned`);
concatenated in plan order and :func:`joined` they are exactly what
:func:`contract.engine.check_paths` gives in one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.engine._lane import Lane, Observing, Proven, lane, proven_result
from contract.engine._repeats import Checked, Handover, Repeats, for_worker
from contract.engine._sessions import session
from contract.engine.results import Conforming, Event, Notice, Result
from contract.engine.serial import events_of, files_of
from contract.recordings import (
    Interaction,
    Joined,
    RecordingError,
    Span,
    SpanLines,
    file_spans,
    is_lines_name,
    payloads,
    read,
    read_bytes,
    read_lines,
    stdin_lines,
)
from contract.strictjson import Decoded

#: Lines per chunk of JSON Lines sent to a worker, and the most bytes a chunk holds.
CHUNK_LINES = 2000
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class Options:
    """How each response is checked: what :meth:`contract.engine.results.Result.of` is given.

    ``more`` holds its other keyword arguments (``profile=``, ``strict=``...);
    every value must pickle, since workers check with the same options.
    """

    schema: str | None = None
    fail_api_errors: bool = False
    more: Mapping[str, Any] = field(default_factory=dict)
    #: Count JSON Lines payloads proven to conform (:class:`~contract.engine.results.Conforming`).
    count_conforming: bool = False
    #: Check the responses about one job within a recording together
    #: (:mod:`contract.checks.sessions`).
    sessions: bool = True
    #: Whether whoever reads the events may stop at any result (``--fail-fast``): the
    #: conforming lines before a result, and what they exercised (traffic coverage), then
    #: come as a count just before it; else counts come every :data:`COUNT_EVERY` lines
    #: and at a unit's end, and what they exercised once, with the last, which is cheaper.
    may_stop: bool = True
    #: A worker process's (:func:`contract.engine._parallel.in_processes`, traffic coverage,
    #: ``may_stop`` off): what lines met again exercised is handed over by key, after the
    #: unit's events, and added up in the parent (:class:`contract.engine._repeats.Deferred`).
    deferred: bool = False
    #: Without ``count_conforming``: give each JSON Lines payload the shortcut proves to
    #: conform its valid result, built without the full check (the one the full check
    #: gives, :func:`contract.engine._lane.proven_result`), for reports that list every
    #: result. What such payloads exercised (traffic coverage) comes as counts, in a
    #: :class:`~contract.engine.results.Conforming` that counts no payload of its own.
    list_proven: bool = False

    def result(self, interaction: Interaction, observe: bool | None = None) -> Result:
        """The result of one response (``observe``: instead of the options' own)."""
        more = self.more if observe is None else {**self.more, "observe": observe}
        return Result.of(interaction, self.schema, self.fail_api_errors, **more)

    @property
    def observing(self) -> bool:
        """Whether :meth:`lane` also counts what the lines it proves exercised (traffic
        coverage; an :class:`~contract.engine._lane.Observing` lane, unless ``strict``
        leaves no lane at all)."""
        return (self.count_conforming or self.list_proven) and bool(self.more.get("observe"))

    def lane(self, repeats: Repeats | None = None) -> Lane | None:
        """The conforming-line shortcut for these options, if counting or listing what it
        proves was asked for (``repeats``: what the run remembers of the lines it saw before)."""
        if not (self.count_conforming or self.list_proven):
            return None
        return lane(
            self.schema,
            self.more.get("profile"),
            self.more.get("strict", "off"),
            bool(self.more.get("observe", False)),
            repeats,
        )


@dataclass(frozen=True)
class Lines:
    """Numbered non-blank lines of one JSON Lines file (``label``): one payload each.

    A chunk holds a list; a stream (one process, :func:`plan` with ``stream``)
    an iterator read as the lines are checked, whose read errors become a notice.
    """

    label: str
    lines: Iterable[tuple[int, bytes]]


@dataclass(frozen=True)
class Stretch:
    """Whole lines of one uncompressed JSON Lines file, read by whoever checks them:
    the parent cuts the file at line ends (:func:`contract.recordings.file_spans`)
    and hands over offsets, not lines; the lines are numbered where they are read,
    from 1 (:class:`Spanned`)."""

    path: str
    label: str
    span: Span


@dataclass(frozen=True)
class Spanned:
    """The events of a :class:`Stretch`, its results named with line numbers counted
    from the stretch's start, and what :func:`joined` needs to number them in the file
    (:class:`contract.recordings.SpanLines`'s ``lines``, ``content``, ``refused`` and
    ``failed``; ``last``: the file's last stretch)."""

    label: str
    events: tuple[Event, ...]
    #: The line number, within the stretch, of each result among ``events``, in order.
    numbers: tuple[int | None, ...]
    lines: int
    content: bool
    refused: int | None
    failed: str | None
    last: bool


@dataclass(frozen=True)
class File:
    """One recording file, read where it is checked: from ``path``, or ``data`` when shipped."""

    path: str
    label: str
    named: bool
    data: bytes | None = None


@dataclass(frozen=True)
class Local:
    """Events produced in this process (standard input's document, a notice)."""

    events: Iterable[Event]


Work = Lines | Stretch | File | Local


def file_events(
    interactions: Iterator[Interaction], label: str, named: bool, options: Options
) -> Iterator[Event]:
    """The results of one file's interactions, then a closing notice (errors as notices)."""
    checked = session(options.sessions, options.more.get("profile"))
    return events_of(
        interactions, label, named, options.result, checked, skip_foreign=options.schema is None
    )


#: Most conforming lines counted in one event (so progress shows during long valid runs).
COUNT_EVERY = 1024


def _lines(work: Lines, options: Options, repeats: Repeats) -> Iterator[Event]:
    """The results of a chunk (or stream) of lines; proven conforming ones counted when
    asked for; a stream's read error last, as a notice. A line seen before (in
    ``repeats``) is not checked again (:mod:`contract.engine._repeats`)."""
    label = work.label
    quick = options.lane(repeats)
    observing = quick if isinstance(quick, Observing) else None
    # What the counted lines exercised: handed over with each count, or with the last one,
    # and then so is what the other lines exercised (their results carry no observation).
    each = observing if options.may_stop else None
    folding = observing if not options.may_stop else None
    # Each proven line its own valid result, not a count.
    listing = options.list_proven and not options.count_conforming
    fail_api_errors = options.fail_api_errors
    checked = repeats.results
    count = jobs = 0
    error = None
    try:
        for number, text in work.lines:
            before = checked.get(text)  # checked in full before: no shortcut to try
            found = None if quick is None or before is not None else quick(text)
            if isinstance(found, Proven):
                if listing:
                    yield proven_result(label, number, found, fail_api_errors)
                    continue
                count += 1
                jobs += found.jobs
                if count < COUNT_EVERY:
                    continue
            # The counted lines before this one, in order, for a reader that may stop here;
            # else they wait for more (fewer events to hand over), COUNT_EVERY at most.
            if count and (options.may_stop or count >= COUNT_EVERY):
                yield Conforming(count, jobs, each.take() if each else None)
                count = jobs = 0
            elif listing and each is not None:  # what the listed lines before it exercised
                observed = each.take()
                if observed is not None:
                    yield Conforming(0, 0, observed)
            if not isinstance(found, Proven):  # checked in full, as the lane decoded it, if it did
                decoded = found if isinstance(found, Decoded) else None
                line = payloads.line(label, number, text, decoded)
                if before is not None:
                    result = before.result.renamed(line.source, line.name)
                else:
                    result = options.result(line, observe=None if folding is None else False)
                    checked.keep(text, Checked(result))
                yield result if folding is None else folding.fold(line, result, before)
    except RecordingError as exc:
        error = Notice("error", str(exc))
    observed = observing.take() if observing else None
    if count or observed is not None:
        yield Conforming(count, jobs, observed)
    if error is not None:
        yield error


def run(work: Work, options: Options, repeats: Repeats | None = None) -> Iterator[Event | Spanned]:
    """The results and notices of one unit of work, in order (``repeats``: what this run
    remembers of the lines it saw before, see :mod:`contract.engine._repeats`; None: this
    unit's lines only)."""
    if repeats is None:
        repeats = Repeats()
    if isinstance(work, Lines):
        yield from _lines(work, options, repeats)
    elif isinstance(work, Stretch):
        span = SpanLines(Path(work.path), work.label, work.span)
        events = tuple(_lines(Lines(work.label, span), options, repeats))
        numbers = tuple(e.line for e in events if isinstance(e, Result))
        last = work.span.end is None
        yield Spanned(
            work.label, events, numbers, span.lines, span.content, span.refused, span.failed, last
        )
    elif isinstance(work, File):
        if work.data is None:
            found = read(work.path, include_other=True, label=work.label)
        else:
            found = read_bytes(work.data, Path(work.path).name, work.label, include_other=True)
        yield from file_events(found, work.label, work.named, options)
    else:
        yield from work.events


def run_all(work: Work, options: Options) -> list[Event | Spanned | Handover]:
    """:func:`run` as a list: what a worker sends back (with ``options.deferred``, its
    hand-over last, when it has one)."""
    repeats = for_worker(options)
    events: list[Event | Spanned | Handover] = list(run(work, options, repeats))
    if repeats.deferred is not None:
        handover = repeats.deferred.take()
        if handover is not None:
            events.append(handover)
    return events


def joined(events: Iterable[Event | Spanned]) -> Iterator[Event]:
    """The events of units run in plan order, each :class:`Spanned` stretch's numbered in
    its file, and the file's refusals where reading it a line at a time meets them
    (:class:`contract.recordings.Joined`): a file's stretches after one are dropped."""
    files: dict[str, Joined] = {}
    for event in events:
        if not isinstance(event, Spanned):
            yield event
            continue
        label = event.label
        join = files.get(label)
        if join is None:
            join = files[label] = Joined(label)
        if not join.stopped and not join.before:  # the file's first stretch: numbered alike
            yield from event.events
        elif not join.stopped:
            numbers = iter(event.numbers)
            for found in event.events:
                if isinstance(found, Result):
                    number = next(numbers)
                    if number is not None:  # (a line's result names its line)
                        found = found.renamed(*payloads.names(label, join.number(number)))
                yield found
        refusal = join.close(event.lines, event.content, event.refused, event.failed, event.last)
        if refusal is not None:
            yield Notice("error", refusal)
        if event.last:
            del files[label]


def _chunks(found: Iterable[tuple[int, bytes]], label: str) -> Iterator[Work]:
    """Chunks of the non-blank lines of one JSON Lines file; read errors become a notice."""
    chunk: list[tuple[int, bytes]] = []
    size = 0
    try:
        for number, text in payloads.nonblank(found, label):
            chunk.append((number, text))
            size += len(text)
            if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
                yield Lines(label, chunk)
                chunk, size = [], 0
    except RecordingError as exc:
        if chunk:
            yield Lines(label, chunk)
        yield Local((Notice("error", str(exc)),))
        return
    if chunk:
        yield Lines(label, chunk)


def _stretches(path: Path, label: str) -> Iterator[Work]:
    """One uncompressed JSON Lines file as stretches of whole lines, cut at the line end
    after each cut, so no line is read or counted here; a compressed one in chunks."""
    try:
        spans = file_spans(path, label)
        if spans is None:
            yield from _chunks(read_lines(path, label), label)
            return
        for span in spans:
            yield Stretch(str(path), label, span)
    except RecordingError as exc:
        yield Local((Notice("error", str(exc)),))


def _stream(found: Iterable[tuple[int, bytes]], label: str) -> Iterator[Work]:
    """The non-blank lines of one JSON Lines file as one unit, read as they are checked."""
    yield Lines(label, payloads.nonblank(found, label))


def _stdin(label: str, options: Options, stream: bool) -> Iterator[Work]:
    """Standard input's work; its results are named ``<stdin>:N``, its notes ``label``."""
    try:
        found, document = stdin_lines("<stdin>")
    except RecordingError as exc:
        yield Local((Notice("error", str(exc)),))
        return
    if found is not None:
        yield from (_stream if stream else _chunks)(found, "<stdin>")
    else:
        yield Local(file_events(document, label, True, options))


def _read_whole(path: Path, label: str) -> bytes:
    from contract.recordings._io import read_file

    return read_file(path, label)


def plan(
    paths: Iterable[str | Path],
    options: Options,
    *,
    label_of: Mapping[str, str] | None = None,
    ship: bool = False,
    stream: bool = False,
    stretches: bool = False,
) -> Iterator[Work]:
    """The work behind ``paths``, in input order.

    JSON Lines (files and standard input) are read here and cut into chunks,
    or, when ``stream`` (work run in this process, :func:`serial`), each given
    as one unit read a line at a time as it is checked, so results show as the
    lines come; any other recording file is one unit, read by whoever runs it,
    or read here and shipped as bytes when ``ship`` (workers that do not share
    this file system). With ``stretches`` (workers on this machine), an uncompressed
    JSON Lines file is cut into :class:`Stretch` units instead, which its workers read.
    """
    lines = _stream if stream else _chunks
    labels = label_of or {}
    for item in files_of(paths):
        if isinstance(item, Notice):
            yield Local((item,))
            continue
        file, named = item
        if str(file) == "-":
            yield from _stdin(labels.get("-", "-"), options, stream)
            continue
        label = labels.get(str(file), str(file))
        if is_lines_name(file):
            if stretches and not stream:
                yield from _stretches(Path(file), label)
            else:
                yield from lines(read_lines(file, label), label)
        elif ship:
            try:
                data = _read_whole(Path(file), label)
            except RecordingError as exc:
                yield Local((Notice("error", str(exc)),))
                continue
            yield File(str(file), label, named, data)
        else:
            yield File(str(file), label, named)


def serial(work: Iterable[Work], options: Options) -> Iterator[Event]:
    """Every unit run here, one after the other (a line repeated anywhere in them is
    checked once)."""
    repeats = Repeats()
    yield from joined(event for unit in work for event in run(unit, options, repeats))


__all__ = [
    "CHUNK_BYTES",
    "CHUNK_LINES",
    "File",
    "Lines",
    "Local",
    "Options",
    "Spanned",
    "Stretch",
    "Work",
    "file_events",
    "joined",
    "plan",
    "run",
    "run_all",
    "serial",
]
