"""``finetune-contract check``: validate recorded payloads and responses."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contract import registry
from contract._paths import example_recordings_dir
from contract.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS
from contract.cli._arguments import check_schema
from contract.recordings import (
    SUFFIXES,
    NotARecording,
    RecordingError,
    expand,
    read,
)
from contract.redact import redact
from contract.report import Result, Summary, as_json, plural, text_lines

_PROG = "finetune-contract check"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="validate recorded responses and payloads against the contract",
        description=(
            "Validate recorded responses of the fine-tuning jobs operations (create, list, "
            "retrieve, cancel, resume, pause) and bare payloads. Recordings are recognised by "
            "their content: HAR, vcrpy / pytest-recording cassettes (YAML or JSON), Ruby VCR, "
            "Betamax, Schemathesis, go-vcr, .NET test-proxy session records, nock; JSON Lines "
            "(.jsonl, .ndjson) hold one payload per line; any of them may be gzip-compressed "
            "(.gz). Directories are walked for " + ", ".join(SUFFIXES) + " files; '-' reads "
            "standard input. With no PATH: standard input when data is piped in, otherwise the "
            "example recordings shipped with the package. Calls of other APIs are counted and "
            "skipped; an API error response (non-2xx in the API's error envelope) is counted, "
            "not failed, unless --fail-on-api-errors."
        ),
        epilog="Exit status: 0 all conform, 1 any violation, 2 usage error or unreadable input.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file, directory or '-'")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "--schema",
        default=None,
        metavar="NAME",
        help="type every bare payload must conform to (default: by its shape: a page of jobs "
        '("object": "list") is checked as a page, the API\'s error envelope is reported '
        "as one, anything else is a FineTuningJob); one of: " + ", ".join(registry.schema_names()),
    )
    parser.add_argument(
        "--fail-on-api-errors",
        action="store_true",
        help="count every API error response (undocumented status) as a failure",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also list conforming payloads and API errors"
    )
    parser.set_defaults(run=run)


def _stdin_has_data() -> bool:
    """Whether data is piped or redirected in (not a terminal, not /dev/null)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or (stat.S_ISREG(mode) and os.fstat(0).st_size > 0)


def _files(paths: list[str | Path], errors: list[str]) -> Iterator[tuple[Path | str, bool]]:
    """Every recording file behind ``paths``, and whether it was named (not walked to)."""
    for path in paths:
        try:
            found = list(expand([path]))
        except RecordingError as exc:
            errors.append(str(exc))
            continue
        named = str(path) == "-" or not Path(path).is_dir()
        for file in found:
            yield file, named


def _label(file: Path | str, bundled: bool) -> str:
    if bundled and isinstance(file, Path):
        return f"bundled example {file.relative_to(example_recordings_dir())}"
    return str(file)


def run(args: argparse.Namespace) -> int:
    schema: str | None = args.schema
    if schema is not None:
        check_schema(schema)
    paths: list[str | Path] = list(args.paths)
    bundled = False
    if not paths:
        if _stdin_has_data():
            print(f"{_PROG}: reading standard input (no PATH given)", file=sys.stderr)
            paths = ["-"]
        else:
            print(
                f"{_PROG}: checking the example recordings bundled with the package "
                "(no PATH given)",
                file=sys.stderr,
            )
            paths, bundled = [example_recordings_dir()], True
    results: list[Result] = []
    errors: list[str] = []
    notes: list[str] = []
    skipped = 0
    for file, named in _files(paths, errors):
        label = _label(file, bundled)
        checked_here = skipped_here = 0
        try:
            for interaction in read(file, include_other=True, label=label):
                if not interaction.to_check:
                    skipped_here += 1
                    continue
                checked_here += 1
                result = Result.of(interaction, schema, args.fail_on_api_errors)
                results.append(result)
                if args.format == "text":
                    for line in text_lines(result, args.verbose):
                        print(line)
        except NotARecording as exc:
            if named:
                errors.append(str(exc))
            else:
                notes.append(f"skipped {exc}")
        except RecordingError as exc:
            errors.append(str(exc))
        skipped += skipped_here
        if checked_here == 0 and skipped_here:
            notes.append(
                f"{label}: no fine-tuning jobs call to check "
                f"({plural(skipped_here, 'other recorded interaction')} skipped)"
            )
    if not results and not errors:
        # Nothing checked is not a pass.
        errors.append(
            f"{', '.join(map(str, paths))}: no fine-tuning jobs responses or payloads found "
            f"({plural(skipped, 'other interaction')} skipped)"
        )
    if args.format == "json":
        print(as_json(results, errors, skipped))
    else:
        print(Summary.of(results, skipped).line())
    for note in notes:
        print(f"{_PROG}: note: {redact(note)}", file=sys.stderr)
    for error in errors:
        print(f"{_PROG}: error: {redact(error)}", file=sys.stderr)
    if errors:
        return EXIT_USAGE
    return EXIT_VIOLATIONS if any(r.failed for r in results) else EXIT_OK
