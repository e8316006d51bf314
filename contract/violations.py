"""What a check reports: :class:`Violation` and :class:`ContractViolation`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contract._core.rules import code_of

#: Keywords of violations found above the JSON Schema level by ``check_response``.
HTTP_KEYWORDS = ("status", "content-type", "json", "job-id")


@dataclass(frozen=True)
class Violation:
    """One way a payload or response breaks the contract.

    ``path`` is a JSON Pointer into the payload (``""`` is the whole payload);
    ``keyword`` the JSON Schema keyword that failed (``required``, ``type``,
    ``maximum``...) or, for checks above the schema, one of
    :data:`HTTP_KEYWORDS`; ``message`` one readable sentence; ``schema_path``
    where the failing keyword sits, as ``Document.json#/json/pointer`` (empty
    for HTTP-level checks). A failure that a known amendment to the contract
    would accept has keyword ``deviation`` and names it in ``amendment``.
    """

    path: str
    keyword: str
    message: str
    schema_path: str = ""
    amendment: str = ""

    @property
    def code(self) -> str:
        """The stable rule code of this kind of finding (``FC106``; :mod:`contract._core.rules`)."""
        return code_of(self.keyword)

    def code_on(self, side: str) -> str:
        """The code of this finding on ``side``: ``response`` (:attr:`code`) or ``request``."""
        return code_of(self.keyword, side)

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"

    def as_dict(self, side: str = "response") -> dict[str, str]:
        """The violation as the JSON report writes it (``amendment`` only when set)."""
        data = {
            "path": self.path,
            "keyword": self.keyword,
            "code": self.code_on(side),
            "message": self.message,
            "schema_path": self.schema_path,
        }
        if self.amendment:
            data["amendment"] = self.amendment
        return data


class ContractViolation(AssertionError):
    """Raised by :func:`contract.validate`; carries every violation found.

    It subclasses :class:`AssertionError` so that pytest shows it as a failed
    assertion with the full report.
    """

    def __init__(self, violations: Iterable[Violation], schema: str = "") -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.schema = schema
        count = len(self.violations)
        head = f"{count} contract violation{'s' if count != 1 else ''}"
        if schema:
            head += f" of {schema}"
        lines = [head + ":"] + [f"  {v}" for v in self.violations]
        super().__init__("\n".join(lines))
