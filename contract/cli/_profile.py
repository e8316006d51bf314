"""The options every checking subcommand shares: profile, amendments, configuration, strict."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from contract.cli import UsageError

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.schema.amendments import Profile


#: Where the settings come from, strongest first (said once, in every --help).
SETTINGS_ORDER = (
    "Settings come from the command line, then the environment (FINETUNE_CONTRACT_PROFILE, "
    "_AMEND, _NO_AMEND, _CONFIG, _STRICT), then --config or [tool.finetune-contract] of the "
    "nearest pyproject.toml, then the defaults."
)


def profile_arguments(parser: argparse.ArgumentParser, *, strict: bool = True) -> None:
    """Add ``--profile``, ``--amend``, ``--no-amend``, ``--config`` (and ``--strict``)."""
    group = parser.add_argument_group(
        "profiles and amendments",
        "Which known deviations of the API from the published document to accept. "
        + SETTINGS_ORDER,
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="published (default: the document with only our fixes), observed (the OpenAI "
        "API as it answers), azure (Azure OpenAI), or one of the configuration file",
    )
    group.add_argument(
        "--amend",
        metavar="NAME",
        action="append",
        default=[],
        help="also accept this amendment; repeatable",
    )
    group.add_argument(
        "--no-amend",
        metavar="NAME",
        action="append",
        default=[],
        help="do not accept this amendment of the profile; repeatable",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="configuration file (TOML or JSON; pyproject.toml: its [tool.finetune-contract])",
    )
    if not strict:
        return
    # Two spellings rather than an optional value, so that "--strict job.json" never reads
    # the path as the mode.
    group.add_argument(
        "--strict",
        action="store_const",
        const="warn",
        default=None,
        help="list unknown properties as warnings (default: allowed and not listed, as the "
        "document allows them)",
    )
    group.add_argument(
        "--strict=fail",
        action="store_const",
        const="fail",
        dest="strict",
        help="make unknown properties violations",
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
