"""Terminal escaping: what the input controls is printed as visible text, never acted on."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.redact._terminal import escape
from contract.reports import failure
from contract.violations import Violation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text, ümlauts, 日本語, emoji 🎉", "plain text, ümlauts, 日本語, emoji 🎉"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bell\x07", "bell\\x07"),
        ("nul\x00", "nul\\x00"),
        ("over\rwrite", "over\\x0dwrite"),
        ("one\nline", "one\\x0aline"),
        ("tab\there", "tab\\x09here"),
        ("del\x7f", "del\\x7f"),
        ("c1 csi \x9b2J nel \x85", "c1 csi \\x9b2J nel \\x85"),
        ("\u202egnp.exe", "\\u202egnp.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),  # isolates
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("a\\x1b stays as typed", "a\\x1b stays as typed"),  # backslashes are not escaped
        ("\u00a0nbsp stays", "\u00a0nbsp stays"),
    ],
)
def test_controls_are_escaped_visibly(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_keep_newlines_keeps_only_line_feeds() -> None:
    assert escape("a\nb\r\nc\x1b", keep_newlines=True) == "a\nb\\x0d\nc\\x1b"


@given(st.text())
def test_no_control_survives_and_escaping_twice_changes_nothing(text: str) -> None:
    once = escape(text)
    assert not [c for c in once if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"}]
    assert escape(once) == once
    once.encode("utf-8")  # no lone surrogate left: printable on any UTF-8 terminal


def test_a_failure_report_escapes_every_field_the_input_controls() -> None:
    violations = [
        Violation("/metadata/a\nb", "type", '"\x1b]0;title\x07" is not of type integer'),
        Violation("/metadata/z", "type", '"\x9b" is not of type integer'),
    ]
    text = failure.report(
        violations,
        method="POST",
        url="https://api.example.com/v1/fine_tuning/jobs/x\n\u202eforged/pause",
        status=200,
        body={"metadata": {"a\nb": "\x1b]0;title\x07", "z": "\x9b"}},
    )
    assert text.split("\n") == [
        "POST https://api.example.com/v1/fine_tuning/jobs/x\\x0a\\u202eforged/pause -> 200",
        "2 contract violations:",
        '  /metadata/a\\x0ab: "\\x1b]0;title\\x07" is not of type integer [FC101]',
        '  /metadata/z: "\\x9b" is not of type integer [FC101]',
        # JSON writes C0 controls as \\u escapes itself; the C1 control is escaped here.
        '  body at /metadata: {"a\\nb": "\\u001b]0;title\\u0007", …}',
        '  body at /metadata: {…, "z": "\\x9b"}',
    ]


def test_a_syntax_excerpt_escapes_raw_controls() -> None:
    body = b'{"id": "\x1b[2J\xc2\x9b", '  # ESC, and U+009B CSI in UTF-8
    (line,) = failure.excerpts(body, [Violation("", "json", "truncated")])
    assert "\x1b" not in line and "\x9b" not in line
    assert "\\x1b[2J\\x9b" in line
