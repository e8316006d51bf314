"""The jobs operations the contract covers, and routing a request to one of them.

Everything here is read from the operation documents in
``schemas/operations/`` (method, path template, parameters, the documented
response and its schema); nothing restates them. Six operations answer with a
FineTuningJob or a page of them: create, list, retrieve, cancel, resume and
pause; pause is the default. Two answer with a page of a job's events or
checkpoints. Each has a short name (``pause``, ``list``, ``events``,
``checkpoints``...) that :func:`get` accepts.

A request is routed by its method and URL path: the path must *end* with an
operation's template, so any base prefix (``/v1``, a proxy path, Azure's
``/openai``) is accepted; the query (``?api-version=…``, ``?after=…``) and a
trailing slash are ignored. Path parameters are percent-decoded::

    route("POST", "https://api.openai.com/v1/fine_tuning/jobs/ftjob-1/pause")
    # Route(operation=<pauseFineTuningJob>, job_id="ftjob-1")
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from contract import schema as _registry
from contract.schema._paths import schema_dir
from contract.schema.amendments import Amendment, AmendmentError

#: The operation checked when none is named.
DEFAULT_OPERATION = "pauseFineTuningJob"

_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: The parameter naming the job in a path template.
_JOB_PARAMETER = "fine_tuning_job_id"


@dataclass(frozen=True)
class Operation:
    """One operation of the API, as its document in ``schemas/operations/`` describes it."""

    operation_id: str
    method: str
    path: str
    status: int
    content_type: str
    schema: str
    error_schema: str
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def short_name(self) -> str:
        """What the operation does to a job, in one word: the path's last step after the
        job (``pause``, ``events``, ``checkpoints``), else the verb the operation id starts
        with (``create``, ``list``, ``retrieve``)."""
        last = self.path.rstrip("/").rsplit("/", 1)[-1]
        if self.names_job and not _PARAMETER.fullmatch(last):
            return last
        return re.split(r"(?=[A-Z])", self.operation_id, maxsplit=1)[0]

    @cached_property
    def names_job(self) -> bool:
        """Whether the path names one job, whose id the answer's ``id`` must then be."""
        return _JOB_PARAMETER in _PARAMETER.findall(self.path)

    @cached_property
    def returns_page(self) -> bool:
        """Whether the documented answer is a page (of jobs, events...) rather than one object."""
        return self.item_schema is not None

    @cached_property
    def item_schema(self) -> str | None:
        """The schema of a page's items (``FineTuningJob``, ``FineTuningJobEvent``...);
        None when the answer is not a page."""
        return page_items(self.schema)

    @cached_property
    def returns_jobs(self) -> bool:
        """Whether the answer is a job or a page of jobs (not events or checkpoints)."""
        return _registry.DEFAULT_SCHEMA in (self.schema, self.item_schema)

    def statuses(self, amendments: tuple[Amendment, ...] = ()) -> dict[int, Amendment | None]:
        """The statuses this operation answers with: the documented one (None), and those
        the ``status-add`` amendments among ``amendments`` add (with the amendment)."""
        found: dict[int, Amendment | None] = {self.status: None}
        for amendment in amendments:
            for status in added_statuses(amendment).get(self.operation_id, ()):
                found.setdefault(status, amendment)
        return found

    def path_parameters(self, method: str | None, url: str | None) -> dict[str, str] | None:
        """The percent-decoded path parameters of a request for this operation, else None."""
        if not method or url is None or method.upper() != self.method:
            return None
        try:
            path = _path_of(str(url))
        except ValueError:  # a URL that does not parse is no request for us
            return None
        found = _pattern(self.path).match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    def url_for(self, base_url: str, job_id: str | None = None) -> str:
        """The URL of this operation under ``base_url`` (the job id percent-encoded)."""
        path = self.path
        if self.names_job:
            if job_id is None:
                raise ValueError(f"{self.operation_id} needs a job id")
            path = path.replace("{" + _JOB_PARAMETER + "}", quote(job_id, safe=""))
        return base_url.rstrip("/") + path

    def __str__(self) -> str:
        return self.operation_id


@dataclass(frozen=True)
class Route:
    """Where a request goes: the operation, and the job its path names (if any)."""

    operation: Operation
    job_id: str | None


@cache
def page_items(schema: str) -> str | None:
    """The schema of the items of a page schema (its ``data`` array); None for others
    (asked once per payload by the bulk check: the documents are fixed, so it is cached)."""
    data = _registry.document(schema).get("properties", {}).get("data", {})
    ref = data.get("items", {}).get("$ref") if isinstance(data, Mapping) else None
    if not isinstance(ref, str):
        return None
    return _registry.name_of(ref).rsplit("/", 1)[-1].removesuffix(".json")


#: Where a ``status-add`` amendment is scoped: an operation document's responses.
_STATUS_SCOPE = re.compile(r"operations/(?P<id>[A-Za-z0-9]+)\.json#/responses")


def added_statuses(amendment: Amendment) -> dict[str, tuple[int, ...]]:
    """The statuses a ``status-add`` amendment adds, by operation id ({} for other kinds)."""
    statuses = amendment.change.get("status-add")
    if not statuses:
        return {}
    found: dict[str, tuple[int, ...]] = {}
    for location in amendment.scope:
        match = _STATUS_SCOPE.fullmatch(location)
        if match is not None:
            found[match["id"]] = tuple(int(s) for s in statuses)
    return found


def check_status_amendment(amendment: Amendment) -> None:
    """:class:`AmendmentError` unless a ``status-add`` amendment names existing operations'
    responses and statuses they do not document (other amendments pass)."""
    statuses = amendment.change.get("status-add")
    if statuses is None:
        return
    known = {op.operation_id: op for op in operations()}
    for location in amendment.scope:
        where = f"amendment {amendment.name!r}, scope {location}"
        match = _STATUS_SCOPE.fullmatch(location)
        if match is None:
            raise AmendmentError(
                f"{where}: status-add needs an operation's responses "
                "(operations/createFineTuningJob.json#/responses)"
            )
        op = known.get(match["id"])
        if op is None:
            raise AmendmentError(
                f"{where}: no operation {match['id']}; known: {', '.join(sorted(known))}"
            )
        if op.status in statuses:
            raise AmendmentError(f"{where}: status {op.status} is already documented")


#: An absolute URL's scheme and authority as :func:`urllib.parse.urlsplit` reads them,
#: in a URL of printable ASCII with no bracket in its authority (no IPv6 host to check).
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\[\]]*(?=[/?#]|\Z)")


def _path_of(url: str) -> str:
    """The path of an absolute URL or of a bare path (query and fragment dropped).

    ``urlsplit``'s answer; the common URL (every request of a recording passes here)
    is cut at its authority's end instead, which is what ``urlsplit`` does to it.
    """
    if "://" in url:
        found = _AUTHORITY.match(url)
        if found is None or not (url.isascii() and url.isprintable()):
            return urlsplit(url).path
        url = url[found.end() :]
    return url.partition("?")[0].partition("#")[0]


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for found in _PARAMETER.finditer(template):
        parts.append(re.escape(template[position : found.start()]))
        parts.append(f"(?P<{found.group(1)}>[^/]+)")
        position = found.end()
    parts.append(re.escape(template[position:]))
    # The template starts with "/": anything before it is a base path prefix.
    return re.compile("(?:.*)" + "".join(parts) + r"/?\Z", re.DOTALL)


def _load(path: Any) -> Operation:
    with path.open(encoding="utf-8") as handle:
        document: Mapping[str, Any] = json.load(handle)
    ((status, response),) = document["responses"].items()
    return Operation(
        operation_id=str(document["operationId"]),
        method=str(document["method"]).upper(),
        path=str(document["path"]),
        status=int(status),
        content_type=str(response["content_type"]),
        schema=_registry.name_of(response["schema"]).removesuffix(".json"),
        error_schema=_registry.name_of(document["error_schema"]).removesuffix(".json"),
        document=document,
    )


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation the contract describes, the ones with the longest templates first."""
    found = [_load(path) for path in sorted((schema_dir() / "operations").glob("*.json"))]
    if not found:
        raise RuntimeError(f"no operation documents in {schema_dir() / 'operations'}")
    # Longer templates first, so ".../{id}/pause" is tried before ".../{id}".
    return tuple(sorted(found, key=lambda op: (-len(op.path), op.operation_id)))


def names() -> tuple[str, ...]:
    """The names :func:`get` accepts: operation ids and their short verbs."""
    return tuple(sorted({n for op in operations() for n in (op.operation_id, op.short_name)}))


@cache
def _by_name() -> dict[str, Operation]:
    """Every operation under its id and its verb (the first one listed wins a shared verb)."""
    index: dict[str, Operation] = {}
    for op in operations():
        index.setdefault(op.operation_id, op)
    for op in operations():
        index.setdefault(op.short_name, op)
    return index


def get(name: str | Operation | None = None) -> Operation:
    """The operation called ``name`` (its id or its verb: ``pause``); pause when None."""
    if isinstance(name, Operation):
        return name
    wanted = DEFAULT_OPERATION if name is None else name
    found = _by_name().get(wanted)
    if found is None:
        raise ValueError(f"unknown operation {wanted!r}; known operations: {', '.join(names())}")
    return found


@cache
def _routes() -> dict[str, tuple[tuple[Operation, re.Pattern[str]], ...]]:
    """The routing table, compiled once: per method, its operations in :func:`operations`
    order with their path patterns."""
    table: dict[str, list[tuple[Operation, re.Pattern[str]]]] = {}
    for op in operations():
        table.setdefault(op.method, []).append((op, _pattern(op.path)))
    return {method: tuple(found) for method, found in table.items()}


def route(method: str | None, url: str | None) -> Route | None:
    """The operation a request calls and the job its path names; None for any other API.

    The same answer as asking each operation's :meth:`Operation.path_parameters` in
    turn, with the URL's path read once and only the method's operations tried.
    """
    if not method or url is None:
        return None
    candidates = _routes().get(method.upper())
    if candidates is None:
        return None
    try:
        path = _path_of(str(url))
    except ValueError:  # a URL that does not parse is no request for us
        return None
    for op, pattern in candidates:
        found = pattern.match(path)
        if found is not None:
            job_id = found.groupdict().get(_JOB_PARAMETER)
            return Route(op, None if job_id is None else unquote(job_id))
    return None


def pause() -> Operation:
    """The pause operation, the one the toolkit leads with."""
    return get(DEFAULT_OPERATION)


__all__ = [
    "DEFAULT_OPERATION",
    "Operation",
    "Route",
    "added_statuses",
    "check_status_amendment",
    "get",
    "names",
    "operations",
    "page_items",
    "pause",
    "route",
]
