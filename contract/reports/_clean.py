"""Input-controlled text on its way out: credentials masked, and for people, controls escaped.

Both go through :mod:`contract.redact`, the one boundary every output passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from contract.redact import cleaner, escape_json, for_terminal, redact, terminal_cleaner


def for_machine(text: str) -> str:
    """Text for a machine-read format (JSON, XML, SARIF escape the rest): credentials masked."""
    return redact(text)


def for_person(text: str) -> str:
    """Text for a terminal or a log: credentials masked, then every control character
    (C0, DEL, C1, bidi and other format characters, line separators) written as an escape."""
    return for_terminal(text)


def machine_cleaner() -> Callable[[str], str]:
    """:func:`for_machine` for the texts of a piece of output written together (a run's
    results): the configured keys are looked up once for all of them."""
    return cleaner()


def person_cleaner() -> Callable[[str], str]:
    """:func:`for_person` for the texts of one piece of output written at once (one
    result's lines): the configured keys are looked up once for all of them."""
    return terminal_cleaner()


def json_text(document: Any, *, indent: int | None = None) -> str:
    """``document`` as JSON text that any UTF-8 stream can take and any viewer shows as
    written: control, bidi and other format characters and lone surrogates as ``\\u``
    escapes (the value read back is the same)."""
    return escape_json(json.dumps(document, indent=indent, ensure_ascii=False))


def json_item(document: Any, depth: int) -> str:
    """``document`` as :func:`json_text` with ``indent=2`` writes it as an item ``depth``
    levels down in a larger document, its line break and indentation first: a report
    that writes its array's items as they come writes what one ``json.dumps`` of the
    whole would. (A JSON string holds no raw line break: each one starts a line.)"""
    indent = "\n" + "  " * depth
    return indent + json_text(document, indent=2).replace("\n", indent)


__all__ = [
    "for_machine",
    "for_person",
    "json_item",
    "json_text",
    "machine_cleaner",
    "person_cleaner",
]
