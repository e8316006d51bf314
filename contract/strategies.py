"""Hypothesis strategies derived from the contract's schema documents.

``conforming(name)`` draws payloads that are valid against the named type;
``nonconforming(name)`` draws :class:`Mutant` objects: a payload that breaks
exactly one rule of the contract, with the label of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from contract.registry import DEFAULT_SCHEMA

__all__ = ["Mutant", "conforming", "nonconforming"]


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


def conforming(
    name: str = DEFAULT_SCHEMA, *, realistic: bool = True, extra_properties: bool = False
) -> st.SearchStrategy[Any]:
    """Payloads valid against the type ``name`` (a dict for object types)."""
    raise NotImplementedError("conforming() is being built (issue 3)")


def nonconforming(name: str = DEFAULT_SCHEMA, *, realistic: bool = True) -> st.SearchStrategy[Mutant]:
    """Payloads that break exactly one rule of ``name``, as labelled :class:`Mutant` objects."""
    raise NotImplementedError("nonconforming() is being built (issue 3)")
