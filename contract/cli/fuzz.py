"""``finetune-contract fuzz``: fuzz a parser written in any language, run as a command."""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from contract.cli import EXIT_OK, EXIT_VIOLATIONS, UsageError
from contract.cli._arguments import check_schema, positive_int, positive_seconds, schema_argument
from contract.cli._profile import chosen_profile, profile_arguments
from contract.fuzz import ExecError, FuzzReport, check_command, encode_payload
from contract.redact import for_terminal, redact_value

_PROTOCOL_HELP = (
    "oneshot: one process per payload; the payload is written to standard input, "
    "exit status 0 = accepted, other = rejected, killed by a signal or past the "
    "timeout = crash. jsonl: one persistent process; one payload per line in, one "
    'verdict line out: {"ok": true} or {"ok": false, "error": "..."}.'
)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "fuzz",
        help="fuzz an external parser with conforming and non-conforming payloads",
        description=(
            "Run a parser command (any language) on payloads drawn from the contract: "
            "conforming ones must be accepted; in strict mode non-conforming ones must be "
            "rejected; in both modes it must not crash or hang. Findings are shrunk with the "
            "parser in the loop and written to --out. Credentials in the command line, in "
            "secret-looking environment variables and in what the parser prints are masked "
            "in every report and file. " + _PROTOCOL_HELP
        ),
        epilog=(
            "A progress bar is shown on standard error when it is a terminal. "
            "Exit status: 0 no finding, 1 findings, 2 usage error or unusable command."
        ),
    )
    parser.add_argument(
        "--exec",
        dest="command",
        required=True,
        metavar="CMD",
        help="the parser command line, split like a POSIX shell does (no shell is run)",
    )
    parser.add_argument(
        "--protocol", choices=("oneshot", "jsonl"), default="oneshot", help="default: oneshot"
    )
    parser.add_argument(
        "--mode",
        choices=("strict", "tolerant"),
        default="strict",
        help="strict: non-conforming payloads must be rejected; tolerant: they may be "
        "accepted (default: strict)",
    )
    parser.add_argument(
        "-n",
        dest="draws",
        type=positive_int,
        default=100,
        metavar="N",
        help="payloads to draw, half conforming, half non-conforming (default: 100)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the draws (default: random, printed)"
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=5.0,
        metavar="SECONDS",
        help="per payload (default: 5)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write each finding (label, minimal payload) to this directory",
    )
    schema_argument(parser, "type of the payloads")
    parser.add_argument(
        "--shrink-time",
        type=positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="time budget for shrinking all findings (default: 30)",
    )
    parser.add_argument("--no-shrink", action="store_true", help="report findings as drawn")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    profile_arguments(parser, strict=False)
    parser.set_defaults(run=run)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "root"


def write_findings(report: FuzzReport, out: Path, seed: int) -> list[Path]:
    """One ``NN-kind-rule.json`` (finding with payload) and ``.payload.json`` per finding.

    The record's ``command`` is the report's parser name (credentials masked), and
    every string but the payload is redacted.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror or exc}") from None
    written: list[Path] = []
    for number, finding in enumerate(report.findings, 1):
        rule = ""
        if finding.label:
            rule = f"-{finding.label.get('keyword', '')}-{finding.label.get('path', '')}"
        stem = f"{number:02d}-{finding.kind}{_slug(rule) and '-' + _slug(rule)}"
        described = redact_value({k: v for k, v in finding.as_dict().items() if k != "payload"})
        record = {
            **described,
            "payload": finding.payload,
            "command": report.parser,
            "seed": seed,
            "schema": report.schema,
            "mode": report.mode,
        }
        target = out / f"{stem}.json"
        raw = out / f"{stem}.payload.json"
        try:
            target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
            raw.write_bytes(encode_payload(finding.payload) + b"\n")
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
        written += [target, raw]
    return written


def run(args: argparse.Namespace) -> int:
    check_schema(args.schema)
    try:
        argv = shlex.split(args.command)
    except ValueError as exc:
        raise UsageError(f"--exec: {exc}") from None
    if not argv:
        raise UsageError("--exec: empty command")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    profile, _ = chosen_profile(args)
    try:
        report = check_command(
            argv,
            args.schema,
            protocol=args.protocol,
            mode=args.mode,
            draws=args.draws,
            seed=seed,
            timeout=args.timeout,
            shrink=not args.no_shrink,
            shrink_time=args.shrink_time,
            progress=_stderr_is_terminal(),
            profile=profile,
        )
    except ExecError as exc:
        raise UsageError(str(exc)) from None
    written: list[Path] = []
    if args.out is not None and report.findings:
        written = write_findings(report, args.out, seed)
    if args.format == "json":
        document = {**report.as_dict(), "written": [str(p) for p in written]}
        described = redact_value({k: v for k, v in document.items() if k != "findings"})
        findings = [
            {
                **redact_value({k: v for k, v in f.items() if k != "payload"}),
                "payload": f["payload"],
            }
            for f in document["findings"]
        ]
        print(json.dumps({**described, "findings": findings}, indent=2, ensure_ascii=False))
    else:
        print(report)
        if written:
            print(for_terminal(f"wrote {len(written)} files to {args.out}"))
        if report.findings and args.seed is None:
            print(f"replay with --seed {seed}")
    sys.stdout.flush()
    return EXIT_VIOLATIONS if report.findings else EXIT_OK


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
