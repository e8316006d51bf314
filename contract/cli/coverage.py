"""``finetune-contract coverage``: which constraints have a passing and a failing case."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from contract.cli import EXIT_OK, EXIT_VIOLATIONS, UsageError
from contract.cli._arguments import check_schema, schema_argument
from contract.cli.generate import refuse_existing

_EPILOG = """\
Every constraint reachable from the type (one row per schema location and
keyword) gets boundary values that pass and minimal payloads that fail; the
table says how many of each exist. --corpus writes the cases as JSON Lines, one
object per line: {"location", "keyword", "valid", "path", "description",
"payload"}; "path" is the JSON Pointer of the value the case is about (of the
violation, for failing cases). The corpus is deterministic.

Exit status: 0 every constraint has both, 1 some constraint lacks one, 2 usage error."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "coverage",
        help="table of constraints with passing and failing cases",
        description="Walk every constraint of a type and report its coverage corpus.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema_argument(parser, "type whose constraints are listed")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "--corpus", metavar="FILE.jsonl", default=None, help="also write the labelled cases"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing --corpus file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from contract.generate.constraints import corpus, coverage

    check_schema(args.schema)
    rows = coverage(args.schema)
    covered = sum(row.covered for row in rows)
    if args.corpus is not None:
        target = Path(args.corpus)
        refuse_existing([target], args.force)
        try:
            with target.open("w", encoding="utf-8") as handle:
                for case in corpus(args.schema):
                    handle.write(json.dumps(case.as_dict(), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    if args.format == "json":
        report = {
            "schema": args.schema,
            "constraints": len(rows),
            "covered": covered,
            "rows": [
                {
                    "location": r.location,
                    "keyword": r.keyword,
                    "passing": r.passing,
                    "failing": r.failing,
                }
                for r in rows
            ],
        }
        print(json.dumps(report, indent=2))
    else:
        width = max((len(r.location) for r in rows), default=8)
        print(f"{'LOCATION':<{width}}  {'KEYWORD':<16}  PASS  FAIL")
        for r in rows:
            mark = "" if r.covered else "  <- missing"
            print(f"{r.location:<{width}}  {r.keyword:<16}  {r.passing:>4}  {r.failing:>4}{mark}")
        share = 100.0 * covered / len(rows) if rows else 100.0
        print(
            f"{args.schema}: {len(rows)} constraints, {covered} with passing and failing "
            f"cases ({share:.1f} %)"
        )
    return EXIT_OK if covered == len(rows) else EXIT_VIOLATIONS
