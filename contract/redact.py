"""Keeping credentials out of every report.

Recordings and live responses can carry an ``Authorization`` header, an
``api-key`` header or query parameter, or an API key pasted into a body or an
error message. Everything this package prints about an interaction goes
through :func:`redact` (text) or :func:`redact_headers` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: What replaces a secret.
MASK = "[REDACTED]"

#: Header names whose values are credentials (compared case-insensitively).
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "openai-api-key",
        "cookie",
        "set-cookie",
    }
)

_KEY_NAMES = (
    r"(?:authorization|proxy-authorization|x-api-key|openai[-_]api[-_]key|api[-_]?key"
    r"|access[-_]token|token)"
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Bearer <token>" / "Basic <credentials>" wherever it appears.
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), rf"\1 {MASK}"),
    # OpenAI-style keys: sk-..., sk-proj-..., sess-...
    (re.compile(r"\b(?:sk|sess|rk)-[A-Za-z0-9_-]{6,}"), MASK),
    # key=value in query strings and forms; "key": "value" in JSON; key: value in YAML/headers.
    (
        re.compile(
            rf"(?i)(\b{_KEY_NAMES}\b[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED\]|(?:Bearer|Basic)\s)([^\"'&\s,;}}\]]+)"
        ),
        rf"\1{MASK}",
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials masked: known ``secrets`` verbatim, then key-like patterns."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None, secrets: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """The headers as (name, value) pairs, credential headers masked and values redacted."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    secrets = tuple(secrets)
    return [
        (str(name), MASK if str(name).lower() in SECRET_HEADERS else redact(str(value), secrets))
        for name, value in items
    ]


__all__ = ["MASK", "SECRET_HEADERS", "redact", "redact_headers"]
