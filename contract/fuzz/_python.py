"""Fuzzing a Python parser: :func:`check_parser` and the :func:`fuzz_parser` decorator."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import queue
import random
import site
import sysconfig
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from hypothesis import settings
from hypothesis.database import ExampleDatabase

from contract import schema as registry
from contract.fuzz._findings import (
    ACCEPTS,
    CLASSES,
    MODES,
    Accepts,
    Finding,
    FuzzReport,
    Mode,
    Outcome,
    PayloadClass,
    encode_payload,
    judge,
)
from contract.fuzz._hunt import Label, Plan, StopHunt, hunt
from contract.profiles import ProfileLike, configured
from contract.redact import redact
from contract.violations import ContractViolation

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


#: Frames of library code shown after the user's (the innermost ones).
LIBRARY_FRAMES = 8


@lru_cache(maxsize=1)
def _library_roots() -> tuple[str, ...]:
    """Folders of code that is not the user's: the standard library, installed packages, us."""
    paths = sysconfig.get_paths()
    roots = {paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]}
    roots.update(site.getsitepackages())
    roots.add(str(Path(__file__).resolve().parents[1]))  # the contract package
    return tuple(sorted(str(Path(r).resolve()) + os.sep for r in roots if r))


def _is_library(filename: str) -> bool:
    try:
        where = str(Path(filename).resolve())
    except (OSError, ValueError):
        return True
    return where.startswith(_library_roots()) or filename.startswith("<")


def describe(exc: BaseException) -> tuple[str, str, str]:
    """(``Type: message``, the bug's name, traceback), credentials masked.

    The traceback shows the user's frames first (where their code raised, or called
    the library that did), then the innermost library frames. The bug's name is the
    exception's type and the innermost user frame (``KeyError at app/parse.py:12``):
    one finding per bug, whatever payload showed it.
    """
    name = type(exc).__qualname__
    text = redact(f"{name}: {exc}" if str(exc) else name)
    frames = traceback.extract_tb(exc.__traceback__)
    users = [i for i, f in enumerate(frames) if not _is_library(f.filename)]
    mine = traceback.StackSummary.from_list([frames[i] for i in users])
    # The library code the user's code called (inside its last frame); what called the
    # user's code (our runner) says nothing about the bug.
    inner = frames[users[-1] + 1 :] if users else frames
    library = inner[-LIBRARY_FRAMES:]
    parts = []
    if mine:
        parts += ["Your code (innermost last):\n", *mine.format()]
    if library:
        parts += ["Library frames (innermost last):\n"]
        parts += traceback.StackSummary.from_list(library).format()
    parts.append(text + "\n")
    where = f" at {mine[-1].filename}:{mine[-1].lineno}" if mine else ""
    return text, name + where, redact("".join(parts))


def _parser_name(parse: Callable[..., Any]) -> str:
    module = getattr(parse, "__module__", None) or ""
    name = getattr(parse, "__qualname__", None) or type(parse).__qualname__
    return f"{module}.{name}" if module else name


def check_options(
    mode: str, accepts: str, schema: str, max_examples: int, timeout: float | None
) -> None:
    """Raise ``ValueError`` for an option out of range."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if accepts not in ACCEPTS:
        raise ValueError(f"accepts must be one of {', '.join(ACCEPTS)}, not {accepts!r}")
    registry.uri_of(schema)
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, not {max_examples}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, not {timeout}")


class _Saved:
    """Findings kept in an example database, replayed first by the next unseeded run."""

    def __init__(self, database: ExampleDatabase | None, namespace: str) -> None:
        self.database = database
        self.key = b"contract.fuzz." + hashlib.sha256(namespace.encode()).hexdigest()[:24].encode()

    def load(self) -> list[tuple[PayloadClass, Any, Label]]:
        if self.database is None:
            return []
        found: list[tuple[PayloadClass, Any, Label]] = []
        for raw in self.database.fetch(self.key):
            try:
                entry = json.loads(raw)
                cls = entry["class"]
                if cls in CLASSES:
                    found.append((cls, entry["payload"], entry.get("label")))
            except (ValueError, KeyError, TypeError):
                self.database.delete(self.key, raw)
        return found

    def store(self, findings: Iterable[Finding]) -> None:
        """Keep exactly these findings (those that no longer show are dropped)."""
        if self.database is None:
            return
        for raw in list(self.database.fetch(self.key)):
            self.database.delete(self.key, raw)
        for finding in findings:
            entry = {"class": finding.payload_class, "payload": finding.payload}
            entry["label"] = dict(finding.label) if finding.label else None
            self.database.save(self.key, json.dumps(entry, sort_keys=True).encode())


def _database(database: ExampleDatabase | _UseProfile | None) -> ExampleDatabase | None:
    if isinstance(database, _UseProfile):
        return settings.default.database if settings.default is not None else None
    return database


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
    profile: ProfileLike = None,
) -> FuzzReport:
    """Fuzz the Python parser ``parse`` with conforming and non-conforming payloads.

    ``max_examples`` payloads of each class are drawn by :mod:`contract.generate.sampler`
    from ``seed`` (None: a fresh seed, given in the report). ``parse`` receives
    each decoded (``accepts="json"``, a fresh deep copy) or as UTF-8 JSON bytes
    (``accepts="bytes"``). ``mode`` is ``"strict"`` (non-conforming payloads
    must be rejected) or ``"tolerant"`` (they may be accepted). ``clean`` lists
    the exception types that count as a clean rejection; any other exception is a
    crash. ``invariant(payload, value)`` is called on every value ``parse``
    returns; False or an exception is a finding. ``timeout`` is per call, in
    seconds (None: call inline, no timeout). ``realistic``/``extra_properties``
    are the sampler's. Distinct findings (at most ``max_findings``; more are
    reported as drawn) are then shrunk with the parser in the loop, within
    ``shrink_time`` seconds in all (None: no time limit; 0: not shrunk). Unless ``seed`` is
    given, the findings are saved in ``database`` (default: the active
    Hypothesis profile's; entries kept apart per parser, schema, mode and input
    form) and replayed first by the next run. ``profile`` says what conforms
    (default: the run's settings, :func:`contract.profiles.settings`), so a
    parser meets the deviations the profile accepts (``"paused"``, ``error: {}``).

    Returns a :class:`FuzzReport`; it never raises for findings (use
    :meth:`FuzzReport.raise_for_findings`).
    """
    check_options(mode, accepts, schema, max_examples, timeout)
    chosen, _ = configured(profile, "off")
    name = _parser_name(parse)
    caller = _TimedCall(parse, timeout)
    hangs = 0

    def run(cls: PayloadClass, payload: Any, label: Label) -> tuple[Outcome, Finding | None]:
        nonlocal hangs
        if hangs >= MAX_HANGS:
            raise StopHunt  # each further call could hang too
        arg = encode_payload(payload) if accepts == "bytes" else copy.deepcopy(payload)
        status, value = caller(arg)
        exception = exc_type = tb = ""
        outcome: Outcome
        if status == "hang":
            outcome, exception = "hang", f"no return within {timeout:g}s"
            hangs += 1
        elif status == "raised":
            outcome = "rejected" if isinstance(value, clean) else "crash"
            if outcome == "crash" or cls == "conforming":
                exception, exc_type, tb = describe(value)
        else:
            outcome = "accepted"
        finding = judge(
            cls, outcome, mode, payload, label=label, exception=exception, exc_type=exc_type, tb=tb
        )
        if finding is None and outcome == "accepted" and invariant is not None:
            finding = _check_invariant(invariant, cls, payload, label, value)
        return outcome, finding

    seeded = seed is not None
    drawn_seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    saved = _Saved(
        None if seeded else _database(database),
        f"{name}|{schema}|{mode}|{accepts}" + ("" if not chosen.amendments else f"|{chosen.name}"),
    )
    replay = saved.load()
    plan = Plan(
        schema,
        dict.fromkeys(CLASSES, max_examples),
        drawn_seed,
        realistic=realistic,
        extra_properties=extra_properties,
        max_findings=max_findings,
        shrink=shrink_time is None or shrink_time > 0,
        shrink_time=math.inf if shrink_time is None else shrink_time,
        replay=replay,
        profile=chosen,
    )
    try:
        result = hunt(run, plan)
    finally:
        caller.close()
    saved.store(result.findings)
    notes = [
        f"seed {drawn_seed}" + (f", {len(replay)} saved finding(s) replayed" if replay else "")
    ]
    if chosen.amendments:
        notes.append(f"profile {chosen.name}")
    if result.shrink_calls:
        notes.append(f"{result.shrink_calls} more calls while shrinking")
    notes += result.notes
    if hangs >= MAX_HANGS:
        notes.append(f"stopped giving new payloads to the parser after {MAX_HANGS} hangs")
    counts = result.counts
    return FuzzReport(
        name, schema, mode, counts, tuple(result.findings), notes=tuple(notes), seed=drawn_seed
    )


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
        text, exc_type, tb = describe(exc)
        return Finding("invariant", payload_class, payload, label, text, tb, True, exc_type)
    if verdict is False:
        text = redact(f"invariant returned False for {value!r}")[:500]
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
    profile: ProfileLike = None,
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
                profile=profile,
            ).raise_for_findings()

        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(test, attribute, getattr(parse, attribute, None))
        test.parse = parse  # type: ignore[attr-defined]
        return test

    return decorate
