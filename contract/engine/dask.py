"""Checking recordings on a Dask cluster (the optional ``dask`` extra).

The same units of work as ``finetune-contract check --jobs N``, run by Dask
workers, with the same results and summary as a run in one process::

    from distributed import Client
    import contract.engine.dask

    client = Client("tcp://scheduler:8786")
    outcome = contract.engine.dask.check(["traffic/"], client)     # paths: read here, shipped
    outcome.summary.line(), outcome.failures

    import dask.bag as db
    lines = db.read_text("s3://bucket/traffic-*.jsonl", blocksize="64MiB")
    contract.engine.dask.check_bag(lines)                          # JSON Lines, read by the workers
    contract.engine.dask.check_bag(db.from_sequence(files), kind="files")   # recording files

:func:`events` gives every result in input order as it comes (what the
command line prints). Install with ``pip install 'finetune-contract[dask]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from contract.engine._parallel import ordered
from contract.engine._work import File, Lines, Options, Work, joined, plan, run, run_all
from contract.engine.results import Event, Result, Summary, Tally
from contract.recordings import payloads
from contract.recordings._model import RecordingError

if TYPE_CHECKING:
    from dask.bag import Bag
    from distributed import Client

#: What the items of a bag are: JSON Lines text (``dask.bag.read_text``) or recording files.
Kind = Literal["lines", "files"]


@dataclass
class Outcome(Tally):
    """A run's summary, notes and errors, and every result that failed, in input order."""

    failures: list[Result] = field(default_factory=list)

    def add(self, event: Event) -> None:
        super().add(event)
        if isinstance(event, Result) and event.failed:
            self.failures.append(event)

    def merge(self, other: Outcome) -> None:
        """Add ``other``'s counts, notes, errors and failures (a later part of the input)."""
        for item in fields(Summary):
            value = getattr(other.summary, item.name)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self.summary, item.name, getattr(self.summary, item.name) + value)
        self.notes.extend(other.notes)
        self.errors.extend(other.errors)
        self.failures.extend(other.failures)


def _options(
    schema: str | None, fail_api_errors: bool, more: Mapping[str, Any], count: bool
) -> Options:
    """The options of a run; ``sessions`` (default on) is the session check's switch."""
    rest = dict(more)
    sessions = bool(rest.pop("sessions", True))
    may_stop = bool(rest.pop("may_stop", True))
    return Options(
        schema, fail_api_errors, rest, count, sessions, may_stop, list_proven=not count
    )


def _window(client: Client) -> int:
    try:
        workers = len(client.scheduler_info().get("workers", {}))
    except Exception:  # an older or unusual scheduler: a fixed window still bounds memory
        workers = 0
    return 2 * max(workers, 2) + 2


def events(
    paths: Iterable[str | Path],
    client: Client,
    *,
    schema: str | None = None,
    fail_api_errors: bool = False,
    label_of: Mapping[str, str] | None = None,
    count_conforming: bool = False,
    **more: Any,
) -> Iterator[Event]:
    """Every result and notice for ``paths``, checked by ``client``'s workers, in input order.

    Files are read here (JSON Lines a line at a time) and shipped to the
    workers, so they need not share this file system; a bounded number of
    chunks is in flight at a time. ``count_conforming``: as for
    :func:`contract.engine.check_paths`. ``more``: further options of
    :meth:`contract.engine.results.Result.of` (``profile=``...).
    """
    options = _options(schema, fail_api_errors, more, count_conforming)
    work = plan(paths, options, label_of=label_of, ship=True)

    def submit(unit: Work) -> Any:
        return client.submit(run_all, unit, options, pure=False)

    yield from ordered(work, submit, _window(client))


def check(
    source: Iterable[str | Path] | Bag,
    client: Client | None = None,
    *,
    schema: str | None = None,
    fail_api_errors: bool = False,
    kind: Kind = "lines",
    **more: Any,
) -> Outcome:
    """The outcome of checking ``source``: paths (with ``client``) or a bag (:func:`check_bag`)."""
    import dask.bag

    if isinstance(source, dask.bag.Bag):
        return check_bag(source, kind=kind, schema=schema, fail_api_errors=fail_api_errors, **more)
    if client is None:
        from distributed import get_client

        client = get_client()
    outcome = Outcome()
    found = events(
        source,
        client,
        schema=schema,
        fail_api_errors=fail_api_errors,
        count_conforming=True,
        **more,
    )
    for event in found:
        outcome.add(event)
    return outcome


def _encoded(item: str | bytes) -> bytes:
    text = item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
    return text.removesuffix(b"\n")


def _partition(items: Sequence[Any], index: int, kind: Kind, options: Options) -> Outcome:
    """The outcome of one partition (run by a worker)."""
    outcome = Outcome()
    units: list[Work]
    if kind == "lines":
        label = f"bag[{index}]"
        numbered = ((n, _encoded(item)) for n, item in enumerate(items, start=1))
        try:
            units = [Lines(label, list(payloads.nonblank(numbered, label)))]
        except RecordingError:  # a partition of blank lines: nothing to check in it
            units = []
    else:
        units = [File(str(item), str(item), True) for item in items]
    for unit in units:
        for event in joined(run(unit, options)):
            outcome.add(event)
    return outcome


def check_bag(
    bag: Bag,
    *,
    kind: Kind = "lines",
    schema: str | None = None,
    fail_api_errors: bool = False,
    **more: Any,
) -> Outcome:
    """Check every item of ``bag`` on the current Dask scheduler; the merged outcome.

    ``kind="lines"``: items are JSON Lines text, one payload each, as
    ``dask.bag.read_text`` gives them; results are named ``bag[P]:N``, line N
    of partition P. ``kind="files"``: items are recording file paths, read by
    the workers. Each partition is checked by one task; partitions come back as
    counts and failures only.
    """
    from dask.base import compute
    from dask.delayed import delayed

    if kind not in ("lines", "files"):
        raise ValueError(f"kind must be 'lines' or 'files', not {kind!r}")
    # An outcome keeps only failures: conforming lines are counted.
    options = _options(schema, fail_api_errors, more, count=True)
    parts = cast(Any, bag).to_delayed()
    tasks = [delayed(_partition)(part, i, kind, options) for i, part in enumerate(parts)]
    outcome = Outcome()
    for part_outcome in cast(Any, compute)(*tasks):
        outcome.merge(part_outcome)
    return outcome


__all__ = ["Kind", "Outcome", "check", "check_bag", "events"]
