"""The conforming-line shortcut: a JSON Lines payload proven to conform, at parser speed.

Most lines of a capture conform, and a report that lists only failures has
nothing to say about them but their number. :func:`lane` gives a function
that answers, for one line's bytes, how many jobs it holds when the full
check (:func:`contract.response.assess_body`) would find it valid with
nothing else to report — strictly decoded with no RFC 8259 problem, the
type its shape picks, valid under the profile, and needing no amendment —
and None otherwise; a None line then goes through the full check, which
explains it. Each step is the full check's own function, so the shortcut
can only be faster, never of another opinion (the suite compares both on
generated and mutated lines).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.config import Strict
from contract.profiles import ProfileLike, coerce
from contract.response import body_schema, jobs_in
from contract.strictjson import JSONSyntaxError, decode
from contract.validation import fast_validator

#: One line's bytes to the number of jobs it holds when proven conforming, else None.
Lane = Callable[[bytes], "int | None"]


def lane(
    schema: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    observe: bool = False,
) -> Lane | None:
    """The shortcut for lines checked with these options; None when there is none.

    There is none when the full check has more to say of a conforming payload
    than that it conforms: unknown properties (``strict``) or what it exercised
    (``observe``, traffic coverage).
    """
    if strict != "off" or observe:
        return None
    chosen = coerce(profile)
    amended = bool(chosen.amendments)
    checks: dict[str, Callable[[Any], bool]] = {}

    def valid(payload: Any, kind: str) -> bool:
        check = checks.get(kind)
        if check is None:
            under_profile = fast_validator(kind, chosen).is_valid
            published = fast_validator(kind).is_valid
            # Under an amended profile a payload the published documents reject needed an
            # amendment: the full check counts which.
            check = checks[kind] = (
                (lambda p: under_profile(p) and published(p)) if amended else under_profile
            )
        return bool(check(payload))

    def conforming(text: bytes) -> int | None:
        try:
            decoded = decode(text)
        except JSONSyntaxError:
            return None
        if decoded.problems:
            return None
        payload = decoded.value
        kind = body_schema(payload, schema)
        try:
            if kind is None or not valid(payload, kind):
                return None
        except (ValueError, OverflowError, TypeError):  # beyond jsonschema-rs: the full check
            return None
        return jobs_in(payload, kind)

    return conforming


__all__ = ["Lane", "lane"]
