"""Writing HAR 1.2 an entry at a time, so the file is a valid HAR whenever it stops.

The file always ends with the closing of ``log.entries`` and ``log``: each new
entry overwrites that closing and writes it again after itself, then the file
is flushed. A run stopped by SIGINT or SIGTERM between two entries leaves a
complete document; every entry is redacted (:func:`contract.redact.redact_value`,
with the secrets the caller knows) before it is written.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from contract import __version__
from contract.redact import redact, redact_value

_CLOSING = b"\n]}}\n"
_STATUS_TEXT = {0: ""}


def _opening(comment: str) -> bytes:
    head = {
        "version": "1.2",
        "creator": {"name": "finetune-contract proxy", "version": __version__},
        "comment": comment,
    }
    text = json.dumps(head, ensure_ascii=False)
    return b'{"log": ' + text[:-1].encode("utf-8") + b', "entries": ['


def _pairs(headers: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _cookies(headers: Iterable[tuple[str, str]], name: str) -> list[dict[str, str]]:
    found = []
    for key, value in headers:
        if key.lower() == name:
            for part in value.split(";" if name == "cookie" else "\n"):
                cookie, _, _ = part.strip().partition("=")
                if cookie:
                    found.append({"name": cookie, "value": "[REDACTED]"})
                if name == "set-cookie":
                    break
    return found


def content(body: bytes, mime_type: str, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A HAR ``content`` (or ``postData``) object: UTF-8 text, else base64; redacted."""
    secrets = tuple(secrets)
    try:
        return {"size": len(body), "mimeType": mime_type, "text": redact(body.decode(), secrets)}
    except UnicodeDecodeError:
        masked = redact(body.decode("latin-1"), secrets).encode("latin-1", "replace")
        encoded = base64.b64encode(masked).decode("ascii")
        return {"size": len(body), "mimeType": mime_type, "text": encoded, "encoding": "base64"}


def entry(
    *,
    started: float,
    elapsed: float,
    method: str,
    url: str,
    request_headers: list[tuple[str, str]],
    request_body: bytes,
    status: int,
    reason: str,
    response_headers: list[tuple[str, str]],
    response_content: dict[str, Any],
    comment: str = "",
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """One HAR entry, redacted (headers, cookies, URL parameters, bodies)."""
    secrets = tuple(secrets)
    mime = next((v for k, v in request_headers if k.lower() == "content-type"), "")
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": _pairs(request_headers),
        "queryString": [],
        "cookies": _cookies(request_headers, "cookie"),
        "headersSize": -1,
        "bodySize": len(request_body),
    }
    if request_body:
        posted = content(request_body, mime, secrets)
        request["postData"] = {"mimeType": mime, "text": posted["text"]}
        if "encoding" in posted:
            request["postData"]["comment"] = "base64"
    found: dict[str, Any] = {
        "startedDateTime": datetime.fromtimestamp(started, UTC).isoformat(),
        "time": round(elapsed * 1000, 3),
        "request": request,
        "response": {
            "status": status,
            "statusText": reason,
            "httpVersion": "HTTP/1.1",
            "headers": _pairs(response_headers),
            "cookies": _cookies(response_headers, "set-cookie"),
            "content": response_content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": response_content.get("size", -1),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(elapsed * 1000, 3), "receive": 0},
    }
    if comment:
        found["comment"] = comment
    redacted: dict[str, Any] = redact_value(found, secrets)
    return redacted


class HarWriter:
    """Appends entries to a HAR file that stays a complete document after each one."""

    def __init__(self, path: str | os.PathLike[str], comment: str = "") -> None:
        self.path = Path(path)
        self.count = 0
        self._file: IO[bytes] | None = self.path.open("wb")
        self._file.write(_opening(comment) + _CLOSING)
        self._file.flush()

    def add(self, found: dict[str, Any]) -> None:
        """Write one (already redacted) entry and the closing after it; flush."""
        handle = self._file
        if handle is None:
            raise ValueError(f"{self.path}: the HAR file is closed")
        text = json.dumps(found, ensure_ascii=False).encode("utf-8")
        handle.seek(-len(_CLOSING), os.SEEK_END)
        handle.write((b"\n" if self.count == 0 else b",\n") + text + _CLOSING)
        handle.flush()
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


__all__ = ["HarWriter", "content", "entry"]
