"""HTTP Archive 1.2 (``log.entries``): browsers', proxies' and Polly.JS recordings.

Each entry becomes a call named ``interaction[i]`` (its index in the list).
A large file is read an entry at a time (:func:`streamed_calls`).
Bodies saved with ``"encoding": "base64"`` are decoded; HAR stores bodies
uncompressed, except Polly.JS, which keeps a compressed body as a JSON array
of hex chunks (its text is then ``["1f8b…"]``). An entry whose content has no
``text`` (saved without bodies) or whose ``comment`` says "Body truncated"
(Schemathesis keeps only the start of a large body) is not checked: a note
says why. The request's body is its ``postData.text``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any, BinaryIO

from contract.recordings._bodies import decoded_base64, decompressed
from contract.recordings._model import Call, Layout, RecordingError


def _object(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordingError(where, f"{what} is not an object")
    return value


def _headers(message: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = message.get("headers", [])
    if not isinstance(found, list):
        raise RecordingError(where, "headers is not a list")
    pairs: list[tuple[str, str]] = []
    for item in found:
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise RecordingError(where, "a header is not a {name, value} object")
        values = item["value"] if isinstance(item["value"], list) else [item["value"]]
        pairs.extend((str(item["name"]), str(value)) for value in values)
    return pairs


def _hex_chunks(text: str) -> bytes | None:
    """The bytes of a Polly.JS hex-chunk array (``["1f8b…", …]``), or None if it is not one."""
    if not text.startswith('["'):
        return None
    try:
        chunks = json.loads(text)
        if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
            return None
        return b"".join(bytes.fromhex(chunk) for chunk in chunks)
    except (ValueError, RecursionError):  # not chunks: a JSON body (however deeply nested)
        return None


def _content(response: dict[str, Any], headers: list[tuple[str, str]], where: str) -> bytes | str:
    content = response.get("content", {})
    if not isinstance(content, dict):
        raise RecordingError(where, "response.content is not an object")
    text = content.get("text")
    if text is None:
        return b""  # not checked: see _unread
    if not isinstance(text, str):
        raise RecordingError(where, "response.content.text is not a string")
    encoding = content.get("encoding")
    if encoding == "base64":
        return decompressed(decoded_base64(text, where, "response.content.text"), headers, where)
    if encoding not in (None, ""):
        raise RecordingError(where, f"unknown response.content.encoding {encoding!r}")
    chunks = _hex_chunks(text)
    if chunks is not None:
        return decompressed(chunks, headers, where)
    return text


def _unread(response: dict[str, Any]) -> str:
    """Why the response's body cannot be checked, or "" when it can."""
    content = response.get("content", {})
    if not isinstance(content, dict):
        return ""  # reading the body says what is wrong
    comment = content.get("comment")
    if isinstance(comment, str) and "body truncated" in comment.lower():
        return f"body cut by the recorder ({comment.strip()[:120]}): not checked"
    if content.get("text") is None:
        return "no body captured (the entry's response.content has no text): not checked"
    return ""


def _request_body(request: dict[str, Any], where: str) -> bytes | str | None:
    post = request.get("postData")
    if post is None:
        return None
    text = post.get("text") if isinstance(post, dict) else None
    if text is None or isinstance(text, str):
        return text
    raise RecordingError(where, "request.postData.text is not a string")


def detect(document: Any) -> bool:
    log = document.get("log") if isinstance(document, dict) else None
    return isinstance(log, dict) and isinstance(log.get("entries"), list)


def calls(document: Any, label: str) -> Iterator[Call]:
    return _calls(document["log"]["entries"], label)


def streamed_calls(handle: BinaryIO, label: str) -> Iterator[Call]:
    """The calls of a HAR file read from ``handle`` one entry at a time (ijson), so only
    one entry is held at once, whatever the file's size.

    Nothing is yielded when the file has no ``log.entries`` item (then it is no
    HAR, or an empty one: the caller reads it whole to say which). A file that
    stops being JSON part-way is a :class:`RecordingError` after the entries
    before that place.
    """
    import ijson

    entries = ijson.items(handle, "log.entries.item", use_float=True)
    try:
        yield from _calls(entries, label)
    except ijson.JSONError as exc:
        raise RecordingError(label, f"is not a HAR file (not JSON: {exc})") from None


def _calls(entries: Iterable[Any], label: str) -> Iterator[Call]:
    for index, entry in enumerate(entries):
        name = f"interaction[{index}]"
        where = f"{label}::{name}"
        entry = _object(entry, where, "entry")
        request = _object(entry.get("request"), where, "request")
        response = _object(entry.get("response"), where, "response")
        method, url, status = request.get("method"), request.get("url"), response.get("status")
        if not isinstance(method, str) or not isinstance(url, str):
            raise RecordingError(where, "request has no method or url")
        if not isinstance(status, int) or isinstance(status, bool):
            raise RecordingError(where, "response.status is not an integer")
        headers = _headers(response, where)
        yield Call(
            name,
            method,
            url,
            # HAR writes status 0 for a request that got no answer.
            status or None,
            headers,
            partial(_content, response, headers, where),
            _headers(request, where),
            partial(_request_body, request, where),
            _unread(response),
        )


LAYOUT = Layout("HAR 1.2", detect, calls)

__all__ = ["LAYOUT"]
