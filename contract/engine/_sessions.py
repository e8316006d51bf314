"""Session checks in a run: a recording's interactions as :class:`~contract.checks.sessions.Seen`.

A recording file is always one unit of work (:mod:`contract.engine._work`),
so its session stays in one process; JSON Lines payloads have no request and
are not part of any session.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from contract.checks.sessions import Seen, Session
from contract.strictjson import Decoded, JSONSyntaxError, decode

if TYPE_CHECKING:
    from collections.abc import Iterable

    from contract.engine.results import Result
    from contract.profiles import ProfileLike
    from contract.recordings import Interaction
    from contract.violations import Violation


def session(enabled: bool, profile: ProfileLike) -> Session | None:
    """A fresh session check for one recording, or None when sessions are off."""
    return Session(profile) if enabled else None


def _after(url: str | None) -> str | None:
    """The ``after`` cursor of a request URL, if it has one."""
    if not url or "after=" not in url:
        return None
    try:
        values = parse_qs(urlsplit(url).query).get("after")
    except ValueError:
        return None
    return values[-1] if values else None


def seen_of(interaction: Interaction) -> Seen:
    """What the session check needs of one interaction (the body decoded only when it may
    show a job: a 2xx answer of a jobs operation)."""
    operation = interaction.operation.operation_id if interaction.operation else None
    status = interaction.status
    label = interaction.name or interaction.source
    if operation is None or status is None or not 200 <= status < 300:
        return Seen(label, operation, status, None)
    body: object = None
    raw = interaction.body
    try:
        decoded = raw if isinstance(raw, Decoded) else decode(raw)
        body = decoded.value
    except (JSONSyntaxError, TypeError, ValueError):
        body = None
    return Seen(label, operation, status, body, _after(interaction.url))


def findings_of(checked: Session | None, interaction: Interaction) -> tuple[Violation, ...]:
    """The session findings of one interaction, given those before it (none when off)."""
    if checked is None or not interaction.has_request:
        return ()
    return tuple(checked.see(seen_of(interaction)))


def attach(result: Result, checked: Session | None, interaction: Interaction) -> Result:
    """``result`` with the session findings of its interaction added to its violations."""
    found = findings_of(checked, interaction)
    if not found:
        return result
    return replace(result, violations=(*result.violations, *found))


def attach_all(
    interactions: Iterable[Interaction], profile: ProfileLike
) -> dict[str, tuple[Violation, ...]]:
    """The session findings of a recording's interactions, by interaction name (those with
    findings only)."""
    checked = Session(profile)
    found: dict[str, tuple[Violation, ...]] = {}
    for interaction in interactions:
        some = findings_of(checked, interaction)
        if some:
            found[interaction.name or interaction.source] = some
    return found


__all__ = ["attach", "attach_all", "findings_of", "seen_of", "session"]
