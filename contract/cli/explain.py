"""``finetune-contract explain CODE``: what a rule code means, why, and how to accept it."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from contract._core import rules
from contract.cli import EXIT_OK, UsageError

_WIDTH = 88


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="say what a rule code (FC106...) means, why, and how to accept it",
        description=(
            "Explain a rule code of a finding (FC + three digits, as every report format "
            "carries it): what it means, why the contract says so, how to accept it (a "
            "profile, an amendment, the baseline), and its docs page. Without CODE, list "
            "every code."
        ),
        epilog="Exit status: 0 explained, 2 unknown code.",
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="a rule code, e.g. FC106")
    parser.set_defaults(run=run)


def _paragraph(label: str, text: str) -> list[str]:
    return [*textwrap.wrap(f"{label}: {text}", _WIDTH, subsequent_indent="  "), ""]


def explanation(code: str) -> str:
    """The text ``explain CODE`` prints; :class:`KeyError` for an unknown code."""
    rule = rules.rule(code)
    head = f"{rule.code}: {rule.title}"
    where = f"side: {rule.side}; kind: {rule.kind}"
    if rule.keyword:
        where += f"; keyword: {rule.keyword}"
    lines = [head, where, ""]
    if rule.reserved:
        lines += _paragraph("Reserved", rule.meaning)
    else:
        lines += _paragraph("What it means", rule.meaning)
        lines += _paragraph("Why the contract says so", rule.why)
        lines += _paragraph("How to accept it", rule.accept)
    lines.append(f"Docs: {rules.table().link(rule)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    code: str | None = args.code
    if code is None:
        for rule in rules.table().rules:
            if not rule.reserved:
                keyword = f" ({rule.keyword})" if rule.keyword else ""
                print(f"{rule.code}  {rule.side:<9}  {rule.title}{keyword}")
        return EXIT_OK
    try:
        text = explanation(code)
    except KeyError:
        shown = code.strip()[:20]
        if not rules.CODE.match(shown.upper()):
            raise UsageError(f"{shown!r} is not a rule code (FC and three digits)") from None
        raise UsageError(
            f"unknown rule code {shown.upper()}; `finetune-contract explain` lists them"
        ) from None
    print(text)
    return EXIT_OK
