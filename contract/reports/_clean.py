"""Input-controlled text on its way out: credentials masked, and for people, controls escaped.

Both go through :mod:`contract.redact`, the one boundary every output passes.
"""

from __future__ import annotations

from contract.redact import for_terminal, redact


def for_machine(text: str) -> str:
    """Text for a machine-read format (JSON, XML, SARIF escape the rest): credentials masked."""
    return redact(text)


def for_person(text: str) -> str:
    """Text for a terminal or a log: credentials masked, then every control character
    (C0, DEL, C1, bidi and other format characters, line separators) written as an escape."""
    return for_terminal(text)


__all__ = ["for_machine", "for_person"]
