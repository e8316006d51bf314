"""HTTP-level checks of one response of a jobs operation (pause by default).

:func:`assess_response` is the core: it checks one response against the
operation it answers and tells a contract violation from an API error (a
4xx/5xx answer in the API's well-formed error envelope). Any 2xx body is
checked as the operation's body; a 2xx status other than the documented one
is reported too (unless a ``status-add`` amendment of the profile accepts it).
:func:`check_response` is its strict form, the one the README leads with:
every undocumented status is a violation. :func:`check_body` checks a bare
payload with no HTTP context, recognising a page (of jobs, events or
checkpoints), an event, a checkpoint and an error envelope by their shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from contract import schema as _registry
from contract.checks._assessment import ApiError, Assessment
from contract.checks.deviations import assess as _assess_payload
from contract.checks.deviations import deviation as _deviation
from contract.checks.deviations import needed as _needed
from contract.config import Strict
from contract.profiles import ProfileLike, coerce
from contract.schema import operations as _operations
from contract.schema.amendments import Amendment, Profile
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.validation import is_valid, violations_of
from contract.validation._explain import show
from contract.violations import Violation

#: Headers as a mapping or as (name, value) pairs; names compare case-insensitively.
Headers = Mapping[str, str] | Iterable[tuple[str, str]]

#: How a report words "the job the request …" for each operation that names a job.
_JOB_VERBS = {
    "pause": "paused",
    "cancel": "cancelled",
    "resume": "resumed",
    "retrieve": "retrieved",
}


def header(headers: Headers | None, name: str) -> str | None:
    """The value of header ``name`` (case-insensitive), or None when absent."""
    if headers is None:
        return None
    if isinstance(headers, Mapping):
        # The usual spellings first (one lookup each), then any case.
        exact = headers.get(name.title(), headers.get(name))
        if exact is not None:
            return str(exact)
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    for key, value in items:
        if str(key).lower() == wanted:
            return str(value)
    return None


def _media_type(value: str) -> str:
    return value.partition(";")[0].strip().lower()


def api_error_of(
    body: Any, status: int | None = None, profile: ProfileLike = None
) -> ApiError | None:
    """The :class:`ApiError` a decoded ``body`` states, when it is the error envelope
    (under ``profile``: Azure's envelope has no ``type``). A body that names its
    ``object`` (a job, a page) is never the envelope, whose only member is ``error``:
    under ``azure`` a failed job's ``error`` reads as an envelope's."""
    if not isinstance(body, dict) or "error" not in body or "object" in body:
        return None
    if not is_valid(body, _ERROR_SCHEMA, profile):
        return None
    error = body["error"]
    return ApiError(status, error.get("type"), error.get("code"), str(error["message"]))


#: The schema of the API's error envelope.
_ERROR_SCHEMA = "ErrorResponse"


def error_summary(body: Any) -> str:
    """The API's own message (": API error CODE: message") when the decoded ``body``
    is its error envelope; "" otherwise."""
    found = api_error_of(body)
    return f": {found}" if found is not None else ""


_UNDECODABLE = object()


def _decode_body(body: bytes | str | Decoded | Any) -> tuple[list[Violation], Any]:
    """Decode a raw body strictly; the RFC 8259 problems met, and the value (or _UNDECODABLE).

    A :class:`Decoded` (a body already decoded strictly) is taken as it is.
    """
    if isinstance(body, Decoded):
        decoded = body
    elif not isinstance(body, (bytes, str)):
        return [], body
    else:
        try:
            decoded = decode(body)
        except JSONSyntaxError as exc:
            return [Violation("", "json", f"body {exc}")], _UNDECODABLE
    problems = [
        Violation("", "json", f"body is not interoperable JSON: {p}") for p in decoded.problems
    ]
    return problems, decoded.value


@cache
def _page_schema() -> str:
    """The schema of a page of jobs: the list operation's answer."""
    return _operations.get("list").schema


def _marker(schema: str) -> Any:
    """The ``object`` constant of a schema (``list``, ``fine_tuning.job.event``), or None."""
    return _registry.document(schema).get("properties", {}).get("object", {}).get("const")


@cache
def _page_marker() -> Any:
    """The ``object`` value that marks a page, read from the page schema."""
    return _marker(_page_schema())


@cache
def _shapes() -> tuple[dict[Any, str], dict[Any, str]]:
    """By ``object`` value: the schema of each kind of item a page holds, and the
    schema of the page holding it (read from the operations' answers)."""
    items: dict[Any, str] = {}
    pages: dict[Any, str] = {}
    for op in _operations.operations():
        if op.item_schema is not None:
            marker = _marker(op.item_schema)
            items.setdefault(marker, op.item_schema)
            pages.setdefault(marker, op.schema)
    return items, pages


def _noun(schema: str) -> str:
    """What a page's items are called: ``job``, ``event``, ``checkpoint``."""
    marker = _marker(schema)
    return str(marker).rsplit(".", 1)[-1] if isinstance(marker, str) else "item"


def jobs_in(payload: Any, schema: str) -> int:
    """How many jobs a payload checked against ``schema`` holds (a page: its ``data``)."""
    if _operations.page_items(schema) == _registry.DEFAULT_SCHEMA:
        data = payload.get("data") if isinstance(payload, dict) else None
        return len(data) if isinstance(data, list) else 0
    return 1 if schema == _registry.DEFAULT_SCHEMA else 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def page_note(payload: Any, schema: str) -> str:
    """``list page of 3 jobs`` (or events, checkpoints) for a page schema; "" otherwise."""
    items = _operations.page_items(schema)
    if items is None:
        return ""
    data = payload.get("data") if isinstance(payload, dict) else None
    return f"list page of {_plural(len(data) if isinstance(data, list) else 0, _noun(items))}"


def _against_schema(
    payload: Any, schema: str, profile: ProfileLike, strict: Strict, deviations: bool
) -> Assessment:
    """The payload checked against ``schema`` under ``profile``, with the amendment findings."""
    if profile is None and strict == "off" and not deviations:
        return Assessment(tuple(violations_of(payload, schema)))
    return _assess_payload(payload, schema, profile, strict=strict, deviations=deviations)


def body_schema(payload: Any, schema: str | None = None, profile: ProfileLike = None) -> str | None:
    """The type a decoded bare payload is checked against: ``schema`` when given, else
    by its shape (a page, an event, a checkpoint, else a FineTuningJob); None for the
    API's error envelope (as ``profile`` reads it), which is reported as what it is
    rather than checked."""
    if schema is not None:
        return schema
    if api_error_of(payload, profile=profile) is not None:
        return None
    if not isinstance(payload, dict):
        return _registry.DEFAULT_SCHEMA
    marker = payload.get("object")
    items, pages = _shapes()
    if marker == _page_marker():
        # A page of events or checkpoints says so by its first item's kind.
        data = payload.get("data")
        first = data[0] if isinstance(data, list) and data else None
        kind = first.get("object") if isinstance(first, dict) else None
        return pages.get(kind, _page_schema()) if isinstance(kind, str) else _page_schema()
    if isinstance(marker, str) and marker in items:
        return items[marker]
    return _registry.DEFAULT_SCHEMA


def assess_body(
    body: bytes | str | Decoded | Any,
    schema: str | None = None,
    *,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
) -> Assessment:
    """Check a bare payload (no HTTP context); raw bytes/str are decoded strictly first.

    With ``schema`` the payload is checked against that type. Without it, the
    shape decides: a page (``"object": "list"``) is checked as a page of what its
    first item is (jobs when it cannot tell), an event or a checkpoint as one,
    the API's error envelope is reported as what it is (one violation: it is
    not a job), anything else is checked as a FineTuningJob. ``profile`` (a
    name or a :class:`~contract.profiles.Profile`; default ``published``)
    says which amendments are accepted; ``strict`` lists unknown properties
    (``"warn"``) or fails them (``"fail"``); ``deviations`` says failures a
    known amendment would accept in words, one line each.
    """
    found, payload = _decode_body(body)
    if payload is _UNDECODABLE:
        return Assessment(tuple(found))
    checked_as = body_schema(payload, schema, profile)
    if checked_as is None:
        message = f"is an API error envelope, not a job: {api_error_of(payload, profile=profile)}"
        return Assessment((*found, Violation("", "api-error", message)), note="error envelope")
    schema = checked_as
    jobs = jobs_in(payload, schema)
    note = page_note(payload, schema)
    checked = _against_schema(payload, schema, profile, strict, deviations)
    return Assessment(
        (*found, *checked.violations),
        jobs=jobs,
        note=note,
        warnings=checked.warnings,
        needed=checked.needed,
        deviations=checked.deviations,
    )


def check_body(
    body: bytes | str | Decoded | Any,
    schema: str | None = None,
    *,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
) -> list[Violation]:
    """Every violation of a bare payload (see :func:`assess_body`)."""
    found = assess_body(body, schema, profile=profile, strict=strict, deviations=deviations)
    return list(found.violations)


def _resolve(
    operation: str | _operations.Operation | None,
    method: str | None,
    url: str | None,
    job_id: str | None,
) -> tuple[_operations.Operation, str | None]:
    """The operation a response answers and the job it names, from what the caller gave."""
    if url is None:
        return _operations.get(operation), job_id
    if operation is None and method is not None:
        routed = _operations.route(method, url)
        if routed is None:
            raise ValueError(f"{method} {url} is not a call of a jobs operation")
        return routed.operation, job_id if job_id is not None else routed.job_id
    op = _operations.get(operation)
    if job_id is None and url is not None:
        parameters = op.path_parameters(method or op.method, url)
        job_id = (parameters or {}).get("fine_tuning_job_id")
    return op, job_id


def assess_response(
    status_code: int,
    headers: Headers | None,
    body: bytes | str | Decoded | Any,
    job_id: str | None = None,
    *,
    operation: str | _operations.Operation | None = None,
    method: str | None = None,
    url: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
) -> Assessment:
    """Check one HTTP response against the operation it answers.

    The operation is named (``"pause"``, ``"listPaginatedFineTuningJobs"``...),
    or routed from ``method`` and ``url``; pause when neither is given. For an
    operation whose path names a job, ``job_id`` (or the one in ``url``) must be
    the body's ``id``. Any 2xx body is checked as the operation's body; a 2xx
    status other than the documented one is also a ``status`` violation unless
    a ``status-add`` amendment of the profile accepts it (Azure's 201 on
    create). A 4xx/5xx status is an :attr:`Assessment.api_error` when the body
    is the API's well-formed error envelope (under the profile), otherwise a
    ``status`` violation with the envelope's problems; any other status is a
    ``status`` violation. ``profile``, ``strict`` and ``deviations`` are as
    for :func:`assess_body`.
    """
    op, job_id = _resolve(operation, method, url, job_id)
    problems, payload = _decode_body(body)
    chosen = coerce(profile) if profile is not None else None
    status, amendment = _status_findings(op, status_code, chosen, deviations)
    if not 200 <= status_code < 300:
        return _undocumented(op, status_code, payload, chosen, deviations, status)
    found = [*status, *_content_type_problems(headers, op), *problems]
    used = (amendment.name,) if amendment is not None else ()
    if payload is _UNDECODABLE:
        return Assessment(tuple(found), op, needed=used)
    checked = _against_schema(payload, op.schema, profile, strict, deviations)
    found.extend(checked.violations)
    found.extend(_job_id_problems(op, job_id, payload))
    shown = tuple(v.amendment for v in status if v.amendment)
    return Assessment(
        tuple(found),
        op,
        jobs=jobs_in(payload, op.schema),
        note=page_note(payload, op.schema),
        warnings=checked.warnings,
        needed=(*used, *checked.needed),
        deviations=(*shown, *checked.deviations),
    )


def _status_head(op: _operations.Operation, status_code: int) -> str:
    return (
        f"status {status_code} is not a documented response of {op.operation_id} "
        f"(documented: {op.status})"
    )


def _status_findings(
    op: _operations.Operation, status_code: int, profile: Profile | None, deviations: bool
) -> tuple[list[Violation], Amendment | None]:
    """The ``status`` violation of an undocumented status (said as a known deviation when a
    ``status-add`` amendment outside the profile accepts it); the profile's amendment that
    accepts it, if one does."""
    accepted = op.statuses(profile.amendments if profile is not None else ())
    if status_code in accepted:
        return [], accepted[status_code]
    head = _status_head(op, status_code)
    if not deviations:
        return [Violation("", "status", head)], None
    chosen = profile or coerce(None)
    for known in chosen.catalogue.amendments.values():
        if status_code in _operations.added_statuses(known).get(op.operation_id, ()):
            return [_deviation(known, chosen, None, [Violation("", "status", head)])], None
    return [Violation("", "status", head)], None


def _content_type_problems(headers: Headers | None, op: _operations.Operation) -> list[Violation]:
    """The Content-Type violation of a documented answer, if any (as a list to extend)."""
    content_type = header(headers, "content-type")
    if content_type is None:
        message = f"no Content-Type header; expected {op.content_type}"
        return [Violation("", "content-type", message)]
    if content_type != op.content_type and _media_type(content_type) != op.content_type:
        message = f"Content-Type {show(content_type)} is not {op.content_type}"
        return [Violation("", "content-type", message)]
    return []


def _job_id_problems(
    op: _operations.Operation, job_id: str | None, payload: Any
) -> list[Violation]:
    """The violation of a body naming another job than the request's path, if any."""
    returned = payload.get("id") if isinstance(payload, dict) else None
    if not op.names_job or job_id is None or not isinstance(returned, str) or returned == job_id:
        return []
    verb = _JOB_VERBS.get(op.short_name, "named")
    message = f"{show(returned)} is not the job the request {verb} ({show(job_id)})"
    return [Violation("/id", "job-id", message)]


def _conforms_plainly(
    status_code: int, headers: Headers | None, body: Any, job_id: str | None, op: Any
) -> bool:
    """Whether a response under the published profile conforms, proved on the fast path alone.

    Most responses conform; this answers them without building an assessment.
    False means "not proved": the full check then runs and says why.
    """
    if status_code != op.status or _content_type_problems(headers, op):
        return False
    if isinstance(body, (bytes, str)):
        try:
            decoded = decode(body)
        except JSONSyntaxError:
            return False
    elif isinstance(body, Decoded):
        decoded = body
    else:
        return is_valid(body, op.schema) and not _job_id_problems(op, job_id, body)
    return (
        not decoded.problems
        and is_valid(decoded.value, op.schema)
        and not _job_id_problems(op, job_id, decoded.value)
    )


def _undocumented(
    op: _operations.Operation,
    status_code: int,
    payload: Any,
    profile: Profile | None,
    deviations: bool,
    status: list[Violation],
) -> Assessment:
    """A status outside 2xx: a 4xx/5xx answer is read as the API's error envelope."""
    if payload is _UNDECODABLE or not 400 <= status_code < 600:
        return Assessment(tuple(status), op)
    api_error = api_error_of(payload, status_code, profile)
    if api_error is not None:
        needed = _needed(payload, op.error_schema, profile) if profile is not None else ()
        return Assessment((), op, api_error=api_error, needed=needed)
    # Not the API's envelope either: say what is wrong with it as an envelope.
    envelope = _against_schema(payload, op.error_schema, profile, "off", deviations)
    return Assessment((*status, *envelope.violations), op, deviations=envelope.deviations)


def check_response(
    status_code: int,
    headers: Headers | None,
    body: bytes | str | Decoded | Any,
    job_id: str | None = None,
    *,
    operation: str | _operations.Operation | None = None,
    method: str | None = None,
    url: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
) -> list[Violation]:
    """Every way one HTTP response breaks its operation's contract (pause by default).

    Checks the status code (only the documented one is accepted; an API
    error envelope is quoted), the ``Content-Type`` (``application/json``,
    parameters such as ``charset`` allowed), that the body is RFC 8259 JSON,
    the body against the response schema, and, for operations that name a
    job, that the body's ``id`` is that job. Returns an empty list when the
    response conforms. See :func:`assess_response` for the arguments.
    """
    if profile is None and strict == "off" and url is None and method is None:
        op = _operations.get(operation)
        if _conforms_plainly(status_code, headers, body, job_id, op):
            return []
    result = assess_response(
        status_code,
        headers,
        body,
        job_id,
        operation=operation,
        method=method,
        url=url,
        profile=profile,
        strict=strict,
        deviations=deviations,
    )
    if result.api_error is None:
        return list(result.violations)
    op = result.operation or _operations.get(operation)
    message = f"{_status_head(op, status_code)}: {replace(result.api_error, status=None)}"
    return [Violation("", "status", message)]


__all__ = [
    "ApiError",
    "Assessment",
    "Headers",
    "api_error_of",
    "assess_body",
    "assess_response",
    "body_schema",
    "check_body",
    "check_response",
    "error_summary",
    "header",
    "jobs_in",
    "page_note",
]
