"""``finetune-contract diff``: the published OpenAPI document against our contract."""

from __future__ import annotations

import argparse
import json
from typing import Any

from contract.cli import UsageError


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="compare a published OpenAPI document with the contract",
        description=(
            "Compare every schema reachable from the jobs operations of an OpenAPI document "
            "(YAML or JSON, OpenAPI 3.0 or 3.1) with the contract, one line per difference; "
            "places that differ only by one of the contract's documented fixes are shown as "
            "such. Also checks the document's own example responses against its own schemas."
        ),
        epilog=(
            "Exit status: 0 nothing but documented fixes differs (non-conforming examples "
            "are listed, not counted), 1 differences, 2 unreadable or unusable document."
        ),
    )
    parser.add_argument("document", metavar="OPENAPI_DOCUMENT", help="the OpenAPI document")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also check the examples of components outside the jobs family (by default only "
        "the components the jobs operations reach are checked; the others are counted)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from contract._diff.openapi_doc import OpenAPIError, load
    from contract._diff.upstream_diff import compare
    from contract.redact import for_terminal, redact_value

    try:
        report = compare(load(args.document), everything=bool(args.all))
    except OpenAPIError as exc:
        raise UsageError(for_terminal(str(exc))) from None
    # The document's values (enums, examples) are printed: credentials masked.
    if args.format == "json":
        print(json.dumps(redact_value(report.as_dict()), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            print(for_terminal(line))
    return report.exit_status


__all__ = ["register", "run"]
