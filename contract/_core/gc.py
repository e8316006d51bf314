"""Pausing Python's cyclic garbage collector while a large document is built.

Decoding a large recording allocates hundreds of thousands of containers that
all stay alive, and every allocation threshold crossed makes the collector
traverse the growing heap for nothing: a 10 MB YAML cassette loaded in
3.5-4 s with it running, 1.5 s without; a 17 MB HAR decoded in 0.19-0.25 s,
0.13 s without. Decoded JSON and safely loaded YAML form no reference cycles
(YAML's one way to build a cyclic document, an alias inside the node it
names, is refused before loading), so reference counting frees them, and any
cycle made meanwhile is collected at the collector's next run. Its state is
put back as it was: a caller that disabled it keeps it disabled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Texts at least this long are decoded with the collector paused; below it the
#: collector finds little to traverse.
LARGE = 1 << 20


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the duration, then as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


__all__ = ["LARGE", "paused"]
