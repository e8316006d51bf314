"""Failure reports: what a person needs to see about one non-conforming interaction.

A report names the interaction (method, URL, status), lists every violation
as ``path: message``, and shows a short excerpt of the offending parts of the
body, never the whole body when it is large. Every line is redacted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from contract.redact import redact
from contract.strictjson import JSONSyntaxError, decode
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.recordings import Interaction

#: Longest excerpt of the body shown for one place, in characters.
EXCERPT_CHARS = 200
#: Most places of the body shown in one report.
MAX_EXCERPTS = 5

_MISSING = object()


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _resolve(value: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _MISSING
    return value


def _syntax_excerpt(text: str, error: JSONSyntaxError, limit: int) -> str:
    if not error.line:
        return f"body starts: {_clip(text, limit)}"
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: error.line - 1]) + error.column - 1
    start = max(0, offset - limit // 2)
    window = text[start : start + limit]
    lead = "…" if start else ""
    return f"body near line {error.line} column {error.column}: {lead}{_clip(window, limit)}"


def excerpts(
    body: bytes | str | Any, violations: Sequence[Violation], limit: int = EXCERPT_CHARS
) -> list[str]:
    """Short renderings of the parts of ``body`` the violations point at (one line each)."""
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            value = decode(body).value
        except JSONSyntaxError as exc:
            return [_syntax_excerpt(text, exc, limit)] if text.strip() else ["body is empty"]
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
            lines.append(f"body at {parent or '<root>'}: {_clip(rendered, limit)}")
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
    token = path.rpartition("/")[2].replace("~1", "/").replace("~0", "~")
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
) -> str:
    """The failure report of one response: interaction line, violations, excerpts; redacted."""
    if method is not None and url is not None:
        head = f"{method} {url} -> {status if status is not None else 'no status'}"
    elif status is not None:
        head = f"response {status}"
    else:
        head = "payload (no request recorded)"
    count = len(violations)
    lines = [head, f"{count} contract violation{'s' if count != 1 else ''}:"]
    lines += [f"  {v}" for v in violations]
    if body is not None:
        lines += [f"  {line}" for line in excerpts(body, violations)]
    secrets = tuple(secrets)
    return "\n".join(redact(line, secrets) for line in lines)


def interaction_report(
    interaction: Interaction, violations: Sequence[Violation], secrets: Iterable[str] = ()
) -> str:
    """:func:`report` for a recorded :class:`~contract.recordings.Interaction`."""
    return report(
        violations,
        method=interaction.method,
        url=interaction.url,
        status=interaction.status,
        body=interaction.body,
        secrets=secrets,
    )


__all__ = ["EXCERPT_CHARS", "excerpts", "interaction_report", "report"]
