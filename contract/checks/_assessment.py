"""What checking one response or payload found: the one record every layer above reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract.schema import operations as _operations
    from contract.violations import Violation


@dataclass(frozen=True)
class ApiError:
    """A non-2xx answer in the API's error envelope: what the API itself said."""

    status: int | None
    type: str | None
    code: str | None
    message: str

    def __str__(self) -> str:
        kind = self.code or self.type or "error"
        status = f"{self.status} " if self.status is not None else ""
        return f"API error {status}{kind}: {self.message}"


@dataclass(frozen=True)
class Assessment:
    """The verdict on one response or payload.

    ``violations`` breaks the contract; ``api_error`` is set when the response
    is the API's well-formed error envelope under an undocumented status (not
    a contract failure by itself: recorded test suites provoke errors on
    purpose). ``jobs`` counts the jobs the body held (a page holds many).
    ``warnings`` are unknown properties (strict mode ``warn``); ``needed`` the
    profile's amendments the body needed; ``deviations`` the known amendments
    outside the profile its failures showed.
    """

    violations: tuple[Violation, ...]
    operation: _operations.Operation | None = None
    api_error: ApiError | None = None
    jobs: int = 0
    note: str = ""
    warnings: tuple[Violation, ...] = ()
    needed: tuple[str, ...] = ()
    deviations: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.violations


__all__ = ["ApiError", "Assessment"]
