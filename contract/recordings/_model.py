"""What every reader produces: :class:`Call` (one recorded request and answer, as the
layout stores it) and :class:`Interaction` (a call or payload ready to be checked)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from contract.checks import Assessment, Headers, assess_body, assess_response, header
from contract.checks.requests import RequestAssessment, assess_request
from contract.redact import MASK, SECRET_HEADERS, redact, redact_headers
from contract.schema import operations
from contract.strictjson import Decoded

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.profiles import ProfileLike
    from contract.violations import Violation


class RecordingError(ValueError):
    """A recording that cannot be read; ``str()`` is one line naming file and place."""

    def __init__(self, source: str, reason: str) -> None:
        self.source, self.reason = source, reason
        super().__init__(f"{source}: {reason}")


class NotARecording(RecordingError):
    """A file that holds no recording at all (``config.yaml`` beside cassettes).

    Named explicitly it is an error; met while walking a directory it is
    skipped with a note.
    """


@dataclass(frozen=True)
class Layout:
    """One way a recorder lays out its file, as :mod:`contract.recordings.layouts` lists it.

    ``detect`` tells, from the decoded document (JSON or YAML), whether the
    file is in this layout; ``calls`` yields its recorded calls (it may raise
    :class:`RecordingError` naming the place that cannot be read).
    """

    name: str
    detect: Callable[[Any], bool] = field(repr=False)
    calls: Callable[[Any, str], Iterator[Call]] = field(repr=False)


@dataclass(frozen=True)
class Call:
    """One recorded request and its answer, as a layout module reads it.

    ``body`` is called only when the call is one of the jobs operations, so an
    undecodable body of an unrelated call never stops a file from being read;
    it may raise :class:`RecordingError`. ``status`` is None when the recorder
    kept no answer (the request failed). ``request_body`` likewise gives the
    body the client sent (None when the recording does not hold one).
    ``unread`` says why the answer's body cannot be checked although there is
    an answer (the recorder cut it, or kept no text); empty when it can.
    ``line`` is the line of the file the whole call is on, when the reader saw it on a
    line of its own (a HAR written one entry per line); None otherwise.
    """

    name: str
    method: str
    url: str
    status: int | None
    headers: list[tuple[str, str]]
    body: Callable[[], bytes | str] = field(repr=False)
    request_headers: list[tuple[str, str]] = field(default_factory=list, repr=False)
    request_body: Callable[[], bytes | str | None] = field(default=lambda: None, repr=False)
    unread: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Interaction:
    """One recorded response (with its request, when the recording has one).

    ``body`` is the raw body (bytes or str) so JSON problems are seen; for a
    payload file without HTTP context, ``status`` is None and only the body is
    checked. ``operation`` is the jobs operation the request calls (routed from
    method and URL when not given); None for a call of another API, which is
    counted and skipped.
    """

    source: str
    body: bytes | str = field(repr=False)
    status: int | None = None
    headers: Headers | None = field(default=None, repr=False)
    method: str | None = None
    url: str | None = None
    job_id: str | None = None
    request_headers: Headers | None = field(default=None, repr=False)
    #: Short name inside its file (``interaction[2]``, ``line[3]``): the pytest item name.
    name: str = field(default="", compare=False)
    #: The body as already decoded strictly (payload files; a response the session check
    #: decoded), so it is not parsed twice.
    decoded: Decoded | None = field(default=None, repr=False, compare=False)
    operation: operations.Operation | None = field(default=None, compare=False)
    #: The body the client sent, as recorded; None when the recording does not hold one.
    request_body: bytes | str | None = field(default=None, repr=False, compare=False)
    #: Why the answer is not checked although there is one (its body was cut by the
    #: recorder, or not captured): said as a note instead of a verdict.
    unchecked: str = field(default="", compare=False)
    #: Why a bare payload does not look like a fine-tuning payload (``package.json``):
    #: a folder walk then skips it with a note; named on the command line it is checked.
    foreign: str = field(default="", compare=False)
    #: The line of the file the recorded call is on, when the reader saw it on a line of
    #: its own (so its response body is on that line too); None when not known.
    line: int | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.operation is None and self.has_request:
            routed = operations.route(self.method, self.url)
            if routed is not None:
                object.__setattr__(self, "operation", routed.operation)
                if self.job_id is None:
                    object.__setattr__(self, "job_id", routed.job_id)

    @property
    def has_request(self) -> bool:
        """Whether the recording holds the request (method and URL), not only a body."""
        return self.method is not None and self.url is not None

    @property
    def answered(self) -> bool:
        """Whether the recording holds an answer to check (a bare payload always does)."""
        return not self.has_request or self.status is not None

    @property
    def to_check(self) -> bool:
        """Whether this is checked: a bare payload, or an answered call of a jobs operation."""
        return not self.has_request or (self.operation is not None and self.status is not None)

    @property
    def is_pause(self) -> bool:
        """Whether this is a pause call; a bare payload (no request recorded) counts as one."""
        if not self.has_request:
            return True
        return self.operation is not None and self.operation == operations.pause()

    def assess(
        self,
        schema: str | None = None,
        *,
        profile: ProfileLike = None,
        strict: Strict = "off",
        deviations: bool = False,
    ) -> Assessment:
        """The verdict on this interaction; ``schema`` applies to bare payloads only.

        ``profile``, ``strict`` and ``deviations``: see :func:`contract.checks.assess_body`.
        """
        if not self.has_request or self.status is None:
            body = self.body if self.decoded is None else self.decoded
            return assess_body(body, schema, profile=profile, strict=strict, deviations=deviations)
        return assess_response(
            self.status,
            self.headers,
            self.body if self.decoded is None else self.decoded,
            self.job_id,
            operation=self.operation,
            profile=profile,
            strict=strict,
            deviations=deviations,
        )

    def query_value(self, name: str) -> str | None:
        """The last value of the query parameter ``name`` of the request, as kept here
        (credentials masked); None when the URL has none."""
        url = self.url
        if not url or f"{name}=" not in url:
            return None
        try:
            values = parse_qs(urlsplit(url).query).get(name)
        except ValueError:
            return None
        return values[-1] if values else None

    def with_decoded(self, decoded: Decoded) -> Interaction:
        """This interaction with its body already decoded (``decoded``).

        A copy of its fields as they are held, so nothing is read or redacted again
        (``dataclasses.replace`` would read every field, and so redact the URL and the
        request headers of every call).
        """
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.__dict__["decoded"] = decoded
        return twin

    def request_header(self, name: str) -> str | None:
        """The value of the request header ``name`` as kept here (credentials masked)."""
        return header(self.request_headers, name)

    def assess_request(
        self, *, profile: ProfileLike = None, strict: Strict = "off"
    ) -> RequestAssessment | None:
        """The verdict on the recorded request; None when there is none to check (a bare
        payload, or a call of another API)."""
        if not self.has_request or self.operation is None:
            return None
        return self._request_at(self.url, profile, strict)

    def _request_at(
        self, url: str | None, profile: ProfileLike, strict: Strict
    ) -> RequestAssessment:
        """The verdict on the recorded request, its path and query read from ``url``."""
        return assess_request(
            self.operation,
            method=self.method,
            url=url,
            body=self.request_body,
            content_type=self.request_header("content-type"),
            profile=profile,
            strict=strict,
        )

    def check(self, schema: str | None = None, *, profile: ProfileLike = None) -> list[Violation]:
        """Every violation of this interaction (empty when it conforms or is an API error)."""
        return list(self.assess(schema, profile=profile).violations)


class _Recorded(Interaction):
    """An :class:`Interaction` read from a recorded call, whose URL and request headers are
    redacted when first read rather than when the call is read.

    Redaction is for what is written; most calls of a large recording conform and
    print nothing, so their URL and request headers are never redacted at all. To
    every reader (attributes, ``repr``, equality, pickling) it is an
    :class:`Interaction` holding the redacted values, as :func:`from_call` promises.
    """

    @property
    def url(self) -> str | None:
        found: str | None = self.__dict__.get("_url_shown", _UNREAD)
        if found is _UNREAD:
            raw = self.__dict__["_url_raw"]
            found = None if raw is None else redact(raw)
            object.__setattr__(self, "_url_shown", found)
        return found

    @url.setter
    def url(self, value: str | None) -> None:
        self.__dict__["_url_raw"] = value

    @property
    def request_headers(self) -> Headers | None:
        found: Headers | None = self.__dict__.get("_headers_shown", _UNREAD)
        if found is _UNREAD:
            found = redact_headers(self.__dict__["_headers_raw"])
            object.__setattr__(self, "_headers_shown", found)
        return found

    @request_headers.setter
    def request_headers(self, value: Headers | None) -> None:
        self.__dict__["_headers_raw"] = value

    def request_header(self, name: str) -> str | None:
        # One header found in the recorded headers, then redacted as redact_headers would
        # (a name is never a secret's place): the request check reads content-type of
        # every call, which printed nothing, and redacting all its headers cost 20 %.
        raw = self.__dict__["_headers_raw"]
        if raw is None or "_headers_shown" in self.__dict__:
            return super().request_header(name)
        items = raw.items() if isinstance(raw, Mapping) else raw
        found = header([(str(key), str(value)) for key, value in items], name)
        if found is None:
            return None
        return MASK if name.lower() in SECRET_HEADERS else redact(found)

    def query_value(self, name: str) -> str | None:
        # Looked for in the recorded URL first: masking never writes "name=", so a URL
        # without it has no such value, and only one with it is redacted to be read.
        raw = self.__dict__["_url_raw"]
        if raw is None or f"{name}=" not in raw:
            return None
        return super().query_value(name)

    def assess_request(
        self, *, profile: ProfileLike = None, strict: Strict = "off"
    ) -> RequestAssessment | None:
        # Checked on the recorded URL, not the redacted one: redacting every call's URL
        # cost more than the check. The words of a finding quote the URL, so a request
        # with any finding is checked again on the redacted URL, whose findings are kept.
        raw = self.__dict__["_url_raw"]
        if raw is None or "_url_shown" in self.__dict__ or self.operation is None:
            return super().assess_request(profile=profile, strict=strict)
        found = self._request_at(raw, profile, strict)
        if found.violations or found.warnings:
            return self._request_at(self.url, profile, strict)
        return found

    @property
    def has_request(self) -> bool:
        # Whether there is a URL, not what it says: redaction never makes one None.
        return self.method is not None and self.__dict__["_url_raw"] is not None

    def __post_init__(self) -> None:
        if self.operation is not None:
            return  # routed already, on the recorded URL
        super().__post_init__()

    def plain(self) -> Interaction:
        """The plain :class:`Interaction` this stands for (its values redacted)."""
        return Interaction(**{f.name: getattr(self, f.name) for f in fields(Interaction)})

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the plain Interaction it stands for: nothing unredacted travels.
        return (_plain, ({f.name: getattr(self, f.name) for f in fields(Interaction)},))

    def __repr__(self) -> str:
        return repr(self.plain())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interaction):
            return NotImplemented
        return _compared(self) == _compared(other)

    __hash__ = Interaction.__hash__


_UNREAD: Any = object()


def _plain(values: dict[str, Any]) -> Interaction:
    return Interaction(**values)


def _compared(interaction: Interaction) -> tuple[Any, ...]:
    return tuple(getattr(interaction, f.name) for f in fields(Interaction) if f.compare)


def from_call(label: str, call: Call) -> Interaction:
    """The :class:`Interaction` of a recorded call; its body is read only for jobs calls.

    Request headers are kept with credentials masked, the URL too (masked when
    first read: see :class:`_Recorded`).
    """
    routed = operations.route(call.method, call.url)
    wanted = routed is not None and call.status is not None and not call.unread
    return _Recorded(
        source=f"{label}::{call.name}",
        body=call.body() if wanted else b"",
        request_body=call.request_body() if routed is not None else None,
        unchecked=call.unread if routed is not None and call.status is not None else "",
        status=call.status,
        headers=call.headers,
        method=call.method,
        url=call.url,
        job_id=routed.job_id if routed is not None else None,
        request_headers=call.request_headers,
        name=call.name,
        operation=routed.operation if routed is not None else None,
        line=call.line,
    )


__all__ = ["Call", "Interaction", "Layout", "NotARecording", "RecordingError", "from_call"]
