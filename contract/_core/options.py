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

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")


#: Where the settings come from, strongest first (said once, in every --help).
ORDER = (
    "Settings come from the command line, then the environment (FINETUNE_CONTRACT_PROFILE, "
    "_AMEND, _NO_AMEND, _CONFIG, _STRICT), then the pytest ini file, then --config or "
    "[tool.finetune-contract] of the nearest pyproject.toml, then the defaults."
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

__all__ = ["ORDER", "PROFILE_OPTIONS", "STRICT_HELP", "Option"]
