"""The output side of ``finetune-contract check``: format, colour, quiet, fail-fast, coverage.

Each choice is taken from, first match wins: the command line; the
environment (``FINETUNE_CONTRACT_FORMAT``, ``FINETUNE_CONTRACT_COLOR``,
``FINETUNE_CONTRACT_MAX_ANNOTATIONS``); the configuration file
(``[tool.finetune-contract]`` of the nearest ``pyproject.toml``, or
``--config``: keys ``format``, ``color``, ``max-annotations``, ``paths``);
then the defaults (text, auto, 10, no paths). With ``--color auto``,
``NO_COLOR`` and ``FORCE_COLOR`` decide before the terminal does (see
:mod:`contract.reports._color`). A bad value anywhere is one usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contract.cli import UsageError
from contract.reports import DEFAULT_MAX_ANNOTATIONS, FORMATS, Options, Run
from contract.reports._color import CHOICES, use_color

if TYPE_CHECKING:
    from contract.config import Config
    from contract.engine import Tally
    from contract.engine.results import Conforming, Result
    from contract.traffic import TrafficCoverage

#: Environment variables read for the output choices.
FORMAT_VARIABLE = "FINETUNE_CONTRACT_FORMAT"
COLOR_VARIABLE = "FINETUNE_CONTRACT_COLOR"
ANNOTATIONS_VARIABLE = "FINETUNE_CONTRACT_MAX_ANNOTATIONS"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format``, ``--color``, ``-q``, ``--fail-fast``, ``--coverage``,
    ``--allow-empty`` and ``--max-annotations``."""
    group = parser.add_argument_group(
        "report",
        f"Each choice: the command line, else ${FORMAT_VARIABLE} / ${COLOR_VARIABLE} / "
        f"${ANNOTATIONS_VARIABLE}, else the configuration file's format / color / "
        "max-annotations, else the default.",
    )
    group.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default=None,
        help="report format (default: text): "
        + "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    group.add_argument(
        "--color",
        choices=CHOICES,
        default=None,
        help="colour the text report: auto (default: on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR forces it), always or never",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="text format: print only the summary (other formats are unchanged)",
    )
    group.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first failing response (the summary says the run stopped)",
    )
    group.add_argument(
        "--coverage",
        action="store_true",
        help="also report traffic coverage: which operations, statuses, methods, graders, enum "
        "values, null and absent cases the checked traffic exercised, and which it never did",
    )
    group.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 when the paths hold no fine-tuning jobs call or payload at all (for hooks "
        "handed recordings of other APIs); unreadable input still fails",
    )
    group.add_argument(
        "--max-annotations",
        type=_count,
        default=None,
        metavar="N",
        help=f"github format: at most N error annotations (default: {DEFAULT_MAX_ANNOTATIONS}, "
        "GitHub's limit per step), the rest as log lines",
    )


@dataclass(frozen=True)
class Choices:
    """The output choices of one run, resolved over environment and configuration."""

    format: str
    color: str
    max_annotations: int
    paths: tuple[str, ...] = ()


def _from_environment(environ: Mapping[str, str]) -> dict[str, object]:
    found: dict[str, object] = {}
    value = environ.get(FORMAT_VARIABLE, "").strip()
    if value:
        if value not in FORMATS:
            raise UsageError(
                f"{FORMAT_VARIABLE}={value[:40]!r} is not a report format; "
                f"known formats: {', '.join(FORMATS)}"
            )
        found["format"] = value
    value = environ.get(COLOR_VARIABLE, "").strip()
    if value:
        if value not in CHOICES:
            raise UsageError(f"{COLOR_VARIABLE}={value[:40]!r} is not one of {', '.join(CHOICES)}")
        found["color"] = value
    value = environ.get(ANNOTATIONS_VARIABLE, "").strip()
    if value:
        try:
            found["max_annotations"] = _count(value)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{ANNOTATIONS_VARIABLE}: {exc}") from None
    return found


def _config_paths(config: Config) -> tuple[str, ...]:
    """The configuration's paths, relative to its file's folder, shown relative when possible."""
    base = Path(config.source).parent
    shown = []
    for path in config.paths:
        full = base / path
        try:
            shown.append(str(full.resolve().relative_to(Path.cwd().resolve())) or ".")
        except ValueError:
            shown.append(str(full))
    return tuple(shown)


def choices(
    args: argparse.Namespace, config: Config | None, environ: Mapping[str, str] | None = None
) -> Choices:
    """The run's output choices: command line, environment, configuration file, defaults."""
    env = _from_environment(os.environ if environ is None else environ)
    from_file: dict[str, object] = {}
    if config is not None:
        if config.format is not None:
            if config.format not in FORMATS:
                raise UsageError(
                    f"{config.source}: format {config.format!r} is not a report format; "
                    f"known formats: {', '.join(FORMATS)}"
                )
            from_file["format"] = config.format
        if config.color is not None:
            from_file["color"] = config.color
        if config.max_annotations is not None:
            from_file["max_annotations"] = config.max_annotations

    def pick(name: str, default: object) -> object:
        given = getattr(args, name, None)
        if given is not None:
            return given
        return env.get(name, from_file.get(name, default))

    return Choices(
        format=str(pick("format", "text")),
        color=str(pick("color", "auto")),
        max_annotations=int(str(pick("max_annotations", DEFAULT_MAX_ANNOTATIONS))),
        paths=_config_paths(config) if config is not None else (),
    )


def configuration(path: str | None) -> Config | None:
    """The configuration file of the run (``--config``, else the nearest pyproject.toml)."""
    from contract.config import ConfigError, discover, load

    try:
        return load(path) if path is not None else discover()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


class Output:
    """Writes the chosen report as results come, and stops the run when --fail-fast says so."""

    def __init__(
        self, args: argparse.Namespace, chosen: Choices, labels: Mapping[str, str]
    ) -> None:
        from contract.reports._locate import Locator
        from contract.reports.github import workspace

        form = FORMATS[chosen.format]
        options = Options(
            verbose=bool(args.verbose),
            quiet=bool(args.quiet),
            color=use_color(chosen.color, sys.stdout),
            max_annotations=chosen.max_annotations,
            step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None,
            locator=Locator({label: path for path, label in labels.items()})
            if form.uses_lines
            else None,
            root=workspace(),
        )
        self.writer = form.writer(sys.stdout, options)
        self.each_result = bool(args.verbose) or not form.failures_only
        self.fail_fast = bool(args.fail_fast)
        self.coverage: TrafficCoverage | None = None
        if args.coverage:
            from contract.traffic import TrafficCoverage

            self.coverage = TrafficCoverage()

    @property
    def counts_conforming(self) -> bool:
        """Whether conforming payloads may come as counts: the report writes nothing of them."""
        return not self.each_result

    @property
    def observe(self) -> bool:
        """Whether results must carry what they exercised (traffic coverage was asked for)."""
        return self.coverage is not None

    def result(self, result: Result) -> bool:
        """Write one result; True when the run must stop here (--fail-fast and a failure)."""
        self.writer.result(result)
        if self.coverage is not None:
            self.coverage.add(result.observed)
        return self.fail_fast and result.failed

    def conforming(self, event: Conforming) -> None:
        """Count what payloads proven conforming (given as a count) exercised."""
        if self.coverage is not None:
            self.coverage.add(event.observed)

    def finish(self, tally: Tally, stopped: bool = False) -> None:
        """Write the end of the report (``stopped``: --fail-fast ended the run early)."""
        if stopped:
            tally.summary.stopped = "fail-fast"
        self.writer.finish(Run(tally.summary, tally.errors, tally.notes, self.coverage))


__all__ = [
    "ANNOTATIONS_VARIABLE",
    "COLOR_VARIABLE",
    "FORMAT_VARIABLE",
    "Choices",
    "Output",
    "choices",
    "configuration",
    "output_arguments",
]
