"""The fake's clock: simulated seconds, moved by hand or running at a scaled speed."""

from __future__ import annotations

import threading
import time

#: Where simulated time starts (2025-01-01T00:00:00Z): bodies carry plausible timestamps.
EPOCH = 1_735_689_600


class Clock:
    """Simulated time in seconds since the Unix epoch.

    ``speed=None`` (the default) is a manual clock: it stands still until
    :meth:`advance` moves it, so tests never sleep. ``speed=X`` runs it at X
    simulated seconds per real second (a server's clock); :meth:`advance`
    still jumps it forward.
    """

    def __init__(self, speed: float | None = None, start: float = EPOCH) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be a positive number of simulated seconds, not {speed!r}")
        self.speed = speed
        self._start = float(start)
        self._offset = 0.0
        self._real0 = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> float:
        """The simulated time now."""
        with self._lock:
            ran = 0.0 if self.speed is None else (time.monotonic() - self._real0) * self.speed
            return self._start + self._offset + ran

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (not backward); the new time."""
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward; cannot advance by {seconds!r}")
        with self._lock:
            self._offset += seconds
        return self.now()

    def __repr__(self) -> str:
        mode = "manual" if self.speed is None else f"speed={self.speed:g}"
        return f"Clock({mode}, now={self.now():.0f})"
