"""Decoding JSON as RFC 8259 has it.

Python's :mod:`json` accepts ``NaN``, ``Infinity`` and duplicate keys, and
turns ``1e400`` into infinity. A response carrying any of those is not
interoperable JSON, so decoding here keeps the value but lists each such
problem; text that is not JSON at all raises :class:`JSONSyntaxError`, and so
does JSON this decoder refuses to hold: nesting deeper than :data:`MAX_DEPTH`
and integers longer than Python converts (``sys.get_int_max_str_digits()``).
A string holding a lone UTF-16 surrogate (``"\\ud800"``) is decoded but listed as
a problem: RFC 8259 text carries characters, and a lone surrogate is none.

:func:`decode` parses with orjson first, which refuses NaN, infinities,
out-of-range numbers, non-UTF-8, lone surrogates, a byte order mark and empty
or truncated text. Its result is returned when the text provably has no
repeated name, no integer orjson could have rounded and no nesting beyond
the limit: first the cheapest proof (orjson writes the value back as the
text, whitespace aside), then, for text with escapes orjson writes otherwise
(``\\u00e9``), separate scans (the colons of the text and of the value
written back agree; no run of more than 18 digits; few brackets). Every
other text goes through the strict pass, which gives the verdict and the
message, so both paths always agree.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import orjson

from contract._core import gc as _collector
from contract.strictjson._scan import (
    deeper_than,
    lone_surrogates,
    may_hold_long_integer,
    may_repeat_keys,
    rewritten_alike,
)

#: Deepest nesting of arrays and objects decoded; deeper text is refused. The
#: schemas' deepest path is far shallower, and the limit keeps everything
#: downstream (validation, messages, reports) clear of Python's recursion limit.
MAX_DEPTH = 512

# An escaped UTF-16 surrogate (paired ones decode to one character, lone ones stay).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONSyntaxError(ValueError):
    """Text that is not JSON (or that this decoder refuses to hold).

    ``line`` and ``column`` are 1-based (0 when unknown).
    """

    def __init__(self, reason: str, line: int = 0, column: int = 0) -> None:
        self.reason, self.line, self.column = reason, line, column
        where = f" at line {line} column {column}" if line else ""
        super().__init__(f"{reason}{where}")


@dataclass
class Decoded:
    """A decoded JSON value and the RFC 8259 problems met while decoding it."""

    value: Any
    problems: list[str] = field(default_factory=list)


def decode(data: bytes | str) -> Decoded:
    """Decode one JSON text (UTF-8 bytes or str)."""
    if len(data) < _collector.LARGE:
        return _decode(data)
    with _collector.paused():  # a large document: see contract._core.gc
        return _decode(data)


def _decode(data: bytes | str) -> Decoded:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _decode_strictly(data)
    text = data.encode("utf-8") if isinstance(data, str) else data
    if rewritten_alike(text, value):
        return Decoded(value)
    if may_hold_long_integer(text) or deeper_than(text, MAX_DEPTH) or may_repeat_keys(text, value):
        return _decode_strictly(data)
    return Decoded(value)


def _decode_strictly(data: bytes | str) -> Decoded:
    """The strict pass: Python's decoder with a check at every place RFC 8259 can fail."""
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            raise JSONSyntaxError("starts with a byte order mark, which JSON text must not have")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONSyntaxError(
                f"is not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
        raw = data
    else:
        text = data
        raw = data.encode("utf-8", "surrogatepass")
    if not text.strip():
        raise JSONSyntaxError("is empty")
    if deeper_than(raw, MAX_DEPTH):
        raise JSONSyntaxError(f"is nested more than {MAX_DEPTH} levels deep")
    problems: list[str] = []

    def constant(name: str) -> float:
        problems.append(f"{name} is not a JSON number")
        return float(name.replace("Infinity", "inf"))

    def number(literal: str) -> float:
        value = float(literal)
        if math.isinf(value):
            problems.append(f"number {literal} is out of the range of a double")
        return value

    def integer(literal: str) -> int:
        digits, limit = len(literal.lstrip("-")), sys.get_int_max_str_digits()
        if limit and digits > limit:
            raise JSONSyntaxError(
                f"has a number of {digits} digits, beyond the {limit} digits "
                "Python converts to an integer"
            )
        return int(literal)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                problems.append(f"duplicate key {json.dumps(key, ensure_ascii=False)} in an object")
            result[key] = value
        return result

    try:
        value = json.loads(
            text,
            parse_constant=constant,
            parse_float=number,
            parse_int=integer,
            object_pairs_hook=pairs,
        )
    except json.JSONDecodeError as exc:
        raise JSONSyntaxError(_reason(exc), exc.lineno, exc.colno) from None
    except RecursionError:
        # Only when the caller's own stack is already deep: the text is not.
        raise JSONSyntaxError("is nested too deeply for the caller's stack") from None
    if _SURROGATE_ESCAPE.search(raw) or _SURROGATE.search(text):
        shown, count = lone_surrogates(value)
        problems.extend(
            f"string {string} holds a lone surrogate, which JSON text cannot carry as a character"
            for string in shown
        )
        if count > len(shown):
            problems.append(f"{count - len(shown)} more strings hold lone surrogates")
    return Decoded(value, problems)


def _reason(exc: json.JSONDecodeError) -> str:
    detail = (exc.msg[0].lower() + exc.msg[1:]).removesuffix(" starting at")
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(exc.doc.rstrip()):
        return f"ends early ({detail})"
    return f"is not JSON ({detail})"
