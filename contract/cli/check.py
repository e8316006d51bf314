"""``finetune-contract check``: validate recorded payloads and responses."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract import schema as registry
from contract._core.options import RUN_OPTIONS
from contract.checks.deviations import Usage
from contract.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, UsageError
from contract.cli._arguments import check_schema
from contract.cli._jobs import bulk_arguments
from contract.cli._jobs import events as bulk_events
from contract.cli._output import Output, choices, configuration, output_arguments
from contract.cli._profile import (
    chosen_settings,
    profile_arguments,
    requests_argument,
    run_option,
    sessions_argument,
)
from contract.engine import Tally
from contract.engine.results import Conforming, Result, plural
from contract.recordings import SUFFIXES, _limits, expand
from contract.redact import for_terminal
from contract.schema._paths import example_recordings_dir

if TYPE_CHECKING:
    from contract.reports.baseline import Matcher

_PROG = "finetune-contract check"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="validate recorded responses and payloads against the contract",
        description=(
            "Validate recorded responses of the fine-tuning jobs operations (create, list, "
            "retrieve, cancel, resume, pause) and bare payloads. Recordings are recognised by "
            "their content: HAR, vcrpy / pytest-recording cassettes (YAML or JSON), Ruby VCR, "
            "Betamax, Schemathesis, go-vcr, .NET test-proxy session records, nock; JSON Lines "
            "(.jsonl, .ndjson) hold one payload per line; any of them may be gzip-compressed "
            "(.gz). Directories are walked for " + ", ".join(SUFFIXES) + " files; '-' reads "
            "standard input. With no PATH: standard input when data is piped in, otherwise the "
            "example recordings shipped with the package. Calls of other APIs are counted and "
            "skipped; an API error response (non-2xx in the API's error envelope) is counted, "
            "not failed, unless --fail-on-api-errors."
        ),
        epilog="Exit status: 0 all conform, 1 any violation, 2 usage error or unreadable input.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file, directory or '-'")
    parser.add_argument(
        "--schema",
        default=None,
        metavar="NAME",
        help="type every bare payload must conform to (default: by its shape: a page of jobs "
        '("object": "list") is checked as a page, the API\'s error envelope is reported '
        "as one, anything else is a FineTuningJob); one of: " + ", ".join(registry.schema_names()),
    )
    parser.add_argument(
        "--fail-on-api-errors",
        action="store_true",
        help="count every API error response (undocumented status) as a failure",
    )
    requests_argument(parser)
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also list conforming payloads and API errors"
    )
    parser.add_argument(
        "--max-inflated",
        type=_size,
        metavar="SIZE",
        default=None,
        help="most a recording and its compressed bodies may inflate to, in bytes or with a "
        f"unit (512M, 2G; default {_limits.MAX_INFLATED_BYTES >> 20}M, or "
        f"${_limits.INFLATED_VARIABLE})",
    )
    sessions_argument(parser)
    group = parser.add_argument_group(
        "baseline",
        "Known findings: a baseline file accepts these findings, in these places, until a date "
        "(entries' expires); configuration key baseline.",
    )
    chosen = group.add_mutually_exclusive_group()
    baseline, stale = RUN_OPTIONS
    run_option(chosen, baseline)
    chosen.add_argument(
        "--update-baseline",
        metavar="FILE",
        default=None,
        help="write every current finding to FILE (keeping first_seen, expires and reason of "
        "entries still seen; pruning resolved ones) and accept them",
    )
    run_option(parser, stale)
    profile_arguments(parser)
    output_arguments(parser)
    bulk_arguments(parser)
    parser.set_defaults(run=run)


def _size(text: str) -> int:
    """argparse type: a size in bytes (``1G``, ``512M``, ``1048576``)."""
    try:
        return _limits.parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _stdin_has_data() -> bool:
    """Whether data is piped or redirected in (not a terminal, not /dev/null)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or (stat.S_ISREG(mode) and os.fstat(0).st_size > 0)


def _label(file: Path | str, bundled: bool) -> str:
    if bundled and isinstance(file, Path):
        return f"bundled example {file.relative_to(example_recordings_dir())}"
    return str(file)


def _add_usage(tally: Tally, stale: bool) -> None:
    """Put the amendment usage (what was needed, what is stale) into the run's summary."""
    usage = tally.usage
    if usage is None or not usage.profile.amendments:
        return  # the published profile: each line already names its known deviation
    tally.summary.extra["amendments"] = usage.as_dict()
    tally.summary.details.extend(usage.lines(stale))


def _add_baseline(tally: Tally, matcher: Matcher, stopped: bool) -> None:
    """Say what the baseline accepted, resolved and saw expire; write it when updating.

    Unreadable input is no finding: the baseline is written anyway (the run still exits 2);
    a run --fail-fast stopped saw only some findings, so it writes nothing.
    """
    path = matcher.baseline.path
    if matcher.update and stopped:
        tally.errors.append(f"{path}: baseline not written: --fail-fast stopped the run")
        return
    if matcher.update:
        assert path is not None
        try:
            matcher.baseline.write(path, matcher.entries())
        except OSError as exc:
            tally.errors.append(f"{path}: cannot write the baseline: {exc.strerror or exc}")
            return
    tally.summary.extra["baseline"] = matcher.as_dict()
    tally.summary.details.extend(matcher.lines())


def run(args: argparse.Namespace) -> int:
    schema: str | None = args.schema
    if schema is not None:
        check_schema(schema)
    if args.max_inflated is None:
        return _run(args, schema)
    # Through the environment, so worker processes (--jobs) read the same limit; put back
    # afterwards, so a caller of main() in the same process keeps its own.
    previous = os.environ.get(_limits.INFLATED_VARIABLE)
    os.environ[_limits.INFLATED_VARIABLE] = str(args.max_inflated)
    try:
        return _run(args, schema)
    finally:
        if previous is None:
            os.environ.pop(_limits.INFLATED_VARIABLE, None)
        else:
            os.environ[_limits.INFLATED_VARIABLE] = previous


def _matcher(args: argparse.Namespace, given: Path | None) -> Matcher | None:
    """The run's baseline: --update-baseline, else the settings' (--baseline, ..., the file's)."""
    from contract.reports.baseline import Baseline, BaselineError, Matcher

    update: str | None = args.update_baseline
    try:
        if update is not None:
            return Matcher(Baseline.load(update, missing_ok=True), update=True)
        if given is not None:
            return Matcher(Baseline.load(given))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    return None


def _run(args: argparse.Namespace, schema: str | None) -> int:
    run_settings = chosen_settings(args)
    profile, strict, requests = run_settings.profile, run_settings.strict, run_settings.requests
    config = configuration(getattr(args, "config", None))
    chosen = choices(args, config)
    matcher = _matcher(args, run_settings.baseline)
    paths: list[str | Path] = list(args.paths) or list(chosen.paths)
    labels: dict[str, str] = {}
    if not paths:
        if _stdin_has_data():
            print(f"{_PROG}: reading standard input (no PATH given)", file=sys.stderr)
            paths = ["-"]
        else:
            print(
                f"{_PROG}: checking the example recordings bundled with the package "
                "(no PATH given)",
                file=sys.stderr,
            )
            paths = [example_recordings_dir()]
            labels = {str(f): _label(f, True) for f in expand(paths)}
    tally = Tally(usage=Usage(profile))
    output = Output(args, chosen, labels)
    stopped = False
    for event in bulk_events(
        args,
        paths,
        schema=schema,
        fail_api_errors=args.fail_on_api_errors,
        label_of=labels,
        profile=profile,
        strict=strict,
        deviations=True,
        observe=output.observe,
        count_conforming=output.counts_conforming,
        requests=requests,
        sessions=run_settings.sessions,
        may_stop=output.fail_fast,
    ):
        if matcher is not None and isinstance(event, Result):
            event = matcher.filter(event)
        tally.add(event)
        if isinstance(event, Result) and output.result(event):
            stopped = True  # --fail-fast
            break
        if isinstance(event, Conforming):
            output.conforming(event)
    if tally.summary.checked == 0 and not tally.errors and not args.allow_empty:
        # Nothing checked is not a pass.
        tally.errors.append(
            f"{', '.join(map(str, paths))}: no fine-tuning jobs responses or payloads found "
            f"({plural(tally.summary.skipped, 'other interaction')} skipped)"
        )
    _add_usage(tally, run_settings.stale_amendments)
    if matcher is not None:
        _add_baseline(tally, matcher, stopped)
    output.finish(tally, stopped)
    for note in tally.notes:
        print(f"{_PROG}: note: {for_terminal(note)}", file=sys.stderr)
    for error in tally.errors:
        print(f"{_PROG}: error: {for_terminal(error)}", file=sys.stderr)
    if tally.errors:
        return EXIT_USAGE
    return EXIT_VIOLATIONS if tally.failed else EXIT_OK
