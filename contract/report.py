"""Writing check results for people (compiler-style text) and for tools (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from contract.violations import Violation


@dataclass(frozen=True)
class Result:
    """The outcome of checking one recorded payload or interaction."""

    source: str
    violations: tuple[Violation, ...]

    @property
    def valid(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "valid": self.valid,
            "violations": [v.as_dict() for v in self.violations],
        }


def summary(results: Sequence[Result]) -> dict[str, int]:
    valid = sum(r.valid for r in results)
    return {"checked": len(results), "valid": valid, "invalid": len(results) - valid}


def as_json(results: Sequence[Result], errors: Sequence[str] = (), skipped: int = 0) -> str:
    """One JSON object: results, summary (with recorded non-pause calls skipped), errors."""
    document: dict[str, object] = {
        "results": [r.as_dict() for r in results],
        "summary": {**summary(results), "skipped": skipped},
    }
    if errors:
        document["errors"] = list(errors)
    return json.dumps(document, indent=2, ensure_ascii=False)


def as_text(results: Sequence[Result], verbose: bool = False, skipped: int = 0) -> str:
    """One line per violation, ``source: /json/pointer: message``, then a summary line."""
    lines: list[str] = []
    for result in results:
        if result.valid and verbose:
            lines.append(f"{result.source}: ok")
        for violation in result.violations:
            lines.append(f"{result.source}: {violation.path or '<root>'}: {violation.message}")
    counts = summary(results)
    lines.append(
        f"checked {counts['checked']} payload{'s' if counts['checked'] != 1 else ''}: "
        f"{counts['valid']} valid, {counts['invalid']} invalid"
        + (
            f" ({skipped} other recorded interaction{'s' if skipped != 1 else ''} skipped)"
            if skipped
            else ""
        )
    )
    return "\n".join(lines)
