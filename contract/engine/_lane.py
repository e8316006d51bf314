"""The conforming-line shortcut: a JSON Lines payload proven to conform, at parser speed.

Most lines of a capture conform, and a report that lists only failures has
nothing to say about them but their number. :func:`lane` gives a function
that answers, for one line's bytes, how many jobs it holds when the full
check (:func:`contract.checks.assess_body`) would find it valid with
nothing else to report (strictly decoded with no RFC 8259 problem, the
type its shape picks, valid under the profile, and needing no amendment).
For any other line it gives the line as it decoded it (None if it is not
JSON), and the full check explains that line without decoding it again. Each
step is the full check's own function, so the shortcut can only be faster,
never of another opinion (the suite compares both on generated and mutated
lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from contract.checks import body_schema, jobs_in
from contract.config import Strict
from contract.profiles import ProfileLike
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.traffic import Counts, Tally, observe
from contract.validation import is_valid, overlay_of

if TYPE_CHECKING:
    from contract.engine.results import Result
    from contract.recordings import Interaction

#: One line's bytes to the number of jobs it holds when proven conforming; else the line
#: decoded (None: it is not JSON), for the full check.
Lane = Callable[[bytes], "int | Decoded | None"]


def lane(
    schema: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    observe: bool = False,
) -> Lane | None:
    """The shortcut for lines checked with these options; None when there is none.

    There is none when the full check has more to say of a conforming payload
    than that it conforms: unknown properties (``strict``). With ``observe``
    (traffic coverage) the lane is an :class:`Observing` one, which also counts
    what each conforming payload exercised.
    """
    if strict != "off":
        return None
    overlay = overlay_of(profile)
    if observe:
        return Observing(schema, overlay)

    def conforming(text: bytes) -> int | Decoded | None:
        decoded, kind = _proven(text, schema, overlay)
        return decoded if decoded is None or kind is None else jobs_in(decoded.value, kind)

    return conforming


def _proven(
    text: bytes, schema: str | None, overlay: ProfileLike
) -> tuple[Decoded | None, str | None]:
    """A line decoded (None: it is not JSON), and the type it conforms to when it plainly
    does (None when the full check must say more)."""
    try:
        decoded = decode(text)
    except JSONSyntaxError:
        return None, None
    if decoded.problems:
        return decoded, None
    payload = decoded.value
    kind = body_schema(payload, schema)
    if kind is None or not is_valid(payload, kind, overlay):
        return decoded, None
    # Under an amended profile, a payload the published documents reject needed an
    # amendment: the full check counts which.
    if overlay is not None and not is_valid(payload, kind):
        return decoded, None
    return decoded, kind


class Observing:
    """The shortcut for a run with traffic coverage: the same verdict as :func:`lane`'s,
    and the facts of each conforming payload added up (:class:`contract.traffic.Tally`)
    until :meth:`take` hands them over."""

    def __init__(self, schema: str | None, overlay: ProfileLike) -> None:
        self.schema, self.overlay = schema, overlay
        self.tally = Tally()

    def __call__(self, text: bytes) -> int | Decoded | None:
        decoded, kind = _proven(text, self.schema, self.overlay)
        if decoded is None or kind is None:
            return decoded
        self.tally.add(decoded.value, kind)  # the type it was checked as (items_of reads it)
        return jobs_in(decoded.value, kind)

    def fold(self, line: Interaction, result: Result) -> Result:
        """``result`` of a line the full check explained (built with no observation), with
        what the line exercised counted here instead, as :func:`contract.traffic.observe`
        would have counted it; with that observation when it has an operation."""
        if result.operation is not None:  # pragma: no cover - a bare line has none
            return replace(result, observed=observe(line))
        self.tally.add_checked(line, result.api_error is not None)
        return result

    def take(self) -> Counts | None:
        """What the payloads proven since the last call exercised (None if there were none),
        as counts: naming them as facts waits until the coverage is read."""
        if not self.tally.payloads:
            return None
        found = self.tally.counts()
        self.tally = Tally()
        return found


__all__ = ["Lane", "Observing", "lane"]
