"""Scripted replies, shared by the fake and :class:`~contract.testing.server.ContractServer`.

A test says what one call is answered (``fake.replies.next("pause", body)``,
``server.serve(body)``). A reply queued with ``job_id=`` goes only to a call
about that job; the others go first in first out to any call of their
operation. Each is served once.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

#: The operations a reply can be scripted for: short names and their operationIds.
OPERATIONS = {
    "create": "createFineTuningJob",
    "list": "listPaginatedFineTuningJobs",
    "retrieve": "retrieveFineTuningJob",
    "cancel": "cancelFineTuningJob",
    "pause": "pauseFineTuningJob",
    "resume": "resumeFineTuningJob",
    "events": "listFineTuningEvents",
    "checkpoints": "listFineTuningJobCheckpoints",
}
#: The operations that name no job (a reply for them cannot be kept for one job).
_NO_JOB = frozenset({"createFineTuningJob", "listPaginatedFineTuningJobs"})

T = TypeVar("T")


def operation_id(name: str) -> str:
    """The operationId ``name`` means (a short name or an operationId); ValueError otherwise."""
    if name in OPERATIONS.values():
        return name
    found = OPERATIONS.get(name.strip().lower())
    if found is None:
        known = ", ".join(OPERATIONS)
        raise ValueError(f"no operation {name!r} to script a reply for; known: {known}")
    return found


def encode(payload: Any) -> bytes:
    """A body: ``bytes`` and ``str`` as they are (for bodies that are not JSON), else JSON.

    The standard library's encoder, so a payload is served as given: integers
    of any size, ``NaN`` and ``Infinity`` included (bodies a contract breaks).
    """
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def header_pairs(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    """Headers as ``(name, value)`` pairs of strings, in the order given."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in items)


class Script(Generic[T]):
    """Replies queued per operation, each served once (thread-safe).

    ``take(operation, job_id)`` gives the oldest reply queued for that job,
    else the oldest queued for any call of the operation, else None.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[str, str | None, T]] = deque()

    def push(self, operation: str, reply: T, job_id: str | None = None) -> None:
        """Queue ``reply`` for the next call of ``operation`` (about ``job_id`` only, if given)."""
        operation = operation_id(operation)
        if job_id is not None and operation in _NO_JOB:
            raise ValueError(f"{operation} names no job: a reply for it cannot be kept for one")
        with self._lock:
            self._queue.append((operation, job_id, reply))

    def take(self, operation: str, job_id: str | None) -> T | None:
        """The reply for this call (removed from the queue), or None when none is queued."""
        with self._lock:
            chosen = self._find(
                lambda op, job: op == operation and job is not None and job == job_id
            )
            if chosen is None:
                chosen = self._find(lambda op, job: op == operation and job is None)
            if chosen is None:
                return None
            reply = self._queue[chosen][2]
            del self._queue[chosen]
            return reply

    def _find(self, wanted: Callable[[str, str | None], bool]) -> int | None:
        return next((i for i, (op, job, _) in enumerate(self._queue) if wanted(op, job)), None)

    def pending(self, operation: str | None = None) -> int:
        """How many replies are queued (for ``operation`` only, when given)."""
        wanted = None if operation is None else operation_id(operation)
        with self._lock:
            return sum(1 for op, _, _ in self._queue if wanted in (None, op))

    def clear(self) -> None:
        """Forget every queued reply."""
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        return self.pending()

    def __repr__(self) -> str:
        return f"Script(pending={self.pending()})"
