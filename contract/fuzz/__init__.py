"""Fuzzing client parsers against the contract, with a verdict per payload.

A *parser* is the user's code that consumes a pause response. It must accept
everything the contract allows and must not misbehave on what it forbids::

    from contract.fuzz import check_parser
    from openai.types.fine_tuning import FineTuningJob

    report = check_parser(lambda p: FineTuningJob.model_validate(p, strict=True))
    print(report)                 # summary table and every finding
    report.raise_for_findings()   # AssertionError listing the findings, if any

Verdicts, per payload class:

* conforming payload (``contract.generate.sampler.conforming``): ``parse`` must
  return; a clean rejection (one of the *clean* exception types, or a
  non-zero exit status) is a ``rejected-conforming`` finding;
* non-conforming payload (``contract.generate.sampler.nonconforming`` with
  ``context="full"``, one broken rule each): in ``strict`` mode ``parse``
  must reject it cleanly (accepting is an ``accepted-nonconforming`` finding,
  reported with the mutant's label); in ``tolerant`` mode it may also accept;
* in both modes and both classes: any other exception (or death by a signal)
  is a ``crash``, no answer within ``timeout`` seconds is a ``hang``, and a
  returned value for which ``invariant(payload, value)`` returns False or
  raises is an ``invariant`` finding. A finding's kind is always the column
  the table counts it in.

Payloads are drawn by the direct sampler from a seed, fast; each distinct
finding (kind, class, and the exception type or the mutant's keyword) is then
shrunk with the parser in the loop by a shrinker over the same schema tree
(:mod:`contract.fuzz._shrink`). External parsers (any language) are checked by
:func:`check_command`, through one of the protocols of
:mod:`contract.fuzz._exec`. Everything a report shows that a parser or a
command line controls passes through :func:`contract.redact.redact`.
"""

from __future__ import annotations

from contract.fuzz._exec import ExecError
from contract.fuzz._external import check_command, command_line, draw
from contract.fuzz._findings import (
    Accepts,
    Finding,
    FindingKind,
    FuzzReport,
    Mode,
    ParserFindings,
    PayloadClass,
    encode_payload,
)
from contract.fuzz._python import (
    DEFAULT_CLEAN,
    MAX_HANGS,
    PROFILE_DATABASE,
    check_parser,
    fuzz_parser,
)

__all__ = [
    "DEFAULT_CLEAN",
    "MAX_HANGS",
    "PROFILE_DATABASE",
    "Accepts",
    "ExecError",
    "Finding",
    "FindingKind",
    "FuzzReport",
    "Mode",
    "ParserFindings",
    "PayloadClass",
    "check_command",
    "check_parser",
    "command_line",
    "draw",
    "encode_payload",
    "fuzz_parser",
]
