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
that cannot be decoded, ``bad-url`` for a URL that cannot be sent), with the
API's own error message when the body is its error envelope. An API key is
never sent over plain ``http://`` except to a loopback address.

Whatever the server does, a call ends within its ``deadline`` (seconds for the
whole exchange, :data:`DEFAULT_DEADLINE`) and holds at most ``max_body`` bytes
of body as read and ``max_inflated`` as decompressed (:data:`DEFAULT_MAX_BODY`):
the body is streamed and counted, and decompressed a bounded step at a time.
Going past one raises :class:`DeadlineError` (kind ``deadline``),
:class:`BodyTooLargeError` (kind ``too-large``) or :class:`InflatedTooLargeError`
(kind ``inflated-too-large``) — never ``MemoryError``, never a hang.

The key is held as a :class:`~contract.redact.Secret` from the first line of
each function on, and only written into the request's ``Authorization`` header
by an ``httpx`` auth hook, so no frame a traceback shows (``pytest -l``) holds
it in the clear.
"""

from __future__ import annotations

import ipaddress
import time
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from contract import __version__
from contract.profiles import ProfileLike, configured
from contract.recordings import Interaction
from contract.redact import MASK, Secret, redact, remember, secret
from contract.schema import operations
from contract.violations import Violation

if TYPE_CHECKING:
    import httpx

    from contract.config import Strict

#: The public API's base URL.
DEFAULT_BASE_URL = "https://api.openai.com/v1"
#: Seconds to wait for the connection and for each read of the response.
DEFAULT_TIMEOUT = 30.0
#: Seconds the whole exchange may take, however slowly the answer trickles in.
DEFAULT_DEADLINE = 120.0
#: Bytes of response body read, and bytes it may decompress to (a pause answer is ~2 KB).
DEFAULT_MAX_BODY = 8 << 20
#: Compressed bytes handed to the decompressor at a time (bounds what one step can inflate).
_STEP = 1 << 14

_STATUS_KINDS = {401: "unauthorized", 403: "forbidden", 404: "not-found", 429: "rate-limited"}


class LiveError(Exception):
    """The live request did not produce a response to check; ``kind`` says why."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        self.kind, self.message, self.status = kind, message, status
        super().__init__(f"{kind}: {message}")


class DeadlineError(LiveError):
    """The exchange took longer than its overall deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__("deadline", f"the answer did not complete within {deadline:g} s")


class BodyTooLargeError(LiveError):
    """The response body, as sent, is larger than the cap."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        said = f" (Content-Length {size})" if size is not None else ""
        super().__init__("too-large", f"the response body is larger than {limit} bytes{said}")


class InflatedTooLargeError(LiveError):
    """The response body decompresses to more than the cap (a decompression bomb)."""

    def __init__(self, limit: int, encoding: str) -> None:
        super().__init__(
            "inflated-too-large",
            f"the {encoding}-encoded response body decompresses to more than {limit} bytes",
        )


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
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 (a port out of range raises here, not later)
    except ValueError as exc:  # "http://[::1", "http://host:99999"
        raise InsecureURLError(f"base URL {redact(base_url)!r} cannot be read ({exc})") from None
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


class _Inflater:
    """Undoes a response's gzip and deflate codings a bounded step at a time.

    Each step hands at most :data:`_STEP` compressed bytes to a decompressor
    that may return at most one byte more than the room left, so a bomb is
    refused having built the cap, never more. Codings other than gzip and
    deflate (none is asked for) pass through as sent, as ``httpx`` leaves them.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        self.codings = [c for c in reversed(codings) if c in ("gzip", "x-gzip", "deflate")]
        self.decompressors: list[Any] = [None] * len(self.codings)
        self.made = [0] * len(self.codings)
        self.limit, self.encoding = limit, encoding.strip()

    def _stage(self, index: int, data: bytes) -> bytes:
        decompressor = self.decompressors[index]
        if decompressor is None:
            if self.codings[index] == "deflate":  # zlib-wrapped, or raw as some servers send
                wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
            else:
                wbits = 16 + zlib.MAX_WBITS
            decompressor = self.decompressors[index] = zlib.decompressobj(wbits)
        if decompressor.eof:
            return b""  # anything after the end of the stream is ignored
        out: bytes = decompressor.decompress(data, self.limit - self.made[index] + 1)
        self.made[index] += len(out)
        if self.made[index] > self.limit:
            raise InflatedTooLargeError(self.limit, self.encoding)
        return out

    def feed(self, data: bytes) -> bytes:
        if not self.codings:
            return data
        parts = []
        for at in range(0, len(data), _STEP):
            piece = data[at : at + _STEP]
            for index in range(len(self.codings)):
                piece = self._stage(index, piece)
            parts.append(piece)
        return b"".join(parts)

    def flush(self) -> bytes:
        piece = b""
        for index, decompressor in enumerate(self.decompressors):
            if index and piece:
                piece = self._stage(index, piece)
            if decompressor is not None:
                tail: bytes = decompressor.flush()
                self.made[index] += len(tail)
                if self.made[index] > self.limit:
                    raise InflatedTooLargeError(self.limit, self.encoding)
                piece += tail
        return piece


class _Clock:
    """The time left before the deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline, self.ends = deadline, time.monotonic() + deadline

    def left(self) -> float:
        return self.ends - time.monotonic()

    def bound(self, timeout: float | None) -> float:
        """``timeout`` for one wait, cut to what is left; refused once nothing is."""
        import httpcore

        left = self.left()
        if left <= 0:
            raise httpcore.ReadTimeout(f"past the deadline of {self.deadline:g} s")
        return left if timeout is None else min(timeout, left)


def _bounded_transport(clock: _Clock) -> httpx.BaseTransport:
    """An ``httpx`` transport each of whose waits (connect, TLS, read, write) ends by the deadline.

    A read timeout alone is per read, so an answer sent a byte at a time would
    never end; here every wait is given only what is left of the deadline.
    """
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, clock.bound(timeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, clock.bound(timeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self,
            ssl_context: Any,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            return Stream(self.inner.start_tls(ssl_context, server_hostname, clock.bound(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class Backend(httpcore.SyncBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            inner = super().connect_tcp(
                host, port, clock.bound(timeout), local_address, socket_options
            )
            return Stream(inner)

    transport = httpx.HTTPTransport()
    transport._pool._network_backend = Backend()  # the one seam httpx offers for this
    return transport


def _read_body(response: httpx.Response, clock: _Clock, max_body: int, max_inflated: int) -> bytes:
    """The body of ``response``, streamed, counted and decompressed within the bounds."""
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > max_body:
        raise BodyTooLargeError(max_body, int(length))
    if response.is_stream_consumed:
        # A transport that answered with its body in memory (httpx.MockTransport): httpx
        # has read and decoded it already, so only its size is left to bound.
        content = response.content
        if len(content) > max_body:
            raise BodyTooLargeError(max_body, len(content))
        return content
    inflater = _Inflater(response.headers.get("content-encoding", ""), max_inflated)
    parts: list[bytes] = []
    read = 0
    raw: Iterator[bytes] = response.iter_raw()
    for chunk in raw:
        read += len(chunk)
        if read > max_body:
            raise BodyTooLargeError(max_body)
        parts.append(inflater.feed(chunk))
        if clock.left() <= 0:
            raise DeadlineError(clock.deadline)
    parts.append(inflater.flush())
    return b"".join(parts)


def _exchange(
    url: str,
    headers: dict[str, str],
    api_key: Secret,
    *,
    timeout: float,
    deadline: float,
    max_body: int,
    max_inflated: int,
    transport: Any,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and decompressed body of the pause request, within every bound."""
    import httpx

    clock = _Clock(deadline)
    if transport is None:
        transport = _bounded_transport(clock)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, transport=transport) as client,
            client.stream(
                operations.pause().method, url, headers=headers, auth=_bearer(api_key)
            ) as response,
        ):
            body = _read_body(response, clock, max_body, max_inflated)
            return response.status_code, list(response.headers.multi_items()), body
    except httpx.HTTPError:
        if clock.left() <= 0:
            raise DeadlineError(deadline) from None
        raise
    except zlib.error as exc:
        raise LiveError("bad-response", f"DecodingError: {exc}") from None


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


def pause(
    job_id: str,
    *,
    api_key: str | None,
    base_url: str = DEFAULT_BASE_URL,
    timeout: float = DEFAULT_TIMEOUT,
    transport: Any = None,
    deadline: float = DEFAULT_DEADLINE,
    max_body: int = DEFAULT_MAX_BODY,
    max_inflated: int = DEFAULT_MAX_BODY,
) -> Interaction:
    """Send one pause request; the response as an :class:`Interaction`.

    Raises :class:`LiveError` for a missing key, an unsafe URL, a timeout, a
    connection error, a body that cannot be decoded or a 4xx/5xx status;
    :class:`DeadlineError`, :class:`BodyTooLargeError` or
    :class:`InflatedTooLargeError` (all ``LiveError``) past ``deadline``
    seconds, ``max_body`` bytes read or ``max_inflated`` bytes decompressed.
    """
    api_key = secret(api_key)  # from here on, frames show only the mask
    import httpx

    for name, value in (("timeout", timeout), ("deadline", deadline)):
        _positive(name, value)
    for name, value in (("max_body", max_body), ("max_inflated", max_inflated)):
        _positive(name, value)
    if api_key is None:
        raise LiveError("no-api-key", "no API key given (set OPENAI_API_KEY)")
    remember(api_key)  # a key in use is masked in every output from here on
    ensure_safe_base_url(base_url)
    url = operations.pause().url_for(base_url, job_id)
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "User-Agent": f"finetune-contract/{__version__}",
    }
    secrets = (api_key,)
    try:
        status, response_headers, body = _exchange(
            url,
            headers,
            api_key,
            timeout=timeout,
            deadline=deadline,
            max_body=max_body,
            max_inflated=max_inflated,
            transport=transport,
        )
    except httpx.InvalidURL as exc:  # a control character in the host or the job id
        raise LiveError("bad-url", redact(f"the URL cannot be sent ({exc})", secrets)) from None
    except httpx.TimeoutException as exc:
        raise LiveError(
            "timeout",
            redact(f"no response within {timeout:g} s ({type(exc).__name__})", secrets),
        ) from None
    except httpx.TransportError as exc:
        raise LiveError(
            "connection", redact(f"{type(exc).__name__}: {exc or 'connection failed'}", secrets)
        ) from None
    except httpx.HTTPError as exc:  # DecodingError: a Content-Encoding the body does not match
        raise LiveError(
            "bad-response", redact(f"{type(exc).__name__}: {exc or 'unreadable body'}", secrets)
        ) from None
    if 400 <= status <= 599:
        raise _status_error(status, body, secrets)
    return Interaction(
        source=f"live {operations.pause().method} {redact(url, secrets)}",
        body=body,
        status=status,
        headers=response_headers,
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
    deadline: float = DEFAULT_DEADLINE,
    max_body: int = DEFAULT_MAX_BODY,
    max_inflated: int = DEFAULT_MAX_BODY,
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
        job_id,
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        transport=transport,
        deadline=deadline,
        max_body=max_body,
        max_inflated=max_inflated,
    )
    return LiveResult(interaction, list(interaction.assess(profile=chosen, strict=mode).violations))


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BODY",
    "DEFAULT_TIMEOUT",
    "BodyTooLargeError",
    "DeadlineError",
    "InflatedTooLargeError",
    "InsecureURLError",
    "LiveError",
    "LiveResult",
    "check",
    "ensure_safe_base_url",
    "is_loopback",
    "pause",
]
