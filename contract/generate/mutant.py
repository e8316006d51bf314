"""The labelled mutant both generators yield (no Hypothesis needed to use it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from contract._core import jsonpointer

#: How much valid payload a mutant carries around its broken value.
Context = Literal["minimal", "full"]
CONTEXTS: tuple[Context, ...] = ("minimal", "full")


@dataclass(frozen=True)
class Mutant:
    """A payload that breaks exactly one rule, and the label of that rule.

    ``path`` is the JSON Pointer of the violation (``""`` is the root; for a
    missing required property, the path of the object that lacks it);
    ``keyword`` the JSON Schema keyword broken; ``description`` a short label
    such as ``"n_epochs above maximum 50"``.
    """

    payload: Any
    path: str
    keyword: str
    description: str

    def label(self) -> dict[str, str]:
        """The label as a JSON-ready mapping: ``path``, ``keyword``, ``description``."""
        return {"path": self.path, "keyword": self.keyword, "description": self.description}


def check_context(context: str) -> None:
    """Raise ``ValueError`` for a context other than ``"minimal"`` or ``"full"``."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown context {context!r}: expected one of {', '.join(CONTEXTS)}")


def pointer(parts: tuple[str | int, ...]) -> str:
    """A JSON Pointer from path segments."""
    return jsonpointer.build(parts)
