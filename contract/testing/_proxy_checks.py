"""What the proxy checks on each jobs-family exchange: the seam the check modules plug into.

A check is a callable taking one :class:`Exchange` and returning the
violations it finds. The response check (:meth:`Interaction.assess`, the one
``finetune-contract check`` runs) is always there; the request check
(:mod:`contract.checks.requests`) and the session check
(:mod:`contract.checks.sessions`) are added when those modules exist and the
caller did not turn them off. Checks run one exchange at a time, in the order
the exchanges completed, on one thread, so a session check may keep state.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contract.config import Strict
from contract.profiles import ProfileLike
from contract.recordings import Interaction
from contract.strictjson import JSONSyntaxError, decode
from contract.violations import Violation


@dataclass(frozen=True)
class Exchange:
    """One answered call of a jobs operation, as the checks see it."""

    label: str
    interaction: Interaction
    request_body: bytes
    request_content_type: str | None

    def decoded(self) -> Any:
        """The response body decoded (None when it is not JSON)."""
        try:
            return decode(self.interaction.body).value
        except JSONSyntaxError:
            return None


Check = Callable[[Exchange], Iterable[Violation]]


def response_check(profile: ProfileLike, strict: Strict) -> Check:
    """The response check ``finetune-contract check`` makes of a recorded call."""

    def check(exchange: Exchange) -> Iterable[Violation]:
        found = exchange.interaction.assess(profile=profile, strict=strict, deviations=True)
        return found.violations

    return check


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(f"contract.checks.{name}")
    except ImportError:
        return None


def request_check(profile: ProfileLike, strict: Strict = "off") -> Check | None:
    """The request check, when :mod:`contract.checks.requests` is installed."""
    module = _optional("requests")
    assess = getattr(module, "assess_request", None)
    if assess is None:
        return None
    accepted = inspect.signature(assess).parameters.values()
    takes = any(p.name == "strict" or p.kind is p.VAR_KEYWORD for p in accepted)
    modes = {"strict": strict} if takes else {}

    def check(exchange: Exchange) -> Iterable[Violation]:
        interaction = exchange.interaction
        found = assess(
            interaction.operation,
            method=interaction.method,
            url=interaction.url,
            body=exchange.request_body,
            content_type=exchange.request_content_type,
            profile=profile,
            **modes,
        )
        return tuple(found.violations)

    return check


def session_check(profile: ProfileLike) -> Check | None:
    """The session check over every exchange so far, when :mod:`contract.checks.sessions` is."""
    module = _optional("sessions")
    session_type, seen_type = getattr(module, "Session", None), getattr(module, "Seen", None)
    if session_type is None or seen_type is None:
        return None
    session = session_type(profile)

    def check(exchange: Exchange) -> Iterable[Violation]:
        interaction = exchange.interaction
        query = parse_qs(urlsplit(interaction.url or "").query)
        after = query.get("after", [None])[0]
        operation = interaction.operation.operation_id if interaction.operation else None
        seen = seen_type(exchange.label, operation, interaction.status, exchange.decoded(), after)
        return tuple(session.see(seen))

    return check


def checks(
    profile: ProfileLike, strict: Strict, *, requests: bool = True, sessions: bool = True
) -> list[Check]:
    """The checks of one proxy run: responses always, requests and sessions when available."""
    found = [response_check(profile, strict)]
    made = (
        request_check(profile, strict) if requests else None,
        session_check(profile) if sessions else None,
    )
    found.extend(check for check in made if check is not None)
    return found


__all__ = ["Check", "Exchange", "checks", "request_check", "response_check", "session_check"]
