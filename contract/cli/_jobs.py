"""``check``'s bulk options: ``--jobs N`` processes, ``--dask ADDRESS``, the progress bar.

:func:`events` is what ``check`` iterates: the results and notices of every
path, in input order, from one process, ``N`` processes or a Dask cluster,
with a progress bar on standard error when it is a terminal (with a total,
the bytes of the input, and the time left; see :mod:`contract.cli._progress`),
and standard output flushed at least every half second so results show as
they come.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from contract.cli import UsageError
from contract.cli._arguments import positive_int
from contract.engine import Conforming, Event, check_paths
from contract.engine.results import Result

if TYPE_CHECKING:
    from contract.cli._progress import Meter

#: Seconds between flushes of standard output (results show as they come, in blocks).
FLUSH_SECONDS = 0.5
#: Events between two updates of the progress bar.
_STEP = 512


def bulk_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--jobs`` and ``--dask`` to ``check``."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        default=1,
        metavar="N",
        help="check in N worker processes (JSON Lines in chunks, other files one each); "
        "output keeps the input's order and the summary is the same (default: 1)",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="check on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
        "files are read here and shipped to the workers (needs the dask extra: "
        "pip install 'finetune-contract[dask]')",
    )


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--dask needs the dask extra: pip install 'finetune-contract[dask]'"
        ) from None
    try:
        return cast(Any, Client)(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--dask: cannot reach the Dask scheduler at {address} ({exc})") from None


def _sources(
    args: argparse.Namespace, paths: list[str | Path], options: dict[str, Any]
) -> Iterator[Event]:
    if args.dask is None:
        from contract.engine._parallel import WorkerError

        try:
            yield from check_paths(paths, jobs=args.jobs, **options)
        except WorkerError as exc:
            raise UsageError(str(exc)) from None
        return
    from contract.engine.dask import events as dask_events

    client = _client(args.dask)
    try:
        yield from dask_events(paths, client, **options)
    finally:
        client.close()


def events(args: argparse.Namespace, paths: list[str | Path], **options: Any) -> Iterator[Event]:
    """The results and notices of ``paths`` (``options``: :func:`check_paths`'s keywords)."""
    found = _sources(args, paths, options)
    verbose = bool(getattr(args, "verbose", False))
    if not sys.stderr.isatty():
        yield from _flushing(found)
        return
    from tqdm import tqdm

    from contract.cli._progress import Meter

    meter = Meter.of(paths, options.get("label_of") or {})
    if meter is None:  # standard input: payloads counted, no total
        bar = tqdm(unit=" payloads", file=sys.stderr, mininterval=0.5, leave=False)
    else:  # bytes of input: a total, so the time left is shown
        bar = tqdm(
            total=meter.total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            mininterval=0.5,
            leave=False,
        )
    with bar:
        count = payloads = 0
        for event in _flushing(found):
            shown = verbose or (isinstance(event, Result) and event.failed)
            if shown:
                bar.clear()
            yield event
            step = event.payloads if isinstance(event, Conforming) else 1
            count += step
            payloads += step
            if meter is not None:
                meter.add(event)
            if shown or count >= _STEP:
                _show(bar, meter, count, payloads)
                count = 0
        if meter is not None:
            meter.finish()
        _show(bar, meter, count, payloads)
        bar.refresh()  # the last state, whatever the time since the previous one


def _show(bar: Any, meter: Meter | None, count: int, payloads: int) -> None:
    """Move the bar: by payloads without a total, to the bytes read with one."""
    if meter is None:
        bar.update(count)
        return
    bar.update(meter.done - bar.n)
    bar.set_postfix_str(f"{payloads} payloads", refresh=False)


def _flushing(found: Iterator[Event]) -> Iterator[Event]:
    """``found``, with standard output flushed whenever half a second has passed."""
    last = time.monotonic()
    for event in found:
        yield event
        now = time.monotonic()
        if now - last >= FLUSH_SECONDS:
            sys.stdout.flush()
            last = now


__all__ = ["FLUSH_SECONDS", "bulk_arguments", "events"]
