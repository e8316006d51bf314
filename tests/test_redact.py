"""Credentials never reach a report: the one redaction boundary, by example and by property."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contract.redact import (
    MASK,
    SECRET_HEADERS,
    SECRET_PARAMETERS,
    Secret,
    cleaner,
    clip,
    for_terminal,
    redact,
    redact_headers,
    redact_value,
    secret,
    terminal_cleaner,
)
from contract.redact._finder import SECRET_FIELDS as _FIELDS

KEY = "sk-proj-AbCdEf0123456789xyz"


# -- documented rules, by example -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {KEY}", f"Authorization: Bearer {MASK}"),
        (f"https://x/v1/files?api-key={KEY}&limit=2", f"https://x/v1/files?api-key={MASK}&limit=2"),
        ('{"api_key": "hunter2hunter2"}', f'{{"api_key": "{MASK}"}}'),
        (f"Incorrect API key provided: {KEY}.", f"Incorrect API key provided: {MASK}."),
        ("x-api-key: abcdef", f"x-api-key: {MASK}"),  # a header line: any value
        ("Basic dXNlcjpwYXNz", f"Basic {MASK}"),
        # JSON, URL and doubled escapes are read through.
        ('{"k": "sk\\u002dproj\\u002dAbCdEf0123456789xyz"}', f'{{"k": "{MASK}"}}'),
        ('{"k": "sk\\\\u002dproj-AbCdEf0123456789xyz"}', f'{{"k": "{MASK}"}}'),
        ("key=sk%2Dproj%2DAbCdEf0123456789xyz", f"key={MASK}"),
        ("https%3A%2F%2Fx%3Ftoken%3Dabc", f"https%3A%2F%2Fx%3Ftoken%3D{MASK}"),
        # Every secret query parameter, whatever its value looks like.
        (
            "/x?key=a&sig=b&signature=c&token=d&access_token=e&refresh_token=f&password=g"
            "&client_secret=h&code=i&X-Amz-Signature=j&api_key=k&secret=l&limit=10",
            "/x?"
            + "&".join(
                f"{n}={MASK}"
                for n in [
                    "key",
                    "sig",
                    "signature",
                    "token",
                    "access_token",
                    "refresh_token",
                    "password",
                    "client_secret",
                    "code",
                    "X-Amz-Signature",
                    "api_key",
                    "secret",
                ]
            )
            + "&limit=10",
        ),
        ("client_secret=abc&grant_type=x", f"client_secret={MASK}&grant_type=x"),
        ("https://bob:hunter2@example.com/v1", f"https://bob:{MASK}@example.com/v1"),
        ("openai-organization: org-abc123", f"openai-organization: {MASK}"),
        ("Set-Cookie: __cf_bm=abc.def; path=/", f"Set-Cookie: {MASK}"),
        # vcrpy cassettes write header values as a list under the name.
        (
            "    Authorization:\n    - Bearer abc\n    Cookie:\n    - a=1\n    - b=2\n    X: y",
            f"    Authorization:\n    - {MASK}\n    Cookie:\n    - {MASK}\n    X: y",
        ),
        # HAR headers and Python tuples of headers.
        (
            '{"name": "Authorization", "value": "Bearer x"}',
            f'{{"name": "Authorization", "value": "{MASK}"}}',
        ),
        ('{"value": "p4ss", "name": "password"}', f'{{"value": "{MASK}", "name": "password"}}'),
        (
            "[('openai-project', 'proj_abc'), ('a', 'b')]",
            f"[('openai-project', '{MASK}'), ('a', 'b')]",
        ),
        # Unquoted "name: value" text: only values that look like credentials.
        ("MY_API_KEY=abc123456", f"MY_API_KEY={MASK}"),
        ("password: Tr0ub4dor&3", f"password: {MASK}&3"),
        # Other vendors' shapes.
        ("AKIAIOSFODNN7EXAMPLE", MASK),
        ("ghp_" + "a1B2" * 9, MASK),
        ("AIza" + "A" * 35, MASK),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nat_ure", MASK),
        # A key cut short by an ellipsis (as value renderings cut long strings).
        (f"the key {KEY[:12]}…", f"the key {MASK}…"),
    ],
)
def test_key_like_text_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"trained_tokens": 5768',
        "/v1/fine_tuning/jobs/ftjob-abc123/pause",
        '"metadata": {"key": "value"}',  # "key" is secret only as a query parameter
        '"error": {"code": "invalid_api_key", "message": "Incorrect API key provided"}',
        "51 is greater than the maximum of 50",
        # Issue 14: the live error for a missing key.
        "no API key given (set OPENAI_API_KEY)",
        "live pause of ftjob-1 at https://x/v1 failed: no-api-key: no API key given",
        "token: expired",
        "a bearer token is required",
        "sk-learn is a library",
        "the password is wrong",
        "organization_id: org-123",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_known_secrets_are_masked_verbatim_whatever_they_look_like() -> None:
    assert (
        redact("the key was test-key-1234 today", ["test-key-1234"]) == f"the key was {MASK} today"
    )
    assert redact("glued:xtest-key-1234x", ["test-key-1234"]) == f"glued:x{MASK}x"
    assert redact("escaped test\\u002dkey-1234", ["test-key-1234"]) == f"escaped {MASK}"
    assert redact("cut test-key-12…", ["test-key-1234"]) == f"cut {MASK}…"
    # Too short to mask safely: never turns every "a" into a mask.
    assert redact("a cat", ["a"]) == "a cat"


def test_a_text_redacted_before_is_masked_again_when_a_key_becomes_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Redacted text is remembered by the text and the secrets known at the time: a key
    # configured, remembered or passed later is masked in the same text all the same.
    import contract.redact as module

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(module, "_REMEMBERED", set())
    text = "job ran with plainword-73Qx9 as its key"
    assert redact(text) == text
    assert for_terminal(text) == text
    monkeypatch.setenv("OPENAI_API_KEY", "plainword-73Qx9")
    assert redact(text) == f"job ran with {MASK} as its key"
    assert for_terminal(text) == f"job ran with {MASK} as its key"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert redact(text) == text
    module.remember("plainword-73Qx9")
    assert redact(text) == f"job ran with {MASK} as its key"
    assert redact("x plainword-73Qy0 y", ["plainword-73Qy0"]) == f"x {MASK} y"
    assert redact("x plainword-73Qy0 y") == "x plainword-73Qy0 y"


def test_text_is_masked_alike_on_either_side_of_the_remembered_length() -> None:
    # (short text is remembered with what it became, longer text redacted each time)
    key = "sk-proj-" + "A1b2C3d4" * 4
    for size in (1023, 1024, 1025, 5000):
        text = "x " * ((size - len(key)) // 2) + key
        text = " " * (size - len(text)) + text
        assert len(text) == size
        assert redact(text) == text.replace(key, MASK)
        assert redact(text, [key]) == text.replace(key, MASK)


def test_credential_headers_are_masked_and_others_kept() -> None:
    headers = [
        ("Authorization", f"Bearer {KEY}"),
        ("api-key", "plain-azure-key"),
        ("Cookie", "session=abc"),
        ("OpenAI-Organization", "org-abc"),
        ("x-goog-api-key", "g"),
        ("Ocp-Apim-Subscription-Key", "o"),
        ("Content-Type", "application/json"),
        ("X-Note", f"sent {KEY}"),
    ]
    assert redact_headers(headers) == [
        ("Authorization", MASK),
        ("api-key", MASK),
        ("Cookie", MASK),
        ("OpenAI-Organization", MASK),
        ("x-goog-api-key", MASK),
        ("Ocp-Apim-Subscription-Key", MASK),
        ("Content-Type", "application/json"),
        ("X-Note", f"sent {MASK}"),
    ]
    assert redact_headers({"AUTHORIZATION": "x"}) == [("AUTHORIZATION", MASK)]
    assert redact_headers(None) == []


def test_redact_value_masks_by_name_and_by_shape_at_any_depth() -> None:
    document = {
        "request": {
            "headers": [
                {"name": "Authorization", "value": "Bearer t"},
                {"name": "A", "value": "b"},
            ],
            "cookies": [{"name": "session", "value": "s3cr3t"}],
            "postData": {"client_secret": "c", "note": f"key {KEY}"},
        },
        "metadata": {"key": "value"},
        "n": 5,
    }
    assert redact_value(document, ["nothing-matches"]) == {
        "request": {
            "headers": [{"name": "Authorization", "value": MASK}, {"name": "A", "value": "b"}],
            "cookies": [{"name": "session", "value": MASK}],
            "postData": {"client_secret": MASK, "note": f"key {MASK}"},
        },
        "metadata": {"key": "value"},
        "n": 5,
    }
    deep: object = KEY
    for _ in range(5000):  # deeper than the recursion limit
        deep = [deep]
    out = redact_value(deep)
    for _ in range(5000):
        assert isinstance(out, list)
        (out,) = out
    assert out == MASK


def test_secret_shows_only_the_mask() -> None:
    key = Secret(KEY)
    assert KEY not in repr(key) and KEY not in str(key) and KEY not in f"{key}"
    assert KEY not in repr([key]) and KEY not in "%s" % key  # noqa: UP031
    assert key.reveal() == KEY and type(key.reveal()) is str
    assert "Bearer " + key == f"Bearer {KEY}"  # concatenation is the deliberate way in
    assert redact(f"x {KEY} y", [key]) == f"x {MASK} y"
    assert secret("") is None and secret(None) is None and secret(key) is key


def test_for_terminal_redacts_then_escapes() -> None:
    assert for_terminal(f"\x1b[2J{KEY}\nforged") == f"\\x1b[2J{MASK}\\x0aforged"
    assert for_terminal("a\nb\rc", multiline=True) == "a\nb\\x0dc"


def test_clip_redacts_before_cutting() -> None:
    text = "x" * 190 + " " + KEY + " tail"
    assert clip(text, 200) == "x" * 190 + " " + MASK[:8] + "…"
    assert clip(text, 100, start=200) == f"…{MASK} tail"  # the cut fell inside the key
    assert clip("short", 200) == "short"
    assert clip("a\n\n  b\x1b", 200, squeeze=True) == "a b\\x1b"


def test_redaction_stays_linear_on_long_adversarial_runs() -> None:
    # Quadratic backtracking here would take minutes; each is well under a second.
    assert redact("sk-" * 20_000) == "sk-" * 20_000  # no digit or capital: not a key
    assert redact("sk-A" * 15_000) == MASK
    assert redact("\\" * 40_000) == "\\" * 40_000
    assert redact("a-" * 20_000 + ": x") == "a-" * 20_000 + ": x"
    assert redact("%" * 40_000) == "%" * 40_000
    assert redact("&token=x" * 8_000) == f"&token={MASK}" * 8_000


# -- properties -------------------------------------------------------------------------

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@st.composite
def _body(draw: st.DrawFn, size: int, alphabet: str = _ALNUM + "_-") -> str:
    """A random credential body with at least one digit and one capital (as real keys have)."""
    chars = draw(st.text(alphabet, min_size=size - 2, max_size=size - 2))
    return draw(st.sampled_from("ABCXYZ")) + chars + draw(st.sampled_from("0123456789"))


# (shape, planted text, the secret part that must never appear)
@st.composite
def _planted(draw: st.DrawFn) -> tuple[str, str, str]:
    shape = draw(
        st.sampled_from(
            ["openai", "bearer", "aws", "github", "param", "header", "json", "yaml", "known"]
        )
    )
    if shape == "openai":
        prefix = draw(st.sampled_from(["sk-", "sk-proj-", "sk-svcacct-", "sk-admin-", "rk-"]))
        secret = prefix + draw(_body(draw(st.integers(20, 80))))
        return shape, secret, secret
    if shape == "bearer":
        token = draw(_body(draw(st.integers(12, 60)), _ALNUM + "._~+/-"))
        return shape, f"Authorization: Bearer {token}", token
    if shape == "aws":
        secret = "AKIA" + draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16)
        )
        return shape, secret, secret
    if shape == "github":
        secret = "ghp_" + draw(_body(36, _ALNUM))
        return shape, secret, secret
    value = draw(_body(draw(st.integers(12, 40))))
    if shape == "param":
        name = draw(st.sampled_from(sorted(SECRET_PARAMETERS)))
        return shape, f"https://h/p?a=1&{name}={value}&b=2", value
    if shape == "header":
        name = draw(st.sampled_from(sorted(SECRET_HEADERS)))
        return shape, f"\n{name}: {value}\n", value
    if shape == "json":
        name = draw(st.sampled_from(["api_key", "client_secret", "password", "access_token"]))
        return shape, json.dumps({name: value}), value
    if shape == "yaml":
        name = draw(st.sampled_from(sorted(SECRET_HEADERS)))
        return shape, f"\n  {name}:\n  - {value}\n", value
    return shape, value, value  # "known": masked verbatim as a given secret


def planted() -> st.SearchStrategy[tuple[str, str, str]]:
    """A secret planted in its setting; no piece of it also appears in the setting itself."""
    return _planted().filter(
        lambda p: not any(f in p[1].replace(p[2], "") for f in _fragments(p[2]))
    )


_SEPARATORS = st.sampled_from([" ", "\n", '"', "'", ", ", ": ", "(", "[", "{", "\t", "|"])
_SURROUNDING = st.text(max_size=60)


def _decoded(text: str) -> str:
    """Text with the escapes a reader of the output might undo (JSON, URL) undone."""
    text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return unquote(text.replace("\\/", "/"))


def _fragments(secret: str, size: int = 8) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def _shown(output: str, secret: str) -> bool:
    """Whether any 8-character piece of ``secret`` can be read in ``output``."""
    plain = _decoded(output)
    return any(f in output or f in plain for f in _fragments(secret))


def _escape_some(draw: st.DrawFn, text: str, style: str) -> str:
    chosen = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    out = []
    for char, escape in zip(text, chosen, strict=True):
        if not escape:
            out.append(char)
        elif style == "json":
            out.append(f"\\u{ord(char):04{draw(st.sampled_from('xX'))}}")
        elif style == "json-twice":
            out.append(f"\\\\u{ord(char):04x}")
        else:
            out.append(f"%{ord(char):02X}")
    return "".join(out)


@settings(max_examples=150)
@given(planted(), _SURROUNDING, _SURROUNDING, _SEPARATORS, _SEPARATORS)
def test_a_planted_secret_never_survives_in_any_text(
    plant: tuple[str, str, str], before: str, after: str, left: str, right: str
) -> None:
    shape, text, secret = plant
    assume(not any(f in before + after for f in _fragments(secret)))
    output = redact(before + left + text + right + after, [secret] if shape == "known" else [])
    assert not _shown(output, secret)


@settings(max_examples=60)
@given(planted(), _SURROUNDING, _SEPARATORS, st.text(max_size=20))
def test_a_cleaner_for_many_texts_writes_what_for_terminal_writes(
    plant: tuple[str, str, str], before: str, left: str, other: str
) -> None:
    shape, text, secret = plant
    given = [secret] if shape == "known" else []
    clean = terminal_cleaner(given)
    plain = cleaner(given)
    for written in (before + left + text + "\x1b[2J\n", other, "", before):
        assert clean(written) == for_terminal(written, given)
        assert plain(written) == redact(written, given)
    assume(not any(f in before for f in _fragments(secret)))
    assert not _shown(clean(before + left + text + " end"), secret)
    assert not _shown(plain(before + left + text + " end"), secret)


@settings(max_examples=150)
@given(st.data(), planted(), _SURROUNDING, _SEPARATORS)
def test_a_planted_secret_is_found_through_json_and_url_escapes(
    data: st.DataObject, plant: tuple[str, str, str], before: str, left: str
) -> None:
    shape, text, secret = plant
    assume(not any(f in before for f in _fragments(secret)))
    style = data.draw(st.sampled_from(["json", "json-twice", "url"]))
    written = text.replace(secret, _escape_some(data.draw, secret, style))
    output = redact(before + left + written + " end", [secret] if shape == "known" else [])
    assert not _shown(output, secret)


@settings(max_examples=150)
@given(st.data(), planted(), _SURROUNDING, _SEPARATORS, st.integers(20, 300))
def test_a_secret_across_an_excerpt_edge_is_masked_whole(
    data: st.DataObject, plant: tuple[str, str, str], before: str, left: str, limit: int
) -> None:
    shape, text, secret = plant
    assume(not any(f in before for f in _fragments(secret)))
    whole = before + left + text + " and the rest of the body"
    at = whole.index(secret)
    cut = data.draw(st.integers(at, at + len(secret)), label="cut inside the secret")
    secrets = [secret] if shape == "known" else []
    # Cut on the right (the excerpt ends inside the secret) and on the left (starts inside it).
    right = clip(whole, max(1, cut), secrets)
    left_cut = clip(whole, limit, secrets, start=cut)
    assert not _shown(right, secret) and not _shown(left_cut, secret)


@st.composite
def prose(draw: st.DrawFn) -> str:
    words = st.sampled_from(
        [
            "no",
            "api",
            "key",
            "token",
            "secret",
            "password",
            "bearer",
            "basic",
            "authorization",
            "given",
            "provided",
            "the",
            "a",
            "is",
            "was",
            "not",
            "set",
            "sk",
            "code",
            "sig",
            "signature",
            "cookie",
            "value",
            "name",
            "missing",
            "wrong",
            "expired",
            "organization",
            "project",
            "API",
            "Key",
            "Token",
            "Bearer",
            "Authorization",
            "Password",
            "Invalid",
            "Incorrect",
            "learn",
            "job",
            "jobs",
            "paused",
            "running",
            "failed",
        ]
    )
    # By rule a line starting "Cookie:" or "Authorization:" is a header line: not prose.
    parts = [draw(words.filter(lambda w: w.lower() not in SECRET_HEADERS))]
    for _ in range(draw(st.integers(0, 30))):
        separator = draw(st.sampled_from([" ", " ", ", ", ". ", ": ", " = ", "-", " (", ") "]))
        if separator == "-":  # compounds of lowercase words: "no-api-key", "well-known"
            parts[-1] = parts[-1].lower()
            parts += [separator, draw(words).lower()]
        else:
            parts += [separator, draw(words)]
    return "".join(parts)


@settings(max_examples=150)
@given(prose())
def test_ordinary_prose_survives(text: str) -> None:
    assert redact(text) == text


@given(st.text(max_size=200), st.lists(st.text(min_size=4, max_size=20), max_size=2))
def test_redaction_is_idempotent_and_total(text: str, secrets: list[str]) -> None:
    once = redact(text, secrets)
    assert redact(once, secrets) == once


# -- the prefilter: text no rule hint is found in is not searched by the rules ------------

_HINTED_PIECES = st.sampled_from(
    [
        *sorted(SECRET_HEADERS | _FIELDS | SECRET_PARAMETERS),
        "sk-",
        "rk-",
        "sess-",
        "AKIA",
        "ASIA",
        "AIza",
        "ghp_",
        "github_pat_",
        "xoxb-",
        "hf_",
        "eyJ",
        "Bearer ",
        "Basic ",
        "Token ",
        "://",
        "u:p@",
        "=",
        ": ",
        '"',
        "'",
        "\n",
        "(",
        ", ",
        "\u212a",  # Kelvin sign: a case-insensitive "k"
        "\u017f",  # long s: a case-insensitive "s"
        "\u0130",
        "\u0131",
    ]
)


def _mixed_text() -> st.SearchStrategy[str]:
    """Text made of rule triggers, their pieces in any case, separators and credentials."""
    piece = st.one_of(
        _HINTED_PIECES,
        _HINTED_PIECES.map(str.upper),
        _HINTED_PIECES.map(lambda p: p[: len(p) // 2]),
        _body(12, _ALNUM + "-_./+="),
        st.text(max_size=6),
    )
    return st.lists(piece, max_size=12).map("".join)


@settings(max_examples=400)
@given(_mixed_text())
def test_the_rules_find_nothing_where_the_prefilter_sees_no_hint(text: str) -> None:
    """The shortcut is sound: whatever a rule would mask, the prefilter lets the rules see."""
    from contract.redact._finder import _ASCII_LOWER, may_match, rule_spans

    if rule_spans(text, text.translate(_ASCII_LOWER)):
        assert may_match(text), text


def test_the_prefilter_passes_case_folded_names() -> None:
    from contract.redact._finder import may_match

    # "\u212a" (Kelvin sign) matches "k" case-insensitively, as in "Api-\u212aey".
    assert may_match("Api-\u212aey: abcdefgh12345678")
    assert redact("Api-\u212aey: abcdefgh12345678") != "Api-\u212aey: abcdefgh12345678"
    assert not may_match("/status: 'paused' is not one of the allowed values")


@pytest.mark.parametrize("name", sorted(SECRET_HEADERS | _FIELDS | SECRET_PARAMETERS))
def test_every_secret_name_passes_the_prefilter(name: str) -> None:
    from contract.redact._finder import may_match

    for spelling in (name, name.replace("-", "_"), name.replace("_", "-"), name.upper()):
        assert may_match(f"{spelling}: x"), spelling
