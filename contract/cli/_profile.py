"""The options every checking subcommand shares: profile, amendments, configuration, strict."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from contract._core.options import ORDER, PROFILE_OPTIONS, STRICT_HELP
from contract.cli import UsageError

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.schema.amendments import Profile


def profile_arguments(parser: argparse.ArgumentParser, *, strict: bool = True) -> None:
    """Add ``--profile``, ``--amend``, ``--no-amend``, ``--config`` (and ``--strict``)."""
    group = parser.add_argument_group(
        "profiles and amendments",
        "Which known deviations of the API from the published document to accept. " + ORDER,
    )
    for option in PROFILE_OPTIONS:
        if option.repeatable:
            group.add_argument(
                f"--{option.name}",
                metavar=option.metavar,
                action="append",
                default=[],
                help=option.help,
            )
        else:
            group.add_argument(
                f"--{option.name}", metavar=option.metavar, default=None, help=option.help
            )
    if not strict:
        return
    group.add_argument(
        "--strict", action="store_const", const="warn", default=None, help=STRICT_HELP["warn"]
    )
    group.add_argument(
        "--strict=fail",
        action="store_const",
        const="fail",
        dest="strict",
        help=STRICT_HELP["fail"],
    )


def chosen_profile(args: argparse.Namespace) -> tuple[Profile, Strict]:
    """The profile and strict mode the options ask for; :class:`UsageError` when they cannot."""
    from contract.profiles import for_run
    from contract.schema.amendments import AmendmentError

    try:
        return for_run(
            args.profile,
            amend=args.amend,
            no_amend=args.no_amend,
            config_file=args.config,
            strict=getattr(args, "strict", None),
        )
    except AmendmentError as exc:
        raise UsageError(str(exc)) from None
