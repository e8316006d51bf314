"""What a fuzzing run reports: findings, the per-class tally, and the verdict rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from contract.redact import clip, for_terminal

Mode = Literal["strict", "tolerant"]
Accepts = Literal["json", "bytes"]
PayloadClass = Literal["conforming", "nonconforming"]
FindingKind = Literal["rejected-conforming", "accepted-nonconforming", "crash", "hang", "invariant"]
Outcome = Literal["accepted", "rejected", "crash", "hang"]

MODES: Final = ("strict", "tolerant")
ACCEPTS: Final = ("json", "bytes")
CLASSES: Final[tuple[PayloadClass, PayloadClass]] = ("conforming", "nonconforming")
OUTCOMES: Final[tuple[Outcome, ...]] = ("accepted", "rejected", "crash", "hang")
#: Table column of each outcome.
_COLUMNS: Final = {
    "accepted": "accepted",
    "rejected": "rejected",
    "crash": "crashed",
    "hang": "hung",
}
#: Characters of a finding's payload shown in the table (the whole payload is in as_dict()).
SHOWN_PAYLOAD: Final = 2000
#: Lines of a finding's traceback or standard error shown in the table (all in as_dict()).
SHOWN_LINES: Final = 30


def encode_payload(payload: Any) -> bytes:
    """The payload as one line of compact UTF-8 JSON (what external parsers receive)."""
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: fall back to \\u escapes
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


def canonical(payload_class: str, payload: Any) -> str:
    """A key telling payloads (of a class) apart, for memoising verdicts."""
    return payload_class + json.dumps(payload, sort_keys=True, default=repr)


@dataclass(frozen=True)
class Finding:
    """One way the parser broke its contract, with the (shrunk) payload that shows it.

    ``kind`` is ``rejected-conforming``, ``accepted-nonconforming``, ``crash``,
    ``hang`` or ``invariant``; ``payload_class`` says which generator drew the
    payload; ``label`` is the mutant's label (``path``, ``keyword``,
    ``description``) for non-conforming payloads; ``exception`` the exception
    (``Type: message``) or, for external parsers, the exit status or verdict,
    with credentials masked; ``shrunk`` is False when the payload is the one
    first drawn.
    """

    kind: FindingKind
    payload_class: PayloadClass
    payload: Any
    label: Mapping[str, str] | None = None
    exception: str = ""
    traceback: str = ""
    shrunk: bool = True
    group: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What tells distinct findings apart: kind, payload class and a discriminator.

        A crash, a hang or a broken invariant is the parser's bug whatever payload showed
        it: one finding for both payload classes (the discriminator names the exception
        and where the parser raised it).
        """
        if self.kind in ("crash", "hang", "invariant"):
            return (self.kind, "", self.group)
        return (self.kind, self.payload_class, self.group)

    @property
    def summary(self) -> str:
        """One line: what went wrong (escaped for a terminal)."""
        what = {
            "rejected-conforming": "rejected a conforming payload",
            "accepted-nonconforming": "accepted a non-conforming payload",
            "crash": f"crashed on a {self.payload_class} payload",
            "hang": f"hung on a {self.payload_class} payload",
            "invariant": f"broke the invariant on a {self.payload_class} payload",
        }[self.kind]
        if self.label:
            where = self.label.get("path") or "<root>"
            what += f" [{self.label.get('keyword')} at {where}: {self.label.get('description')}]"
            what = for_terminal(what)
        if self.exception:
            what += f": {clip(self.exception, 200, squeeze=True)}"
        return what

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON (what ``finetune-contract fuzz --out`` writes)."""
        return {
            "kind": self.kind,
            "class": self.payload_class,
            "label": dict(self.label) if self.label else None,
            "exception": self.exception,
            "traceback": self.traceback,
            "shrunk": self.shrunk,
            "payload": self.payload,
        }

    def __str__(self) -> str:
        state = "minimal payload" if self.shrunk else "payload (not shrunk)"
        body = json.dumps(self.payload, ensure_ascii=False, sort_keys=True)
        text = f"[{self.kind}] {self.summary}\n  {state}: {clip(body, SHOWN_PAYLOAD)}"
        if self.traceback:
            lines = self.traceback.rstrip("\n").splitlines()
            shown = lines[:SHOWN_LINES] + (
                [f"… {len(lines) - SHOWN_LINES} more lines (all in --format json and --out)"]
                if len(lines) > SHOWN_LINES
                else []
            )
            text += "\n" + "\n".join(f"  | {for_terminal(line)}" for line in shown)
        return text


@dataclass(frozen=True)
class FuzzReport:
    """The verdict of a fuzzing run: per-class tallies and the findings.

    ``counts[class][outcome]`` counts the drawn (and replayed) payloads per
    class and outcome (``accepted``, ``rejected``, ``crash``, ``hang``);
    shrinking gives the parser more payloads, which are not counted there.
    ``parser`` names the parser (an external command line with credentials
    masked); ``seed`` is the seed the payloads were drawn from.
    """

    parser: str
    schema: str
    mode: Mode
    counts: Mapping[str, Mapping[str, int]]
    findings: tuple[Finding, ...]
    unit: str = "draws"
    notes: tuple[str, ...] = ()
    seed: int | None = None

    @property
    def ok(self) -> bool:
        """True when there is no finding."""
        return not self.findings

    def table(self) -> str:
        """One row per payload class (a finding's kind is the column it is counted in),
        then every finding with its label, exception and minimal payload."""
        header = f"{'class':<15}{self.unit:>8}" + "".join(f"{c:>10}" for c in _COLUMNS.values())
        rows = [header]
        for cls in CLASSES:
            tally = self.counts.get(cls, {})
            cells = "".join(f"{tally.get(outcome, 0):>10}" for outcome in _COLUMNS)
            rows.append(f"{cls:<15}{sum(tally.values()):>8}{cells}")
        rows.append(f"findings: {len(self.findings)}")
        rows += [f"finding {i}: {f}" for i, f in enumerate(self.findings, 1)]
        return "\n".join(rows)

    def __str__(self) -> str:
        head = for_terminal(f"{self.parser}: {self.schema}, {self.mode} mode")
        return "\n".join([head, self.table(), *(for_terminal(n) for n in self.notes)])

    def raise_for_findings(self) -> None:
        """Raise :class:`ParserFindings` (an ``AssertionError``) if there is any finding."""
        if self.findings:
            raise ParserFindings(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "parser": self.parser,
            "schema": self.schema,
            "mode": self.mode,
            "seed": self.seed,
            "unit": self.unit,
            "counts": {cls: dict(self.counts.get(cls, {})) for cls in CLASSES},
            "findings": [f.as_dict() for f in self.findings],
            "notes": list(self.notes),
        }


class ParserFindings(AssertionError):
    """Raised by :meth:`FuzzReport.raise_for_findings`; ``report`` holds the details."""

    def __init__(self, report: FuzzReport) -> None:
        self.report = report
        super().__init__(str(report))


def judge(
    payload_class: PayloadClass,
    outcome: Outcome,
    mode: Mode,
    payload: Any,
    *,
    label: Mapping[str, str] | None,
    exception: str = "",
    exc_type: str = "",
    tb: str = "",
) -> Finding | None:
    """The finding an outcome is, if any; its kind agrees with the table's column.

    A hang is a ``hang`` and a crash a ``crash`` whatever the payload; a clean
    rejection of a conforming payload is ``rejected-conforming``; accepting a
    non-conforming one is ``accepted-nonconforming`` in strict mode.
    """
    kind: FindingKind | None = None
    group = ""
    if outcome == "hang":
        kind = "hang"
    elif outcome == "crash":
        kind, group = "crash", exc_type
    elif payload_class == "conforming" and outcome == "rejected":
        kind, group = "rejected-conforming", exc_type
    elif payload_class == "nonconforming" and outcome == "accepted" and mode == "strict":
        kind, group = "accepted-nonconforming", (label or {}).get("keyword", "")
    if kind is None:
        return None
    return Finding(kind, payload_class, payload, label, exception, tb, True, group)
