"""Argument types and options shared by the subcommands."""

from __future__ import annotations

import argparse
import math

from contract import schema as registry
from contract.cli import UsageError


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def schema_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--schema NAME``; ``what`` says what the type is for in the help."""
    parser.add_argument(
        "--schema",
        default=registry.DEFAULT_SCHEMA,
        metavar="NAME",
        help=f"{what} (default: {registry.DEFAULT_SCHEMA}); one of: "
        + ", ".join(registry.schema_names()),
    )


def check_schema(name: str) -> None:
    """Raise :class:`UsageError` (listing the known names) for an unknown type."""
    try:
        registry.uri_of(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
