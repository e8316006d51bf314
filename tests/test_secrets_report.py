"""Failure reports never show a secret: redacted before excerpts are cut, in every field."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.redact import MASK
from contract.reports import failure
from contract.testing.contract import Contract
from contract.violations import Violation
from tests.helpers import minimal_job

KEY = "sk-proj-REPORTkeyAbCdEf0123456789ghijKLMNopqr"  # 44 characters
ENV_KEY = "env-key-0123456789abcdefXYZ"  # no recognisable shape: masked as a known secret


def _pieces(secret: str, size: int = 8) -> list[str]:
    """Every ``size``-character piece of the secret part (after the public ``xx-yy-`` prefix)."""
    body = secret[secret.rfind("-") + 1 :]
    return [body[i : i + size] for i in range(len(body) - size + 1)]


def _shows(text: str, secret: str) -> list[str]:
    return [piece for piece in _pieces(secret) if piece in text]


@settings(max_examples=60)
@given(st.integers(0, failure.EXCERPT_CHARS + 20), st.sampled_from([KEY, ENV_KEY]))
def test_a_key_at_any_offset_of_an_excerpt_is_never_shown(offset: int, secret: str) -> None:
    # The key sits in a long string value at every position around the excerpt's cut.
    value = "x " * (offset // 2) + " " * (offset % 2) + secret + " and more words" * 20
    job = minimal_job(seed=value)  # a string where an integer belongs: shown in the excerpt
    violations = Contract().check_body(job)
    report = failure.report(violations, body=json.dumps(job), secrets=[ENV_KEY])
    assert _shows(report, secret) == []


@settings(max_examples=60)
@given(st.integers(0, 260))
def test_a_key_in_a_broken_body_is_never_shown_whatever_the_window(offset: int) -> None:
    # Not JSON: the excerpt is a window of the raw text around the syntax error.
    raw = '{"model": "' + "y" * offset + " " + KEY.replace("-", "\\u002d") + '", "seed": '
    (line,) = failure.excerpts(raw, [Violation("", "json", "truncated")])
    decoded = line.replace("\\u002d", "-")
    assert _shows(line, KEY) == [] and _shows(decoded, KEY) == []


def test_every_field_of_a_report_is_redacted() -> None:
    report = failure.report(
        [Violation("/metadata/token", "type", f'"{KEY}" is not of type integer')],
        method="POST",
        url=f"https://x/v1/fine_tuning/jobs/j/pause?api-key={ENV_KEY}&sig=abc",
        status=200,
        body={"metadata": {"token": KEY}},
        secrets=[ENV_KEY],
    )
    assert report.split("\n") == [
        f"POST https://x/v1/fine_tuning/jobs/j/pause?api-key={MASK}&sig={MASK} -> 200",
        "1 contract violation:",
        f'  /metadata/token: "{MASK}" is not of type integer [FC101]',
        f'  body at /metadata: {{"token": "{MASK}"}}',
    ]


def test_a_value_cut_short_in_a_message_does_not_leak_its_start() -> None:
    # Messages shorten long values with "…"; the key's first characters are masked too.
    message = f'"{KEY[:30]}…" is not one of ["a", "b"]'
    report = failure.report([Violation("/model", "enum", message)])
    assert _shows(report, KEY) == [] and MASK in report
