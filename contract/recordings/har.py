"""HTTP Archive 1.2 (``log.entries``): browsers', proxies' and Polly.JS recordings.

Each entry becomes a call named ``interaction[i]`` (its index in the list).
A large file is read an entry at a time (:func:`streamed_calls`): a line at a time
where it holds one entry per line, else with ijson.
Bodies saved with ``"encoding": "base64"`` are decoded; HAR stores bodies
uncompressed, except Polly.JS, which keeps a compressed body as a JSON array
of hex chunks (its text is then ``["1f8b…"]``). An entry whose content has no
``text`` (saved without bodies) or whose ``comment`` says "Body truncated"
(Schemathesis keeps only the start of a large body) is not checked: a note
says why. The request's body is its ``postData.text``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any, BinaryIO

import orjson

from contract.recordings import _limits
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
    append = pairs.append
    for item in found:
        # Every header of a large HAR passes here: the common case (two strings) first.
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise RecordingError(where, "a header is not a {name, value} object")
        name, value = item["name"], item["value"]
        if type(name) is str and type(value) is str:
            append((name, value))
        elif isinstance(value, list):
            pairs.extend((str(name), str(each)) for each in value)
        else:
            append((str(name), str(value)))
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
    return _calls(((entry, None) for entry in document["log"]["entries"]), label)


def streamed_calls(handle: BinaryIO, label: str) -> Iterator[Call]:
    """The calls of a HAR file read from ``handle`` one entry at a time (ijson), so only
    one entry is held at once, whatever the file's size.

    Nothing is yielded when the file has no ``log.entries`` item (then it is no
    HAR, or an empty one: the caller reads it whole to say which). A file that
    stops being JSON part-way is a :class:`RecordingError` after the entries
    before that place.
    """
    import ijson

    try:
        yield from _calls(_entries(handle), label)
    except ijson.JSONError as exc:
        raise RecordingError(label, f"is not a HAR file (not JSON: {exc})") from None


def _entries(handle: BinaryIO) -> Iterator[tuple[Any, int | None]]:
    """The items of ``log.entries``, one at a time, each with the line it is on when it
    is on a line of its own: a line at a time, decoded by orjson, while the file holds
    one entry per line (as the validating proxy writes it); from where it stops doing
    so, or from the start, by ijson, which words any error (and gives no lines).

    Both give the same entries wherever ijson reads the file. ijson refuses an integer
    outside ±(2**63 - 1) ("integer overflow"); orjson reads it (as a float past the
    unsigned 64-bit bound), so such an entry on a line of its own is read instead.
    """
    import ijson

    start = handle.tell() if handle.seekable() else None
    skip = 0
    if start is not None:
        given = yield from _one_per_line(handle)
        if given is None:
            return
        skip = given
        handle.seek(start)
    rest = islice(ijson.items(handle, "log.entries.item", use_float=True), skip, None)
    yield from ((entry, None) for entry in rest)


#: Bytes read after the closing ``]`` of the entries to see that the file ends there.
_TAIL = 4096
_CLOSING = re.compile(rb"\]\s*\}\s*\}\s*")


def _one_per_line(handle: BinaryIO) -> Generator[tuple[Any, int], None, int | None]:
    """The entries of a HAR written one per line, between a first line opening
    ``log.entries`` and a last closing it, each with its line (from 1, the first line's);
    returns None when every entry was given and the file ends as it should, else the
    number given before the file stopped fitting that layout (then ijson reads it
    again, from the start)."""
    limit = _limits.MAX_LINE_BYTES
    head = handle.readline(limit)
    if not head.endswith(b"\n") or not _opens_entries(head):
        return 0
    given = 0
    number = 1
    comma = False  # whether the entry before ended with a comma
    while True:
        line = handle.readline(limit)
        number += 1
        text = line.strip()
        if not text:
            if not line:
                return given  # the file ends before its closing: ijson words it
            continue
        if len(line) == limit and not line.endswith(b"\n"):
            return given  # a line over the bound: ijson reads it as it comes
        if text[:1] == b"]":
            tail = handle.read(_TAIL)
            if comma or len(tail) == _TAIL or not _CLOSING.fullmatch(text + tail):
                return given
            return None
        if given and not comma:
            return given  # two entries with no comma between them
        body, comma = (text[:-1], True) if text.endswith(b",") else (text, False)
        try:
            entry = orjson.loads(body)
        except orjson.JSONDecodeError:
            return given
        yield entry, number
        given += 1


def _opens_entries(head: bytes) -> bool:
    """Whether ``head`` is ``{"log": {…, "entries": [``: a root holding only ``log``,
    ending with ``entries``, named once each and with no escape (an escaped name could
    repeat one, which orjson would merge and ijson would not)."""
    text = head.rstrip()
    if not text.endswith(b"[") or b"\\" in text:
        return False
    if text.count(b'"log"') != 1 or text.count(b'"entries"') != 1:
        return False
    try:
        opened = orjson.loads(text + b"]}}")
    except orjson.JSONDecodeError:
        return False
    log = opened.get("log") if isinstance(opened, dict) else None
    return isinstance(log, dict) and list(opened) == ["log"] and list(log)[-1:] == ["entries"]


def _calls(entries: Iterable[tuple[Any, int | None]], label: str) -> Iterator[Call]:
    for index, (entry, line) in enumerate(entries):
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
            line,
        )


LAYOUT = Layout("HAR 1.2", detect, calls)

__all__ = ["LAYOUT"]
