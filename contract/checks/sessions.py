"""Session checks: the responses about one job within a recording, checked together.

Each response is judged alone by :func:`contract.checks.assess_response`; a
recording also shows a job *over time*, and some mistakes only show there:

* fields that never change (``id``, ``created_at``, ``model``,
  ``training_file``, ``validation_file``, ``method.type``, ``seed``,
  ``organization_id``) stay the same;
* ``status`` moves along the profile's lifecycle graph
  (:mod:`contract.schema.lifecycle`): polling may skip states, so any state
  reachable from the last one is fine; a move backwards or out of a terminal
  state is a finding;
* ``finished_at``, once set, keeps its value;
* pause and resume are answered 2xx only from the states the graph allows them
  in, judged by the job's last known state before the call and the states it
  may have reached since on its own (queued becomes running without a call;
  pausing and resuming need one). A graph that allows them from no state
  (``published`` has no ``pausing``) only forbids them on a finished job;
* pages reached with ``after`` never repeat a job of the pages before them.

:func:`check` is pure: it takes the :class:`Seen` responses of one recording in
order and yields one :class:`Finding` (a :class:`~contract.violations.Violation`
with keyword ``session``, naming the earlier interaction it contradicts) for
each contradiction, attached to the later interaction. :class:`Session` is the
same check a response at a time, for callers that stream.

A field a body leaves out (Azure omits null fields) says nothing; a status the
profile's graph does not know is left to the schema check.

Memory is bounded whatever the recording: a session remembers the
:data:`MAX_JOBS` jobs seen most recently and the :data:`MAX_RUNS` latest runs
of pages; what it forgot cannot be contradicted, so a bound never makes a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from contract import schema as _registry
from contract.schema import operations as _operations
from contract.schema.lifecycle import Lifecycle, lifecycle
from contract.validation._explain import show
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.profiles import ProfileLike

#: The keyword of every session finding.
KEYWORD = "session"

#: Top-level fields of a job that never change once it exists.
FIXED = (
    "created_at",
    "model",
    "training_file",
    "validation_file",
    "seed",
    "organization_id",
)
#: The most jobs a session remembers: past it, the job seen longest ago is forgotten (a
#: recording of one client's traffic shows far fewer; a file of a million distinct jobs
#: must not hold them all). A forgotten job seen again starts afresh: nothing is
#: reported wrongly, a contradiction with what was forgotten goes unseen.
MAX_JOBS = 10_000
#: The most runs of pages (``after`` cursors) a session follows at once, the latest kept;
#: each remembers at most :data:`MAX_JOBS` listed jobs.
MAX_RUNS = 64
#: Operations answered 2xx only from the states the lifecycle allows them in.
GUARDED = ("pauseFineTuningJob", "resumeFineTuningJob")

_ABSENT = object()
#: How a message words "the job cannot be …" for each guarded operation's verb.
_DONE = {"pause": "paused", "resume": "resumed"}


class Seen(NamedTuple):
    """One recorded response, as the session check needs it.

    ``label`` names the interaction in its recording (``interaction[2]``);
    ``operation`` is the operation id it answers (None for a bare payload, which
    is not checked); ``status`` the HTTP status; ``body`` the decoded body (None
    when it did not decode); ``after`` the ``after`` cursor of a list request.
    """

    label: str
    operation: str | None
    status: int | None
    body: Any
    after: str | None = None


class Finding(NamedTuple):
    """A session finding: ``violation`` belongs to the interaction named ``label``."""

    label: str
    violation: Violation


@dataclass
class _Job:
    """What the recording has shown of one job: each value with an interaction showing it.

    Each value is the latest one, so a change is reported once, where it happens.
    """

    fixed: dict[str, tuple[Any, str]] = field(default_factory=dict)
    status: tuple[str, str] | None = None
    finished_at: tuple[Any, str] | None = None


@dataclass
class _Chain:
    """The jobs of a run of pages (a first page, then each reached with ``after``), in order,
    each with the page that listed it first.

    Pages continuing one page share its dict while the run does not branch
    (each page continued once, the usual case): ``size`` is how many of its
    entries belong to this run.
    """

    seen: dict[str, str]
    size: int

    def own(self) -> _Chain:
        """This run with a dict of its own when another page already continued it."""
        if len(self.seen) == self.size:
            return self
        return _Chain(dict(islice(self.seen.items(), self.size)), self.size)

    def extended(self, ids: dict[str, str]) -> _Chain:
        """The run with one more page's jobs (this run's dict is then spent); past
        :data:`MAX_JOBS` jobs in the run, the later ones are not remembered."""
        seen = self.seen
        for job_id, label in ids.items():
            if len(seen) >= MAX_JOBS:
                break
            seen.setdefault(job_id, label)
        return _Chain(seen, len(seen))


@cache
def _kinds() -> tuple[str, str]:
    """The schema of an answer holding one job, and of a page of them."""
    return _registry.DEFAULT_SCHEMA, _operations.get("list").schema


@cache
def _answers_with(operation_id: str | None) -> str | None:
    """``job``, ``page`` or None: what a 2xx answer of the operation holds."""
    if operation_id is None:
        return None
    try:
        schema = _operations.get(operation_id).schema
    except (KeyError, ValueError):
        return None
    job, page = _kinds()
    return "job" if schema == job else "page" if schema == page else None


def _finding(path: str, message: str) -> Violation:
    return Violation(path, KEYWORD, message)


def _verb(operation_id: str) -> str:
    return _operations.get(operation_id).short_name


class Session:
    """The session check of one recording, a response at a time (see :func:`check`)."""

    def __init__(self, profile: ProfileLike = None) -> None:
        self.lifecycle: Lifecycle = lifecycle(profile)
        graph = self.lifecycle
        #: The guarded operations the graph allows from some state (published allows pause
        #: from none: it has no pausing state, so it says nothing of where pause may come from).
        self._modelled = frozenset(
            op for op in GUARDED if any(graph.allows(op, state) for state in graph.states)
        )
        self._jobs: dict[str, _Job] = {}
        self._cursors: dict[str, _Chain] = {}

    def see(self, seen: Seen) -> list[Violation]:
        """The findings of one response given those before it; it then counts as seen."""
        kind = _answers_with(seen.operation)
        body = seen.body
        if kind is None or seen.status is None or not 200 <= seen.status < 300:
            return []
        if not isinstance(body, dict):
            return []
        if kind == "job":
            return self._job(seen, body, "")
        data = body.get("data")
        if not isinstance(data, list):
            return []
        found = self._page(seen, data)
        for index, job in enumerate(data):
            if isinstance(job, dict):
                found.extend(self._job(seen, job, f"/data/{index}"))
        return found

    def _job(self, seen: Seen, job: dict[str, Any], where: str) -> list[Violation]:
        job_id = job.get("id")
        if not isinstance(job_id, str):
            return []
        jobs = self._jobs
        # Kept in the order last seen, so the first one is the one to forget.
        track = jobs.pop(job_id, None) or _Job()
        jobs[job_id] = track
        if len(jobs) > MAX_JOBS:
            del jobs[next(iter(jobs))]
        found = self._fixed(seen.label, job_id, job, track, where)
        state = self._state(seen, job_id, job, track, where)
        if state is not None:
            found.append(state)
        return found

    def _fixed(
        self, label: str, job_id: str, job: dict[str, Any], track: _Job, where: str
    ) -> list[Violation]:
        """Findings for the fields that never change (the hot loop of a long recording)."""
        found: list[Violation] = []
        fixed = track.fixed
        method = job.get("method")
        values = [(name, job.get(name, _ABSENT)) for name in FIXED]
        if isinstance(method, dict) and isinstance(method.get("type"), str):
            values.append(("method.type", method["type"]))
        if not fixed:  # the job's first answer (the usual case): nothing to compare yet
            track.fixed = {name: (value, label) for name, value in values if value is not _ABSENT}
            return found
        for name, value in values:
            if value is _ABSENT:
                continue
            before = fixed.get(name)
            if before is None:
                fixed[name] = (value, label)
                continue
            earlier = before[0]
            if (earlier == value and type(earlier) is type(value)) or _same(earlier, value):
                continue
            fixed[name] = (value, label)
            path = f"{where}/{name.replace('.', '/')}"
            found.append(
                _finding(
                    path,
                    f"{name} of job {show(job_id)} is {show(value)}, but {before[1]} "
                    f"showed {show(earlier)}; a job's {name} never changes",
                )
            )
        return found

    def _state(
        self, seen: Seen, job_id: str, job: dict[str, Any], track: _Job, where: str
    ) -> Violation | None:
        """At most one finding about the job's state (the first cause only), then updated."""
        graph = self.lifecycle
        status = job.get("status")
        known = status if isinstance(status, str) and status in graph.states else None
        finished = job.get("finished_at", _ABSENT)
        found = self._guarded(seen, job_id, track, where)
        if found is None and known is not None and track.status is not None:
            before, label = track.status
            if known != before and not graph.reachable(before, known):
                why = (
                    f"a {before} job never changes state again"
                    if before in graph.terminal
                    else f"the {graph.profile} lifecycle has no way from {before} to {known}"
                )
                found = _finding(
                    f"{where}/status",
                    f"job {show(job_id)} is {known}, but {label} showed it {before}: {why}",
                )
        if found is None and track.finished_at is not None and finished is not _ABSENT:
            value, label = track.finished_at
            if not _same(value, finished):
                found = _finding(
                    f"{where}/finished_at",
                    f"finished_at of job {show(job_id)} is {show(finished)}, but {label} "
                    f"showed {show(value)}; finished_at is set once",
                )
        if known is not None:
            track.status = (known, seen.label)
        if finished is not _ABSENT and finished is not None:
            if track.finished_at is None or not _same(track.finished_at[0], finished):
                track.finished_at = (finished, seen.label)
        elif finished is None and track.finished_at is not None:
            track.finished_at = None  # reported above; the next set value starts afresh
        return found

    def _guarded(self, seen: Seen, job_id: str, track: _Job, where: str) -> Violation | None:
        """A pause or resume answered 2xx although the job's last known state rules it out.

        Polling may have missed states the job reached on its own since (queued,
        then running): the call is fine when one of those allows it. States
        only a call leads to (pausing, resuming, cancelled) are not among them.
        """
        operation = seen.operation
        if operation not in GUARDED or where or track.status is None:
            return None
        graph = self.lifecycle
        before, label = track.status
        if operation not in self._modelled:
            if before not in graph.terminal:
                return None
        elif any(graph.allows(operation, state) for state in _on_its_own(graph, before)):
            return None
        verb = _verb(operation)
        done = _DONE.get(verb, verb)
        why = f"a {before} job cannot be {done}"
        if before not in graph.terminal:
            why += f" and reaches no state it can be {done} in without another call"
        return _finding(
            where,
            f"{verb} of job {show(job_id)} was answered {seen.status}, but {label} showed it "
            f"{before}: {why} (the API answers 400)",
        )

    def _page(self, seen: Seen, data: list[Any]) -> list[Violation]:
        """Jobs on a page reached with ``after`` that an earlier page of its run listed."""
        chain = _Chain({}, 0)
        if seen.after is not None:
            chain = self._cursors.get(seen.after, chain).own()
        found = []
        ids: dict[str, str] = {}
        for index, job in enumerate(data):
            job_id = job.get("id") if isinstance(job, dict) else None
            if not isinstance(job_id, str):
                continue
            earlier = chain.seen.get(job_id)
            if earlier is not None:
                found.append(
                    _finding(
                        f"/data/{index}",
                        f"job {show(job_id)} is on this page (after={show(seen.after)}), but "
                        f"{earlier} already listed it; pages reached with after never "
                        "repeat a job",
                    )
                )
            ids.setdefault(job_id, seen.label)
        if ids:
            cursors = self._cursors
            cursors[list(ids)[-1]] = chain.extended(ids)
            if len(cursors) > MAX_RUNS:
                del cursors[next(iter(cursors))]
        return found


@cache
def _on_its_own(graph: Lifecycle, start: str) -> frozenset[str]:
    """``start`` and the states a job in it may reach with no call: every move but those
    into a state only a call leads to (the answer of pause, resume or cancel)."""
    caused = {
        graph.answer_state(operation, state)
        for operation in ("cancelFineTuningJob", *GUARDED)
        for state in graph.states
        if graph.allows(operation, state)
    }
    seen = {start}
    todo = [start]
    while todo:
        for after in graph.edges.get(todo.pop(), frozenset()):
            if after not in seen and after not in caused:
                seen.add(after)
                todo.append(after)
    return frozenset(seen)


def _same(first: Any, second: Any) -> bool:
    """Equal as JSON values (``1`` and ``1.0`` are, ``1`` and ``true`` are not)."""
    if isinstance(first, bool) or isinstance(second, bool):
        return first is second
    return bool(first == second)


def check(seen: Iterable[Seen], profile: ProfileLike = None) -> Iterator[Finding]:
    """Every session finding of one recording's responses, in order, under ``profile``."""
    session = Session(profile)
    for one in seen:
        for violation in session.see(one):
            yield Finding(one.label, violation)


__all__ = [
    "FIXED",
    "GUARDED",
    "KEYWORD",
    "MAX_JOBS",
    "MAX_RUNS",
    "Finding",
    "Seen",
    "Session",
    "check",
]
