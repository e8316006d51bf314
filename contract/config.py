"""User configuration: amendments, profiles and run choices from TOML or JSON.

Found in ``pyproject.toml`` under ``[tool.finetune-contract]`` (the nearest one
upwards from the working directory) or given by path: a ``.toml`` file holds
the same keys at its top level, a ``.json`` file the same object. The shape is
``schemas/amendments/config.schema.json``::

    [tool.finetune-contract]
    profile = "observed"              # default profile
    amend = ["azure-method-null"]     # switched on, on top of it
    no-amend = ["status-paused"]      # switched off
    strict = "warn"                   # unknown properties: off | warn | fail
    requests = false                  # do not check recorded requests (default: checked)
    paths = ["tests/cassettes"]       # what `finetune-contract check` checks without PATH
    format = "github"                 # report format; color = "auto" | "always" | "never"
    max-annotations = 10              # github format: most ::error annotations
    baseline = "contract-baseline.json"  # known findings (check --baseline, the plugin)

    [tool.finetune-contract.amendments.status-archived]
    description = "Archived jobs report status archived."
    evidence = ["https://example.com/issue/1"]
    first-seen = "2026-01-31"
    scope = "FineTuningJob.json#/properties/status"
    change = { enum-add = ["archived"] }

    [tool.finetune-contract.profiles.ours]
    extends = "observed"
    amendments = ["status-archived"]

A bad file is one :class:`ConfigError` naming the file and the place.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from contract.schema import catalogue as _catalogue
from contract.schema.amendments import AmendmentError, Catalogue

#: The table of ``pyproject.toml`` this toolkit reads.
TABLE = ("tool", "finetune-contract")

Strict = Literal["off", "warn", "fail"]


class ConfigError(AmendmentError):
    """An unreadable or invalid configuration file; the message names file and place."""


@dataclass(frozen=True)
class Config:
    """A configuration: the catalogue it extends the built-in one to, and the run's choices."""

    source: str
    catalogue: Catalogue
    profile: str | None = None
    amend: tuple[str, ...] = ()
    no_amend: tuple[str, ...] = ()
    strict: Strict | None = None
    #: Whether recorded requests are checked (None: not said, so they are).
    requests: bool | None = None
    #: Output and paths of ``finetune-contract check`` (see :mod:`contract.cli._output`).
    paths: tuple[str, ...] = ()
    format: str | None = None
    color: str | None = None
    max_annotations: int | None = None
    #: Baseline of known findings, relative to the file's folder (see
    #: :mod:`contract.reports.baseline`).
    baseline: str | None = None

    @property
    def baseline_path(self) -> Path | None:
        """:attr:`baseline` as a path (relative to the configuration file's folder)."""
        if self.baseline is None:
            return None
        return Path(self.source).parent / self.baseline


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _parse_text(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _is_pyproject(path: Path) -> bool:
    return path.name == "pyproject.toml"


def _table(data: Any) -> Any:
    for key in TABLE:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def from_data(data: Any, source: str, prefix: str = "") -> Config:
    """A :class:`Config` from already-parsed data (raises :class:`ConfigError`)."""
    try:
        catalogue = _catalogue.parse(data, source, _catalogue.builtin(), prefix)
    except ConfigError:
        raise
    except AmendmentError as exc:
        raise ConfigError(str(exc)) from None
    return Config(
        source=source,
        catalogue=catalogue,
        profile=data.get("profile"),
        amend=tuple(data.get("amend", ())),
        no_amend=tuple(data.get("no-amend", ())),
        strict=data.get("strict"),
        requests=data.get("requests"),
        paths=tuple(data.get("paths", ())),
        format=data.get("format"),
        color=data.get("color"),
        max_annotations=data.get("max-annotations"),
        baseline=data.get("baseline"),
    )


def load(path: str | os.PathLike[str]) -> Config:
    """Read a configuration file: ``pyproject.toml`` (its table), ``.toml`` or ``.json``."""
    file = Path(path)
    data = _parse_text(file, _read(file))
    if _is_pyproject(file):
        table = _table(data)
        if table is None:
            raise ConfigError(f"{file}: no [{'.'.join(TABLE)}] table")
        return from_data(table, str(file), ".".join(TABLE))
    return from_data(data, str(file))


def discover(start: str | os.PathLike[str] | None = None) -> Config | None:
    """The configuration of the nearest ``pyproject.toml`` (from ``start`` upwards), if any.

    The search stops at the first ``pyproject.toml`` found; None when it has no
    ``[tool.finetune-contract]`` table or there is none.
    """
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = _parse_text(candidate, _read(candidate))
            table = _table(data)
            if table is None:
                return None
            return from_data(table, str(candidate), ".".join(TABLE))
    return None


__all__ = ["Config", "ConfigError", "Strict", "discover", "from_data", "load"]
