"""The validator object behind the ``contract`` fixture, usable without pytest.

::

    from contract.testing.contract import Contract

    checker = Contract()
    checker.check_response(200, {"Content-Type": "application/json"}, body, job_id="ftjob-abc")
    checker.check_response(httpx_response)        # operation and job id from the request
    checker.assert_response(httpx_response)       # raises contract.ContractViolation

Responses are duck-typed (``status_code``, ``headers``, ``content``,
``request.method``, ``request.url``), so ``httpx``, ``httpx2`` and
``requests`` responses all work and importing this module imports no HTTP
library.

An ``httpx`` event hook checks every jobs response passing through a client::

    hook = httpx_hook()                   # or Contract(...).httpx_hook()
    client = openai.OpenAI(http_client=httpx.Client(event_hooks={"response": [hook]}))
    client.fine_tuning.jobs.pause("ftjob-abc123")  # raises ContractViolation on a bad response

Only calls of the jobs operations are checked (method and path template, any
base URL prefix); error responses (4xx/5xx) are left to the client, which
raises its own error for them. ``hook.async_hook`` serves ``AsyncClient``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.checks import Headers, check_body, check_response
from contract.profiles import configured
from contract.redact import redact
from contract.reports import failure
from contract.schema import operations
from contract.violations import ContractViolation, Violation

if TYPE_CHECKING:
    from contract.config import Strict
    from contract.profiles import ProfileLike
    from contract.recordings import Interaction


class ResponseContractViolation(ContractViolation):
    """A :class:`~contract.ContractViolation` whose message is a full, redacted failure report."""

    def __init__(self, violations: Iterable[Violation], report: str) -> None:
        super().__init__(violations)
        self.report = report
        self.args = (report,)

    def __str__(self) -> str:
        return self.report


def _is_response(value: object) -> bool:
    return hasattr(value, "status_code") and hasattr(value, "headers")


def _request_of(response: Any) -> tuple[str | None, str | None]:
    try:
        request = response.request
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when there is none
        return None, None
    if request is None:
        return None, None
    return str(request.method), str(request.url)


def _content_of(response: Any) -> bytes:
    read = getattr(response, "read", None)
    if callable(read):
        data = read()  # httpx: loads a streamed body once; no-op when already read
        if isinstance(data, bytes):
            return data
    content = response.content
    return content if isinstance(content, bytes) else str(content).encode("utf-8")


def _operation_of(
    operation: str | operations.Operation | None, method: str | None, url: str | None
) -> dict[str, Any]:
    """The keyword arguments naming the operation answered: given, or routed from the request.

    A request that routes to no jobs operation is checked as the named
    operation (pause by default), its job id taken from nowhere.
    """
    if operation is not None:
        return {"operation": operation, "method": method, "url": url}
    if operations.route(method, url) is not None:
        return {"method": method, "url": url}
    return {}


@dataclass
class Contract:
    """Checks jobs responses (pause by default) against the contract; reports never show
    ``secrets``.

    ``secrets`` are strings (an API key) masked verbatim in every report, on
    top of the key-like patterns :mod:`contract.redact` always masks.
    ``profile`` says which amendments to the contract are accepted (a name or
    a :class:`~contract.profiles.Profile`), ``strict`` whether unknown
    properties fail (``"fail"``); what is not given comes from the settings
    (environment, nearest ``pyproject.toml``: :func:`contract.profiles.settings`),
    else ``published`` and ``off``. ``deviations`` says whether failures a
    known amendment would accept are said in words, one line each.
    """

    secrets: Sequence[str] = field(default=(), repr=False)
    profile: ProfileLike = None
    strict: Strict | None = None
    deviations: bool = False

    def __post_init__(self) -> None:
        self.profile, self.strict = configured(self.profile, self.strict)

    @property
    def _mode(self) -> Strict:
        return self.strict or "off"

    # -- checking -----------------------------------------------------------
    def check_response(
        self,
        response_or_status: Any,
        headers: Headers | None = None,
        body: bytes | str | Any = None,
        job_id: str | None = None,
        *,
        operation: str | operations.Operation | None = None,
    ) -> list[Violation]:
        """Every violation of one response (empty when it conforms).

        Pass either ``(status_code, headers, body[, job_id])`` or one response
        object (``httpx.Response`` and alike). ``operation`` names the jobs
        operation answered (pause by default); for a response object the
        operation and the job id come from its request unless given.
        """
        status, headers, body, job_id, method, url = self._parts(
            response_or_status, headers, body, job_id
        )
        return check_response(
            status,
            headers,
            body,
            job_id,
            **_operation_of(operation, method, url),
            profile=self.profile,
            strict=self._mode,
            deviations=self.deviations,
        )

    def check_body(self, body: bytes | str | Any, schema: str | None = None) -> list[Violation]:
        """Every violation of a bare payload (raw JSON text or a decoded value)."""
        return check_body(
            body, schema, profile=self.profile, strict=self._mode, deviations=self.deviations
        )

    def check(self, interaction: Interaction) -> list[Violation]:
        """Every violation of a recorded interaction."""
        return list(
            interaction.assess(
                profile=self.profile, strict=self._mode, deviations=self.deviations
            ).violations
        )

    # -- asserting ----------------------------------------------------------
    def assert_response(
        self,
        response_or_status: Any,
        headers: Headers | None = None,
        body: bytes | str | Any = None,
        job_id: str | None = None,
        *,
        operation: str | operations.Operation | None = None,
    ) -> None:
        """Raise :class:`ResponseContractViolation` (an ``AssertionError``) unless it conforms."""
        __tracebackhide__ = True  # pytest shows the failure at the caller's line
        found = self.check_response(response_or_status, headers, body, job_id, operation=operation)
        if found:
            status, _, body, _, method, url = self._parts(response_or_status, headers, body, job_id)
            text = failure.report(
                found, method=method, url=url, status=status, body=body, secrets=self.secrets
            )
            raise ResponseContractViolation(found, text)

    def assert_body(self, body: bytes | str | Any, schema: str | None = None) -> None:
        """Raise :class:`ResponseContractViolation` unless the payload conforms."""
        __tracebackhide__ = True  # pytest shows the failure at the caller's line
        found = check_body(
            body, schema, profile=self.profile, strict=self._mode, deviations=self.deviations
        )
        if found:
            raise ResponseContractViolation(
                found, failure.report(found, body=body, secrets=self.secrets)
            )

    def report(
        self,
        interaction: Interaction,
        violations: Sequence[Violation],
        request: Sequence[Violation] = (),
    ) -> str:
        """The redacted failure report of a recorded interaction (and of its ``request``)."""
        return failure.interaction_report(interaction, violations, self.secrets, request)

    # -- clients ------------------------------------------------------------
    def httpx_hook(self, *, raise_on_violation: bool = True) -> HttpxHook:
        """An ``httpx`` response event hook checking every pause response.

        See :class:`HttpxHook`.
        """
        return HttpxHook(self, raise_on_violation=raise_on_violation)

    @staticmethod
    def is_pause(method: str | None, url: str | None) -> bool:
        """Whether a request is a call of the pause operation."""
        routed = operations.route(method, url)
        return routed is not None and routed.operation == operations.pause()

    @staticmethod
    def route(method: str | None, url: str | None) -> operations.Route | None:
        """The jobs operation a request calls (and the job it names), or None."""
        return operations.route(method, url)

    def _parts(
        self, response_or_status: Any, headers: Headers | None, body: Any, job_id: str | None
    ) -> tuple[int, Headers | None, Any, str | None, str | None, str | None]:
        if not _is_response(response_or_status):
            return int(response_or_status), headers, body, job_id, None, None
        response = response_or_status
        method, url = _request_of(response)
        return (
            int(response.status_code),
            list(response.headers.items()),
            _content_of(response),
            job_id,
            method,
            url,
        )


@dataclass
class Finding:
    """One pause response the hook found non-conforming (``url`` and ``report`` redacted)."""

    method: str
    url: str
    status: int
    violations: list[Violation]
    report: str


@dataclass
class HttpxHook:
    """Callable response hook; ``checked`` counts pause responses, ``findings`` the bad ones.

    With ``raise_on_violation`` (the default) a non-conforming response raises
    :class:`~contract.testing.contract.ResponseContractViolation` out of the client
    call; otherwise it is only recorded in ``findings``.
    """

    contract: Contract
    raise_on_violation: bool = True
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    def __call__(self, response: Any) -> None:
        __tracebackhide__ = True  # a failure shows at the client call, not in here
        if not self._wanted(response):
            return
        response.read()
        self._check(response)

    async def async_hook(self, response: Any) -> None:
        """The same check for ``httpx.AsyncClient(event_hooks={"response": [hook.async_hook]})``."""
        __tracebackhide__ = True
        if not self._wanted(response):
            return
        await response.aread()
        self._check(response)

    def _wanted(self, response: Any) -> bool:
        request = response.request
        return operations.route(str(request.method), str(request.url)) is not None and not (
            400 <= int(response.status_code) <= 599
        )

    def _check(self, response: Any) -> None:
        __tracebackhide__ = True
        self.checked += 1
        try:
            self.contract.assert_response(response)
        except ResponseContractViolation as exc:
            request = response.request
            self.findings.append(
                Finding(
                    str(request.method),
                    redact(str(request.url), self.contract.secrets),
                    int(response.status_code),
                    list(exc.violations),
                    exc.report,
                )
            )
            if self.raise_on_violation:
                raise


def httpx_hook(contract: Contract | None = None, *, raise_on_violation: bool = True) -> HttpxHook:
    """A response event hook for ``httpx.Client(event_hooks={"response": [hook]})``."""
    if contract is None:
        contract = Contract()
    return HttpxHook(contract, raise_on_violation=raise_on_violation)


__all__ = ["Contract", "Finding", "HttpxHook", "ResponseContractViolation", "httpx_hook"]
