"""What the fake answers, and the limits every way of reaching it shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

#: The largest request body read; a longer one is refused with 413.
MAX_BODY = 1 << 20


@dataclass(frozen=True)
class Reply:
    """What the fake answers: status, headers and body, and how to deliver them.

    ``fault`` is ``"drop"`` (close the connection, answer nothing),
    ``"truncated"`` (declare the whole body, send half, close), ``"slow"``
    (wait ``delay`` seconds first), ``"malformed"`` (already in the body) or None.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fault: str | None = None
    delay: float = 0.0


class Handler(Protocol):
    """Anything that answers one request with a :class:`Reply` (the fake does)."""

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Reply: ...
