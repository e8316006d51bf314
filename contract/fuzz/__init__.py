"""Fuzzing client parsers against the contract, with a verdict per draw.

A *parser* is the user's code that consumes a pause response. It must accept
everything the contract allows and must not misbehave on what it forbids::

    from contract.fuzz import check_parser
    from openai.types.fine_tuning import FineTuningJob

    report = check_parser(lambda p: FineTuningJob.model_validate(p, strict=True))
    print(report)                 # summary table and every finding
    report.raise_for_findings()   # AssertionError listing the findings, if any

Verdicts, per payload class:

* conforming payload (``contract.strategies.conforming``): ``parse`` must
  return; any exception is a finding (``rejected-conforming``);
* non-conforming payload (``contract.strategies.nonconforming`` with
  ``context="full"``, one broken rule each): in ``strict`` mode ``parse``
  must raise one of the *clean* exception types (accepting is an
  ``accepted-nonconforming`` finding, reported with the mutant's label); in
  ``tolerant`` mode it may also accept;
* in both modes and both classes: an exception outside the clean types is a
  ``crash`` (on conforming payloads every exception is already a finding), no
  answer within ``timeout`` seconds is a ``hang``, and a returned value for
  which ``invariant(payload, value)`` returns False or raises is an
  ``invariant`` finding.

The draws run under :func:`hypothesis.given`: findings are shrunk to a minimal
payload and saved in the Hypothesis example database (the active profile's,
or ``database=``), so the next run replays them first. Distinct findings
(kind, and the exception type or the mutant's keyword) are shrunk separately.

External parsers (any language) are checked by :func:`check_command`, which
runs a command through one of the protocols of :mod:`contract._exec_parser`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase

from contract import registry
from contract._exec_parser import ExecError, ExternalParser, ProtocolName, open_parser
from contract.violations import ContractViolation

__all__ = [
    "DEFAULT_CLEAN",
    "Accepts",
    "ExecError",
    "Finding",
    "FindingKind",
    "FuzzReport",
    "Mode",
    "ParserFindings",
    "check_command",
    "check_parser",
    "draw",
    "encode_payload",
    "fuzz_parser",
]

Mode = Literal["strict", "tolerant"]
Accepts = Literal["json", "bytes"]
PayloadClass = Literal["conforming", "nonconforming"]
FindingKind = Literal["rejected-conforming", "accepted-nonconforming", "crash", "hang", "invariant"]
Outcome = Literal["accepted", "rejected", "crash", "hang"]

MODES: Final = ("strict", "tolerant")
ACCEPTS: Final = ("json", "bytes")
CLASSES: Final[tuple[PayloadClass, PayloadClass]] = ("conforming", "nonconforming")
OUTCOMES: Final[tuple[Outcome, ...]] = ("accepted", "rejected", "crash", "hang")

#: Exception types that count as a clean rejection by default: ``ValueError``
#: (which covers ``json.JSONDecodeError`` and pydantic's ``ValidationError``)
#: and :class:`contract.ContractViolation`.
DEFAULT_CLEAN: Final[tuple[type[BaseException], ...]] = (ValueError, ContractViolation)

#: After this many hung calls no new payload is given to the parser (hung
#: Python calls cannot be killed; they are left running on daemon threads).
MAX_HANGS: Final = 3


class _UseProfile:
    def __repr__(self) -> str:
        return "<the active Hypothesis profile's database>"


#: Default of ``database=``: the database of the active Hypothesis settings profile.
PROFILE_DATABASE: Final = _UseProfile()


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def encode_payload(payload: Any) -> bytes:
    """The payload as one line of compact UTF-8 JSON (what external parsers receive)."""
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: fall back to \\u escapes
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class Finding:
    """One way the parser broke its contract, with the (shrunk) payload that shows it.

    ``kind`` is ``rejected-conforming``, ``accepted-nonconforming``, ``crash``,
    ``hang`` or ``invariant``; ``payload_class`` says which generator drew the
    payload; ``label`` is the mutant's label (``path``, ``keyword``,
    ``description``) for non-conforming payloads; ``exception`` the exception
    (``Type: message``) or, for external parsers, the exit status or verdict;
    ``shrunk`` is False when the payload is the one first drawn.
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
        """What tells distinct findings apart: kind, payload class and a discriminator."""
        return (self.kind, self.payload_class, self.group)

    @property
    def summary(self) -> str:
        """One line: what went wrong."""
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
        if self.exception:
            what += f": {_short(self.exception, 200)}"
        return what

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON (what ``finetune-contract fuzz --out`` writes)."""
        return {
            "kind": self.kind,
            "class": self.payload_class,
            "label": dict(self.label) if self.label else None,
            "exception": self.exception,
            "shrunk": self.shrunk,
            "payload": self.payload,
        }

    def __str__(self) -> str:
        state = "minimal payload" if self.shrunk else "payload (not shrunk)"
        body = json.dumps(self.payload, ensure_ascii=False, sort_keys=True)
        return f"[{self.kind}] {self.summary}\n  {state}: {_short(body, 2000)}"


@dataclass(frozen=True)
class FuzzReport:
    """The verdict of a fuzzing run: per-class tallies and the findings.

    ``counts[class][outcome]`` counts parser calls per payload class and
    outcome (``accepted``, ``rejected``, ``crash``, ``hang``).
    For :func:`check_parser` these are all calls, shrinking and database
    replay included; for :func:`check_command` they are the drawn payloads
    only (shrinking is extra).
    """

    parser: str
    schema: str
    mode: Mode
    counts: Mapping[str, Mapping[str, int]]
    findings: tuple[Finding, ...]
    unit: str = "calls"
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no finding."""
        return not self.findings

    def table(self) -> str:
        """The summary table: one row per payload class."""
        columns = ("accepted", "rejected", "crashed", "hung")
        header = f"{'class':<15}{self.unit:>8}" + "".join(f"{c:>10}" for c in columns)
        rows = [header]
        for cls in CLASSES:
            tally = self.counts.get(cls, {})
            total = sum(tally.values())
            cells = (
                tally.get("accepted", 0),
                tally.get("rejected", 0),
                tally.get("crash", 0),
                tally.get("hang", 0),
            )
            rows.append(f"{cls:<15}{total:>8}" + "".join(f"{n:>10}" for n in cells))
        rows.append(f"findings: {len(self.findings)}")
        return "\n".join(rows)

    def __str__(self) -> str:
        head = f"{self.parser}: {self.schema}, {self.mode} mode"
        parts = [head, self.table(), *self.notes]
        parts += [f"finding {i}: {f}" for i, f in enumerate(self.findings, 1)]
        return "\n".join(parts)

    def raise_for_findings(self) -> None:
        """Raise :class:`ParserFindings` (an ``AssertionError``) if there is any finding."""
        if self.findings:
            raise ParserFindings(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "parser": self.parser,
            "schema": self.schema,
            "mode": self.mode,
            "unit": self.unit,
            "counts": {cls: dict(self.counts.get(cls, {})) for cls in CLASSES},
            "findings": [f.as_dict() for f in self.findings],
        }


class ParserFindings(AssertionError):
    """Raised by :meth:`FuzzReport.raise_for_findings`; ``report`` holds the details."""

    def __init__(self, report: FuzzReport) -> None:
        self.report = report
        super().__init__(str(report))


# --------------------------------------------------------------------------
# Verdicts shared by Python and external parsers


def _judge(
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
    kind: FindingKind | None = None
    group = ""
    if outcome == "hang":
        kind = "hang"
    elif payload_class == "conforming" and outcome in ("rejected", "crash"):
        kind, group = "rejected-conforming", exc_type
    elif outcome == "crash":
        kind, group = "crash", exc_type
    elif payload_class == "nonconforming" and outcome == "accepted" and mode == "strict":
        kind, group = "accepted-nonconforming", (label or {}).get("keyword", "")
    if kind is None:
        return None
    return Finding(kind, payload_class, payload, label, exception, tb, True, group)


def _canonical(payload_class: str, payload: Any) -> str:
    return payload_class + json.dumps(payload, sort_keys=True, default=repr)


def _strategy(
    schema: str, payload_class: PayloadClass, *, realistic: bool, extra_properties: bool
) -> st.SearchStrategy[Any]:
    from contract import strategies

    if payload_class == "conforming":
        return strategies.conforming(schema, realistic=realistic, extra_properties=extra_properties)
    # Full context: the fuzzer hunts crashes, and a crash may hinge on the rest of the payload.
    return strategies.nonconforming(schema, realistic=realistic, context="full")


def _split(payload_class: PayloadClass, drawn: Any) -> tuple[Any, Mapping[str, str] | None]:
    """(payload, label) of a drawn value (a payload, or a Mutant)."""
    if payload_class == "nonconforming":
        return drawn.payload, drawn.label()
    return drawn, None


class _Signal(Exception):
    """Raised inside the Hypothesis test to mark a finding (one subclass per finding key)."""

    finding: Finding

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.summary)
        self.finding = finding


def _findings_in(exc: BaseException) -> Iterator[Finding]:
    if isinstance(exc, _Signal):
        yield exc.finding
    elif isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _findings_in(inner)


class _Namespaced(ExampleDatabase):
    """Another database's entries under a key prefix, so each parser replays its own."""

    def __init__(self, inner: ExampleDatabase, namespace: str) -> None:
        super().__init__()
        self.inner = inner
        self.prefix = hashlib.sha256(namespace.encode()).hexdigest()[:24].encode() + b"."

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)

    def __repr__(self) -> str:
        return f"_Namespaced({self.inner!r}, {self.prefix!r})"


Key = tuple[str, str, str]


class _OutOfTime(BaseException):
    """Ends a Hypothesis run from inside the test (a BaseException, so it is not a failure)."""


class _Budget:
    """Bounds a Hypothesis run that has the parser in the loop.

    Every outcome is memoised by payload, so a payload is given to the parser
    once. At most ``max_findings`` distinct finding keys are raised (and so
    shrunk); further keys are kept, unshrunk, in ``extra``. The first time a
    new payload comes more than ``shrink_time`` seconds after the first
    finding, the run is ended; each finding is then the smallest payload (by
    JSON length) that showed it so far. Hypothesis has already saved its
    shrinking progress in the example database by then.
    """

    def __init__(self, max_findings: int, shrink_time: float | None) -> None:
        self.max_findings, self.shrink_time = max_findings, shrink_time
        self.memo: dict[str, Finding | None] = {}
        self.keys: list[Key] = []
        self.extra: dict[Key, Finding] = {}
        self.best: dict[Key, tuple[int, Finding]] = {}
        self.first_at: float | None = None
        self.ran_out = False
        self.only: Key | None = None

    def expired(self) -> bool:
        if self.first_at is None or self.shrink_time is None:
            return False
        return time.monotonic() - self.first_at > self.shrink_time

    def admit(self, finding: Finding | None, size: int) -> Finding | None:
        """The finding to raise in the test, or None to let the example pass."""
        if finding is None or (self.only is not None and finding.key != self.only):
            return None
        if finding.key not in self.keys:
            if len(self.keys) >= self.max_findings:
                self.extra.setdefault(finding.key, replace(finding, shrunk=False))
                return None
            self.keys.append(finding.key)
            if self.first_at is None:
                self.first_at = time.monotonic()
        if finding.key not in self.best or size < self.best[finding.key][0]:
            self.best[finding.key] = (size, finding)
        return finding

    def judged(
        self, payload_class: str, payload: Any, run: Callable[[], Finding | None]
    ) -> Finding | None:
        """The finding ``run()`` gives for ``payload``, memoised; ends the run when time is up."""
        key = _canonical(payload_class, payload)
        if key not in self.memo:
            if self.expired():
                self.ran_out = True
                raise _OutOfTime
            self.memo[key] = run()
        return self.admit(self.memo[key], len(key))


def _hunt(
    strategy: st.SearchStrategy[Any],
    judge_one: Callable[[Any], Finding | None],
    hyp_settings: settings,
    seed: int | None,
    budget: _Budget,
) -> list[Finding]:
    """Run ``judge_one`` over draws under ``@given``; the shrunk finding of each distinct key."""
    signals: dict[Key, type[_Signal]] = {}

    def probe(drawn: Any) -> None:
        finding = judge_one(drawn)
        if finding is not None:
            signal = signals.get(finding.key)
            if signal is None:
                name = "Finding_" + "_".join(p.replace("-", "_") for p in finding.key if p)
                signal = signals[finding.key] = type(name, (_Signal,), {})
            raise signal(finding)

    test = hyp_settings(given(strategy)(probe))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except _OutOfTime:
        return [finding for _, finding in budget.best.values()]
    except (_Signal, BaseExceptionGroup) as exc:
        found = list(_findings_in(exc))
        if not found:
            raise
        return found
    return []


def _hypothesis_settings(
    max_examples: int,
    database: ExampleDatabase | _UseProfile | None,
    namespace: str,
    seed: int | None,
    phases: Sequence[Phase] | None = None,
    all_health_checks_off: bool = False,
) -> settings:
    options: dict[str, Any] = {
        "max_examples": max_examples,
        "deadline": None,
        "verbosity": Verbosity.quiet,
        "report_multiple_bugs": True,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.differing_executors],
    }
    if phases is not None:
        options["phases"] = phases
    if all_health_checks_off:
        options["suppress_health_check"] = list(HealthCheck)
    if isinstance(database, _UseProfile):
        inherited = settings.default.database if settings.default is not None else None
        if inherited is not None:
            options["database"] = _Namespaced(inherited, namespace)
    else:
        options["derandomize"] = False
        options["database"] = None if database is None else _Namespaced(database, namespace)
    if seed is not None:
        options["derandomize"] = False
    return settings(**options)


# --------------------------------------------------------------------------
# Python parsers


class _Worker:
    """A daemon thread that runs the calls, so that a hung call can be abandoned."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="contract-fuzz-parse", daemon=True).start()

    def _loop(self) -> None:
        while True:
            item = self.requests.get()
            if item is None:
                return
            arg, box, done = item
            try:
                box.append(("ok", self.fn(arg)))
            except BaseException as exc:
                box.append(("raised", exc))
            done.set()

    def stop(self) -> None:
        self.requests.put(None)


class _TimedCall:
    """Calls ``fn`` with a per-call timeout: ("ok", value), ("raised", exc) or ("hang", None)."""

    def __init__(self, fn: Callable[[Any], Any], timeout: float | None) -> None:
        self.fn, self.timeout = fn, timeout
        self.worker: _Worker | None = None

    def __call__(self, arg: Any) -> tuple[str, Any]:
        if self.timeout is None:
            try:
                return ("ok", self.fn(arg))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                return ("raised", exc)
        if self.worker is None:
            self.worker = _Worker(self.fn)
        box: list[tuple[str, Any]] = []
        done = threading.Event()
        self.worker.requests.put((arg, box, done))
        if not done.wait(self.timeout):
            self.worker.stop()  # it exits once the hung call returns, if ever
            self.worker = None
            return ("hang", None)
        return box[0]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None


def _describe(exc: BaseException) -> tuple[str, str, str]:
    name = type(exc).__qualname__
    text = _short(f"{name}: {exc}" if str(exc) else name, 500)
    tb = "".join(traceback.format_exception(exc, limit=-8))
    return text, name, tb


def _parser_name(parse: Callable[..., Any]) -> str:
    module = getattr(parse, "__module__", None) or ""
    name = getattr(parse, "__qualname__", None) or type(parse).__qualname__
    return f"{module}.{name}" if module else name


def _check_options(
    mode: str, accepts: str, schema: str, max_examples: int, timeout: float | None
) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if accepts not in ACCEPTS:
        raise ValueError(f"accepts must be one of {', '.join(ACCEPTS)}, not {accepts!r}")
    registry.uri_of(schema)
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, not {max_examples}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, not {timeout}")


def check_parser(
    parse: Callable[[Any], Any],
    schema: str = registry.DEFAULT_SCHEMA,
    *,
    mode: Mode = "strict",
    accepts: Accepts = "json",
    invariant: Callable[[Any, Any], object] | None = None,
    timeout: float | None = 5.0,
    max_examples: int = 100,
    clean: tuple[type[BaseException], ...] = DEFAULT_CLEAN,
    database: ExampleDatabase | _UseProfile | None = PROFILE_DATABASE,
    seed: int | None = None,
    realistic: bool = True,
    extra_properties: bool = False,
    max_findings: int = 5,
    shrink_time: float | None = 30.0,
) -> FuzzReport:
    """Fuzz the Python parser ``parse`` with conforming and non-conforming payloads.

    ``parse`` receives each payload decoded (``accepts="json"``, a fresh deep
    copy) or as UTF-8 JSON bytes (``accepts="bytes"``). ``mode`` is
    ``"strict"`` (non-conforming payloads must be rejected) or
    ``"tolerant"`` (they may be accepted). ``clean`` lists the exception types
    that count as a clean rejection. ``invariant(payload, value)`` is called
    on every value ``parse`` returns; False or an exception is a finding.
    ``timeout`` is per call, in seconds (None: call inline, no timeout).
    ``max_examples`` is per payload class. ``database`` defaults to the active
    Hypothesis profile's; entries are kept apart per parser, schema, mode and
    class. ``seed`` fixes the draws. ``realistic``/``extra_properties`` are
    passed to :mod:`contract.strategies`. At most ``max_findings`` distinct
    findings per class are shrunk (more are reported unshrunk), and
    ``shrink_time`` seconds per class after the first finding no new payload
    reaches the parser, which bounds the time shrinking takes.

    Returns a :class:`FuzzReport`; it never raises for findings (use
    :meth:`FuzzReport.raise_for_findings`).
    """
    _check_options(mode, accepts, schema, max_examples, timeout)
    name = _parser_name(parse)
    counts: dict[str, dict[str, int]] = {cls: dict.fromkeys(OUTCOMES, 0) for cls in CLASSES}
    caller = _TimedCall(parse, timeout)
    findings: list[Finding] = []
    notes: list[str] = ["calls: distinct payloads given to the parser, shrinking included"]
    hangs = 0

    def run(
        payload_class: PayloadClass, payload: Any, label: Mapping[str, str] | None
    ) -> Finding | None:
        nonlocal hangs
        if hangs >= MAX_HANGS:
            raise _OutOfTime  # ends the run: each further call could hang too
        arg = encode_payload(payload) if accepts == "bytes" else copy.deepcopy(payload)
        status, value = caller(arg)
        exception = exc_type = tb = ""
        outcome: Outcome
        if status == "hang":
            outcome, exception = "hang", f"no return within {timeout:g}s"
            hangs += 1
        elif status == "raised":
            outcome = "rejected" if isinstance(value, clean) else "crash"
            if outcome == "crash" or payload_class == "conforming":
                exception, exc_type, tb = _describe(value)
        else:
            outcome = "accepted"
        counts[payload_class][outcome] += 1
        finding = _judge(
            payload_class,
            outcome,
            mode,
            payload,
            label=label,
            exception=exception,
            exc_type=exc_type,
            tb=tb,
        )
        if finding is None and outcome == "accepted" and invariant is not None:
            finding = _check_invariant(invariant, payload_class, payload, label, value)
        return finding

    try:
        for payload_class in CLASSES:
            budget = _Budget(max_findings, shrink_time)

            def judge_one(
                drawn: Any, cls: PayloadClass = payload_class, b: _Budget = budget
            ) -> Finding | None:
                payload, label = _split(cls, drawn)
                return b.judged(cls, payload, lambda: run(cls, payload, label))

            namespace = f"contract.fuzz|{name}|{schema}|{mode}|{accepts}|{payload_class}"
            hyp = _hypothesis_settings(max_examples, database, namespace, seed)
            strategy = _strategy(
                schema, payload_class, realistic=realistic, extra_properties=extra_properties
            )
            findings += _hunt(strategy, judge_one, hyp, seed, budget)
            findings += budget.extra.values()
            if budget.extra:
                notes.append(
                    f"{payload_class}: {len(budget.extra)} more distinct finding(s) beyond "
                    f"max_findings={max_findings}, not shrunk"
                )
            if budget.ran_out:
                notes.append(
                    f"{payload_class}: shrinking stopped after shrink_time={shrink_time:g}s; "
                    "payloads are the smallest seen so far"
                )
    finally:
        caller.close()
    if hangs >= MAX_HANGS:
        notes.append(f"stopped giving new payloads to the parser after {MAX_HANGS} hangs")
    return FuzzReport(name, schema, mode, counts, tuple(findings), "calls", tuple(notes))


def _check_invariant(
    invariant: Callable[[Any, Any], object],
    payload_class: PayloadClass,
    payload: Any,
    label: Mapping[str, str] | None,
    value: Any,
) -> Finding | None:
    try:
        verdict = invariant(payload, value)
    except Exception as exc:
        text, exc_type, tb = _describe(exc)
        return Finding("invariant", payload_class, payload, label, text, tb, True, exc_type)
    if verdict is False:
        text = _short(f"invariant returned False for {value!r}", 500)
        return Finding("invariant", payload_class, payload, label, text, "", True, "False")
    return None


def fuzz_parser(
    schema: str = registry.DEFAULT_SCHEMA,
    *,
    mode: Mode = "strict",
    accepts: Accepts = "json",
    invariant: Callable[[Any, Any], object] | None = None,
    timeout: float | None = 5.0,
    max_examples: int = 100,
    clean: tuple[type[BaseException], ...] = DEFAULT_CLEAN,
    database: ExampleDatabase | _UseProfile | None = PROFILE_DATABASE,
    seed: int | None = None,
    max_findings: int = 5,
    shrink_time: float | None = 30.0,
) -> Callable[[Callable[[Any], Any]], Callable[[], None]]:
    """Turn a parse function into a pytest test that fails with every finding.

    ::

        @fuzz_parser(mode="strict")
        def test_sdk_model(payload):
            return FineTuningJob.model_validate(payload, strict=True)

    The decorated name is a test function taking no argument; the parse
    function stays reachable as its ``parse`` attribute. Options are those of
    :func:`check_parser`.
    """

    def decorate(parse: Callable[[Any], Any]) -> Callable[[], None]:
        def test() -> None:
            check_parser(
                parse,
                schema,
                mode=mode,
                accepts=accepts,
                invariant=invariant,
                timeout=timeout,
                max_examples=max_examples,
                clean=clean,
                database=database,
                seed=seed,
                max_findings=max_findings,
                shrink_time=shrink_time,
            ).raise_for_findings()

        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(test, attribute, getattr(parse, attribute, None))
        test.parse = parse  # type: ignore[attr-defined]
        return test

    return decorate


# --------------------------------------------------------------------------
# External parsers


def draw(schema: str, payload_class: PayloadClass, count: int, seed: int) -> list[Any]:
    """``count`` values drawn deterministically (by ``seed``) from a payload class's strategy.

    Non-conforming draws are :class:`contract.strategies.Mutant` objects.
    Fewer come back when the strategy has fewer distinct values.
    """
    drawn: list[Any] = []
    if count <= 0:
        return drawn

    def collect(value: Any) -> None:
        drawn.append(value)

    hyp = settings(
        max_examples=count,
        database=None,
        derandomize=False,
        deadline=None,
        phases=[Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    strategy = _strategy(schema, payload_class, realistic=True, extra_properties=False)
    hypothesis_seed(seed)(hyp(given(strategy)(collect)))()
    return drawn[:count]


def check_command(
    argv: Sequence[str],
    schema: str = registry.DEFAULT_SCHEMA,
    *,
    protocol: ProtocolName = "oneshot",
    mode: Mode = "strict",
    draws: int = 100,
    seed: int = 0,
    timeout: float = 5.0,
    shrink: bool = True,
    shrink_time: float = 30.0,
) -> FuzzReport:
    """Fuzz an external parser: the command ``argv`` speaking ``protocol``.

    Draws ``draws`` payloads deterministically from ``seed`` (half
    conforming, half non-conforming), runs each through the parser and
    tallies the verdicts. Then, unless ``shrink`` is False, each distinct
    finding is shrunk: a seeded Hypothesis run over the same generator with
    the parser in the loop, bounded by ``shrink_time`` seconds in total (after
    that no new payload is run; findings not reproduced in time keep their
    first payload, marked as not shrunk).

    Raises :class:`ExecError` when the command cannot be run, or when its first
    three payloads all crash or hang (the command does not speak the protocol).
    """
    _check_options(mode, "json", schema, draws, timeout)
    name = " ".join(argv)
    counts: dict[str, dict[str, int]] = {cls: dict.fromkeys(OUTCOMES, 0) for cls in CLASSES}
    first: dict[tuple[str, str, str], Finding] = {}
    sizes = {"conforming": (draws + 1) // 2, "nonconforming": draws // 2}
    parser = open_parser(argv, protocol, timeout)
    answered = 0
    failures: list[str] = []
    memo: dict[str, Finding | None] = {}
    notes: list[str] = [f"protocol {protocol}, seed {seed}, timeout {timeout:g}s"]
    try:
        drawn = {cls: draw(schema, cls, sizes[cls], seed) for cls in CLASSES}
        for cls in CLASSES:
            for value in drawn[cls]:
                payload, label = _split(cls, value)
                verdict = parser.check(encode_payload(payload))
                counts[cls][verdict.outcome] += 1
                if verdict.outcome in ("accepted", "rejected"):
                    answered += 1
                elif not answered:
                    failures.append(verdict.detail)
                    if len(failures) >= 3:
                        raise ExecError(
                            f"{name!r} gave no verdict for its first 3 payloads "
                            f"(protocol {protocol}): {failures[0]}"
                        )
                finding = _judge(
                    cls, verdict.outcome, mode, payload, label=label, exception=verdict.detail
                )
                memo[_canonical(cls, payload)] = finding
                if finding is not None:
                    first.setdefault(finding.key, replace(finding, shrunk=False))
        if shrink and first:
            shrunk, out_of_time = _shrink_external(
                parser, schema, mode, seed, sizes, first, memo, shrink_time
            )
            first.update(shrunk)
            if out_of_time:
                notes.append(f"shrinking stopped by the {shrink_time:g}s budget")
            left = sum(1 for f in first.values() if not f.shrunk)
            if left:
                notes.append(
                    f"{left} finding(s) not reproduced by the shrinking run: first payload kept"
                )
    finally:
        parser.close()
    return FuzzReport(name, schema, mode, counts, tuple(first.values()), "draws", tuple(notes))


def _shrink_external(
    parser: ExternalParser,
    schema: str,
    mode: Mode,
    seed: int,
    sizes: Mapping[str, int],
    wanted: Mapping[Key, Finding],
    known: dict[str, Finding | None],
    shrink_time: float,
) -> tuple[dict[Key, Finding], bool]:
    """Shrunk findings for the keys in ``wanted``, and whether the time budget ran out.

    One seeded run per key: it draws the same sequence as the drawing phase
    (so it meets the key's first payload again), then shrinks. Outcomes are
    shared through ``known``, so no payload is given to the parser twice.
    """
    result: dict[Key, Finding] = {}
    started = time.monotonic()
    ran_out = False
    for key in wanted:
        cls: PayloadClass = "conforming" if key[1] == "conforming" else "nonconforming"
        budget = _Budget(1, shrink_time)
        budget.memo, budget.only, budget.first_at = known, key, started

        def run(
            payload: Any, label: Mapping[str, str] | None, cls: PayloadClass = cls
        ) -> Finding | None:
            verdict = parser.check(encode_payload(payload))
            return _judge(
                cls, verdict.outcome, mode, payload, label=label, exception=verdict.detail
            )

        def judge_one(
            drawn: Any, cls: PayloadClass = cls, budget: _Budget = budget
        ) -> Finding | None:
            payload, label = _split(cls, drawn)
            return budget.judged(cls, payload, lambda: run(payload, label))

        hyp = _hypothesis_settings(
            max(1, sizes[cls]),
            None,
            "",
            seed,
            phases=[Phase.generate, Phase.shrink],
            all_health_checks_off=True,
        )
        strategy = _strategy(schema, cls, realistic=True, extra_properties=False)
        for finding in _hunt(strategy, judge_one, hyp, seed, budget):
            result[finding.key] = finding
        ran_out = ran_out or budget.ran_out
    return result, ran_out
