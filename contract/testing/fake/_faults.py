"""Faults the fake serves, the way real clients meet them.

Three ways to ask for one, checked in this order for each API request:

1. scripted from a test: ``fake.faults.next("429")`` (the next request gets it;
   ``count=`` for several in a row);
2. asked for by the request itself, in the header :data:`FAULT_HEADER`
   (``X-Fake-Fault: 503``), so a client in any language can provoke one;
3. by rate under the seed: ``Faults.parse("429=0.2,500=0.05,malformed=0.05", seed=7)``.

What each fault does:

``429``
    a rate-limit envelope with an integer ``Retry-After`` (≥ 1) and the
    ``x-ratelimit-*`` headers; the operation is not performed.
``500``, ``503``
    the API's server-error envelopes; the operation is not performed.
``drop``
    the connection is closed with no answer; the operation is not performed.
``malformed``
    the operation is performed and its answer served with a broken JSON body
    (status 200, correct ``Content-Length``).
``truncated``
    the operation is performed; the answer declares its full length, sends
    half of it and the connection is closed.
``slow``
    the operation is performed and answered normally after
    :attr:`Faults.slow_seconds` real seconds.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Mapping

#: The request header that asks for a fault by name (case-insensitive).
FAULT_HEADER = "x-fake-fault"

#: Every fault kind, in the order a rate spec is drawn.
KINDS = ("429", "500", "503", "malformed", "truncated", "slow", "drop")
#: Faults after which the operation has not been performed.
REJECTING = frozenset({"429", "500", "503", "drop"})


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message says where and what is wrong."""


def parse_spec(spec: str) -> dict[str, float]:
    """``"429=0.2,500=0.05"`` -> ``{"429": 0.2, "500": 0.05}``; :class:`FaultSpecError` if bad.

    Each rate is a probability between 0 and 1; together they are at most 1.
    """
    rates: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kind, sep, value = part.partition("=")
        kind = kind.strip().lower()
        if not sep:
            raise FaultSpecError(f"fault {part!r} has no rate (write KIND=RATE, e.g. 429=0.2)")
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault {kind!r}; known faults: {', '.join(KINDS)}")
        try:
            rate = float(value)
        except ValueError:
            raise FaultSpecError(
                f"rate of fault {kind!r} is not a number: {value.strip()!r}"
            ) from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(
                f"rate of fault {kind!r} must be between 0 and 1, not {value.strip()}"
            )
        if kind in rates:
            raise FaultSpecError(f"fault {kind!r} is given twice")
        rates[kind] = rate
    if sum(rates.values()) > 1.0 + 1e-9:
        raise FaultSpecError(f"fault rates add up to {sum(rates.values()):g}, more than 1")
    return rates


class Faults:
    """Which fault, if any, the next request meets; thread-safe and deterministic under a seed."""

    def __init__(
        self,
        rates: Mapping[str, float] | str | None = None,
        *,
        seed: int = 0,
        slow_seconds: float = 0.5,
        retry_after: int = 1,
    ) -> None:
        if isinstance(rates, str):
            rates = parse_spec(rates)
        else:
            rates = parse_spec(",".join(f"{k}={v}" for k, v in (rates or {}).items()))
        if retry_after < 1:
            raise ValueError(f"Retry-After must be at least 1 second, not {retry_after!r}")
        self.rates: dict[str, float] = rates
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self._random = random.Random(f"faults-{seed}")
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self.served: dict[str, int] = dict.fromkeys(KINDS, 0)

    def next(self, kind: str, count: int = 1) -> None:
        """Serve ``kind`` to the next ``count`` requests (after any scripted before)."""
        kind = str(kind).lower()
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault {kind!r}; known faults: {', '.join(KINDS)}")
        with self._lock:
            self._script.extend([kind] * count)

    def clear(self) -> None:
        """Forget scripted faults and switch every rate off."""
        with self._lock:
            self._script.clear()
            self.rates = {}

    def pick(self, asked: str | None = None) -> str | None:
        """The fault for one request: scripted, else ``asked`` (the header), else drawn by rate.

        An ``asked`` value that names no fault is ignored (the request is served).
        """
        with self._lock:
            if self._script:
                kind: str | None = self._script.popleft()
            elif asked is not None and asked.strip().lower() in KINDS:
                kind = asked.strip().lower()
            else:
                kind = self._draw()
            if kind is not None:
                self.served[kind] += 1
            return kind

    def _draw(self) -> str | None:
        if not self.rates:
            return None
        roll = self._random.random()
        for kind in KINDS:
            rate = self.rates.get(kind, 0.0)
            if roll < rate:
                return kind
            roll -= rate
        return None

    def __repr__(self) -> str:
        spec = ",".join(f"{k}={v:g}" for k, v in self.rates.items()) or "none"
        return f"Faults({spec}, scripted={len(self._script)})"
