"""Writing check results for people (compiler-style text) and for tools (JSON).

Every string the input controls passes :func:`_clean` (credentials masked)
before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from contract.redact import redact
from contract.violations import Violation

if TYPE_CHECKING:
    from contract.recordings import Interaction

Verdict = Literal["valid", "invalid", "api-error"]


def _clean(text: str) -> str:
    return redact(text)


@dataclass(frozen=True)
class Result:
    """The outcome of checking one recorded payload or response.

    ``api_error`` is the API's own error (``API error 404 code: message``) when
    the response was a well-formed error envelope under an undocumented
    status: counted, but not a contract failure unless ``fail_api_errors``.
    """

    source: str
    violations: tuple[Violation, ...]
    operation: str | None = None
    api_error: str | None = None
    jobs: int = 0
    note: str = ""
    fail_api_errors: bool = field(default=False, repr=False)

    @property
    def verdict(self) -> Verdict:
        if self.violations or (self.api_error and self.fail_api_errors):
            return "invalid"
        return "api-error" if self.api_error else "valid"

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def failed(self) -> bool:
        return self.verdict == "invalid"

    def as_dict(self) -> dict[str, object]:
        document: dict[str, object] = {
            "source": _clean(self.source),
            "valid": self.valid,
            "verdict": self.verdict,
            "operation": self.operation,
            "jobs": self.jobs,
            "violations": [
                {key: _clean(value) for key, value in v.as_dict().items()} for v in self.violations
            ],
        }
        if self.api_error:
            document["api_error"] = _clean(self.api_error)
        if self.note:
            document["note"] = self.note
        return document

    @classmethod
    def of(
        cls, interaction: Interaction, schema: str | None = None, fail_api_errors: bool = False
    ) -> Result:
        """Check ``interaction`` (``schema`` applies to bare payloads only)."""
        found = interaction.assess(schema)
        return cls(
            interaction.source,
            found.violations,
            found.operation.operation_id if found.operation else None,
            str(found.api_error) if found.api_error else None,
            found.jobs,
            found.note,
            fail_api_errors,
        )


@dataclass
class Summary:
    """Counts over a run; ``skipped`` counts recorded calls of other APIs."""

    checked: int = 0
    valid: int = 0
    invalid: int = 0
    api_errors: int = 0
    jobs: int = 0
    skipped: int = 0

    def add(self, result: Result) -> None:
        self.checked += 1
        self.jobs += result.jobs
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

    def as_dict(self) -> dict[str, int]:
        return {
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "api_errors": self.api_errors,
            "jobs": self.jobs,
            "skipped": self.skipped,
        }

    def line(self) -> str:
        """``checked 15 responses (86 jobs): 1 valid, 9 invalid, 5 API error responses …``"""
        text = f"checked {plural(self.checked, 'payload')}"
        if self.jobs > self.checked:
            text += f" ({plural(self.jobs, 'job')})"
        text += f": {self.valid} valid, {self.invalid} invalid"
        if self.api_errors:
            text += f", {plural(self.api_errors, 'API error response')}"
        if self.skipped:
            text += f" ({plural(self.skipped, 'other recorded interaction')} skipped)"
        return text


def plural(count: int, noun: str) -> str:
    """``1 job``, ``2 jobs``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(results: Sequence[Result]) -> dict[str, int]:
    """The summary counts of ``results`` (no skipped calls)."""
    return Summary.of(results).as_dict()


def as_json(results: Sequence[Result], errors: Sequence[str] = (), skipped: int = 0) -> str:
    """One JSON object: results, summary (with recorded non-jobs calls skipped), errors."""
    document: dict[str, object] = {
        "results": [r.as_dict() for r in results],
        "summary": Summary.of(results, skipped).as_dict(),
    }
    if errors:
        document["errors"] = [_clean(e) for e in errors]
    return json.dumps(document, indent=2, ensure_ascii=False)


def text_lines(result: Result, verbose: bool = False) -> list[str]:
    """The text report's lines for one result: ``source: /json/pointer: message``."""
    source = _clean(result.source)
    lines = [f"{source}: {_clean(str(v))}" for v in result.violations]
    if result.api_error and (verbose or result.fail_api_errors):
        lines.append(f"{source}: {_clean(result.api_error)} (an API error response)")
    elif verbose and result.valid:
        lines.append(f"{source}: ok" + (f" ({result.note})" if result.note else ""))
    return lines


def as_text(results: Sequence[Result], verbose: bool = False, skipped: int = 0) -> str:
    """One line per violation, then a summary line."""
    lines = [line for result in results for line in text_lines(result, verbose)]
    lines.append(Summary.of(results, skipped).line())
    return "\n".join(lines)


__all__ = ["Result", "Summary", "as_json", "as_text", "plural", "summary", "text_lines"]
