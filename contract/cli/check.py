"""``finetune-contract check``: validate recorded payloads and responses."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from contract._paths import example_recordings_dir
from contract.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS
from contract.cli._arguments import check_schema, schema_argument
from contract.recordings import READERS, RecordingError, expand, read
from contract.report import Result, as_json, as_text


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="validate recorded payloads against the contract",
        description=(
            "Validate recorded pause responses. Formats by suffix: "
            + ", ".join(sorted(READERS))
            + " (one payload per line for JSON Lines); any other suffix is read as one "
            "JSON payload. Directories are walked; '-' reads standard input. With no "
            "PATH, checks the example recordings shipped with the package."
        ),
        epilog="Exit status: 0 all conform, 1 any violation, 2 usage error or unreadable input.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file, directory or '-'")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    schema_argument(parser, "type raw payloads must conform to")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also list conforming payloads"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_schema(args.schema)
    paths = args.paths or [example_recordings_dir()]
    results: list[Result] = []
    errors: list[str] = []
    try:
        files = list(expand(paths))
    except RecordingError as exc:
        files, errors = [], [str(exc)]
    skipped = 0
    for file in files:
        try:
            for interaction in read(file, include_other=True):
                if not interaction.is_pause:
                    skipped += 1
                    continue
                schema = None if interaction.status is not None else args.schema
                results.append(Result(interaction.source, tuple(interaction.check(schema))))
        except RecordingError as exc:
            errors.append(str(exc))
    if files and not results and not errors:
        # Nothing checked is not a pass: the paths hold no pause interaction.
        errors.append(
            f"{', '.join(map(str, paths))}: no pause interactions found "
            f"({skipped} other interaction{'s' if skipped != 1 else ''} skipped)"
        )
    if args.format == "json":
        print(as_json(results, errors, skipped))
    elif results:
        print(as_text(results, verbose=args.verbose, skipped=skipped))
    for error in errors:
        print(f"finetune-contract check: error: {error}", file=sys.stderr)
    if errors:
        return EXIT_USAGE
    return EXIT_OK if all(r.valid for r in results) else EXIT_VIOLATIONS
