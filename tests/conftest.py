"""Fixtures for the whole suite.

Every validity verdict the fast path (jsonschema-rs) gives during the test
run is checked against the reference validator (jsonschema + referencing):
the two must agree on every payload the suite validates. Every explanation
built from jsonschema-rs's errors must equal the one built from jsonschema's
(same paths, keywords, messages and schema paths, in the same order).
Payloads nested deeper than the decoder's limit are left out: jsonschema
cannot read them without running out of stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract import validation
from contract.strictjson import MAX_DEPTH
from contract.strictjson._scan import value_deeper_than

AGREED: list[int] = [0]
EXPLAINED: list[int] = [0]


@pytest.fixture(autouse=True)
def validators_agree(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fast_verdict = validation._fast_is_valid
    fast_explained = validation._explained

    def cross_checked(payload: Any, schema: str, *profile: Any) -> bool | None:
        fast = fast_verdict(payload, schema, *profile)
        if value_deeper_than(payload, MAX_DEPTH):
            return fast
        reference = validation.reference_validator(schema, *profile).is_valid(payload)
        if fast is not None:
            assert fast == reference, (
                f"validators disagree on a {schema}: jsonschema-rs says {fast}, "
                f"jsonschema says {reference}: {payload!r}"
            )
            AGREED[0] += 1
        return fast

    def explained_alike(
        payload: Any, schema: str, profile: Any, errors: list[Any] | None = None
    ) -> list[Any]:
        found = fast_explained(payload, schema, profile, errors)
        if not value_deeper_than(payload, MAX_DEPTH):
            reference = validation._reference_violations(payload, schema, profile)
            assert found == reference, (
                f"explanations differ on a {schema}: from jsonschema-rs {found}, "
                f"from jsonschema {reference}: {payload!r}"
            )
            EXPLAINED[0] += 1
        return found

    monkeypatch.setattr(validation, "_fast_is_valid", cross_checked)
    monkeypatch.setattr(validation, "_explained", explained_alike)
    yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if AGREED[0]:
        terminalreporter.write_line(
            f"validators: jsonschema-rs and jsonschema agreed on {AGREED[0]} verdicts "
            f"and {EXPLAINED[0]} explanations"
        )
