"""Fixtures for the whole suite.

Every validity verdict the fast path (jsonschema-rs) gives during the test
run is checked against the reference validator (jsonschema + referencing):
the two must agree on every payload the suite validates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract import validation

AGREED: list[int] = [0]


@pytest.fixture(autouse=True)
def validators_agree(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fast_verdict = validation._fast_is_valid

    def cross_checked(payload: Any, schema: str, *profile: Any) -> bool | None:
        fast = fast_verdict(payload, schema, *profile)
        reference = validation.reference_validator(schema, *profile).is_valid(payload)
        if fast is not None:
            assert fast == reference, (
                f"validators disagree on a {schema}: jsonschema-rs says {fast}, "
                f"jsonschema says {reference}: {payload!r}"
            )
            AGREED[0] += 1
        return fast

    monkeypatch.setattr(validation, "_fast_is_valid", cross_checked)
    yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if AGREED[0]:
        terminalreporter.write_line(
            f"validators: jsonschema-rs and jsonschema agreed on {AGREED[0]} verdicts"
        )
