"""What a check run found: :class:`Result` (one response or payload) and :class:`Summary`.

The writers for people and tools live in :mod:`contract.reports` (one module
per format: text, json, jsonl, junit, github, sarif).

Every string the input controls is redacted (credentials masked) before it is
written: :meth:`Result.as_dict` looks the configured keys up once for all of a
result's texts (:func:`contract.redact.cleaner`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from contract.redact import cleaner
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.checks.deviations import Usage
    from contract.config import Strict
    from contract.profiles import ProfileLike
    from contract.recordings import Interaction
    from contract.traffic import Counts, Observation

Verdict = Literal["valid", "invalid", "api-error"]
#: Which message of a call a finding is about.
Side = Literal["response", "request"]

_LINE_SUFFIX = re.compile(r":(\d+)\Z")


@dataclass(frozen=True)
class Result:
    """The outcome of checking one recorded payload or response.

    ``api_error`` is the API's own error (``API error 404 code: message``) when
    the response was a well-formed error envelope under an undocumented
    status: counted, but not a contract failure unless ``fail_api_errors``.
    ``name`` is the item's name inside its file (``interaction[2]``,
    ``line[3]``, ``payload``); ``observed`` what the response exercised
    (:mod:`contract.traffic`), kept only when traffic coverage was asked for.
    ``request_violations`` and ``request_warnings`` are the findings on the
    recorded request (``request_checked`` says it was checked): they fail the
    result like the response's, and reports mark them ``request``.
    """

    source: str
    violations: tuple[Violation, ...]
    operation: str | None = None
    api_error: str | None = None
    jobs: int = 0
    note: str = ""
    fail_api_errors: bool = field(default=False, repr=False)
    #: Unknown properties (strict mode "warn"): listed, never failing.
    warnings: tuple[Violation, ...] = field(default=(), kw_only=True)
    #: The profile's amendments the body needed, and known deviations outside it.
    needed: tuple[str, ...] = field(default=(), kw_only=True, repr=False, compare=False)
    deviations: tuple[str, ...] = field(default=(), kw_only=True, repr=False, compare=False)
    name: str = field(default="", compare=False)
    observed: Observation | None = field(default=None, repr=False, compare=False)
    request_violations: tuple[Violation, ...] = field(default=(), kw_only=True)
    request_warnings: tuple[Violation, ...] = field(default=(), kw_only=True)
    request_checked: bool = field(default=False, kw_only=True, compare=False)
    #: The line of the file its response body is on, when the reader knew it without
    #: reading the file again (a HAR entry on a line of its own); None otherwise.
    body_line: int | None = field(default=None, kw_only=True, repr=False, compare=False)

    @property
    def verdict(self) -> Verdict:
        if self.violations or self.request_violations or (self.api_error and self.fail_api_errors):
            return "invalid"
        return "api-error" if self.api_error else "valid"

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def failed(self) -> bool:
        return self.verdict == "invalid"

    @property
    def file(self) -> str:
        """The file part of :attr:`source`, as the user named it (``cassettes/jobs.yaml``)."""
        if self.name and self.source.endswith("::" + self.name):
            return self.source[: -len(self.name) - 2]
        found = _LINE_SUFFIX.search(self.source)
        if found is not None and (not self.name or self.name in ("payload", f"line[{found[1]}]")):
            return self.source[: found.start()]
        return self.source

    @property
    def line(self) -> int | None:
        """The line :attr:`source` names (``jobs.jsonl:3`` is 3), if it names one."""
        if self.name.startswith("interaction[") or self.name.startswith("entry["):
            return None
        found = _LINE_SUFFIX.search(self.source)
        return int(found[1]) if found is not None else None

    @property
    def findings(self) -> tuple[tuple[Side, Violation], ...]:
        """Every violation with the side it is on: the response's first, then the request's."""
        if not (self.violations or self.request_violations):
            return ()  # (most results: nothing to build)
        return (
            *(("response", v) for v in self.violations),
            *(("request", v) for v in self.request_violations),
        )

    @property
    def all_warnings(self) -> tuple[tuple[Side, Violation], ...]:
        """Every warning with the side it is on: the response's first, then the request's."""
        return (
            *(("response", v) for v in self.warnings),
            *(("request", v) for v in self.request_warnings),
        )

    def renamed(self, source: str, name: str) -> Result:
        """This result as that of another item holding the same payload (a line repeated
        in a JSON Lines file), named ``source`` and ``name``.

        Every other field is this one's, as :func:`dataclasses.replace` would give them,
        copied as they are (a result has no field derived from another): a fifth of
        the time, for the many results a long run renames.
        """
        return self._copied(source=source, name=name)

    def _copied(self, **changes: Any) -> Result:
        """This result with ``changes`` to its fields, as :func:`dataclasses.replace` would
        give it, copied without ``__init__``: for the many results a long run makes."""
        found = object.__new__(Result)
        fields = found.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return found

    @classmethod
    def conforming(
        cls, source: str, name: str, jobs: int, note: str, fail_api_errors: bool
    ) -> Result:
        """The valid result of a bare payload with nothing else to say: no operation,
        request, warning or observation (a JSON Lines line proven conforming)."""
        return _CONFORMING._copied(
            source=source, name=name, jobs=jobs, note=note, fail_api_errors=fail_api_errors
        )

    def as_dict(self, clean: Callable[[str], str] | None = None) -> dict[str, object]:
        """This result as the JSON formats write it, every text redacted with ``clean``: a
        :func:`contract.redact.cleaner` a writer makes once for all it writes (None: one
        made for this result's texts, the configured keys looked up once)."""
        if clean is None:
            clean = cleaner()
        document: dict[str, object] = {
            "source": clean(self.source),
            "valid": self.valid,
            "verdict": self.verdict,
            "operation": self.operation,
            "jobs": self.jobs,
            "violations": [_finding(side, v, clean) for side, v in self.findings],
        }
        if self.api_error:
            document["api_error"] = clean(self.api_error)
        if self.note:
            document["note"] = self.note
        if self.warnings or self.request_warnings:
            document["warnings"] = [_finding(side, v, clean) for side, v in self.all_warnings]
        return document

    @classmethod
    def of(
        cls,
        interaction: Interaction,
        schema: str | None = None,
        fail_api_errors: bool = False,
        *,
        observe: bool = False,
        profile: ProfileLike = None,
        strict: Strict = "off",
        deviations: bool = False,
        requests: bool = True,
    ) -> Result:
        """Check ``interaction`` (``schema`` applies to bare payloads only).

        ``observe`` also records what the response exercised, for traffic coverage.
        ``profile``, ``strict`` and ``deviations``: see :func:`contract.checks.assess_body`.
        ``requests`` also checks the recorded request (:mod:`contract.checks.requests`).
        """
        found = interaction.assess(schema, profile=profile, strict=strict, deviations=deviations)
        request = (
            interaction.assess_request(profile=profile, strict=strict)
            if requests and interaction.has_request
            else None
        )
        observed = None
        if observe:
            from contract.traffic import observe as _observe

            observed = _observe(interaction, found)
        return cls(
            interaction.source,
            found.violations,
            found.operation.operation_id if found.operation else None,
            str(found.api_error) if found.api_error else None,
            found.jobs,
            found.note,
            fail_api_errors,
            interaction.name,
            observed,
            warnings=found.warnings,
            needed=found.needed,
            deviations=found.deviations,
            request_violations=request.violations if request is not None else (),
            request_warnings=request.warnings if request is not None else (),
            request_checked=request is not None,
            body_line=interaction.line,
        )


_CONFORMING = Result("", ())


def _finding(side: Side, violation: Violation, clean: Callable[[str], str]) -> dict[str, str]:
    """A violation or warning as the JSON formats write it, with its ``side``."""
    return {"side": side, **{key: clean(value) for key, value in violation.as_dict(side).items()}}


@dataclass
class Summary:
    """Counts over a run; ``skipped`` counts recorded calls of other APIs.

    ``stopped`` says why the run ended early (``fail-fast``), if it did.
    ``extra`` holds further summary fields added by other parts of a run
    (JSON-ready values, merged into :meth:`as_dict`); ``details`` the lines
    that say the same for people (printed after :meth:`line`).
    """

    checked: int = 0
    valid: int = 0
    invalid: int = 0
    api_errors: int = 0
    jobs: int = 0
    skipped: int = 0
    stopped: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    #: Recorded requests checked, those that broke the contract, and those with warnings.
    requests_checked: int = 0
    requests_invalid: int = 0
    requests_warned: int = 0

    def add(self, result: Result) -> None:
        self.checked += 1
        self.jobs += result.jobs
        if result.request_checked:
            self.requests_checked += 1
            self.requests_invalid += bool(result.request_violations)
            self.requests_warned += bool(result.request_warnings)
        verdict = result.verdict
        if verdict == "valid":
            self.valid += 1
        elif verdict == "invalid":
            self.invalid += 1
        else:
            self.api_errors += 1

    @classmethod
    def of(cls, results: Iterable[Result], skipped: int = 0) -> Summary:
        summary = cls(skipped=skipped)
        for result in results:
            summary.add(result)
        return summary

    def as_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "api_errors": self.api_errors,
            "jobs": self.jobs,
            "skipped": self.skipped,
        }
        if self.requests_checked:
            document["requests"] = {
                "checked": self.requests_checked,
                "valid": self.requests_checked - self.requests_invalid,
                "invalid": self.requests_invalid,
                "with_warnings": self.requests_warned,
            }
        if self.stopped:
            document["stopped"] = self.stopped
        for key, value in self.extra.items():
            document.setdefault(key, value)
        return document

    def _counts(self) -> str:
        """`` (86 jobs): 1 valid, 9 invalid, 5 API error responses``: the verdicts, in words."""
        text = f" ({plural(self.jobs, 'job')})" if self.jobs > self.checked else ""
        text += f": {self.valid} valid, {self.invalid} invalid"
        if self.api_errors:
            text += f", {plural(self.api_errors, 'API error response')}"
        return text

    def line(self) -> str:
        """``checked 15 payloads (86 jobs): 1 valid, 9 invalid, 5 API error responses …``"""
        text = f"checked {plural(self.checked, 'payload')}{self._counts()}"
        if self.skipped:
            text += f" ({plural(self.skipped, 'other recorded interaction')} skipped)"
        if self.requests_checked:
            text += f"; {self.requests_line()}"
        if self.stopped == "fail-fast":
            text += "; stopped at the first failure (--fail-fast)"
        elif self.stopped:
            text += f"; stopped early ({self.stopped})"
        return text

    def requests_line(self) -> str:
        """``3 requests checked: 2 valid, 1 invalid``: the recorded requests' counts, in words."""
        text = (
            f"{plural(self.requests_checked, 'request')} checked: "
            f"{self.requests_checked - self.requests_invalid} valid, "
            f"{self.requests_invalid} invalid"
        )
        if self.requests_warned:
            text += f", {self.requests_warned} with warnings"
        return text

    def pytest_line(self, unreadable: int = 0) -> str:
        """The same counts as the pytest plugin's summary says them (``contract: …``)."""
        text = f"contract: {plural(self.checked, 'response')} checked{self._counts()}"
        text += f"; {plural(self.skipped, 'other interaction')} skipped"
        if unreadable:
            text += f"; {plural(unreadable, 'unreadable recording')}"
        return text


def plural(count: int, noun: str) -> str:
    """``1 job``, ``2 jobs``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Notice:
    """Something said about a file rather than a response: a note, or an error (exit 2)."""

    kind: Literal["note", "error"]
    text: str
    #: Recorded calls of other APIs the file held (counted as skipped).
    skipped: int = 0


@dataclass(frozen=True)
class Conforming:
    """Payloads proven to conform, counted rather than given one :class:`Result` each.

    Only when asked for (``count_conforming``): a report that lists failures
    alone has nothing else to say of them.
    """

    payloads: int
    jobs: int
    #: What they exercised, all together, as counts (kept only when traffic coverage was
    #: asked for; :meth:`contract.traffic.TrafficCoverage.add` takes them). When the reader
    #: never stops early (``may_stop`` off), the counts of every counted line of a chunk come
    #: with its last count alone, which may then count no payload itself.
    observed: Counts | None = field(default=None, repr=False, compare=False)


#: What a run yields: results, counted conforming payloads, notices.
Event = Result | Conforming | Notice


@dataclass
class Tally:
    """What a run found: the summary counts, notes and errors, in order.

    ``usage``, when given, counts the amendments the checked bodies needed.
    """

    summary: Summary = field(default_factory=Summary)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    usage: Usage | None = None

    def add(self, event: Event) -> None:
        if isinstance(event, Result):
            self.summary.add(event)
            if self.usage is not None and event.api_error is None:
                self.usage.add(event)
            elif self.usage is not None:  # an API error envelope read under an amendment
                self.usage.needed.update(event.needed)
            return
        if isinstance(event, Conforming):
            self.summary.checked += event.payloads
            self.summary.valid += event.payloads
            self.summary.jobs += event.jobs
            if self.usage is not None:
                self.usage.payloads += event.payloads
            return
        self.summary.skipped += event.skipped
        if event.kind == "error":
            self.errors.append(event.text)
        elif event.text:
            self.notes.append(event.text)

    @property
    def failed(self) -> bool:
        return self.summary.invalid > 0


__all__ = ["Result", "Side", "Summary", "plural"]
