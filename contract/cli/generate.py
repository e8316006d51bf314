"""``finetune-contract generate``: write a corpus of conforming or non-conforming payloads."""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from contract.cli import EXIT_OK, UsageError
from contract.cli._arguments import check_schema, positive_int, schema_argument

_EPILOG = """\
Output. Without -o, payloads go to standard output, one JSON document per line;
with --invalid each line is then {"payload": ..., "label": {"path", "keyword",
"description"}}. With -o FILE.jsonl, FILE.jsonl holds only the payloads (one per
line, ready to feed to a parser) and, with --invalid, FILE.labels.jsonl holds the
label of line i on its line i: {"line": i, "path": JSON Pointer of the violation,
"keyword": the JSON Schema keyword broken, "description": short text}. With -o DIR
(any path not ending in .jsonl) the files are DIR/<Schema>.valid.jsonl or
DIR/<Schema>.invalid.jsonl and DIR/<Schema>.invalid.labels.jsonl; DIR is created.
Existing files are never overwritten unless --force is given.

The same --seed, -n, --schema and knobs give the same corpus (with the same
Hypothesis version). Without --seed a random seed is used and printed on
standard error.

Exit status: 0 written, 2 usage error or unwritable output."""


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
        "--full-context",
        action="store_true",
        help=(
            "(--invalid) draw the valid rest of each payload like --valid does "
            "(default: the smallest valid payload around the broken value)"
        ),
    )
    parser.set_defaults(run=run)


def _batch(strategy: st.SearchStrategy[Any], want: int, seed: int) -> list[Any]:
    batch: list[Any] = []

    @settings(
        max_examples=want,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(value: Any) -> None:
        if len(batch) < want:
            batch.append(value)

    collect()
    return batch


def draw(strategy: st.SearchStrategy[Any], count: int, seed: int) -> Iterator[Any]:
    """``count`` examples of ``strategy``, the same ones for the same seed."""
    produced, round_seed = 0, seed
    while produced < count:
        batch = _batch(strategy, count - produced, round_seed)
        if not batch:
            raise UsageError("the generator produced no payloads")
        yield from batch
        produced += len(batch)
        round_seed += 1


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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def run(args: argparse.Namespace) -> int:
    from contract import strategies

    check_schema(args.schema)
    realistic = not args.arbitrary
    strategy: st.SearchStrategy[Any]
    if args.valid:
        if args.full_context:
            raise UsageError("--full-context applies to --invalid only")
        strategy = strategies.conforming(
            args.schema, realistic=realistic, extra_properties=args.extra_properties
        )
    else:
        if args.extra_properties:
            raise UsageError("--extra-properties applies to --valid only")
        try:
            strategy = strategies.nonconforming(
                args.schema,
                realistic=realistic,
                context="full" if args.full_context else "minimal",
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    seed = args.seed
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
        print(f"finetune-contract generate: seed {seed}", file=sys.stderr)
    examples = draw(strategy, args.n, seed)
    if args.output is None:
        for example in examples:
            if args.valid:
                print(_dumps(example))
            else:
                print(_dumps({"payload": example.payload, "label": example.label()}))
        return EXIT_OK
    payload_path, label_path = output_paths(args.output, args.schema, args.invalid)
    refuse_existing([p for p in (payload_path, label_path) if p is not None], args.force)
    try:
        payload_path.parent.mkdir(parents=True, exist_ok=True)
        with payload_path.open("w", encoding="utf-8") as payloads:
            labels: IO[str] | None = None
            if label_path is not None:
                labels = label_path.open("w", encoding="utf-8")
            try:
                for line, example in enumerate(examples, start=1):
                    if args.valid:
                        payloads.write(_dumps(example) + "\n")
                    else:
                        payloads.write(_dumps(example.payload) + "\n")
                        assert labels is not None
                        labels.write(_dumps({"line": line, **example.label()}) + "\n")
            finally:
                if labels is not None:
                    labels.close()
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or args.output}: {exc.strerror}") from None
    written = f"{payload_path}" + (f" and {label_path}" if label_path else "")
    print(f"finetune-contract generate: {args.n} payloads written to {written}", file=sys.stderr)
    return EXIT_OK
