"""Stable rule codes: every kind of finding has a code ``FC`` + three digits.

The codes are data, written once in ``contract/_data/rules.json``: the
reports carry them (``code`` in JSON and JSON Lines, SARIF's ``ruleId``,
JUnit, GitHub annotations, the text line), ``finetune-contract explain CODE``
reads them, and the table of ``docs/reference/rules.md`` is generated from
them (``python -m contract._core.rules --markdown``). Codes are never reused: a
rule that goes away keeps its code, marked retired.

Ranges: ``FC0xx`` HTTP-level checks of a response, ``FC1xx`` JSON Schema
keywords, ``FC2xx`` contract-level findings (known deviations, unknown
properties), ``FC3xx`` session rules, ``FC4xx`` the request side
(``FC4NN`` is keyword ``FC1NN`` in a request), ``FC9xx`` notes about a
recording rather than a response.

::

    from contract._core import rules
    rules.code_of("maximum")                   # "FC106"
    rules.code_of("maximum", side="request")   # "FC406"
    rules.rule("FC106").title                  # "Above the maximum"
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The data file (shipped in the package).
DATA = Path(__file__).resolve().parents[1] / "_data" / "rules.json"
#: What a code looks like.
CODE = re.compile(r"\AFC\d{3}\Z")
#: Code of a response-side keyword the table does not list; of a request-side one.
OTHER_KEYWORD, OTHER_REQUEST = "FC199", "FC400"
#: Codes of what is said about a file rather than a response (notes and errors).
UNREADABLE, NOT_A_RECORDING, NOTHING_CHECKED, NOTHING_AT_ALL = "FC901", "FC902", "FC903", "FC904"


@dataclass(frozen=True)
class Rule:
    """One rule: its code, the keyword it answers to on one side, and its words."""

    code: str
    side: str
    kind: str
    title: str
    meaning: str
    why: str
    accept: str
    keyword: str | None = None
    reserved: bool = False

    @property
    def anchor(self) -> str:
        """The anchor of the rule on the docs page (``fc106``)."""
        return self.code.lower()


@dataclass(frozen=True)
class Table:
    """Every rule, by code and by (side, keyword)."""

    rules: tuple[Rule, ...]
    page: str

    @property
    def by_code(self) -> dict[str, Rule]:
        return {r.code: r for r in self.rules}

    def link(self, rule: Rule) -> str:
        """The docs page of ``rule``, with its anchor (``docs/reference/rules.md#fc106``)."""
        return f"docs/{self.page}#{rule.anchor}"


@cache
def table() -> Table:
    """The rules, read once from :data:`DATA`."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    default_accept = str(data["accept"])
    rules = tuple(
        Rule(
            code=str(r["code"]),
            side=str(r["side"]),
            kind=str(r["kind"]),
            title=str(r["title"]),
            meaning=str(r["meaning"]),
            why=str(r["why"]),
            accept=str(r.get("accept", default_accept)),
            keyword=r.get("keyword"),
            reserved=bool(r.get("reserved", False)),
        )
        for r in data["rules"]
    )
    return Table(rules, str(data["page"]))


@cache
def _by_keyword() -> dict[tuple[str, str], str]:
    return {(r.side, r.keyword): r.code for r in table().rules if r.keyword is not None}


def code_of(keyword: str, side: str = "response") -> str:
    """The code of a finding with ``keyword`` on ``side`` (``response`` or ``request``).

    A keyword the table does not list gets the catch-all of its side
    (:data:`OTHER_KEYWORD`, :data:`OTHER_REQUEST`), so every finding has a code.
    """
    found = _by_keyword().get((side, keyword))
    if found is not None:
        return found
    return OTHER_REQUEST if side == "request" else OTHER_KEYWORD


def rule(code: str) -> Rule:
    """The rule of ``code`` (case-insensitive); :class:`KeyError` for an unknown one."""
    return table().by_code[code.strip().upper()]


def markdown() -> str:
    """The table of codes of ``docs/reference/rules.md``, generated from the data."""
    lines = [
        "| code | side | finding | keyword |",
        "|---|---|---|---|",
    ]
    for r in table().rules:
        keyword = f"`{r.keyword}`" if r.keyword else "—"
        code = r.code if r.reserved else f"[{r.code}](#{r.anchor})"
        lines.append(f"| {code} | {r.side} | {r.title} | {keyword} |")
    lines.append("")
    for r in table().rules:
        if r.reserved:
            continue
        lines += [
            f"### {r.code}: {r.title} {{#{r.anchor}}}",
            "",
            f"**Side:** {r.side}; **kind:** {r.kind}"
            + (f"; **keyword:** `{r.keyword}`" if r.keyword else ""),
            "",
            f"**What it means.** {r.meaning}",
            "",
            f"**Why the contract says so.** {r.why}",
            "",
            f"**How to accept it.** {r.accept}",
            "",
        ]
    return "\n".join(lines)


#: The markers between which ``docs/reference/rules.md`` holds :func:`markdown`.
START, END = (
    "<!-- rules:start (generated: python -m contract._core.rules --write PAGE) -->",
    ("<!-- rules:end -->"),
)


def page_text(current: str) -> str:
    """``current`` (the docs page) with the generated part replaced by :func:`markdown`."""
    head, found, rest = current.partition(START)
    if not found or END not in rest:
        raise ValueError(f"the page has no {START!r} ... {END!r} section")
    tail = rest.partition(END)[2]
    return f"{head}{START}\n\n{markdown()}\n{END}{tail}"


def _main(argv: list[str]) -> int:  # pragma: no cover - the docs' generator
    if argv == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if len(argv) == 2 and argv[0] == "--write":
        page = Path(argv[1])
        page.write_text(page_text(page.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    print("usage: python -m contract._core.rules --markdown | --write PAGE", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))

__all__ = [
    "CODE",
    "DATA",
    "END",
    "START",
    "Rule",
    "Table",
    "code_of",
    "markdown",
    "page_text",
    "rule",
    "table",
]
