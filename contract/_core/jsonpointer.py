"""JSON Pointers (RFC 6901): the one place that escapes, splits, builds and follows them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def escape(token: str | int) -> str:
    """One reference token, escaped: ``~`` as ``~0`` and ``/`` as ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """One escaped reference token back to the name it stands for."""
    return token.replace("~1", "/").replace("~0", "~")


def build(parts: Iterable[str | int]) -> str:
    """The pointer of a path: ``["a", 0, "b/c"]`` → ``/a/0/b~1c`` (``""`` for the root)."""
    tokens = parts if isinstance(parts, (list, tuple)) else list(parts)
    return "/" + "/".join(map(escape, tokens)) if tokens else ""


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer (or of a URI fragment): ``/a/b~1c`` → ``["a", "b/c"]``."""
    return [unescape(token) for token in pointer.split("/")[1:]]


def resolve(document: Any, pointer: str | Iterable[str | int]) -> Any:
    """The value a pointer (or a path of tokens) reaches in ``document``.

    A list is indexed by the token read as a number. Raises ``KeyError``,
    ``IndexError``, ``ValueError`` or ``TypeError`` where the pointer leads
    nowhere, as indexing would.
    """
    value = document
    for token in split(pointer) if isinstance(pointer, str) else pointer:
        if isinstance(value, list):
            value = value[int(token)]
        elif isinstance(value, Mapping):
            value = value[token]
        else:
            raise TypeError(f"{type(value).__name__} has no member {token!r}")
    return value


__all__ = ["build", "escape", "resolve", "split", "unescape"]
