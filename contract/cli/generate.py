"""``finetune-contract generate``: write a corpus of conforming or non-conforming payloads."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from contract._core.progress import progress
from contract.cli import EXIT_OK, UsageError
from contract.cli._arguments import check_schema, positive_int, schema_argument
from contract.cli._profile import chosen_profile, profile_arguments

if TYPE_CHECKING:
    from contract.schema.amendments import Profile

_EPILOG = """\
Output. One JSON document per line (compact UTF-8), written as it is drawn:
memory stays flat however large N is. Without -o the payloads go to standard
output, so `generate --invalid | finetune-contract check -` checks them as they
are. Labels of --invalid payloads go to a sidecar file: with -o FILE.jsonl it is
FILE.labels.jsonl; with -o DIR (any path not ending in .jsonl) the files are
DIR/<Schema>.valid.jsonl or DIR/<Schema>.invalid.jsonl and
DIR/<Schema>.invalid.labels.jsonl (DIR is created); --labels FILE writes them to
FILE instead, also when the payloads go to standard output (without -o or
--labels they are not written). Line i of the sidecar is the label of payload
line i: {"line": i, "path": JSON Pointer of the violation, "keyword": the JSON
Schema keyword broken, "description": short text}. Existing files are never
overwritten unless --force is given.

Profiles. --profile NAME draws payloads of the contract as that profile amends
it (observed: the OpenAI API as it answers, "error": {}, status "paused", legacy
jobs without seed...; azure: Azure OpenAI's), --amend/--no-amend switch single
amendments on or off, --config FILE adds a configuration file's amendments and
profiles (without it, [tool.finetune-contract] of the nearest pyproject.toml is
read), as for `check`; --valid payloads are valid under the profile, --invalid
ones invalid under it.

The same --seed, -n, --schema and options give the same payloads (with the same
package version). Without --seed a random seed is used and printed on standard
error. A progress bar is shown on standard error when it is a terminal and the
payloads go elsewhere.

Exit status: 0 written (also when the reader of standard output stops early),
2 usage error or unwritable output."""

#: Payloads per progress-bar update.
_STEP = 1000


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "generate",
        help="write conforming or non-conforming payloads (JSON Lines)",
        description=(
            "Draw payloads from the contract: conforming ones (--valid) or ones that break "
            "exactly one rule, labelled (--invalid)."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("--valid", action="store_true", help="payloads that conform")
    kind.add_argument(
        "--invalid", action="store_true", help="payloads that each break one rule, labelled"
    )
    parser.add_argument(
        "-n", type=positive_int, required=True, metavar="N", help="how many payloads"
    )
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    schema_argument(parser, "type to generate")
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE.jsonl|DIR",
        help="where to write (default: standard output)",
    )
    parser.add_argument(
        "--labels",
        default=None,
        metavar="FILE.jsonl",
        help="(--invalid) write the labels to this file (default: the sidecar of -o)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")
    parser.add_argument(
        "--arbitrary",
        action="store_true",
        help="arbitrary Unicode strings and int64 integers instead of realistic identifiers",
    )
    parser.add_argument(
        "--extra-properties",
        action="store_true",
        help="(--valid) add unknown properties to objects, as real responses carry",
    )
    parser.add_argument(
        "--coherent",
        action="store_true",
        help=(
            "(--valid) jobs whose fields agree with their status and method "
            "(default: anything the contract allows)"
        ),
    )
    parser.add_argument(
        "--full-context",
        action="store_true",
        help=(
            "(--invalid) draw the valid rest of each payload like --valid does "
            "(default: the smallest valid payload around the broken value)"
        ),
    )
    profile_arguments(parser, strict=False)
    parser.set_defaults(run=run)


def refuse_existing(paths: list[Path], force: bool) -> None:
    """Raise :class:`UsageError` if any output exists and ``--force`` was not given."""
    if force:
        return
    existing = [str(p) for p in paths if p.exists()]
    if existing:
        raise UsageError(f"refusing to overwrite {', '.join(existing)}; use --force")


def output_paths(output: str, schema: str, invalid: bool) -> tuple[Path, Path | None]:
    """The payload file and (for --invalid) the label sidecar for ``-o``."""
    target = Path(output)
    if target.suffix == ".jsonl":
        sidecar = target.with_name(target.name[: -len(".jsonl")] + ".labels.jsonl")
        return target, sidecar if invalid else None
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is not a directory (a FILE output must end in .jsonl)")
    stem = f"{schema}.{'invalid' if invalid else 'valid'}"
    return target / f"{stem}.jsonl", (target / f"{stem}.labels.jsonl") if invalid else None


def _line(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _check_options(args: argparse.Namespace) -> None:
    check_schema(args.schema)
    only = {
        "--full-context": (args.full_context, "--invalid", args.invalid),
        "--labels": (args.labels is not None, "--invalid", args.invalid),
        "--extra-properties": (args.extra_properties, "--valid", args.valid),
        "--coherent": (args.coherent, "--valid", args.valid),
    }
    for option, (given, mode, active) in only.items():
        if given and not active:
            raise UsageError(f"{option} applies to {mode} only")


def _payloads(
    args: argparse.Namespace, seed: int, profile: Profile
) -> Iterator[tuple[Any, dict[str, str] | None]]:
    """(payload, label or None) pairs, ``args.n`` of them, from the sampler."""
    from contract.generate import sampler

    realistic = not args.arbitrary
    try:
        if args.valid:
            jobs = sampler.conforming(
                args.schema,
                seed=seed,
                realistic=realistic,
                extra_properties=args.extra_properties,
                coherent=args.coherent,
                profile=profile,
            )
            return ((job, None) for job in islice(jobs, args.n))
        mutants = sampler.nonconforming(
            args.schema,
            seed=seed,
            realistic=realistic,
            context="full" if args.full_context else "minimal",
            profile=profile,
        )
    except ValueError as exc:  # a type without a rule to break; an amendment we cannot draw
        raise UsageError(str(exc)) from None
    return ((m.payload, m.label()) for m in islice(mutants, args.n))


def _write(
    pairs: Iterator[tuple[Any, dict[str, str] | None]],
    payloads: IO[bytes],
    labels: IO[bytes] | None,
    total: int,
    show_progress: bool,
) -> None:
    with progress(total, "payloads", enabled=show_progress) as advance:
        for line, (payload, label) in enumerate(pairs, start=1):
            payloads.write(_line(payload))
            if labels is not None and label is not None:
                labels.write(_line({"line": line, **label}))
            if line % _STEP == 0:
                advance(_STEP)
        advance(total % _STEP)


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    profile, _ = chosen_profile(args)
    seed = args.seed
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
        print(f"finetune-contract generate: seed {seed}", file=sys.stderr)
    pairs = _payloads(args, seed, profile)
    if args.output is None:
        return _to_stdout(args, pairs)
    payload_path, label_path = output_paths(args.output, args.schema, args.invalid)
    if args.labels is not None:
        label_path = Path(args.labels)
    refuse_existing([p for p in (payload_path, label_path) if p is not None], args.force)
    try:
        payload_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as files:
            payloads = files.enter_context(payload_path.open("wb"))
            labels = files.enter_context(label_path.open("wb")) if label_path else None
            _write(pairs, payloads, labels, args.n, show_progress=_stderr_is_terminal())
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or args.output}: {exc.strerror}") from None
    written = f"{payload_path}" + (f" and {label_path}" if label_path else "")
    print(f"finetune-contract generate: {args.n} payloads written to {written}", file=sys.stderr)
    return EXIT_OK


def _to_stdout(args: argparse.Namespace, pairs: Iterator[tuple[Any, dict[str, str] | None]]) -> int:
    label_path = Path(args.labels) if args.labels is not None else None
    if label_path is not None:
        refuse_existing([label_path], args.force)
    show = _stderr_is_terminal() and not _is_terminal(sys.stdout)
    try:
        with contextlib.ExitStack() as files:
            labels = files.enter_context(label_path.open("wb")) if label_path else None
            _write(pairs, sys.stdout.buffer, labels, args.n, show_progress=show)
            sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error. Point stdout at /dev/null so
        # that the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or 'output'}: {exc.strerror}") from None
    return EXIT_OK


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _stderr_is_terminal() -> bool:
    return _is_terminal(sys.stderr)
