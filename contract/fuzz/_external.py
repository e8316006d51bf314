"""Fuzzing a parser in any language, run as a command: :func:`check_command`."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, pairwise
from typing import Any

from contract import schema as registry
from contract._core.progress import progress as progress_bar
from contract.fuzz._exec import ExecError, ProtocolName, environment_secrets, open_parser
from contract.fuzz._findings import (
    Finding,
    FuzzReport,
    Mode,
    Outcome,
    PayloadClass,
    encode_payload,
    judge,
)
from contract.fuzz._hunt import Label, Plan, draws, hunt
from contract.fuzz._python import check_options
from contract.profiles import ProfileLike, configured
from contract.redact import SECRET_FIELDS, SECRET_HEADERS, SECRET_PARAMETERS, redact

#: A command that gives no verdict for its first this many payloads cannot be fuzzed.
FIRST_FAILURES = 3


def draw(schema: str, payload_class: PayloadClass, count: int, seed: int) -> list[Any]:
    """The first ``count`` payloads a run with ``seed`` draws for a class, as it draws them.

    Conforming ones are payloads; non-conforming ones are
    :class:`contract.generate.strategies.Mutant` objects. :func:`check_command` (and
    ``finetune-contract fuzz --seed``) gives the parser these, so a run can be
    replayed without the parser.
    """
    from contract.generate.mutant import Mutant

    pairs = islice(draws(schema, seed)[payload_class], max(0, count))
    if payload_class == "conforming":
        return [payload for payload, _ in pairs]
    out: list[Any] = []
    for payload, label in pairs:
        assert label is not None
        out.append(Mutant(payload, label["path"], label["keyword"], label["description"]))
    return out


def _name(option: str) -> str:
    return option.lower().replace("_", "-")


#: Options whose next argument is a credential (``--api-key VALUE``), ``-``/``_`` alike.
_SECRET_OPTIONS = frozenset(map(_name, SECRET_FIELDS | SECRET_HEADERS | SECRET_PARAMETERS))


def _given_secrets(argv: Sequence[str]) -> tuple[str, ...]:
    """The arguments after options named like a credential (``--api-key VALUE``)."""
    return tuple(
        value
        for option, value in pairwise(argv)
        if option.startswith("-") and _name(option.lstrip("-")) in _SECRET_OPTIONS
    )


def command_line(argv: Sequence[str]) -> str:
    """The command as one line, credentials masked: those that look like one, the values
    of secret-looking environment variables, and the argument after an option named like
    a credential (``--api-key VALUE``)."""
    return redact(" ".join(argv), (*environment_secrets(), *_given_secrets(argv)))


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
    progress: bool = False,
    profile: ProfileLike = None,
) -> FuzzReport:
    """Fuzz an external parser: the command ``argv`` speaking ``protocol``.

    Draws ``draws`` payloads from ``seed`` with :mod:`contract.generate.sampler` (half
    conforming, then half non-conforming) and runs each through the parser.
    Then, unless ``shrink`` is False, each distinct finding is shrunk with the
    parser in the loop, within ``shrink_time`` seconds in total (findings not
    reached in time keep the payload first drawn, marked as not shrunk).
    ``progress`` shows a progress bar on standard error. ``profile`` says what
    conforms (default: the run's settings, :func:`contract.profiles.settings`). The report's parser
    name, exceptions and notes have credentials masked: those that look like
    one, and the values of secret-looking environment variables.

    Raises :class:`ExecError` when the command cannot be run, or when its first
    three payloads all crash or hang (the command does not speak the protocol).
    """
    check_options(mode, "json", schema, draws, timeout)
    chosen, _ = configured(profile, "off")
    name, given = command_line(argv), _given_secrets(argv)
    sizes = {"conforming": (draws + 1) // 2, "nonconforming": draws // 2}
    parser = open_parser(argv, protocol, timeout)
    failures: list[str] = []
    answered = 0

    def run(cls: PayloadClass, payload: Any, label: Label) -> tuple[Outcome, Finding | None]:
        nonlocal answered
        verdict = parser.check(encode_payload(payload))
        detail = redact(verdict.detail, given) if given else verdict.detail  # an echoed option
        if verdict.outcome in ("accepted", "rejected"):
            answered += 1
        elif not answered:
            failures.append(detail)
            if len(failures) >= FIRST_FAILURES:
                raise ExecError(
                    f"{name!r} gave no verdict for its first {FIRST_FAILURES} payloads "
                    f"(protocol {protocol}): {failures[0]}"
                )
        output = redact(verdict.output, given) if given else verdict.output
        finding = judge(
            cls, verdict.outcome, mode, payload, label=label, exception=detail, tb=output
        )
        return verdict.outcome, finding

    try:
        with progress_bar(draws, "payloads", enabled=progress) as advance:
            plan = Plan(
                schema,
                sizes,
                seed,
                shrink=shrink,
                shrink_time=shrink_time,
                on_draw=lambda: advance(1),
                profile=chosen,
            )
            result = hunt(run, plan)
    finally:
        parser.close()
    notes = [f"protocol {protocol}, seed {seed}, timeout {timeout:g}s"]
    if chosen.amendments:
        notes.append(f"profile {chosen.name}")
    if result.shrink_calls:
        notes.append(f"{result.shrink_calls} more payloads while shrinking")
    notes += result.notes
    return FuzzReport(
        name, schema, mode, result.counts, tuple(result.findings), notes=tuple(notes), seed=seed
    )


__all__ = ["ExecError", "check_command", "command_line", "draw"]
