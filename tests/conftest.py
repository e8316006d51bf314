"""Fixtures for the whole suite.

Every validity verdict the fast path (jsonschema-rs) gives during the test
run is checked against the reference validator (jsonschema + referencing):
the two must agree on every payload the suite validates. Every explanation
built from jsonschema-rs's errors must equal the one built from jsonschema's
(same paths, keywords, messages and schema paths, in the same order).
Payloads nested deeper than the decoder's limit are left out: jsonschema
cannot read them without running out of stack.

The reference's verdicts are remembered by validator and payload (its
``repr``, which tells ``1``, ``1.0`` and ``True`` apart), a few thousand at a
time and never while a test traces memory: many tests check the same lines
again and again, and every fast verdict is still compared with the reference's.
Explanations are not remembered: their messages show values as redaction, which
a test may switch off, leaves them.
"""

from __future__ import annotations

import tracemalloc
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest

from contract import validation
from contract.strictjson import MAX_DEPTH
from contract.strictjson._scan import value_deeper_than

AGREED: list[int] = [0]
EXPLAINED: list[int] = [0]

#: The reference's verdicts, by (validator's id, payload's repr), with the validator and the
#: payload: they, and any object whose repr shows its address, stay alive while kept, so
#: no other object takes their identity.
_VERDICTS: OrderedDict[tuple[int, str], tuple[Any, Any, bool]] = OrderedDict()
_VERDICTS_MOST = 4096


def _reference_verdict(validator: Any, payload: Any) -> bool:
    """``validator.is_valid(payload)``, remembered (see the docstring)."""
    if tracemalloc.is_tracing():  # (a test measuring memory: keep nothing)
        return bool(validator.is_valid(payload))
    try:
        key = (id(validator), repr(payload))
    except RecursionError:  # (a payload too deep to show)
        return bool(validator.is_valid(payload))
    kept = _VERDICTS.get(key)
    if kept is None:
        kept = _VERDICTS[key] = (validator, payload, bool(validator.is_valid(payload)))
        if len(_VERDICTS) > _VERDICTS_MOST:
            _VERDICTS.popitem(last=False)
    else:
        _VERDICTS.move_to_end(key)
    return kept[2]


@pytest.fixture(autouse=True)
def validators_agree(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fast_verdict = validation._fast_is_valid
    fast_explained = validation._explained

    def cross_checked(payload: Any, schema: str, *profile: Any) -> bool | None:
        fast = fast_verdict(payload, schema, *profile)
        if value_deeper_than(payload, MAX_DEPTH):
            return fast
        reference = _reference_verdict(validation.reference_validator(schema, *profile), payload)
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
