"""The fuzzing loop both kinds of parser share: find with the sampler, then shrink.

Payloads are drawn from :mod:`contract.generate.sampler` (conforming ones, then
mutants with the full context), seeded, so a run is replayed by its seed.
Each payload goes to the parser once (verdicts are memoised). The first payload
of each distinct finding (kind, class and exception type or broken keyword) is
then minimised by :mod:`contract.fuzz._shrink` with the parser in the loop,
within one time budget for the whole run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from contract._core import jsonpointer
from contract.fuzz._findings import (
    CLASSES,
    OUTCOMES,
    Finding,
    Outcome,
    PayloadClass,
    canonical,
)
from contract.fuzz._shrink import Goal, Path, node_at, shrink
from contract.generate import sampler
from contract.generate.mutant import pointer
from contract.schema.amendments import Profile
from contract.schema.tree import root
from contract.validation import fast_validator, violations_of

Key = tuple[str, str, str]
Label = Mapping[str, str] | None
#: Runs the parser on one payload: its outcome and the finding it is, if any.
Run = Callable[[PayloadClass, Any, Label], tuple[Outcome, Finding | None]]


class StopHunt(Exception):
    """Raised by a run to stop giving payloads to the parser (e.g. after too many hangs)."""


@dataclass
class Plan:
    """What to draw and how long to shrink."""

    schema: str
    sizes: Mapping[str, int]
    seed: int
    realistic: bool = True
    extra_properties: bool = False
    max_findings: int | None = None
    shrink: bool = True
    shrink_time: float = 30.0
    replay: Iterable[tuple[PayloadClass, Any, Label]] = ()
    on_draw: Callable[[], None] | None = None
    #: What conforms: payloads are drawn, and shrunk, under this profile.
    profile: Profile | None = None


@dataclass
class Result:
    counts: dict[str, dict[str, int]]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    shrink_calls: int = 0


def draws(
    schema: str,
    seed: int,
    *,
    realistic: bool = True,
    extra_properties: bool = False,
    profile: Profile | None = None,
) -> dict[PayloadClass, Iterator[tuple[Any, Label]]]:
    """Endless (payload, label) pairs per class, both seeded from ``seed``."""
    seeds = random.Random(seed)
    conforming_seed, mutant_seed = seeds.getrandbits(64), seeds.getrandbits(64)
    jobs = sampler.conforming(
        schema,
        seed=conforming_seed,
        realistic=realistic,
        extra_properties=extra_properties,
        profile=profile,
    )
    # Full context: a crash may hinge on the rest of the payload.
    mutants = sampler.nonconforming(
        schema, seed=mutant_seed, realistic=realistic, context="full", profile=profile
    )
    return {
        "conforming": ((job, None) for job in jobs),
        "nonconforming": ((m.payload, m.label()) for m in mutants),
    }


def hunt(run: Run, plan: Plan) -> Result:
    """Draw, judge, then shrink each distinct finding; see the module docstring."""
    counts: dict[str, dict[str, int]] = {cls: dict.fromkeys(OUTCOMES, 0) for cls in CLASSES}
    memo: dict[str, tuple[Outcome, Finding | None]] = {}
    first: dict[Key, Finding] = {}
    result = Result(counts, [])

    def judged(cls: PayloadClass, payload: Any, label: Label, tally: bool) -> Finding | None:
        key = canonical(cls, payload)
        if key not in memo:
            memo[key] = run(cls, payload, label)
            if tally:
                counts[cls][memo[key][0]] += 1
            else:
                result.shrink_calls += 1
        finding = memo[key][1]
        if finding is not None and tally:
            first.setdefault(finding.key, replace(finding, shrunk=False))
        return finding

    stopped = False
    try:
        for cls, payload, label in plan.replay:
            judged(cls, payload, label, True)
        sources = draws(
            plan.schema,
            plan.seed,
            realistic=plan.realistic,
            extra_properties=plan.extra_properties,
            profile=plan.profile,
        )
        for cls in CLASSES:
            for payload, label in islice(sources[cls], plan.sizes.get(cls, 0)):
                judged(cls, payload, label, True)
                if plan.on_draw is not None:
                    plan.on_draw()
    except StopHunt:
        stopped = True
    findings = list(first.values())
    if plan.shrink and not stopped and findings:
        findings = _shrink_all(findings, plan, judged, result)
    result.findings = findings
    return result


def _shrink_all(
    findings: list[Finding],
    plan: Plan,
    judged: Callable[[PayloadClass, Any, Label, bool], Finding | None],
    result: Result,
) -> list[Finding]:
    deadline = time.monotonic() + plan.shrink_time
    top = root(plan.schema, plan.profile)
    limit = len(findings) if plan.max_findings is None else plan.max_findings
    done: list[Finding] = []
    for number, finding in enumerate(findings):
        if number >= limit:
            done.append(finding)
            continue
        goal = _goal(finding, plan.schema, judged, plan.profile)
        try:
            smallest, protect, finished = shrink(finding.payload, top, goal, deadline)
        except StopHunt:
            result.notes.append("shrinking stopped: the parser stopped answering")
            done += findings[number:]
            break
        shown = judged(finding.payload_class, smallest, _moved(finding.label, protect), False)
        if shown is not None and shown.key == finding.key:
            done.append(replace(shown, shrunk=True))
        else:  # pragma: no cover - the goal checks this before accepting a payload
            done.append(finding)
        if not finished:
            result.notes.append(
                f"shrinking stopped by the {plan.shrink_time:g}s budget; "
                "payloads are the smallest seen so far"
            )
            done += findings[number + 1 :]
            break
    if len(findings) > limit:
        result.notes.append(
            f"{len(findings) - limit} more distinct finding(s) beyond "
            f"max_findings={limit}, not shrunk"
        )
    return done


def _moved(label: Label, protect: Path | None) -> Label:
    if label is None or protect is None:
        return label
    return {**label, "path": pointer(protect)}


def _parts(path: str) -> Path:
    parts: list[str | int] = []
    for part in path.split("/")[1:]:
        parts.append(jsonpointer.unescape(part))
    return tuple(parts)


def _resolve(payload: Any, parts: Path) -> Path | None:
    """``parts`` with array indexes as integers, or None if the path is not in ``payload``."""
    resolved: list[str | int] = []
    value = payload
    for part in parts:
        if isinstance(value, list):
            if not (isinstance(part, str) and part.isdigit() and int(part) < len(value)):
                return None
            resolved.append(int(part))
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            resolved.append(part)
            value = value[part]
        else:
            return None
    return tuple(resolved)


def _goal(
    finding: Finding,
    schema: str,
    judged: Callable[[PayloadClass, Any, Label, bool], Finding | None],
    profile: Profile | None = None,
) -> Goal:
    cls, label = finding.payload_class, finding.label
    fast = fast_validator(schema, profile)

    def still(candidate: Any, protect: Path | None) -> bool:
        shown = judged(cls, candidate, _moved(label, protect), False)
        return shown is not None and shown.key == finding.key

    if cls == "conforming" or label is None:
        return Goal(gate=lambda c, _: bool(fast.is_valid(c)), still=still)

    # A mutant: still broken at its label, and nowhere else.
    keyword, original = label.get("keyword", ""), _violations(finding.payload, schema, profile)
    protect = _resolve(finding.payload, _parts(label.get("path", "")))

    def gate(candidate: Any, where: Path | None) -> bool:
        if fast.is_valid(candidate):
            return False
        found = _violations(candidate, schema, profile)
        moved = pointer(where or ())
        # The original violations, with the labelled one where the label now points.
        allowed = {(moved if p == label.get("path") else p, k) for p, k in original}
        return (moved, keyword) in found and len(found) <= len(original) and set(found) <= allowed

    if protect is None or (pointer(protect), keyword) not in original:
        # The report does not name the label's rule at its path: leave the payload as drawn.
        return Goal(gate=lambda c, _: False, still=still)
    keeping = _keeping(finding, schema, protect, profile)
    return Goal(gate=gate, still=still, protect=protect, **keeping)


def _keeping(
    finding: Finding, schema: str, protect: Path, profile: Profile | None = None
) -> dict[str, Any]:
    """What keeps the label's description true while its value shrinks.

    Only ``exclusiveMinimum`` says something about the value: "at" the bound
    (the value stays), or "below" it (it may shrink, but not onto the bound).
    """
    label = finding.label or {}
    if label.get("keyword") != "exclusiveMinimum":
        return {}
    node = node_at(root(schema, profile), finding.payload, protect)
    bound = None if node is None else node.exclusive_minimum
    if bound is None or " at exclusive minimum " in label.get("description", ""):
        return {"frozen": True}
    return {"keep": lambda value: value < bound}


def _violations(
    payload: Any, schema: str, profile: Profile | None = None
) -> list[tuple[str, str]]:
    return [(v.path, v.keyword) for v in violations_of(payload, schema, profile)]
