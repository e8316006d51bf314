"""The fake jobs API without transport: one request in, one :class:`Reply` out.

:meth:`FakeJobsAPI.handle` is the whole API: the key check, the fault, the
routing, the request checks, the job's life cycle and the body. The ASGI
application (:mod:`._asgi`) and the in-process ``httpx`` transport
(:mod:`._transport`) only carry requests to it and its replies back.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson

from contract import profiles
from contract.profiles import ProfileLike
from contract.redact import MASK, SECRET_HEADERS
from contract.schema.lifecycle import Lifecycle, lifecycle
from contract.testing.fake._asgi import FakeApp
from contract.testing.fake._clock import Clock
from contract.testing.fake._faults import FAULT_HEADER, REJECTING, Faults
from contract.testing.fake._jobs import Durations, Job, Simulation
from contract.testing.fake._reply import MAX_BODY, Reply
from contract.testing.fake._requests import (
    Refusal,
    check_create,
    check_key,
    metadata_filter,
    page_limit,
)
from contract.testing.fake._script import Replies, Scripted
from contract.testing.fake._transport import FakeTransport

#: Where the API lives under the server's root: the base URL ends with it.
BASE_PATH = "/v1"
#: The base URL of the fake in process (no socket; only its transport reaches it).
IN_PROCESS_URL = "http://fake-jobs-api.invalid" + BASE_PATH
#: Request bodies longer than this are not kept in :attr:`FakeJobsAPI.requests`.
KEPT_BODY = 64 << 10

_JOBS = BASE_PATH + "/fine_tuning/jobs"
_ACTIONS = {
    ("POST", "cancel"): "cancelFineTuningJob",
    ("POST", "pause"): "pauseFineTuningJob",
    ("POST", "resume"): "resumeFineTuningJob",
    ("GET", "events"): "listFineTuningEvents",
    ("GET", "checkpoints"): "listFineTuningJobCheckpoints",
}
_VERBS = {
    "cancelFineTuningJob": "cancel",
    "pauseFineTuningJob": "pause",
    "resumeFineTuningJob": "resume",
}
_SERVER_ERRORS = {
    "500": "The server had an error while processing your request. Sorry about that!",
    "503": "The server is overloaded or not ready yet.",
}


@dataclass(frozen=True)
class FakeRequest:
    """A request the fake received, with secret headers masked and a long body left out."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    fault: str | None
    operation: str | None
    #: Whether a scripted reply (:attr:`FakeJobsAPI.replies`) answered it.
    scripted: bool = False

    def json(self) -> Any:
        """The body as JSON (None when empty or not JSON)."""
        try:
            return orjson.loads(self.body) if self.body else None
        except orjson.JSONDecodeError:
            return None


def _dumps(payload: Any) -> bytes:
    return orjson.dumps(payload)


class FakeJobsAPI:
    """A stateful fake of the fine-tuning jobs API under one profile.

    ``speed=None`` gives a manual clock (:attr:`clock` ``.advance(seconds)``);
    a number runs it at that many simulated seconds per real second.
    ``faults`` is a spec (``"429=0.2,500=0.05"``), a mapping of rates or a
    :class:`Faults`. Everything random follows ``seed``.

    :attr:`replies` scripts what one call answers
    (``fake.replies.next("pause", body, status=200, job_id=None)``): served
    once, instead of what the simulation answers, to the next call of that
    operation (about that job only, when ``job_id`` is given) with a valid
    key, after the faults (a 429, 500, 503 or drop answers first and leaves
    the reply queued; a malformed, truncated or slow fault damages it). The
    request is not checked and no job changes.

    What it keeps is bounded: at most ``max_jobs`` jobs, made from create
    bodies of at most ``max_job_bytes`` bytes in all; a create beyond either
    answers 400 (code ``fake_limit_reached``) and the fake goes on serving the
    jobs it has.
    """

    def __init__(
        self,
        profile: ProfileLike = None,
        *,
        seed: int = 0,
        speed: float | None = None,
        durations: Durations | None = None,
        faults: Faults | Mapping[str, float] | str | None = None,
        failure_rate: float = 0.0,
        keep_requests: int = 1000,
        max_jobs: int = 10_000,
        max_job_bytes: int = 64 << 20,
    ) -> None:
        self.profile = profiles.coerce(profile)
        self.lifecycle: Lifecycle = lifecycle(self.profile)
        self.clock = Clock(speed)
        self.faults = faults if isinstance(faults, Faults) else Faults(faults, seed=seed)
        #: Scripted replies, served before the simulation answers.
        self.replies = Replies()
        self.durations = durations or Durations()
        self._simulation = Simulation(self.lifecycle, self.durations, seed, failure_rate)
        self._requests: deque[FakeRequest] = deque(maxlen=keep_requests)
        self.max_jobs = max_jobs
        self.max_job_bytes = max_job_bytes
        self._job_bytes = 0
        self._lock = threading.RLock()
        self._count = 0
        self._server: Any = None
        self._served_url: str | None = None

    # -- how clients reach it -----------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx`` transport reaching this fake in process, with no socket."""
        return FakeTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The same for ``httpx.AsyncClient`` (the ASGI application, in process)."""
        return httpx.ASGITransport(app=self.app)

    @property
    def app(self) -> FakeApp:
        """The ASGI application (Starlette) serving this fake."""
        return FakeApp(self)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (port 0: any free one) in a background thread; the base URL.

        Serving again while served answers the same URL. :meth:`close` stops it.
        """
        if self._served_url is None:
            from contract.testing._serving import Served

            server = Served(self.app, host, port, name="finetune-contract-fake")
            server.start()
            self._server = server
            self._served_url = server.url + BASE_PATH
        return self._served_url

    @property
    def url(self) -> str:
        """The base URL, ending in ``/v1``: the served one (serving on loopback on first use)."""
        return self.serve()

    def close(self) -> None:
        """Stop serving, if served (it can be served again)."""
        server, self._server, self._served_url = self._server, None, None
        if server is not None:
            server.stop()

    def __enter__(self) -> FakeJobsAPI:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- what tests read ----------------------------------------------------------

    @property
    def requests(self) -> list[FakeRequest]:
        """The last requests received (at most ``keep_requests``), oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        """Every job's body as retrieve would answer it now, oldest first."""
        with self._lock:
            now = self.clock.now()
            for job in self._simulation.jobs.values():
                self._simulation.settle(job, now)
            return {job_id: job.body() for job_id, job in self._simulation.jobs.items()}

    def events(self, job_id: str) -> list[dict[str, Any]]:
        """The events of a job, oldest first (KeyError for an unknown job)."""
        with self._lock:
            job = self._simulation.jobs[job_id]
            self._simulation.settle(job, self.clock.now())
            return [dict(e) for e in job.events]

    def fail(self, job_id: str, message: str = "The job failed (asked by the test).") -> None:
        """End a job as failed now, whatever stage it is in (not if it already ended)."""
        with self._lock:
            job = self._simulation.jobs[job_id]
            now = self.clock.now()
            self._simulation.settle(job, now)
            self._simulation.fail(job, now, message)

    # -- the API ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        """Answer one request. ``headers`` have lower-case names; ``query`` is the raw string."""
        pairs = parse_qsl(query, keep_blank_values=True)
        operation: str | None = None
        fault: str | None = None
        scripted: Scripted | None = None
        try:
            check_key(headers)
            if len(body) > MAX_BODY:
                raise Refusal(413, f"The request body is larger than {MAX_BODY} bytes.")
            fault = self.faults.pick(headers.get(FAULT_HEADER))
            operation, job_id = _route(method, path)
            if fault in REJECTING:
                reply = self._fault_reply(fault)
            elif (scripted := self.replies.take(operation, job_id)) is not None:
                reply = self._reply(scripted.status, scripted.body, fault, scripted.headers)
            else:
                with self._lock:
                    status, payload = self._dispatch(operation, job_id, pairs, body)
                reply = self._reply(status, _dumps(payload), fault)
        except Refusal as refusal:
            damage = None if fault in REJECTING else fault
            reply = self._reply(refusal.status, _dumps(refusal.envelope()), damage)
        self._record(method, path, pairs, headers, body, reply, operation, scripted is not None)
        return reply

    def _dispatch(
        self, operation: str, job_id: str | None, query: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Any]:
        now = self.clock.now()
        simulation = self._simulation
        if operation == "createFineTuningJob":
            request = check_create(body, self.profile)
            if (
                len(simulation.jobs) >= self.max_jobs
                or self._job_bytes + len(body) > self.max_job_bytes
            ):
                raise Refusal(
                    400,
                    f"This fake keeps at most {self.max_jobs} jobs from "
                    f"{self.max_job_bytes} bytes of create requests; it has "
                    f"{len(simulation.jobs)} ({self._job_bytes} bytes).",
                    code="fake_limit_reached",
                )
            self._job_bytes += len(body)
            return 200, simulation.create(request, now).body()
        if operation == "listPaginatedFineTuningJobs":
            return 200, self._job_page(query, now)
        job = simulation.jobs.get(job_id or "")
        if job is None:
            shown = (job_id or "")[:64]
            raise Refusal(
                404, f"No fine-tuning job with id {shown!r}.", "fine_tuning_job_id", "not_found"
            )
        simulation.settle(job, now)
        if operation in _VERBS:
            if not self.lifecycle.allows(operation, job.status):
                raise Refusal(
                    400,
                    f"Cannot {_VERBS[operation]} job {job.id}: its status is {job.status}.",
                    code="invalid_job_state",
                )
            simulation.act(job, operation, now)
        if operation == "listFineTuningEvents":
            page, more = _page(job.events[::-1], query, 20)
            return 200, {"object": "list", "data": page, "has_more": more}
        if operation == "listFineTuningJobCheckpoints":
            page, more = _page(job.checkpoints[::-1], query, 10)
            first = page[0]["id"] if page else None
            last = page[-1]["id"] if page else None
            return 200, {
                "object": "list",
                "data": page,
                "has_more": more,
                "first_id": first,
                "last_id": last,
            }
        return 200, job.body()

    def _job_page(self, query: Sequence[tuple[str, str]], now: float) -> dict[str, Any]:
        limit = page_limit(query, 20)
        wanted = metadata_filter(query)
        after = _last(query, "after")
        found: list[Job] = []
        for job in _newest_first(self._simulation.jobs.values(), after):
            if wanted is not None and not _matches(job, wanted):
                continue
            found.append(job)
            if len(found) > limit:
                break
        for job in found[:limit]:
            self._simulation.settle(job, now)
        data = [job.body() for job in found[:limit]]
        return {"object": "list", "data": data, "has_more": len(found) > limit}

    # -- replies ------------------------------------------------------------------

    def _headers(self, extra: Sequence[tuple[str, str]] = ()) -> tuple[tuple[str, str], ...]:
        with self._lock:
            self._count += 1
            count = self._count
        return (
            ("content-type", "application/json"),
            ("x-request-id", f"req_fake{count:012x}"),
            *extra,
        )

    def _reply(
        self,
        status: int,
        body: bytes,
        fault: str | None,
        headers: tuple[tuple[str, str], ...] | None = None,
    ) -> Reply:
        if fault == "malformed":
            body = body[:-1] + b",}"  # a trailing comma: not JSON
        delay = self.faults.slow_seconds if fault == "slow" else 0.0
        return Reply(status, self._headers() if headers is None else headers, body, fault, delay)

    def _fault_reply(self, fault: str) -> Reply:
        if fault == "drop":
            return Reply(0, (), b"", "drop")
        if fault == "429":
            wait = str(self.faults.retry_after)
            envelope = Refusal(
                429,
                f"Rate limit reached for requests. Please try again in {wait}s.",
                code="rate_limit_exceeded",
                type="requests",
            ).envelope()
            extra = (
                ("retry-after", wait),
                ("x-ratelimit-limit-requests", "60"),
                ("x-ratelimit-remaining-requests", "0"),
                ("x-ratelimit-reset-requests", f"{wait}s"),
                ("x-ratelimit-limit-tokens", "150000"),
                ("x-ratelimit-remaining-tokens", "149000"),
                ("x-ratelimit-reset-tokens", "6ms"),
            )
            return Reply(429, self._headers(extra), _dumps(envelope))
        envelope = Refusal(int(fault), _SERVER_ERRORS[fault], type="server_error").envelope()
        return Reply(int(fault), self._headers(), _dumps(envelope))

    def _record(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        reply: Reply,
        operation: str | None,
        scripted: bool = False,
    ) -> None:
        kept = tuple(
            (name, MASK if name in SECRET_HEADERS else value) for name, value in headers.items()
        )
        entry = FakeRequest(
            method=method,
            path=path[:2048],
            query=tuple(query[:100]),
            headers=kept,
            body=body if len(body) <= KEPT_BODY else b"",
            status=reply.status,
            fault=reply.fault,
            operation=operation,
            scripted=scripted,
        )
        with self._lock:
            self._requests.append(entry)

    def __repr__(self) -> str:
        return (
            f"FakeJobsAPI(profile={self.profile.describe()!r}, jobs={len(self._simulation.jobs)}, "
            f"{self.clock!r}, {self.faults!r})"
        )


def _route(method: str, path: str) -> tuple[str, str | None]:
    """The operation and job id a request names; a 404 :class:`Refusal` for anything else."""
    method = method.upper()
    tail = path[len(_JOBS) :] if path.startswith(_JOBS) else None
    if tail in ("", "/"):
        if method == "POST":
            return "createFineTuningJob", None
        if method == "GET":
            return "listPaginatedFineTuningJobs", None
    elif tail is not None and tail.startswith("/"):
        parts = tail[1:].split("/")
        if len(parts) == 1 and parts[0] and method == "GET":
            return "retrieveFineTuningJob", parts[0]
        if len(parts) == 2 and parts[0] and (method, parts[1]) in _ACTIONS:
            return _ACTIONS[method, parts[1]], parts[0]
    shown = path if len(path) <= 100 else path[:99] + "…"
    raise Refusal(404, f"Invalid URL ({method[:10]} {shown})", code="unknown_url")


def _last(query: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in query if k == name]
    return values[-1] if values else None


def _newest_first(jobs: Any, after: str | None) -> Iterator[Job]:
    ordered = reversed(list(jobs))
    if after is None:
        yield from ordered
        return
    seen = False
    for job in ordered:
        if seen:
            yield job
        elif job.id == after:
            seen = True


def _matches(job: Job, wanted: Mapping[str, str]) -> bool:
    metadata = job.metadata or {}
    if not wanted:
        return not metadata
    return all(metadata.get(key) == value for key, value in wanted.items())


def _page(
    items: list[dict[str, Any]], query: Sequence[tuple[str, str]], default: int
) -> tuple[list[dict[str, Any]], bool]:
    """One page of items (newest first) after the ``after`` id, and whether more follow."""
    limit = page_limit(query, default)
    after = _last(query, "after")
    if after is not None:
        index = next((i for i, item in enumerate(items) if item["id"] == after), None)
        items = [] if index is None else items[index + 1 :]
    return items[:limit], len(items) > limit
