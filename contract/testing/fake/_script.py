"""The fake's scripted replies: a given answer served to the next call of an operation.

A test says what the API answers to one call (``fake.replies.next("pause",
body)``), and the fake serves it instead of what the simulation would: the job
is not touched and the request is not checked. A reply queued with
``job_id=`` goes only to a call about that job; the others go first in first
out to any call of their operation. Each is served once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contract.testing._scripted import Script, encode, header_pairs


@dataclass(frozen=True)
class Scripted:
    """One scripted reply; ``headers`` None: the fake's own (JSON, a request id)."""

    status: int
    headers: tuple[tuple[str, str], ...] | None
    body: bytes


class Replies(Script[Scripted]):
    """The fake's scripted replies (:attr:`FakeJobsAPI.replies`)."""

    def next(
        self,
        operation: str,
        payload: Any,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        *,
        job_id: str | None = None,
    ) -> None:
        """Answer the next call of ``operation`` (about ``job_id`` only, if given) with this.

        ``operation`` is a short name (``"pause"``, ``"retrieve"``...) or an
        operationId; ``payload`` is JSON-encoded unless it is ``bytes`` or
        ``str``; ``headers`` replace the fake's (``content-type:
        application/json`` and an ``x-request-id``).
        """
        pairs = None if headers is None else header_pairs(headers)
        self.push(operation, Scripted(int(status), pairs, encode(payload)), job_id)
