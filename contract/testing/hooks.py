"""An ``httpx`` event hook that checks every pause response passing through a client.

::

    import httpx, openai
    from contract.testing.hooks import httpx_hook

    hook = httpx_hook()
    client = openai.OpenAI(http_client=httpx.Client(event_hooks={"response": [hook]}))
    client.fine_tuning.jobs.pause("ftjob-abc123")  # raises ContractViolation on a bad response

Only pause calls are checked (method and path template, any base URL
prefix); error responses (4xx/5xx) are left to the client, which raises its
own error for them. The same object works for ``httpx2`` clients, and
``hook.async_hook`` for ``AsyncClient``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.schema import operations

if TYPE_CHECKING:
    from contract.testing.contract import Contract
    from contract.violations import Violation


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
        from contract.testing.contract import ResponseContractViolation

        self.checked += 1
        try:
            self.contract.assert_response(response)
        except ResponseContractViolation as exc:
            from contract.redact import redact

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
        from contract.testing.contract import Contract

        contract = Contract()
    return HttpxHook(contract, raise_on_violation=raise_on_violation)


__all__ = ["Finding", "HttpxHook", "httpx_hook"]
