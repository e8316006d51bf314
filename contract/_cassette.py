"""Reading VCR cassettes (``.yaml`` / ``.yml``) as vcrpy and pytest-recording write them.

A cassette is ``{"interactions": [{"request": {...}, "response": {...}}], "version": 1}``;
each interaction becomes an :class:`~contract.recordings.Interaction` named
``interaction[i]``. The YAML is loaded with a safe loader (no Python tags).
Bodies stored as ``!!binary`` (base64 in the file) are bytes; a body whose
``Content-Encoding`` is gzip or deflate is decompressed before it is checked.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from contract.recordings import Interaction, RecordingError, _read_bytes, recorded_call
from contract.response import header


def _load(data: bytes, label: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data, Loader=loader)  # a safe loader: no Python tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        reason = f"is not a readable cassette (YAML: {problem}{where})"
        raise RecordingError(label, reason) from None


def _headers(message: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = message.get("headers") or {}
    if not isinstance(found, dict):
        raise RecordingError(where, "headers is not a mapping")
    pairs: list[tuple[str, str]] = []
    for name, values in found.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def _status(response: dict[str, Any], where: str) -> int:
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else status
    if not isinstance(code, int) or isinstance(code, bool):
        raise RecordingError(where, "response.status.code is not an integer")
    return code


def _decompress(raw: bytes, encoding: str, where: str) -> bytes:
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        try:
            if coding in ("gzip", "x-gzip"):
                if not raw.startswith(b"\x1f\x8b"):
                    # Recorded with decode_compressed_response: already plain.
                    continue
                raw = gzip.decompress(raw)
            elif coding == "deflate":
                try:
                    raw = zlib.decompress(raw)
                except zlib.error:
                    raw = zlib.decompress(raw, -zlib.MAX_WBITS)
            elif coding != "identity":
                raise RecordingError(
                    where, f"response body is {coding}-encoded; only gzip and deflate can be read"
                )
        except (OSError, EOFError, zlib.error) as exc:
            raise RecordingError(where, f"response body is not valid {coding} ({exc})") from None
    return raw


def _body(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    body = response.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    if body is None:
        return b""
    if not isinstance(body, (bytes, str)):
        raise RecordingError(where, "response.body.string is not a string")
    encoding = header(headers, "content-encoding")
    if encoding and isinstance(body, bytes):
        # Compressed bodies are binary: YAML holds them as !!binary (bytes);
        # a text body was stored decompressed.
        return _decompress(body, encoding, where)
    return body


def read_cassette(path: Path, label: str) -> Iterator[Interaction]:
    """Every interaction of a VCR cassette, pause calls with their bodies."""
    document = _load(_read_bytes(path, label), label)
    interactions = document.get("interactions") if isinstance(document, dict) else None
    if not isinstance(interactions, list):
        raise RecordingError(label, "is not a VCR cassette (no 'interactions' list)")
    for index, entry in enumerate(interactions):
        where = f"{label}::interaction[{index}]"
        request = entry.get("request") if isinstance(entry, dict) else None
        response = entry.get("response") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            raise RecordingError(where, "interaction has no request and response mappings")
        method, url = request.get("method"), request.get("uri", request.get("url"))
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or uri")
        headers = _headers(response, where)
        yield recorded_call(
            label,
            index,
            method,
            url,
            _status(response, where),
            headers,
            partial(_body, response, headers, where),
            _headers(request, where),
        )


__all__ = ["read_cassette"]
