"""Credentials never reach a report."""

from __future__ import annotations

import pytest

from contract.redact import MASK, redact, redact_headers

KEY = "sk-proj-AbCdEf0123456789xyz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {KEY}", f"Authorization: Bearer {MASK}"),
        (f"https://x/v1/files?api-key={KEY}&limit=2", f"https://x/v1/files?api-key={MASK}&limit=2"),
        ('{"api_key": "hunter2hunter2"}', f'{{"api_key": "{MASK}"}}'),
        (f"Incorrect API key provided: {KEY}.", f"Incorrect API key provided: {MASK}."),
        ("x-api-key: abcdef", f"x-api-key: {MASK}"),
        ("Basic dXNlcjpwYXNz", f"Basic {MASK}"),
    ],
)
def test_key_like_text_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"trained_tokens": 5768',
        "/v1/fine_tuning/jobs/ftjob-abc123/pause",
        '"metadata": {"key": "value"}',
        "51 is greater than the maximum of 50",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_known_secrets_are_masked_verbatim_whatever_they_look_like() -> None:
    assert (
        redact("the key was test-key-1234 today", ["test-key-1234"]) == f"the key was {MASK} today"
    )
    # Too short to mask safely: never turns every "a" into a mask.
    assert redact("a cat", ["a"]) == "a cat"


def test_credential_headers_are_masked_and_others_kept() -> None:
    headers = [
        ("Authorization", f"Bearer {KEY}"),
        ("api-key", "plain-azure-key"),
        ("Cookie", "session=abc"),
        ("Content-Type", "application/json"),
        ("X-Note", f"sent {KEY}"),
    ]
    assert redact_headers(headers) == [
        ("Authorization", MASK),
        ("api-key", MASK),
        ("Cookie", MASK),
        ("Content-Type", "application/json"),
        ("X-Note", f"sent {MASK}"),
    ]
    assert redact_headers({"AUTHORIZATION": "x"}) == [("AUTHORIZATION", MASK)]
    assert redact_headers(None) == []
