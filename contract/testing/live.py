"""One real pause request, checked against the contract.

Pausing a job changes it, so nothing here runs by itself: call :func:`check`
with a job id. ::

    from contract.testing import live
    result = live.check("ftjob-abc123", api_key=os.environ["OPENAI_API_KEY"])
    print(result.violations)

Transport failures and API errors are not contract violations; they raise
:class:`LiveError` with a ``kind`` saying what happened (``timeout``,
``connection``, ``unauthorized``, ``forbidden``, ``not-found``,
``rate-limited``, ``server-error``, ``http-error``, ``bad-response`` for a body
that cannot be decoded), with the API's own error message when the body is its
error envelope. An API key is never sent over plain ``http://`` except to a
loopback address.

The key is held as a :class:`~contract.redact.Secret` from the first line of
each function on, and only written into the request's ``Authorization`` header
by an ``httpx`` auth hook, so no frame a traceback shows (``pytest -l``) holds
it in the clear.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contract import __version__
from contract.profiles import ProfileLike, configured
from contract.recordings import Interaction
from contract.redact import MASK, Secret, redact, secret
from contract.schema import operations
from contract.violations import Violation

if TYPE_CHECKING:
    import httpx

    from contract.config import Strict

#: The public API's base URL.
DEFAULT_BASE_URL = "https://api.openai.com/v1"
#: Seconds to wait for the connection and for the response.
DEFAULT_TIMEOUT = 30.0

_STATUS_KINDS = {401: "unauthorized", 403: "forbidden", 404: "not-found", 429: "rate-limited"}


class LiveError(Exception):
    """The live request did not produce a response to check; ``kind`` says why."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        self.kind, self.message, self.status = kind, message, status
        super().__init__(f"{kind}: {message}")


class InsecureURLError(LiveError, ValueError):
    """A base URL the API key must not be sent to."""

    def __init__(self, message: str) -> None:
        super().__init__("insecure-url", message)


@dataclass(frozen=True)
class LiveResult:
    """The response of a live pause request and its violations (empty when it conforms)."""

    interaction: Interaction
    violations: list[Violation]

    @property
    def valid(self) -> bool:
        return not self.violations


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_safe_base_url(base_url: str) -> None:
    """Raise :class:`InsecureURLError` unless an API key may be sent to ``base_url``."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURLError(f"base URL {redact(base_url)!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureURLError(
            f"refusing to send an API key over plain http:// to {parts.hostname} "
            "(only loopback addresses may use http://; use https://)"
        )


def _status_error(status: int, body: bytes, secrets: tuple[str, ...]) -> LiveError:
    from contract.checks import error_summary
    from contract.strictjson import JSONSyntaxError, decode

    try:
        detail = error_summary(decode(body).value)
    except JSONSyntaxError:
        detail = ""
    kind = _STATUS_KINDS.get(status) or ("server-error" if status >= 500 else "http-error")
    return LiveError(kind, redact(f"HTTP {status}{detail}", secrets), status)


def _bearer(api_key: Secret) -> httpx.Auth:
    """An ``httpx`` auth hook writing the key into the request; its ``repr`` is masked."""
    import httpx

    class BearerAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
            request.headers["Authorization"] = "Bearer " + api_key.reveal()
            yield request

        def __repr__(self) -> str:
            return f"BearerAuth({MASK!r})"

    return BearerAuth()


def pause(
    job_id: str,
    *,
    api_key: str | None,
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = DEFAULT_TIMEOUT,
    transport: Any = None,
) -> Interaction:
    """Send one pause request; the response as an :class:`Interaction`.

    Raises :class:`LiveError` for a missing key, an unsafe URL, a timeout, a
    connection error, a body that cannot be decoded or a 4xx/5xx status.
    """
    api_key = secret(api_key)  # from here on, frames show only the mask
    import httpx

    if api_key is None:
        raise LiveError("no-api-key", "no API key given (set OPENAI_API_KEY)")
    ensure_safe_base_url(base_url)
    url = operations.pause().url_for(base_url, job_id)
    headers = {"Accept": "application/json", "User-Agent": f"finetune-contract/{__version__}"}
    secrets = (api_key,)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, transport=transport) as client:
            response = client.request(
                operations.pause().method, url, headers=headers, auth=_bearer(api_key)
            )
    except httpx.TimeoutException as exc:
        raise LiveError(
            "timeout", redact(f"no response within {timeout:g} s ({type(exc).__name__})", secrets)
        ) from None
    except httpx.TransportError as exc:
        raise LiveError(
            "connection", redact(f"{type(exc).__name__}: {exc or 'connection failed'}", secrets)
        ) from None
    except httpx.HTTPError as exc:  # DecodingError: a Content-Encoding the body does not match
        raise LiveError(
            "bad-response", redact(f"{type(exc).__name__}: {exc or 'unreadable body'}", secrets)
        ) from None
    if 400 <= response.status_code <= 599:
        raise _status_error(response.status_code, response.content, secrets)
    return Interaction(
        source=f"live {operations.pause().method} {redact(url, secrets)}",
        body=response.content,
        status=response.status_code,
        headers=list(response.headers.multi_items()),
        method=operations.pause().method,
        url=url,
        job_id=job_id,
        request_headers=[("Authorization", f"Bearer {MASK}"), *headers.items()],
        name="live",
    )


def check(
    job_id: str,
    *,
    api_key: str | None,
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = DEFAULT_TIMEOUT,
    transport: Any = None,
    profile: ProfileLike = None,
    strict: Strict | None = None,
) -> LiveResult:
    """Pause ``job_id`` for real and check the response (see :func:`pause`).

    ``profile`` and ``strict`` default to the run's settings (environment,
    nearest ``pyproject.toml``; see :func:`contract.profiles.settings`).
    """
    api_key = secret(api_key)  # from here on, frames show only the mask
    chosen, mode = configured(profile, strict)
    interaction = pause(
        job_id, api_key=api_key, base_url=base_url, timeout=timeout, transport=transport
    )
    return LiveResult(interaction, list(interaction.assess(profile=chosen, strict=mode).violations))


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "InsecureURLError",
    "LiveError",
    "LiveResult",
    "check",
    "ensure_safe_base_url",
    "is_loopback",
    "pause",
]
