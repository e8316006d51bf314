"""Input-controlled text on its way out: credentials masked, and for people, controls escaped."""

from __future__ import annotations

import re
import unicodedata

from contract.redact import redact

_CONTROL = re.compile(r"[^\x20-\x7e]")


def _visible(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    if code < 0x20 or code == 0x7F or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        if code <= 0xFF:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def for_machine(text: str) -> str:
    """Text for a machine-read format (JSON, XML, SARIF escape the rest): credentials masked."""
    return redact(text)


def for_person(text: str) -> str:
    """Text for a terminal or a log: credentials masked, then every control character
    (C0, DEL, C1, bidi and other format characters, line separators) written as an escape."""
    text = redact(text)
    if text.isascii() and text.isprintable():
        return text
    return _CONTROL.sub(_visible, text)


__all__ = ["for_machine", "for_person"]
