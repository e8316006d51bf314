"""Whether to colour, and the few styles the text report uses.

Precedence, first match wins: ``--color always`` / ``--color never``; then,
for ``--color auto`` (the default), ``NO_COLOR`` set to a non-empty value
turns colour off (https://no-color.org); then ``FORCE_COLOR`` set to a
non-empty value turns it on (https://force-color.org); otherwise colour is
used when the output is a terminal and ``TERM`` is not ``dumb``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

CHOICES = ("auto", "always", "never")

_STYLES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "dim": "2"}


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour ``stream`` for ``--color choice`` (precedence: see the module)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def paint(text: str, style: str, enabled: bool) -> str:
    """``text`` in ``style`` (bold, red, green, yellow, dim) when ``enabled``."""
    if not enabled or not text:
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


__all__ = ["CHOICES", "paint", "use_color"]
