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
    sessions = false                  # check each response alone (no session checks)
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
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from contract._core import files as _files
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
    #: Session checks over recordings (``finetune-contract check``, the pytest plugin).
    sessions: bool | None = None
    #: Baseline of known findings, relative to the file's folder (see
    #: :mod:`contract.reports.baseline`).
    baseline: str | None = None

    @property
    def baseline_path(self) -> Path | None:
        """:attr:`baseline` as a path (relative to the configuration file's folder)."""
        if self.baseline is None:
            return None
        return Path(self.source).parent / self.baseline


#: Largest configuration file read, in bytes; deepest nesting of its tables and arrays;
#: largest integer it may hold (a count or a size needs no more).
MAX_CONFIG_BYTES = 1 << 20
MAX_CONFIG_DEPTH = 32
MAX_CONFIG_INTEGER = 1 << 63


def _read(path: Path) -> str:
    """The text of a configuration file, read like a recording: a regular file only,
    within :data:`MAX_CONFIG_BYTES` (``/dev/zero`` and a FIFO are refused unread)."""
    try:
        data = _files.read_regular(path, MAX_CONFIG_BYTES)
    except _files.Unreadable as exc:
        reason = exc.reason
        if reason.startswith("cannot be read ("):  # worded as configuration errors always were
            reason = "cannot read: " + reason.removeprefix("cannot be read (").removesuffix(")")
        raise ConfigError(f"{path}: {reason}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _parse_text(path: Path, text: str) -> Any:
    kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
    try:
        data = json.loads(text) if kind == "JSON" else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: not valid {kind}: nested deeper than {MAX_CONFIG_DEPTH} levels"
        ) from None
    except ValueError:  # an integer longer than Python converts
        raise ConfigError(
            f"{path}: not valid {kind}: an integer is longer than the "
            f"{sys.get_int_max_str_digits()} digits Python converts"
        ) from None
    _within_limits(path, data)
    return data


def _within_limits(path: Path, data: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_CONFIG_DEPTH` and integers past
    :data:`MAX_CONFIG_INTEGER`, naming the place (no recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, place, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= MAX_CONFIG_DEPTH:
                raise ConfigError(
                    f"{path}: {place or 'the top'}: nested deeper than {MAX_CONFIG_DEPTH} levels"
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                shown = f"{place}.{key}" if isinstance(key, str) else f"{place}[{key}]"
                stack.append((item, shown.lstrip("."), depth + 1))
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and abs(value) >= MAX_CONFIG_INTEGER
        ):
            raise ConfigError(f"{path}: {place}: the integer is out of range (at most 2**63 - 1)")


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
    _refuse_conflicts(catalogue, source, prefix)
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
        sessions=data.get("sessions"),
        baseline=data.get("baseline"),
    )


def _refuse_conflicts(catalogue: Catalogue, source: str, prefix: str) -> None:
    """Refuse a new amendment that cannot be applied together with another one.

    The deviation search combines any amendment with any other; two conditional
    ones changing the same rule (or one inside the other's) cannot be combined,
    so the pair is refused here, naming both, rather than in the middle of a run.
    """
    from contract.schema import _overlay, documents

    builtin = _catalogue.builtin().amendments
    added = [a for name, a in catalogue.amendments.items() if name not in builtin]
    for amendment in added:
        for other in catalogue.amendments.values():
            if other.name == amendment.name or (amendment.when is None and other.when is None):
                continue
            if other.name not in builtin and other.name < amendment.name:
                continue  # a pair of new ones is tried once
            try:
                _overlay.apply(documents(), [amendment, other])
            except AmendmentError as exc:
                place = ".".join(p for p in (prefix, "amendments", amendment.name) if p)
                raise ConfigError(
                    f"{source}: {place}: conflicts with amendment {other.name!r} "
                    f"({other.source}); they cannot both apply: {exc}"
                ) from None


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
