"""Random strings and small JSON values for the sampler, from a seeded ``random.Random``."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from functools import cache
from typing import Any

from contract.generate.windows import (
    BASE_MODELS,
    ID_TAIL,
    INT_MAX,
    INT_MIN,
    RARE_ODDS,
    SMALL_INT,
)

Rng = random.Random
Draw = Callable[[Rng], Any]

#: Printable ASCII (realistic text).
READABLE = "".join(chr(c) for c in range(0x20, 0x7F))
ALNUM = string.ascii_letters + string.digits
_ORG = string.ascii_lowercase + "-"


def _table(alphabet: str) -> bytes:
    """A ``bytes.translate`` table taking any byte to a character of ``alphabet``."""
    return bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))


_READABLE_TABLE, _ALNUM_TABLE, _ORG_TABLE = _table(READABLE), _table(ALNUM), _table(_ORG)


def ascii_text(rng: Rng, count: int, table: bytes = _READABLE_TABLE) -> str:
    """``count`` characters of the alphabet ``table`` was made from (printable ASCII)."""
    if count <= 0:
        return ""
    return rng.getrandbits(8 * count).to_bytes(count, "little").translate(table).decode("ascii")


#: Code points arbitrary text favours: controls, C1, the edges of the surrogate block
#: and of the planes, byte-order mark, replacement character, non-characters, bidi
#: overrides, line separators, combining marks, zero-width joiners, CJK, emoji.
_SPECIAL = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9f\xa0\xad\xff"
    "\u0300\u0301\u034f\u05d0\u0627\u0e01\u1100\u200b\u200c\u200d\u200e\u200f"
    "\u2028\u2029\u202a\u202e\u2066\u2069\u3000\u4e00\ud7ff\ue000\uf8ff\ufeff\ufffd\ufffe\uffff"
    "\U00010000\U0001f600\U0001f469\U0001f3fd\U0010fffd\U0010ffff"
)
#: Code-point ranges arbitrary mode draws whole strings from (the surrogates left out).
_RANGES = ((0x00, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF))


@cache
def text_sampler(realistic: bool, low: int = 0, high: int | None = None) -> Draw:
    """Strings of ``low`` to ``high`` characters (no bound: mostly short ones).

    Realistic: printable ASCII. Arbitrary: any code point but surrogates, edge
    cases often. A bounded length reaches its limit one draw in RARE_ODDS.
    """
    span = 12 if high is None else high - low
    exact = high is not None and high > low

    def length(rng: Rng) -> int:
        if exact and rng.random() * RARE_ODDS < 1:
            return low + span
        # Short strings most of the time, longer ones now and then.
        return low + int(rng.random() ** 2 * (span + 1))

    if realistic:

        def readable(rng: Rng) -> str:
            return ascii_text(rng, length(rng))

        return readable

    def arbitrary(rng: Rng) -> str:
        return unicode_text(rng, length(rng))

    return arbitrary


def unicode_text(rng: Rng, count: int) -> str:
    """``count`` code points (no surrogates): ASCII, special cases or any plane."""
    if not count:
        return ""
    style = rng.random()
    if style < 0.35:
        return ascii_text(rng, count)
    if style < 0.6:
        return "".join(rng.choices(_SPECIAL, k=count))
    low, high = _RANGES[int(rng.random() * len(_RANGES))]
    span, draw = high - low + 1, rng.random
    return "".join([chr(low + int(draw() * span)) for _ in range(count)])


def identifier_sampler(prefix: str) -> Draw:
    """``prefix`` and 1 to ID_TAIL letters or digits (``ftjob-…``, ``file-…``)."""

    def identifier(rng: Rng) -> str:
        return prefix + ascii_text(rng, 1 + int(rng.random() ** 2 * ID_TAIL), _ALNUM_TABLE)

    return identifier


def model_sampler(rng: Rng) -> str:
    return BASE_MODELS[int(rng.random() * len(BASE_MODELS))]


def fine_tuned_model_sampler(rng: Rng) -> str:
    org = ascii_text(rng, 1 + int(rng.random() * 12), _ORG_TABLE)
    return f"ft:{model_sampler(rng)}:{org}::{ascii_text(rng, 8, _ALNUM_TABLE)}"


def any_int(rng: Rng, realistic: bool) -> int:
    """An integer with no schema bound: small, or anywhere in int64 in arbitrary mode."""
    if realistic or rng.random() < 0.5:
        return rng.randint(*SMALL_INT)
    return rng.randint(INT_MIN, INT_MAX)


def any_float(rng: Rng) -> float:
    """A finite float, sometimes tiny or huge."""
    value = rng.random() * 2.0 ** rng.randint(-40, 60)
    return -value if rng.random() < 0.5 else value


def any_json(rng: Rng, realistic: bool, depth: int = 2) -> Any:
    """A small arbitrary JSON value (at most ``depth`` levels of containers)."""
    pick = int(rng.random() * (7 if depth > 0 else 5))
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return any_int(rng, realistic)
    if pick == 3:
        return any_float(rng)
    if pick == 4:
        return text_sampler(realistic, 0, 16)(rng)
    size = int(rng.random() * 4)
    if pick == 5:
        return [any_json(rng, realistic, depth - 1) for _ in range(size)]
    keys = text_sampler(realistic, 0, 8)
    return {keys(rng): any_json(rng, realistic, depth - 1) for _ in range(size)}
