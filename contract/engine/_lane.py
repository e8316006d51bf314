"""The conforming-line shortcut: a JSON Lines payload proven to conform, at parser speed.

Most lines of a capture conform, and a report that lists only failures has
nothing to say about them but their number; one that lists every result, that
they are valid (:func:`proven_result`). :func:`lane` gives a function
that answers, for one line's bytes, how many jobs it holds (:class:`Proven`) when the full
check (:func:`contract.checks.assess_body`) would find it valid with
nothing else to report (strictly decoded with no RFC 8259 problem, the
type its shape picks, valid under the profile, and needing no amendment).
For any other line it gives the line as it decoded it (None if it is not
JSON), and the full check explains that line without decoding it again. Each
step is the full check's own function, so the shortcut can only be faster,
never of another opinion (the suite compares both on generated and mutated
lines). A line proven before (:mod:`contract.engine._repeats`) is answered from
memory: its bytes are all its verdict depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from contract.checks import body_schema, jobs_in, page_note
from contract.config import Strict
from contract.engine._repeats import Checked, Held, Repeats
from contract.engine.results import Result
from contract.profiles import ProfileLike
from contract.recordings import payloads
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.traffic import Counts, Recorded, Tally, observe
from contract.validation import is_valid, overlay_of

if TYPE_CHECKING:
    from contract.recordings import Interaction


class Proven:
    """What the shortcut knows of a line it proved conforming: the jobs it holds, and the
    note the full check gives it (a page's ``list page of 3 jobs``; "" for anything else)."""

    __slots__ = ("jobs", "note")

    def __init__(self, jobs: int, note: str) -> None:
        self.jobs, self.note = jobs, note


#: One line's bytes to what the shortcut knows of it when proven conforming; else the
#: line decoded (None: it is not JSON), for the full check.
Lane = Callable[[bytes], "Proven | Decoded | None"]


def lane(
    schema: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    observe: bool = False,
    repeats: Repeats | None = None,
) -> Lane | None:
    """The shortcut for lines checked with these options; None when there is none.

    There is none when the full check has more to say of a conforming payload
    than that it conforms: unknown properties (``strict``). With ``observe``
    (traffic coverage) the lane is an :class:`Observing` one, which also counts
    what each conforming payload exercised. ``repeats``: what the run remembers of
    the lines it saw before, with the same options (nothing, if None).
    """
    if strict != "off":
        return None
    overlay = overlay_of(profile)
    memory = Repeats() if repeats is None else repeats
    if observe:
        return Observing(schema, overlay, memory)
    before, keep = memory.conforming.get, memory.conforming.keep

    def conforming(text: bytes) -> Proven | Decoded | None:
        found: Proven | None = before(text)
        if found is not None:
            return found
        decoded, kind = _proven(text, schema, overlay)
        if decoded is None or kind is None:
            return decoded
        found = Proven(jobs_in(decoded.value, kind), page_note(decoded.value, kind))
        keep(text, found)
        return found

    return conforming


def proven_result(label: str, number: int, proven: Proven, fail_api_errors: bool) -> Result:
    """The result the full check gives the payload on line ``number`` of ``label`` when the
    lane proved it conforming: valid, with nothing else to say (a bare payload has no
    operation, request or observation of its own)."""
    source, name = payloads.names(label, number)
    return Result.conforming(source, name, proven.jobs, proven.note, fail_api_errors)


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


class _Seen(Proven):
    """A line an :class:`Observing` lane proved conforming: what :class:`Proven` holds, the
    type it was checked as, and, from its second sight on, what it exercised."""

    __slots__ = ("key", "kind", "recorded")

    def __init__(self, jobs: int, note: str, kind: str) -> None:
        super().__init__(jobs, note)
        self.kind = kind
        self.recorded: Recorded | None = None
        #: Its record's key, once a worker's hand-over has sent it (``_repeats.Deferred``).
        self.key: int | None = None


class Observing:
    """The shortcut for a run with traffic coverage: the same verdict as :func:`lane`'s,
    and the facts of each conforming payload added up (:class:`contract.traffic.Tally`)
    until :meth:`take` hands them over. A line proven before is counted again by how
    often it came (:meth:`contract.traffic.Tally.replay`), not walked again; in a worker
    that defers (``repeats.deferred``), by key, for the parent to add up."""

    def __init__(
        self, schema: str | None, overlay: ProfileLike, repeats: Repeats | None = None
    ) -> None:
        self.schema, self.overlay = schema, overlay
        memory = Repeats() if repeats is None else repeats
        self.proven: Held[_Seen] = memory.conforming
        self.tally = Tally()
        #: Lines met before and again since the last :meth:`take`: how often.
        self.again: dict[_Seen | Checked, int] = {}
        self._deferred = memory.deferred

    def _again(self, line: _Seen | Checked) -> None:
        deferred = self._deferred
        if deferred is not None:
            deferred.count(line)
        else:
            self.again[line] = self.again.get(line, 0) + 1

    def __call__(self, text: bytes) -> Proven | Decoded | None:
        seen = self.proven.get(text)
        if seen is not None:
            if seen.recorded is None:  # its second sight: what it exercised, kept
                seen.recorded = Tally.recorded(decode(text).value, seen.kind)
            if self._deferred is None:  # (the hot path of a repeating file: inline)
                again = self.again
                again[seen] = again.get(seen, 0) + 1
            else:
                self._deferred.count(seen)
            return seen
        decoded, kind = _proven(text, self.schema, self.overlay)
        if decoded is None or kind is None:
            return decoded
        self.tally.add(decoded.value, kind)  # the type it was checked as (items_of reads it)
        seen = _Seen(jobs_in(decoded.value, kind), page_note(decoded.value, kind), kind)
        self.proven.keep(text, seen)
        return seen

    def fold(self, line: Interaction, result: Result, before: Checked | None = None) -> Result:
        """``result`` of a line the full check explained (built with no observation), with
        what the line exercised counted here instead, as :func:`contract.traffic.observe`
        would have counted it; with that observation when it has an operation.
        ``before``: the same line checked earlier in the run, whose result this is."""
        if result.operation is not None:  # pragma: no cover - a bare line has none
            return replace(result, observed=observe(line))
        api_error = result.api_error is not None
        if before is None:
            self.tally.add_checked(line, api_error)
        else:
            if before.recorded is None:  # its second sight: what it exercised, kept
                before.recorded = Tally.recorded_checked(line, api_error)
            self._again(before)
        return result

    def take(self) -> Counts | None:
        """What the payloads proven since the last call exercised (None if there were none),
        as counts: naming them as facts waits until the coverage is read."""
        tally = self.tally
        if self.again:
            tally.replay((s.recorded, times) for s, times in self.again.items() if s.recorded)
            self.again = {}
        if not tally.payloads:
            return None
        self.tally = Tally()
        return tally.counts()


__all__ = ["Lane", "Observing", "Proven", "lane", "proven_result"]
