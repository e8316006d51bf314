"""Decoding JSON as RFC 8259 has it.

Python's :mod:`json` accepts ``NaN``, ``Infinity`` and duplicate keys, and
turns ``1e400`` into infinity. A response carrying any of those is not
interoperable JSON, so decoding here keeps the value but lists each such
problem; text that is not JSON at all raises :class:`JSONSyntaxError`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


class JSONSyntaxError(ValueError):
    """Text that is not JSON; ``line`` and ``column`` are 1-based (0 when unknown)."""

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
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            raise JSONSyntaxError("starts with a byte order mark, which JSON text must not have")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONSyntaxError(
                f"is not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    else:
        text = data
    if not text.strip():
        raise JSONSyntaxError("is empty")
    problems: list[str] = []

    def constant(name: str) -> float:
        problems.append(f"{name} is not a JSON number")
        return float(name.replace("Infinity", "inf"))

    def number(literal: str) -> float:
        value = float(literal)
        if math.isinf(value):
            problems.append(f"number {literal} is out of the range of a double")
        return value

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                problems.append(f"duplicate key {json.dumps(key, ensure_ascii=False)} in an object")
            result[key] = value
        return result

    try:
        value = json.loads(
            text, parse_constant=constant, parse_float=number, object_pairs_hook=pairs
        )
    except json.JSONDecodeError as exc:
        raise JSONSyntaxError(_reason(exc), exc.lineno, exc.colno) from None
    except RecursionError:
        raise JSONSyntaxError("is nested too deeply") from None
    return Decoded(value, problems)


def _reason(exc: json.JSONDecodeError) -> str:
    detail = (exc.msg[0].lower() + exc.msg[1:]).removesuffix(" starting at")
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(exc.doc.rstrip()):
        return f"ends early ({detail})"
    return f"is not JSON ({detail})"
