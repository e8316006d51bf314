"""``finetune-contract``: the toolkit's command line, a thin shell over the library.

Each subcommand lives in a module of this package that defines ``register``
(adds its parser) and is found automatically.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from contract import __version__

#: Exit statuses shared by every subcommand.
EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or unreadable input: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finetune-contract",
        description=(
            "Contract tests for POST /fine_tuning/jobs/{fine_tuning_job_id}/pause: "
            "check recorded responses against the JSON Schema contract, generate "
            "conforming and non-conforming payloads, fuzz parsers."
        ),
        epilog=(
            "Exit status: 0 all conform, 1 violations or findings, "
            "2 usage error or unreadable input."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    commands.required = True
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except UsageError as exc:
        print(f"{parser.prog} {args.subcommand}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return status


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
