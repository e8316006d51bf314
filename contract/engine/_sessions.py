"""Session checks in a run: a recording's interactions as :class:`~contract.checks.sessions.Seen`.

A recording file is always one unit of work (:mod:`contract.engine._work`),
so its session stays in one process; JSON Lines payloads have no request and
are not part of any session.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from contract.checks.sessions import Seen, Session
from contract.strictjson import JSONSyntaxError, decode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from contract.engine.results import Result
    from contract.profiles import ProfileLike
    from contract.recordings import Interaction
    from contract.violations import Violation


def session(enabled: bool, profile: ProfileLike) -> Session | None:
    """A fresh session check for one recording, or None when sessions are off."""
    return Session(profile) if enabled else None


def _shows_a_job(interaction: Interaction) -> bool:
    status = interaction.status
    return interaction.operation is not None and status is not None and 200 <= status < 300


def prepared(interaction: Interaction) -> tuple[Interaction, Seen]:
    """The interaction with its body decoded once (strictly, so the response check reuses
    it), and what the session check needs of it. Only a 2xx answer of a jobs operation is
    decoded: only such a body may show a job."""
    operation = interaction.operation.operation_id if interaction.operation else None
    label = interaction.name or interaction.source
    if not _shows_a_job(interaction):
        return interaction, Seen(label, operation, interaction.status, None)
    decoded = interaction.decoded
    if decoded is None:
        try:
            decoded = decode(interaction.body)
        except (JSONSyntaxError, TypeError, ValueError):
            # Not JSON: the response check says so; it shows nothing about the job.
            return interaction, Seen(label, operation, interaction.status, None)
        interaction = interaction.with_decoded(decoded)
    after = interaction.query_value("after")
    seen = Seen(label, operation, interaction.status, decoded.value, after)
    return interaction, seen


def seen_of(interaction: Interaction) -> Seen:
    """What the session check needs of one interaction."""
    return prepared(interaction)[1]


def checked(
    interaction: Interaction, result: Callable[[Interaction], Result], sessions: Session | None
) -> Result:
    """``result`` of the interaction, with its session findings added to its violations."""
    if sessions is None or not interaction.has_request:
        return result(interaction)
    interaction, seen = prepared(interaction)
    found = sessions.see(seen)
    return joined(result(interaction), found)


def _within(path: str, place: str) -> bool:
    """Whether ``path`` is ``place`` or inside it (the whole body only when ``place`` is it)."""
    return path == place or (place != "" and path.startswith(place + "/"))


def joined(outcome: Result, found: Iterable[Violation]) -> Result:
    """``outcome`` with the session findings ``found`` added, but for those at a place the
    response's own check already faults (a seed that is not an integer is one finding, not
    also "the seed changed")."""
    faulted = {v.path for v in outcome.violations}
    kept = tuple(v for v in found if not any(_within(v.path, p) for p in faulted))
    if not kept:
        return outcome
    return replace(outcome, violations=(*outcome.violations, *kept))


def findings_of(sessions: Session | None, interaction: Interaction) -> tuple[Violation, ...]:
    """The session findings of one interaction, given those before it (none when off)."""
    if sessions is None or not interaction.has_request:
        return ()
    return tuple(sessions.see(seen_of(interaction)))


def attach_all(
    interactions: Iterable[Interaction], profile: ProfileLike
) -> dict[str, tuple[Violation, ...]]:
    """The session findings of a recording's interactions, by interaction name (those with
    findings only)."""
    sessions = Session(profile)
    found: dict[str, tuple[Violation, ...]] = {}
    for interaction in interactions:
        some = findings_of(sessions, interaction)
        if some:
            found[interaction.name or interaction.source] = some
    return found


__all__ = ["attach_all", "checked", "findings_of", "joined", "prepared", "seen_of", "session"]
