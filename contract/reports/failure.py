"""Failure reports: what a person needs to see about one non-conforming interaction.

A report names the interaction (method, URL, status), lists every violation
as ``path: message``, and shows a short excerpt of the offending parts of the
body, never the whole body when it is large. Everything passes
:mod:`contract.redact`: each part is redacted *before* it is cut, and every
character the input controls that could act on a terminal is escaped, so a
line feed in a URL or a key name cannot forge a report line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from contract._core import jsonpointer
from contract.redact import clip, for_terminal
from contract.reports._group import grouped
from contract.strictjson import JSONSyntaxError, decode
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.recordings import Interaction

#: Longest excerpt of the body shown for one place, in characters.
EXCERPT_CHARS = 200
#: Most places of the body shown in one report.
MAX_EXCERPTS = 5

_MISSING = object()


def _resolve(value: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = jsonpointer.unescape(token)
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _MISSING
    return value


def _syntax_excerpt(text: str, error: JSONSyntaxError, limit: int, secrets: tuple[str, ...]) -> str:
    if not error.line:
        return f"body starts: {clip(text, limit, secrets, squeeze=True)}"
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: error.line - 1]) + error.column - 1
    start = max(0, offset - limit // 2)
    window = clip(text, limit, secrets, start=start, squeeze=True)
    return f"body near line {error.line} column {error.column}: {window}"


def excerpts(
    body: bytes | str | Any,
    violations: Sequence[Violation],
    limit: int = EXCERPT_CHARS,
    secrets: Iterable[str] = (),
) -> list[str]:
    """Short renderings of the parts of ``body`` the violations point at (one line each).

    Each is redacted before it is cut to ``limit`` characters, and escaped.
    """
    secrets = tuple(secrets)
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            value = decode(body).value
        except JSONSyntaxError as exc:
            if not text.strip():
                return ["body is empty"]
            return [_syntax_excerpt(text, exc, limit, secrets)]
    else:
        value = body
    lines: list[str] = []
    for path in dict.fromkeys(v.path for v in violations):
        if len(lines) == MAX_EXCERPTS:
            lines.append("(more places not shown)")
            break
        rendered = _in_context(value, path)
        if rendered is not None:
            parent = path.rpartition("/")[0] if path else ""
            place = for_terminal(parent or "<root>", secrets)
            lines.append(f"body at {place}: {clip(rendered, limit, secrets)}")
    return lines


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


def _in_context(document: Any, path: str) -> str | None:
    """The value at ``path`` as a member of its container, the other members elided.

    ``/hyperparameters/n_epochs`` renders as ``{"n_epochs": 51, …}``; the root
    (or a place whose container is gone) renders as the value itself.
    """
    found = _resolve(document, path)
    if found is _MISSING:
        return None
    if not path:
        return _dump(found)
    parent = _resolve(document, path.rpartition("/")[0])
    token = jsonpointer.unescape(path.rpartition("/")[2])
    if isinstance(parent, dict):
        keys = list(parent)
        member = f"{_dump(token)}: {_dump(found)}"
        at, size = keys.index(token), len(keys)
    elif isinstance(parent, list):
        member, at, size = _dump(found), int(token), len(parent)
    else:
        return _dump(found)
    before = "…, " if at > 0 else ""
    after = ", …" if at < size - 1 else ""
    opening, closing = ("{", "}") if isinstance(parent, dict) else ("[", "]")
    return f"{opening}{before}{member}{after}{closing}"


def report(
    violations: Sequence[Violation],
    *,
    method: str | None = None,
    url: str | None = None,
    status: int | None = None,
    body: bytes | str | Any = None,
    secrets: Iterable[str] = (),
    request: Sequence[Violation] = (),
) -> str:
    """The failure report of one response: interaction line, violations, excerpts, then
    the violations of its ``request``, if any.

    Redacted and escaped: safe to print and to write anywhere.
    """
    secrets = tuple(secrets)
    if method is not None and url is not None:
        head = f"{method} {url} -> {status if status is not None else 'no status'}"
    elif status is not None:
        head = f"response {status}"
    else:
        head = "payload (no request recorded)"
    lines = [for_terminal(head, secrets)]
    count = len(violations)
    if count or not request:
        lines.append(f"{count} contract violation{'s' if count != 1 else ''}:")
        for group in grouped(violations):
            shown = f"{group.first} [{group.first.code}]{group.note()}"
            lines.append(f"  {for_terminal(shown, secrets)}")
        if body is not None:
            lines += [f"  {line}" for line in excerpts(body, violations, secrets=secrets)]
    if request:
        count = len(request)
        lines.append(f"{count} request contract violation{'s' if count != 1 else ''}:")
        for v in request:
            shown = f"{v} [{v.code_on('request')}]"
            lines.append(f"  request: {for_terminal(shown, secrets)}")
    return "\n".join(lines)


def interaction_report(
    interaction: Interaction,
    violations: Sequence[Violation],
    secrets: Iterable[str] = (),
    request: Sequence[Violation] = (),
) -> str:
    """:func:`report` for a recorded :class:`~contract.recordings.Interaction`."""
    return report(
        violations,
        method=interaction.method,
        url=interaction.url,
        status=interaction.status,
        body=interaction.body,
        secrets=secrets,
        request=request,
    )


__all__ = ["EXCERPT_CHARS", "excerpts", "interaction_report", "report"]
