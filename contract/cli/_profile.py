"""The options every checking subcommand shares: profile, amendments, configuration, strict."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from contract._core.options import (
    NO_REQUESTS,
    NO_SESSIONS,
    ORDER,
    PROFILE_OPTIONS,
    RUN_OPTIONS,
    STRICT_HELP,
    Option,
)
from contract.cli import UsageError

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.profiles import Settings
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


def requests_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-requests`` (read by :func:`chosen_settings`)."""
    _off_switch(parser, NO_REQUESTS, "requests")


def sessions_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-sessions`` (read by :func:`chosen_settings`)."""
    _off_switch(parser, NO_SESSIONS, "sessions")


def _off_switch(parser: argparse.ArgumentParser, option: Option, key: str) -> None:
    """``--no-KEY``: the yes/no setting ``key`` said no on the command line."""
    parser.add_argument(
        f"--{option.name}",
        dest=key,
        action="store_false",
        default=None,
        help=f"{option.help}; configuration key {key} = false",
    )


def run_option(group: Any, option: Option) -> None:
    """Add one of :data:`~contract._core.options.RUN_OPTIONS` (``--baseline``…) to ``group``."""
    if option.flag:
        group.add_argument(f"--{option.name}", action="store_true", default=None, help=option.help)
    else:
        group.add_argument(
            f"--{option.name}", metavar=option.metavar, default=None, help=option.help
        )


def chosen_settings(args: argparse.Namespace) -> Settings:
    """The settings the options ask for (with the environment and the configuration file);
    :class:`UsageError` when they cannot be had."""
    from contract.profiles import Choices, settings
    from contract.schema.amendments import AmendmentError

    said = {o.dest: getattr(args, o.dest, None) for o in RUN_OPTIONS}
    try:
        return settings(
            Choices(
                args.profile,
                tuple(args.amend),
                tuple(args.no_amend),
                args.config,
                getattr(args, "strict", None),
                "false" if getattr(args, "requests", None) is False else None,
                "false" if getattr(args, "sessions", None) is False else None,
                baseline=said["baseline"],
                stale_amendments="true" if said["stale_amendments"] else None,
            )
        )
    except AmendmentError as exc:
        raise UsageError(str(exc)) from None


def chosen_profile(args: argparse.Namespace) -> tuple[Profile, Strict]:
    """The profile and strict mode the options ask for; :class:`UsageError` when they cannot."""
    chosen = chosen_settings(args)
    return chosen.profile, chosen.strict
