"""Turning a body as a recorder stored it into the bytes the server sent, decompressed.

Recorders differ: some keep a compressed body as it came (binary, base64 or
hex chunks), some store it already decompressed while keeping the
``Content-Encoding`` header. A body that does not look compressed is read as
it is, whatever the header says.
"""

from __future__ import annotations

import base64
import binascii

from contract.checks import Headers, header
from contract.recordings._io import gunzip, inflate, is_gzip
from contract.recordings._model import RecordingError


def decoded_base64(text: str, where: str, what: str = "the body") -> bytes:
    """``text`` base64-decoded; RecordingError when it is not base64."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RecordingError(where, f"{what} is not valid base64") from None


def decompressed(body: bytes | str, headers: Headers | None, where: str) -> bytes | str:
    """``body`` with the ``Content-Encoding`` undone, when it is still encoded.

    Text bodies were stored decompressed (a compressed body is binary). Only
    gzip and deflate can be undone; another coding is a RecordingError.
    """
    encoding = header(headers, "content-encoding")
    if not encoding or not isinstance(body, bytes):
        return body
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            if not is_gzip(body):
                continue  # recorded already decompressed
            body = gunzip(body, where, "the gzip-encoded body")
        elif coding == "deflate":
            if body[:1] in (b"{", b"[", b" ", b"\n", b'"'):
                continue  # plain JSON: recorded already decompressed
            body = inflate(body, where, "the deflate-encoded body")
        elif coding != "identity":
            if body.lstrip()[:1] in (b"{", b"["):
                continue  # plain JSON whatever the header says
            raise RecordingError(
                where, f"the body is {coding}-encoded; only gzip and deflate can be read"
            )
    return body


__all__ = ["decoded_base64", "decompressed"]
