"""Blocking calls run from an event loop on daemon threads.

``asyncio.to_thread`` uses an executor whose threads the interpreter joins at
exit, so one upstream call hanging would hold a stopped proxy's process open;
these threads are daemons, and idle ones wait for work rather than being
made anew for each call.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_work: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.AbstractEventLoop, asyncio.Future[Any]]]
_work = queue.SimpleQueue()
_lock = threading.Lock()
_idle = 0


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _serve() -> None:
    global _idle
    while True:
        function, loop, future = _work.get()
        with _lock:
            _idle -= 1
        value: Any = None
        error: BaseException | None = None
        try:
            value = function()
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(_settle, future, value, error)
        del function, future, value, error
        with _lock:
            _idle += 1


async def run(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` on a daemon thread; its result (or exception) here."""
    global _idle
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    with _lock:
        if _idle == 0:
            _idle += 1
            threading.Thread(target=_serve, name="contract-blocking", daemon=True).start()
    _work.put((lambda: function(*args), loop, future))
    return await future


__all__ = ["run"]
