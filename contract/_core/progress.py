"""A progress bar on standard error (tqdm), shown only when asked to (on a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(total: int, unit: str, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``, which moves a bar of ``total`` ``unit`` on by ``n``.

    Disabled, ``advance`` does nothing and nothing is printed.
    """
    if not enabled:
        yield _nothing
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=f" {unit}", file=sys.stderr, mininterval=0.5, leave=False) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        yield advance


def _nothing(count: int) -> None:
    """Advance a disabled bar: nothing to do."""
