"""The settings options both shells offer, said once: names, value names and help.

``finetune-contract`` renders them as ``--profile``…; the pytest plugin as
``--contract-profile``… and ini keys ``contract_profile``…. Imports nothing,
so the plugin can declare its options without loading the toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One settings option: ``name`` as the CLI spells it (``no-amend``)."""

    name: str
    metavar: str
    help: str
    repeatable: bool = False
    #: A switch (no value): on when given.
    flag: bool = False

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")


#: Where the settings come from, strongest first (said once, in every --help).
ORDER = (
    "Settings come from the command line, then the environment (FINETUNE_CONTRACT_PROFILE, "
    "_AMEND, _NO_AMEND, _CONFIG, _STRICT, _REQUESTS, _SESSIONS, _BASELINE, _STALE_AMENDMENTS), "
    "then the pytest ini file, then --config or [tool.finetune-contract] of the nearest "
    "pyproject.toml, then the defaults."
)

PROFILE_OPTIONS = (
    Option(
        "profile",
        "NAME",
        "published (default: the document with only our fixes), observed (the OpenAI "
        "API as it answers), azure (Azure OpenAI), or one of the configuration file",
    ),
    Option("amend", "NAME", "also accept this amendment; repeatable", repeatable=True),
    Option(
        "no-amend", "NAME", "do not accept this amendment of the profile; repeatable", True
    ),
    Option(
        "config",
        "FILE",
        "configuration file (TOML or JSON; pyproject.toml: its [tool.finetune-contract])",
    ),
)

#: ``--strict`` (warn) and ``--strict=fail``: two spellings rather than an optional value,
#: so that a following path is never read as the mode.
STRICT_HELP = {
    "warn": "list unknown properties as warnings (default: allowed and not listed, as the "
    "document allows them)",
    "fail": "make unknown properties violations",
}

#: ``--no-requests`` (the plugin: ``--contract-no-requests``, ini ``contract_requests = false``;
#: the configuration: ``requests = false``).
NO_REQUESTS = Option(
    "no-requests",
    "",
    "check recorded responses only, not the requests beside them (default: requests are "
    "checked too: query parameters, the path's job id, the body)",
)

#: ``--no-sessions`` (the plugin: ``--contract-no-sessions``, ini ``contract_sessions = false``;
#: the configuration: ``sessions = false``).
NO_SESSIONS = Option(
    "no-sessions",
    "",
    "check each response alone: do not check the responses about one job within a "
    "recording together (fields that never change, status moves along the profile's "
    "lifecycle, pause/resume only from states that allow them, pages never repeating a "
    "job)",
)

#: What a run does with its findings: a baseline of known ones, amendments nothing needed.
RUN_OPTIONS = (
    Option(
        "baseline",
        "FILE",
        "baseline of known findings (written by finetune-contract check --update-baseline): "
        "fail only on findings it does not list, and on entries whose expires date has passed; "
        "entries no longer seen are listed as resolved (configuration key baseline)",
    ),
    Option(
        "stale-amendments",
        "",
        "also list the enabled amendments nothing needed (worth dropping once the API is "
        "fixed; meaningful over a large corpus, so off by default)",
        flag=True,
    ),
)

__all__ = [
    "NO_REQUESTS",
    "NO_SESSIONS",
    "ORDER",
    "PROFILE_OPTIONS",
    "RUN_OPTIONS",
    "STRICT_HELP",
    "Option",
]
