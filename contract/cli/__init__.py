"""``finetune-contract``: the toolkit's command line, a thin shell over the library.

Each subcommand lives in a module of this package that defines ``register``
(adds its parser), listed in :data:`COMMANDS` with its one-line help. Only
the chosen subcommand's module is imported (``check`` never loads Hypothesis);
``--help`` lists them all from the table. A module missing from the table is
still found, and imported on every run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from contract import __version__

#: Exit statuses shared by every subcommand.
EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: Set to see the traceback of an internal error (it may show input, credentials included).
DEBUG_VARIABLE = "FINETUNE_CONTRACT_DEBUG"


class UsageError(Exception):
    """Bad arguments or unreadable input: printed as one line, exit status 2."""


#: Subcommand -> (its module in this package, its one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "validate recorded responses and payloads against the contract"),
    "coverage": ("coverage", "table of constraints with passing and failing cases"),
    "diff": ("diff", "compare a published OpenAPI document with the contract"),
    "explain": ("explain", "say what a rule code (FC106...) means, why, and how to accept it"),
    "fuzz": ("fuzz", "fuzz an external parser with conforming and non-conforming payloads"),
    "generate": ("generate", "write conforming or non-conforming payloads (JSON Lines)"),
    "serve": ("serve", "serve a stateful fake of the fine-tuning jobs API on a loopback port"),
    "proxy": (
        "proxy",
        "forward calls to the API and check the fine-tuning jobs calls as they pass",
    ),
}


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: its first argument that is not an option."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser; with ``argv``, only the subcommand it names is fully built."""
    parser = argparse.ArgumentParser(
        prog="finetune-contract",
        description=(
            "Contract tests for POST /fine_tuning/jobs/{fine_tuning_job_id}/pause: "
            "check recorded responses against the JSON Schema contract, generate "
            "conforming and non-conforming payloads, fuzz parsers."
        ),
        epilog=(
            "Exit status: 0 all conform, 1 violations or findings, "
            "2 usage error or unreadable input, 3 internal error (a bug; one line on stderr)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    commands.required = True
    chosen = None if argv is None else _chosen(argv)
    for name, (module, help_text) in COMMANDS.items():
        if argv is None or name == chosen:
            importlib.import_module(f"{__name__}.{module}").register(commands)
        else:
            commands.add_parser(name, help=help_text)
    listed = {module for module, _ in COMMANDS.values()}
    for found in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not found.name.startswith("_") and found.name not in listed:
            importlib.import_module(f"{__name__}.{found.name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        status: int = args.run(args)
    except UsageError as exc:
        from contract.redact import for_terminal  # only on this path: start-up stays lean

        print(f"{parser.prog} {args.subcommand}: error: {for_terminal(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug of ours: one line, never a traceback showing input
        if os.environ.get(DEBUG_VARIABLE):
            raise
        from contract.redact import for_terminal

        what = for_terminal(f"{type(exc).__name__}: {exc}")[:500]
        print(
            f"{parser.prog} {args.subcommand}: internal error: {what} (a bug in "
            f"finetune-contract; {DEBUG_VARIABLE}=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return status


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
