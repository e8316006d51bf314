"""Profiles: which amendments to the contract a check accepts.

::

    from contract import profiles
    observed = profiles.resolve("observed")
    contract.is_valid(job, profile=observed)              # or profile="observed"
    profiles.resolve("observed", amend=["azure-method-null"], no_amend=["status-paused"])
    profiles.resolve(config=contract.config.load("finetune-contract.toml"))

Built-in profiles: ``published`` (the default: the documents with only our
defect fixes), ``observed`` (the OpenAI API as it really answers) and
``azure`` (Azure OpenAI). Amendments and profiles of a configuration file
(:mod:`contract.config`) join the built-in ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache

from contract.config import Config, Strict, discover, load
from contract.schema.amendments import (
    DEFAULT_PROFILE,
    Amendment,
    AmendmentError,
    Catalogue,
    Profile,
)
from contract.schema.catalogue import builtin

#: Anything ``profile=`` accepts: a profile, a profile name, or None (the default).
ProfileLike = Profile | str | None


def catalogue(config: Config | None = None) -> Catalogue:
    """The known amendments and profiles: built-in, plus those of ``config``."""
    return config.catalogue if config is not None else builtin()


def names(config: Config | None = None) -> tuple[str, ...]:
    """The profile names ``resolve`` accepts."""
    return catalogue(config).profile_names()


def amendments(config: Config | None = None) -> tuple[Amendment, ...]:
    """Every known amendment, in catalogue order."""
    return tuple(catalogue(config).amendments.values())


def resolve(
    name: str | None = None,
    *,
    amend: Iterable[str] = (),
    no_amend: Iterable[str] = (),
    config: Config | str | os.PathLike[str] | None = None,
) -> Profile:
    """The profile ``name`` with single amendments switched on (``amend``) or off (``no_amend``).

    ``config`` (a :class:`~contract.config.Config` or a file path) adds its
    amendments and profiles, and its own ``profile``, ``amend`` and
    ``no-amend`` choices (the arguments come on top of them, and win where
    they disagree). Unknown names
    raise :class:`~contract.schema.amendments.AmendmentError` (a ``ValueError``)
    listing the known ones.
    """
    if config is not None and not isinstance(config, Config):
        config = load(config)
    amend, no_amend = tuple(amend), tuple(no_amend)
    if config is None and not amend and not no_amend:
        return _builtin(name or DEFAULT_PROFILE)
    known = catalogue(config)
    if config is not None:
        # The arguments come on top of the file: they win where the two disagree.
        name = name or config.profile
        _check_both(amend, no_amend)
        amend = (*(a for a in config.amend if a not in no_amend), *amend)
        no_amend = (*(a for a in config.no_amend if a not in amend), *no_amend)
    return _build(known, name or DEFAULT_PROFILE, amend, no_amend)


def _check_both(amend: tuple[str, ...], no_amend: tuple[str, ...]) -> None:
    both = sorted(set(amend) & set(no_amend))
    if both:
        raise AmendmentError(f"amendment {both[0]!r} is both switched on and switched off")


@cache
def _builtin(name: str) -> Profile:
    return _build(builtin(), name, (), ())


def _build(
    known: Catalogue, name: str, amend: tuple[str, ...], no_amend: tuple[str, ...]
) -> Profile:
    members = list(known.members(name))
    for extra in (*amend, *no_amend):
        known.amendment(extra)
    _check_both(amend, no_amend)
    added = tuple(a for a in dict.fromkeys(amend) if a not in members)
    removed = tuple(a for a in dict.fromkeys(no_amend) if a in members)
    chosen = [m for m in members if m not in removed] + list(added)
    return Profile(
        name,
        tuple(known.amendment(m) for m in chosen),
        known,
        base=name,
        added=added,
        removed=removed,
    )


def for_run(
    name: str | None = None,
    *,
    amend: Iterable[str] = (),
    no_amend: Iterable[str] = (),
    config_file: str | os.PathLike[str] | None = None,
    search_from: str | os.PathLike[str] | None = None,
    strict: Strict | None = None,
) -> tuple[Profile, Strict]:
    """The profile and strict mode of a command-line or pytest run.

    The configuration is ``config_file`` if given, else the nearest
    ``pyproject.toml`` (from ``search_from``, default the working directory)
    holding ``[tool.finetune-contract]``; the options come on top of it.
    Raises :class:`~contract.schema.amendments.AmendmentError` (files:
    :class:`~contract.config.ConfigError`) with one line saying what is wrong.
    """
    found = load(config_file) if config_file is not None else discover(search_from)
    profile = resolve(name, amend=amend, no_amend=no_amend, config=found)
    return profile, strict or (found.strict if found is not None else None) or "off"


def coerce(profile: ProfileLike) -> Profile:
    """A :class:`Profile` from anything ``profile=`` accepts (names: built-in profiles)."""
    if isinstance(profile, Profile):
        return profile
    return _builtin(profile or DEFAULT_PROFILE)


__all__ = [
    "DEFAULT_PROFILE",
    "Amendment",
    "AmendmentError",
    "Profile",
    "ProfileLike",
    "amendments",
    "catalogue",
    "coerce",
    "for_run",
    "names",
    "resolve",
]
