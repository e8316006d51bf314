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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

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


@dataclass(frozen=True)
class Choices:
    """What one source of settings says; ``None`` and empty mean "not said here".

    The sources, from the strongest: the command line, the environment
    (:data:`ENVIRONMENT`), the pytest ini file, then the configuration file
    (``--config`` or the nearest ``pyproject.toml``'s ``[tool.finetune-contract]``).
    """

    profile: str | None = None
    amend: tuple[str, ...] = ()
    no_amend: tuple[str, ...] = ()
    config: str | None = None
    strict: str | None = None
    #: Whether recorded requests are checked: ``"true"``/``"false"`` (also yes/no, on/off, 1/0).
    requests: str | None = None
    #: Whether the responses about one job are checked together, said like ``requests``.
    sessions: str | None = None
    #: A baseline file (relative to the working directory; the plugin passes it resolved).
    baseline: str | None = None
    #: Whether to list the amendments nothing needed: ``"true"``/``"false"`` as ``requests``.
    stale_amendments: str | None = None


@dataclass(frozen=True)
class Settings:
    """A run's settings, resolved once from every source, that every entry point takes.

    ``config`` is the configuration file read, if any; ``sources`` says where
    the profile name, the strict mode and the two switches came from (for
    messages). ``requests``: whether recorded requests are checked beside
    their responses (default yes).
    ``sessions``: whether the responses about one job within a recording are
    checked together (:mod:`contract.checks.sessions`; default yes).
    ``baseline``: the baseline of known findings (:mod:`contract.reports.baseline`),
    if one is named; ``stale_amendments``: whether to list the amendments
    nothing needed (default no).
    """

    profile: Profile
    strict: Strict = "off"
    config: Config | None = None
    sources: tuple[tuple[str, str], ...] = ()
    requests: bool = True
    sessions: bool = True
    baseline: Path | None = None
    stale_amendments: bool = False


#: The environment variables a run reads; lists are separated by commas.
ENVIRONMENT = {
    "profile": "FINETUNE_CONTRACT_PROFILE",
    "amend": "FINETUNE_CONTRACT_AMEND",
    "no_amend": "FINETUNE_CONTRACT_NO_AMEND",
    "config": "FINETUNE_CONTRACT_CONFIG",
    "strict": "FINETUNE_CONTRACT_STRICT",
    "requests": "FINETUNE_CONTRACT_REQUESTS",
    "sessions": "FINETUNE_CONTRACT_SESSIONS",
    "baseline": "FINETUNE_CONTRACT_BASELINE",
    "stale_amendments": "FINETUNE_CONTRACT_STALE_AMENDMENTS",
}

_STRICT_MODES = ("off", "warn", "fail")
_YES = ("true", "yes", "on", "1")
_NO = ("false", "no", "off", "0")


def from_environment(environ: Mapping[str, str] | None = None) -> Choices:
    """The :class:`Choices` of the environment (``os.environ`` by default)."""
    env = os.environ if environ is None else environ

    def listed(key: str) -> tuple[str, ...]:
        return tuple(n.strip() for n in env.get(ENVIRONMENT[key], "").split(",") if n.strip())

    return Choices(
        profile=env.get(ENVIRONMENT["profile"]) or None,
        amend=listed("amend"),
        no_amend=listed("no_amend"),
        config=env.get(ENVIRONMENT["config"]) or None,
        strict=env.get(ENVIRONMENT["strict"]) or None,
        requests=env.get(ENVIRONMENT["requests"]) or None,
        sessions=env.get(ENVIRONMENT["sessions"]) or None,
        baseline=env.get(ENVIRONMENT["baseline"]) or None,
        stale_amendments=env.get(ENVIRONMENT["stale_amendments"], "").strip() or None,
    )


def settings(
    command_line: Choices | None = None,
    *,
    ini: Choices | None = None,
    environ: Mapping[str, str] | None = None,
    search_from: str | os.PathLike[str] | None = None,
) -> Settings:
    """Resolve a run's settings: command line, environment, pytest ini, file, defaults.

    Each source overrides the ones after it: a profile name, strict mode,
    yes/no switch (requests, sessions, stale amendments) or baseline file from
    the first source that says one (else the file's, else the default);
    amendments switched on or off accumulate, a stronger source winning where
    two disagree. The file is the first ``config`` said, else the nearest
    ``pyproject.toml`` from ``search_from`` (default: the working directory)
    holding ``[tool.finetune-contract]``. Raises
    :class:`~contract.schema.amendments.AmendmentError` (files:
    :class:`~contract.config.ConfigError`) with one line saying what is wrong.
    """
    named = [
        ("command line", command_line),
        ("environment", from_environment(environ)),
        ("pytest ini", ini),
    ]
    layers = [(where, c) for where, c in named if c is not None]
    config_file = next((c.config for _, c in layers if c.config), None)
    found = load(config_file) if config_file is not None else discover(search_from)
    sources: list[tuple[str, str]] = []
    name = next(((w, c.profile) for w, c in layers if c.profile), None)
    if name is not None:
        sources.append(("profile", name[0]))
    elif found is not None and found.profile:
        sources.append(("profile", found.source))
    amend: list[str] = []
    no_amend: list[str] = []
    for _, choices in reversed(layers):  # weakest first: a stronger source wins
        _check_both(choices.amend, choices.no_amend)
        amend = [a for a in amend if a not in choices.no_amend] + list(choices.amend)
        no_amend = [a for a in no_amend if a not in choices.amend] + list(choices.no_amend)
    strict = next(((w, c.strict) for w, c in layers if c.strict), None)
    if strict is not None and strict[1] not in _STRICT_MODES:
        raise AmendmentError(
            f"strict ({strict[0]}): {strict[1]!r} is not one of {', '.join(_STRICT_MODES)}"
        )
    mode: Strict = "off"
    if strict is not None:
        mode = cast(Strict, strict[1])
        sources.append(("strict", strict[0]))
    elif found is not None and found.strict:
        mode = found.strict
        sources.append(("strict", found.source))
    requests = _switched("requests", layers, found, sources)
    sessions = _switched("sessions", layers, found, sources)
    profile = resolve(
        name[1] if name else None, amend=amend, no_amend=no_amend, config=found
    )
    baseline = next((Path(c.baseline) for _, c in layers if c.baseline), None)
    if baseline is None and found is not None:
        baseline = found.baseline_path
    said = next(((w, c.stale_amendments) for w, c in layers if c.stale_amendments), None)
    stale = _switch("stale_amendments", *said) if said is not None else False
    return Settings(
        profile, mode, found, tuple(sources), requests, sessions, baseline, stale
    )


def _switched(
    key: str,
    layers: list[tuple[str, Choices]],
    found: Config | None,
    sources: list[tuple[str, str]],
) -> bool:
    """A yes/no setting: from the first source that says it, else the file, else yes."""
    said = next(((w, getattr(c, key)) for w, c in layers if getattr(c, key)), None)
    if said is not None:
        sources.append((key, said[0]))
        return _switch(key, *said)
    if found is not None and getattr(found, key) is not None:
        sources.append((key, found.source))
        return bool(getattr(found, key))
    return True


def _switch(key: str, where: str, value: str) -> bool:
    """A yes/no setting as a source says it (``false``, ``no``, ``off``, ``0``…)."""
    word = value.strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise AmendmentError(f"{key} ({where}): {value!r} is not true or false")


def for_run(
    name: str | None = None,
    *,
    amend: Iterable[str] = (),
    no_amend: Iterable[str] = (),
    config_file: str | os.PathLike[str] | None = None,
    search_from: str | os.PathLike[str] | None = None,
    strict: Strict | None = None,
) -> tuple[Profile, Strict]:
    """The profile and strict mode of a run given these options (see :func:`settings`)."""
    chosen = settings(
        Choices(
            name,
            tuple(amend),
            tuple(no_amend),
            None if config_file is None else os.fspath(config_file),
            strict,
        ),
        search_from=search_from,
    )
    return chosen.profile, chosen.strict


def configured(
    profile: ProfileLike = None, strict: Strict | None = None
) -> tuple[Profile, Strict]:
    """What a library object checks under when not told: the given values, else the settings.

    A ``profile`` or ``strict`` given wins; what is not given comes from the
    environment and the nearest ``pyproject.toml`` (see :func:`settings`), and
    then the defaults (``published``, ``off``).
    """
    if profile is not None and strict is not None:
        return coerce(profile), strict
    found = settings()
    return (
        coerce(profile) if profile is not None else found.profile,
        strict if strict is not None else found.strict,
    )


def coerce(profile: ProfileLike) -> Profile:
    """A :class:`Profile` from anything ``profile=`` accepts (names: built-in profiles)."""
    if isinstance(profile, Profile):
        return profile
    return _builtin(profile or DEFAULT_PROFILE)


__all__ = [
    "DEFAULT_PROFILE",
    "ENVIRONMENT",
    "Amendment",
    "AmendmentError",
    "Choices",
    "Profile",
    "ProfileLike",
    "Settings",
    "amendments",
    "catalogue",
    "coerce",
    "configured",
    "for_run",
    "from_environment",
    "names",
    "resolve",
    "settings",
]
