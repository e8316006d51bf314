"""Checking one recorded response, and the counts that items' reports carry to the summary.

Both kinds of item check a response with :func:`check_response`, which makes
the same per-response :class:`~contract.engine.results.Result` as
``finetune-contract check`` (its verdict included). An item per
response reports its findings as ``user_properties``; an item per file
(``--contract-item=file``) sums its responses into one :class:`Counts` and
reports that as one property (:data:`~contract.plugin._keys.BATCH`). A sum,
not a list per response: under xdist every report is serialized by the worker
and read back by the controller, and JUnit XML writes every property, so a
file of 10,000 responses sends a few counters instead of 10,000 entries.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from contract.plugin._keys import (
    BASELINE,
    DEVIATIONS,
    JOBS,
    NEEDED,
    OBSERVED,
    REQUEST,
    UNKNOWN,
    VERDICT,
    _secrets,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from contract.engine.results import Result
    from contract.plugin._run import ContractRun
    from contract.recordings import Interaction
    from contract.violations import Violation


def check_response(
    interaction: Interaction,
    run: ContractRun,
    properties: list[tuple[str, Any]],
    session: Sequence[Violation] = (),
    path: Path | None = None,
) -> str | None:
    """Check ``interaction``; its findings go to ``properties``; the failure text, if it fails.

    ``session`` holds the session findings of the interaction (they fail it too).
    Properties are appended as they are known, so a check that crashes half-way
    still reports what it found before.
    """
    from contract.engine.results import Result
    from contract.redact import redact
    from contract.testing.contract import Contract

    result = Result.of(
        interaction,
        fail_api_errors=run.fail_api_errors,
        observe=run.coverage is not None,
        profile=run.profile,
        strict=run.strict,
        deviations=True,
        requests=run.requests,
    )
    if session:
        from contract.engine._sessions import joined

        result = joined(result, session)
    if run.baseline is not None and (result.violations or result.request_violations):
        result = _known(result, run, properties, path)
    properties.append((VERDICT, result.verdict))
    properties.append((JOBS, result.jobs))
    if result.observed is not None:
        observed = result.observed.as_list()
        # Values outside an enum are the input's: redacted before JUnit XML shows them.
        observed[3] = [
            [kind, place, redact(label, _secrets()) if kind == "outside" else label, count]
            for kind, place, label, count in observed[3]
        ]
        properties.append((OBSERVED, observed))
    if result.api_error is None:
        properties.append((NEEDED, result.needed))
        properties.append((DEVIATIONS, result.deviations))
    if result.request_checked:
        properties.append((REQUEST, "invalid" if result.request_violations else "valid"))
    warned = [redact(str(w), _secrets()) for w in result.warnings]
    warned += [redact(f"request: {w}", _secrets()) for w in result.request_warnings]
    if warned:
        properties.append((UNKNOWN, warned))
    if result.violations or result.request_violations:
        return Contract(_secrets(), profile=run.profile, strict=run.strict).report(
            interaction, result.violations, result.request_violations
        )
    if result.failed:
        return (
            redact(f"{interaction.source}: {result.api_error}", _secrets())
            + "\n(an API error response; --contract-fail-api-errors makes it a failure)"
        )
    return None


def _known(
    result: Result,
    run: ContractRun,
    properties: list[tuple[str, Any]],
    path: Path | None,
) -> Result:
    """``result`` less what the run's baseline accepts; what it did goes to ``properties``."""
    matcher = run.baseline
    assert matcher is not None
    seen, expired, accepted = len(matcher.seen), len(matcher.expired), matcher.accepted
    kept = matcher.filter(result, str(path) if path is not None else None)
    report = {
        "seen": [e.fingerprint for e in matcher.seen[seen:]],
        "expired": [e.as_dict() for e in matcher.expired[expired:]],
        "accepted": matcher.accepted - accepted,
    }
    properties.append((BASELINE, report))
    return kept


class Counts:
    """What checked responses add to the summary: verdicts, jobs, amendments, coverage, warnings.

    ``other`` counts the recorded calls of other APIs a file item skipped.
    """

    def __init__(self) -> None:
        self.verdicts: Counter[str] = Counter()
        self.jobs = 0
        #: Bodies assessed under the profile (not API errors), and what they needed or showed.
        self.payloads = 0
        self.needed: Counter[str] = Counter()
        self.deviations: Counter[str] = Counter()
        self.observed: list[Any] = []
        self.unknown: list[str] = []
        self.other = 0
        #: What the baseline did: fingerprints seen, entries expired, findings accepted.
        self.baseline: dict[str, Any] = {"seen": [], "expired": [], "accepted": 0}
        #: Requests checked (``requests``) and those that failed (``requests-invalid``).
        self.requests: Counter[str] = Counter()

    @property
    def responses(self) -> int:
        """Responses checked (an unreadable file's verdict is no response)."""
        return sum(n for verdict, n in self.verdicts.items() if verdict != "unreadable")

    def add(self, nodeid: str, properties: dict[str, Any]) -> None:
        """Count one item's (or one response's) report properties."""
        verdict = properties.get(VERDICT)
        if verdict is not None:
            self.verdicts[str(verdict)] += 1
            jobs = properties.get(JOBS, 0)
            self.jobs += jobs if isinstance(jobs, int) else 0
        if OBSERVED in properties:
            self.observed.append(properties[OBSERVED])
        if NEEDED in properties or DEVIATIONS in properties:
            self.payloads += 1
            self.needed.update(str(n) for n in properties.get(NEEDED, ()))
            self.deviations.update(str(d) for d in properties.get(DEVIATIONS, ()))
        request = properties.get(REQUEST)
        if request is not None:
            self.requests["requests"] += 1
            self.requests["requests-invalid"] += request == "invalid"
        unknown: Any = properties.get(UNKNOWN, ())
        self.unknown.extend(f"{nodeid}: {line}" for line in unknown)
        known: Any = properties.get(BASELINE)
        if known:
            self.baseline["seen"].extend(known["seen"])
            self.baseline["expired"].extend(known["expired"])
            self.baseline["accepted"] += int(known["accepted"])

    def as_data(self) -> dict[str, Any]:
        """Plain data (dicts, lists, strings, numbers): what execnet and JUnit XML carry."""
        return {
            "verdicts": dict(self.verdicts),
            "jobs": self.jobs,
            "payloads": self.payloads,
            "needed": dict(self.needed),
            "deviations": dict(self.deviations),
            "observed": self.observed,
            "unknown": self.unknown,
            "other": self.other,
            "baseline": self.baseline,
            "requests": dict(self.requests),
        }

    @classmethod
    def from_data(cls, data: Any) -> Counts:
        """The counts :meth:`as_data` wrote (after a trip through xdist)."""
        counts = cls()
        counts.verdicts.update({str(k): int(v) for k, v in data["verdicts"].items()})
        counts.jobs = int(data["jobs"])
        counts.payloads = int(data["payloads"])
        counts.needed.update({str(k): int(v) for k, v in data["needed"].items()})
        counts.deviations.update({str(k): int(v) for k, v in data["deviations"].items()})
        counts.observed = list(data["observed"])
        counts.unknown = [str(line) for line in data["unknown"]]
        counts.other = int(data["other"])
        counts.baseline = dict(data["baseline"])
        counts.requests.update({str(k): int(v) for k, v in data.get("requests", {}).items()})
        return counts
