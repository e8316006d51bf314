"""Making input-controlled text safe to print on a terminal.

A character is escaped when it could change what a terminal shows rather than
show itself: the C0 controls (NUL, BEL, BS, TAB, LF, CR, ESC, ...), DEL, the C1
controls (U+0080 to U+009F, where a terminal may read CSI), and every Unicode
format, surrogate and line/paragraph separator character (categories ``Cf``,
``Cs``, ``Zl``, ``Zp``: bidi overrides and isolates such as U+202E and U+2066,
zero-width characters, tag characters). Each becomes visible text the way
Python writes it: ``\\x1b``, ``\\u202e``, ``\\U000e0041``. Everything else,
backslashes included, is left as it is, so escaping twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Unicode categories escaped outside ASCII (C0 controls and DEL are always escaped).
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ASCII_CONTROL_NOT_LF = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_CANDIDATE = re.compile(r"[^\x20-\x7e]")
_CANDIDATE_NOT_LF = re.compile(r"[^\x20-\x7e\n]")


@lru_cache(maxsize=4096)
def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x20 or code == 0x7F or unicodedata.category(char) in ESCAPED_CATEGORIES:
        if code <= 0xFF:
            return f"\\x{code:02x}"
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        return f"\\U{code:08x}"
    return char


def _replace(found: re.Match[str]) -> str:
    return _escaped(found.group())


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every character that could act on a terminal written as an escape.

    A line feed is escaped too (one field stays one line) unless
    ``keep_newlines`` is set, for text that is already a block of lines.
    """
    if text.isascii():
        control = _ASCII_CONTROL_NOT_LF if keep_newlines else _ASCII_CONTROL
        if control.search(text) is None:
            return text
    candidate = _CANDIDATE_NOT_LF if keep_newlines else _CANDIDATE
    return candidate.sub(_replace, text)


_JSON_CANDIDATE = re.compile(r"[^\x00-\x7e]")


def _json_escaped(found: re.Match[str]) -> str:
    char = found.group()
    if _escaped(char) == char:
        return char
    code = ord(char)
    if code > 0xFFFF:  # a UTF-16 pair, as JSON writes characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def escape_json(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every
    character :func:`escape` would escape written as a JSON ``\\u`` escape instead.

    The text decodes to the same value, but its bytes hold no DEL, C1, bidi,
    line separator or other format character, and no lone surrogate, so it can
    be encoded as UTF-8 and shown anywhere. Only valid on JSON text: there such
    characters can only be inside strings.
    """
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_CANDIDATE.sub(_json_escaped, text)


__all__ = ["ESCAPED_CATEGORIES", "escape", "escape_json"]
