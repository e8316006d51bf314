"""The proxy's HTTP plumbing: hop-by-hop headers, credentials, encodings, upstream errors."""

from __future__ import annotations

import httpx

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
CREDENTIAL_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "openai-api-key"})


def credentials(headers: list[tuple[str, str]]) -> set[str]:
    """The credentials a request carries (the bearer token, an api-key), to mask everywhere."""
    found = set()
    for name, value in headers:
        if name.lower() in CREDENTIAL_HEADERS:
            scheme, _, token = value.partition(" ")
            found.add(token.strip() if scheme.lower() in ("bearer", "basic") else value.strip())
    return {value for value in found if len(value) >= 4}


def end_to_end(headers: list[tuple[str, str]], *, drop: frozenset[str]) -> list[tuple[str, str]]:
    """``headers`` without hop-by-hop ones (and those ``Connection`` lists) and ``drop``."""
    listed = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    return [
        (name, value)
        for name, value in headers
        if (lowered := name.lower()) not in HOP_BY_HOP
        and lowered not in listed
        and lowered not in drop
    ]


def inflated(body: bytes, headers: list[tuple[str, str]], cap: int) -> bytes:
    """The body with its ``Content-Encoding`` undone, at most ``cap`` bytes (ValueError past)."""
    encoding = next((v for k, v in headers if k.lower() == "content-encoding"), "")
    if encoding.strip().lower() in ("", "identity"):
        return body
    response = httpx.Response(200, headers=[("content-encoding", encoding)], content=body)
    out = bytearray()
    try:
        for chunk in response.iter_bytes():
            out += chunk
            if len(out) > cap:
                raise ValueError(f"the body inflates past {cap} bytes")
    except httpx.DecodingError as exc:
        raise ValueError(f"the body is not valid {encoding}: {exc}") from None
    return bytes(out)


def upstream_error(error: httpx.HTTPError, timeout: float) -> tuple[str, str]:
    """(error code, one line) for an upstream that could not be reached."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return "upstream_timeout", f"the upstream did not answer within {timeout:g} s ({text})"
    if "ssl" in text.lower() or "certificate" in text.lower():
        return "upstream_tls", f"TLS with the upstream failed ({text})"
    if isinstance(error, httpx.ConnectError):
        return "upstream_unreachable", f"the upstream refused or could not be reached ({text})"
    return "upstream_error", f"the upstream call failed ({text})"


__all__ = ["credentials", "end_to_end", "inflated", "upstream_error"]
