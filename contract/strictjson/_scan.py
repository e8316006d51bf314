"""Cheap scans of JSON text and values: nesting depth, integer length, repeated keys.

They let :func:`contract.strictjson.decode` trust a fast parser's result and
run the strict pass only where a strict-JSON problem could be hiding.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.S)
_OPENERS = frozenset(b"[{")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_WHITESPACE = b" \t\n\r"

#: Longest run of digits orjson always reads exactly: 18 digits fit in a signed
#: 64-bit integer; a longer integer may come back as a float.
_EXACT_DIGITS = 18


def rewritten_alike(data: bytes, value: Any) -> bool:
    """Whether orjson writes ``value`` (decoded from the JSON text ``data``) back as
    ``data``, whitespace aside; then ``data`` holds no repeated name, no number but
    those orjson reads exactly, and nests no deeper than orjson writes (254 levels).

    Equal texts, whitespace aside, have the same tokens in the same order (a
    string token may lose whitespace, on both sides alike). So each object of
    ``data`` has as many members as the decoded object has names, and each
    number is written as orjson writes the value it read; an integer orjson
    could not hold would come back as a float, with a point or an exponent.
    """
    try:
        again = orjson.dumps(value)
    except TypeError:  # nested deeper than orjson writes
        return False
    bare = data.translate(None, _WHITESPACE)
    # orjson writes no whitespace between tokens: most often ``again`` is ``bare`` as it is.
    return bare == again or bare == again.translate(None, _WHITESPACE)


def deeper_than(data: bytes, limit: int) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects more than ``limit`` deep.

    Brackets inside strings do not count. On text that is not JSON the answer
    is a best effort (strings are recognised as the decoder would start them).
    """
    # Nesting deeper than ``limit`` takes more than ``limit`` openers and as many
    # closers (or a truncated text), so short texts and few brackets settle it.
    if len(data) <= limit or data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        if byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def value_deeper_than(value: Any, limit: int) -> bool:
    """Whether a decoded value nests lists and dicts more than ``limit`` deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_LONE = re.compile("[\ud800-\udfff]")
#: Strings named in problems, at most; the rest are counted.
_SHOWN = 3


def lone_surrogates(value: Any) -> tuple[list[str], int]:
    """The first few strings (names and values) of a decoded value holding a lone
    surrogate, and how many there are in all. No recursion.

    Each is shown quoted, ASCII-escaped and cut short (``"x\\ud800..."``), so
    the text naming it can be printed and encoded anywhere.
    """
    found: list[str] = []
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            strings: list[Any] = list(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            strings = []
            stack.extend(node)
        else:
            strings = [node]
        for text in strings:
            if isinstance(text, str) and _LONE.search(text):
                count += 1
                if len(found) < _SHOWN:
                    cut = text[:40].encode("ascii", "backslashreplace").decode("ascii")
                    found.append(f'"{cut}{"..." if len(text) > 40 else ""}"')
    return found, count


def may_hold_long_integer(data: bytes) -> bool:
    """Whether ``data`` has a run of digits longer than a 64-bit integer always holds."""
    return b"0" * (_EXACT_DIGITS + 1) in data.translate(_DIGITS_AS_ZERO)


def may_repeat_keys(data: bytes, value: Any) -> bool:
    """Whether the JSON text ``data`` (valid, decoded by orjson into ``value``) may
    hold an object with a repeated name; False only when it certainly does not.

    A colon outside strings separates a name from its value, so the colons of
    ``data`` count its names plus the colons inside its strings. A string's
    colons decode to as many colons, unless one is written ``\\u003a``
    (no other escape, and no byte of a multi-byte UTF-8 character, is a
    colon). orjson writes every colon as it is, so the colons of the
    re-encoded value count the names the decoded objects kept plus the colons
    of the strings they kept. A repeated name loses one name and maybe
    strings: the re-encoded value has fewer colons. Equal counts prove no name
    was repeated.
    """
    if b"{" not in data:
        return False
    if b"\\u003a" in data or b"\\u003A" in data:
        return True
    try:
        again = orjson.dumps(value)
    except TypeError:  # nested deeper than orjson writes (254 levels)
        return True
    return data.count(b":") != again.count(b":")
