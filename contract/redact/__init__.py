"""The one boundary every output passes: credentials masked, terminal controls escaped.

::

    from contract.redact import redact, for_terminal, clip, redact_value

    redact(text, secrets)            # any text written anywhere (JSON strings, files, logs)
    for_terminal(text, secrets)      # text for a person: redact, then escape controls
    terminal_cleaner(secrets)        # for_terminal for many texts written at once
    clip(text, 200, secrets)         # an excerpt: redacted *before* it is cut
    redact_value(document, secrets)  # a JSON-like structure about to be written
    escape_json(json_text)           # JSON text with controls and surrogates as \\u escapes

``secrets`` are strings known to be secret (the API key in use), masked
wherever they appear: verbatim, and (from eight characters) hex-, base64- or
base64url-encoded, alone or inside a longer encoding such as a ``Basic``
credential, where the whole encoded token is masked. On top of them, :data:`RULES` masks what looks
like a credential: ``sk-…`` keys and other vendors' token shapes,
``Bearer``/``Basic`` credentials, the values of :data:`SECRET_HEADERS`, of
:data:`SECRET_PARAMETERS` in URLs and forms, and of :data:`SECRET_FIELDS` in
JSON, YAML and ``name: value`` text (there only when the value looks like a
credential: eight or more token characters, not a plain word, so "no API key
given" stays as it is). Keys written with JSON, Python or URL escapes
(``sk\\u002dproj-…``, ``%2D``, ``\\/``) are found too. Text is always redacted
before it is cut, and a key cut short by ``…`` is masked as well.

The configured API key is a known secret of every call, whatever the caller
passes: the value of each variable in :data:`KEY_VARIABLES` (read when asked,
so a key set later counts), and every key given to :func:`remember` (the
library's ``api_key=`` options do).

:class:`Secret` carries a credential through code whose frames a traceback
may show: its ``repr``, ``str`` and ``format`` are the mask.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from contract.redact._finder import (
    RULES,
    SECRET_FIELDS,
    SECRET_HEADERS,
    SECRET_PARAMETERS,
    masked,
    spans,
)
from contract.redact._terminal import escape, escape_json

#: What replaces a secret.
MASK = "[REDACTED]"
#: Characters read on each side of an excerpt so a secret crossing its edge is still found.
CONTEXT = 4096


class Secret(str):
    """A credential: a ``str`` whose ``repr``, ``str()`` and formatting show only the mask.

    It can be used wherever a string is needed (``"Bearer " + key`` gives the
    real header value); :meth:`reveal` returns it as a plain ``str``. Note
    that ``json.dumps`` and concatenation see the real value.
    """

    __slots__ = ()

    def reveal(self) -> str:
        """The credential itself, as a plain ``str``."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)


#: Environment variables holding the configured API key: masked in every output.
KEY_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
_REMEMBERED: set[str] = set()


def remember(*secrets: str | None) -> None:
    """Treat ``secrets`` as known for the rest of the process (a key given as an option)."""
    _REMEMBERED.update(str.__str__(s) for s in secrets if s)


def known(secrets: Iterable[str] = ()) -> tuple[str, ...]:
    """``secrets`` plus the configured ones: the key variables' values and those remembered."""
    configured = [os.environ.get(name) for name in KEY_VARIABLES]
    return (*secrets, *(s for s in configured if s), *_REMEMBERED)


def secret(value: str | None) -> Secret | None:
    """``value`` as a :class:`Secret` (None and empty stay None)."""
    if not value:
        return None
    return value if isinstance(value, Secret) else Secret(value)


#: Longest text kept with what it became: a report writes the same places and
#: messages again and again (each repeat of a fault); longer text is redacted each time.
_KEPT_UP_TO = 1024


@lru_cache(maxsize=4096)
def _redacted(text: str, secrets: tuple[str, ...]) -> str:
    return masked(text, spans(text, secrets), MASK)


def _redact_known(text: str, found: tuple[str, ...]) -> str:
    """``text`` redacted with ``found``, every secret known (:func:`known`)."""
    if type(text) is str and len(text) <= _KEPT_UP_TO:
        return _redacted(text, found)  # (by the text and every secret known now)
    return masked(text, spans(text, found), MASK)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with ``secrets`` and everything that looks like a credential masked."""
    __tracebackhide__ = True
    if not text:
        return text  # (an empty note or field: nothing to find, no key to look up)
    return _redact_known(text, known(secrets))


def for_terminal(text: str, secrets: Iterable[str] = (), *, multiline: bool = False) -> str:
    """``text`` redacted, then with terminal controls escaped (:mod:`contract.redact._terminal`).

    A line feed is escaped too, so one field stays one line; pass
    ``multiline=True`` for a block of lines built from already escaped fields.
    """
    __tracebackhide__ = True
    if not text:
        return text
    return escape(redact(text, secrets), keep_newlines=multiline)


def cleaner(secrets: Iterable[str] = ()) -> Callable[[str], str]:
    """:func:`redact` with the secrets known now: for the texts of one piece of output
    written at once (one result's fields), the configured keys are looked up once."""
    found = known(secrets)

    def clean(text: str) -> str:
        __tracebackhide__ = True
        if not text:
            return text
        return _redact_known(text, found)

    return clean


def terminal_cleaner(secrets: Iterable[str] = ()) -> Callable[[str], str]:
    """:func:`for_terminal` (one line each) with the secrets known now: for the texts of
    one piece of output written at once, the configured keys are looked up once."""
    redacted = cleaner(secrets)

    def clean(text: str) -> str:
        __tracebackhide__ = True
        if not text:
            return text
        return escape(redacted(text), keep_newlines=False)

    return clean


def clip(
    text: str,
    limit: int,
    secrets: Iterable[str] = (),
    *,
    start: int = 0,
    squeeze: bool = False,
) -> str:
    """At most ``limit`` characters of ``text`` from ``start``, for a terminal.

    Redacted before it is cut (a secret across either edge is masked whole),
    then escaped; ``…`` marks each cut. ``squeeze`` turns runs of whitespace,
    line breaks included, into one space.
    """
    __tracebackhide__ = True
    start = max(0, min(start, len(text)))
    low = max(0, start - CONTEXT)
    window = text[low : start + limit + CONTEXT]
    found = spans(window, known(secrets))
    offset = start - low
    for span_start, span_end in found:  # a secret across the left edge is shown from its start
        if span_start < offset < span_end:
            offset = span_start
    kept = [(s - offset, e - offset) for s, e in found if e > offset]
    shown = masked(window[offset:], [(max(0, s), e) for s, e in kept], MASK)
    if squeeze:
        shown = " ".join(shown.split())
    shown = escape(shown)
    lead = "…" if start > 0 else ""
    if len(shown) > limit or low + len(window) < len(text):
        shown = shown[: max(0, limit - 1)] + "…"
    return lead + shown


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None, secrets: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """The headers as (name, value) pairs: :data:`SECRET_HEADERS` masked, the others redacted."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    secrets = tuple(secrets)
    return [
        (
            redact(str(name), secrets),
            MASK if str(name).lower() in SECRET_HEADERS else redact(str(value), secrets),
        )
        for name, value in items
    ]


_SECRET_NAMES = frozenset(
    n.replace("_", "-") for n in SECRET_FIELDS | SECRET_HEADERS | SECRET_PARAMETERS
) - {"key", "code"}


def _secret_name(name: object) -> bool:
    return isinstance(name, str) and name.lower().replace("_", "-") in _SECRET_NAMES


def redact_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like ``value`` safe to write: every string redacted, and masked
    whole under a secret name (``{"api_key": …}``, ``{"name": "Authorization", "value": …}``,
    the members of ``cookies`` lists). Any depth; other objects are kept as they are.
    """
    secrets = tuple(secrets)
    if not isinstance(value, (dict, list, tuple, str)):
        return value
    root: list[Any] = [None]
    # Work items: (source, target container, key in target, masked whole).
    stack: list[tuple[Any, Any, Any, bool]] = [(value, root, 0, False)]
    while stack:
        source, target, key, hide = stack.pop()
        if isinstance(source, dict):
            copy: dict[Any, Any] = {}
            target[key] = copy
            named = _secret_name(source.get("name")) and "value" in source
            for name, item in source.items():
                new_name = redact(name, secrets) if isinstance(name, str) else name
                copy[new_name] = None
                masked_item = hide or _secret_name(name) or (named and name == "value")
                if name == "cookies" and isinstance(item, list):
                    item = [{**c, "value": MASK} if isinstance(c, dict) else c for c in item]
                stack.append((item, copy, new_name, masked_item))
        elif isinstance(source, (list, tuple)):
            items: list[Any] = [None] * len(source)
            target[key] = items
            stack += [(item, items, i, hide) for i, item in enumerate(source)]
        elif hide and source not in (None, "", True, False):
            target[key] = MASK
        elif isinstance(source, str):
            target[key] = redact(source, secrets)
        else:
            target[key] = source
    return root[0]


__all__ = [
    "CONTEXT",
    "KEY_VARIABLES",
    "MASK",
    "RULES",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "SECRET_PARAMETERS",
    "Secret",
    "cleaner",
    "clip",
    "escape",
    "escape_json",
    "for_terminal",
    "known",
    "redact",
    "redact_headers",
    "redact_value",
    "remember",
    "secret",
    "terminal_cleaner",
]
