"""The fast decoder gives exactly the strict pass's verdict, on generated and mutated texts.

``strictjson.decode`` trusts orjson where it can and runs the strict pass
(``_decode_strictly``) elsewhere; the two must never differ: same value (type
for type, ``-0.0`` and key order included), same problems, or the same
:class:`JSONSyntaxError`.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contract import strictjson
from contract.strictjson import MAX_DEPTH, Decoded, JSONSyntaxError, decode

SETTINGS = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])


def _exact(value: Any) -> list[Any]:
    """A flat rendering that tells apart what == does not: 1 / 1.0 / True, -0.0, NaN,
    key order (built without recursion: values nest 512 deep)."""
    tokens: list[Any] = []
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            tokens.append(("{",))
            stack.append(("}",))
            for key, item in reversed(list(node.items())):
                stack.extend([item, ("key", key)])
        elif isinstance(node, list):
            tokens.append(("[",))
            stack.append(("]",))
            stack.extend(reversed(node))
        elif isinstance(node, float):
            tokens.append(("float", repr(node)))
        elif isinstance(node, tuple):  # a marker pushed above: decoded values hold no tuples
            tokens.append(node)
        else:
            tokens.append((type(node).__name__, node))
    return tokens


def _outcome(decoder: Any, data: bytes | str) -> tuple[Any, ...]:
    try:
        decoded = decoder(data)
    except JSONSyntaxError as exc:
        return ("error", str(exc))
    return ("value", _exact(decoded.value), decoded.problems)


def _agree(data: bytes | str) -> tuple[Any, ...]:
    fast, strict = _outcome(decode, data), _outcome(strictjson._decode_strictly, data)
    assert fast == strict, data
    return fast


# --- JSON texts drawn as text, so that repeated names, escapes and odd spacing occur

SPACE = st.sampled_from(["", "", " ", "\n  ", "\t", "\r\n"])


def _escaped(text: str, how: list[bool]) -> str:
    out = []
    for char, escape in zip(text, how + [False] * len(text), strict=False):
        if escape or char in '"\\' or char < " ":
            out.append(f"\\u{ord(char):04x}" if escape or char < " " else "\\" + char)
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@st.composite
def strings(draw: st.DrawFn, alphabet: st.SearchStrategy[str] | None = None) -> str:
    text = draw(st.text(st.characters(codec="utf-8") if alphabet is None else alphabet, max_size=6))
    how = draw(st.lists(st.booleans(), max_size=len(text)))
    return _escaped(text, how)


NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"-?(0|[1-9][0-9]{0,22})(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["-0", "-0.0", "0e0", "1e400", "-1e400", "1e-400", "NaN", "Infinity"]),
    st.sampled_from(["-Infinity", str(2**63), str(-(2**63) - 1), str(2**64), "9" * 30]),
)


def _array(items: list[str], space: str) -> str:
    return "[" + space + ("," + space).join(items) + space + "]"


def _object(members: list[tuple[str, str]], space: str) -> str:
    inner = ("," + space).join(f"{name}{space}:{space}{value}" for name, value in members)
    return "{" + space + inner + space + "}"


def _texts(names: st.SearchStrategy[str], text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    scalars = st.one_of(st.sampled_from(["null", "true", "false"]), NUMBERS, text)
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.builds(_array, st.lists(children, max_size=4), SPACE),
            st.builds(_object, st.lists(st.tuples(names, children), max_size=4), SPACE),
        ),
        max_leaves=25,
    )


#: Any JSON-ish text: escapes, repeated names, names equal only once decoded.
TEXTS = _texts(strings(st.sampled_from(["a", "b", ":", '"', "\\", " ", "é", "\x00"])), strings())
#: Texts without a backslash, the ones the fast path may keep: repeated names
#: and colons inside strings (which the fast path counts) are common here.
PLAIN = st.text(st.sampled_from(["a", ":", " ", "é", "[", "{"]), max_size=4).map(lambda t: f'"{t}"')
PLAIN_TEXTS = _texts(PLAIN, PLAIN)

# Bytes that break JSON in interesting ways, spliced in by the mutations.
SPLICES = st.sampled_from(
    [
        *(b'"', b"\\", b":", b",", b"{", b"}", b"[", b"]", b"0", b"9" * 20, b"e", b"-", b"\x00"),
        *(b"\xff", b"\xef\xbb\xbf", b" ", b"\xed\xa0\x80", b'\\"', b"\\ud800", b'"a":1,', b"NaN"),
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(TEXTS).encode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "repeat"]))
        if kind == "insert":
            data = data[:at] + draw(SPLICES) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + 1 :]
        elif kind == "replace":
            data = data[:at] + draw(SPLICES) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        else:
            end = draw(st.integers(at, len(data)))
            data = data[:end] + data[at:end] + data[end:]
    return data


@SETTINGS
@given(TEXTS)
@example('{"a":1,"b":{"c":[{"d":1,"d":2}]}}')
@example('{"a":1,"\\u0061":2}')
@example('{"a" :1,"a" : 2}')
@example('{"a":":","a:":1,"a":2}')
@example('{"\\u003a":1,"a":1,"a":2}')
def test_generated_texts_decode_alike(text: str) -> None:
    _agree(text.encode("utf-8"))
    _agree(text)


@SETTINGS
@given(PLAIN_TEXTS)
def test_texts_without_escapes_decode_alike(text: str) -> None:
    _agree(text.encode("utf-8"))


@SETTINGS
@given(mutated())
def test_mutated_texts_decode_alike(data: bytes) -> None:
    _agree(data)


@SETTINGS
@given(st.text(st.characters(codec=None), max_size=12).map(json.dumps))
def test_strings_with_surrogates_decode_alike(text: str) -> None:
    _agree(text)
    _agree(text.encode("utf-8", "surrogatepass"))


TRICKY = [
    b'{"a": 1, "a": 2}',
    b'[{"x": {"y": [1, {"k": 1, "k": 1}]}}]',
    b'{"a": 1, "\\u0061": 2}',
    b'{"\\/": 1, "/": 2}',
    b'{"a": "\\u003a", "a": 1}',
    b'{"a"\n:\n1, "a"\t:2}',
    b'{"a": "x:y", "b": "::"}',
    b"-0",
    b"-0.0",
    b"1e400",
    b"[1E+400, -1e400]",
    b"1e-400",
    b"18446744073709551615",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1234567890123456789012345678901234567890",
    b'"\\ud800"',
    b'"\\udc00\\ud800"',
    b'"\\ud83d\\ude00"',
    b'"\xed\xa0\x80"',
    b"\xef\xbb\xbf{}",
    b"",
    b" \n",
    b"[NaN, Infinity, -Infinity]",
    b'{"id": "ftjob',
    b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b"[" * 990 + b"]" * 990,
    b"[" * 1025 + b"]" * 1025,
    b"[" * 100_000,
    b'["' + b"[" * 600 + b'"]',
    b'{"a": ' + b"[" * 400 + b"]" * 400 + b"}",
    b'{"a": ' + b"[" * 400 + b"]" * 400 + b', "a": 1}',
    b"9" * 4301,
    b'{"id": [1, ' + b"9" * 5000 + b"]}",
]


@pytest.mark.parametrize("data", TRICKY, ids=lambda d: repr(d[:24]))
def test_tricky_texts_decode_alike(data: bytes) -> None:
    _agree(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    _agree(text)


# --- documented rules, with exact expectations


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b'{"a": {"b": 1, "b": 2}}', ['duplicate key "b" in an object']),
        (b'{"a": 1, "\\u0061": 2}', ['duplicate key "a" in an object']),
        (b'[{"k": 1, "k": 2, "k": 3}]', ['duplicate key "k" in an object'] * 2),
        (
            b"[NaN, 1e400]",
            ["NaN is not a JSON number", "number 1e400 is out of the range of a double"],
        ),
        (b'{"a": "x:y", "b": {"c": ":"}}', []),
    ],
)
def test_problems_are_listed(data: bytes, problems: list[str]) -> None:
    assert decode(data).problems == problems


def test_values_keep_their_exact_type() -> None:
    value = decode(b"[-0, -0.0, 1.0, 18446744073709551616, -9223372036854775809]").value
    assert _exact(value) == _exact([0, -0.0, 1.0, 2**64, -(2**63) - 1])
    assert math.copysign(1, value[1]) == -1


def test_nesting_up_to_the_limit_is_decoded() -> None:
    value = decode(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH).value
    for _ in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == []


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 960, 990, 1100, 50_000])
def test_deeper_nesting_is_refused(depth: int) -> None:
    with pytest.raises(JSONSyntaxError) as caught:
        decode(b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}")
    assert str(caught.value) == "is nested more than 512 levels deep"


def test_brackets_inside_strings_do_not_nest() -> None:
    text = b'{"a": "' + b"[{" * 2000 + b'"}'
    assert decode(text) == Decoded({"a": "[{" * 2000})


@pytest.mark.parametrize(
    "data",
    [b"9" * 4301, b"-" + b"9" * 4301, b'{"a": [1, ' + b"1" * 4301 + b"]}"],
    ids=["bare", "negative", "nested"],
)
def test_integers_longer_than_python_converts_are_refused(data: bytes) -> None:
    with pytest.raises(JSONSyntaxError) as caught:
        decode(data)
    assert str(caught.value) == (
        "has a number of 4301 digits, beyond the 4300 digits Python converts to an integer"
    )


def test_the_longest_integer_python_converts_is_decoded() -> None:
    assert decode(b"-" + b"9" * 4300).value == -int("9" * 4300)


def test_a_long_number_with_a_fraction_is_a_double() -> None:
    assert decode(b"9" * 4301 + b".0") == Decoded(
        math.inf, ["number " + "9" * 4301 + ".0 is out of the range of a double"]
    )


# --- the fast path is the one taken where nothing can be wrong


@pytest.fixture
def strict_pass_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes | str) -> Decoded:
        raise AssertionError("the strict pass ran")

    monkeypatch.setattr(strictjson, "_decode_strictly", refuse)


@pytest.mark.usefixtures("strict_pass_forbidden")
@pytest.mark.parametrize(
    "data",
    [
        b'{"id": "ftjob-1", "model": "ft:gpt-4o:org::x1", "seed": 7, "n": [1.5, -0, null]}',
        '{\n  "a": {"b": [true, false]},\n  "c": "2024-07-23T12:00:00Z"\n}',
        b"[" * 300 + b"]" * 300,
        b"123456789012345678",
        b"18446744073709551615",
        b'{"quote": "\\"", "tab": "\\t", "b": 1}',
        b'{"a": 1.50, "b": 1E2, "c": "x:y"}',
        # escapes orjson writes otherwise: proven by counting colons
        b'{"name": "caf\\u00e9", "s": "a\\/b", "c": "x:y", "d": {"e": "\\ud83d\\ude00"}}',
    ],
)
def test_plain_texts_skip_the_strict_pass(data: bytes | str) -> None:
    assert decode(data).problems == []


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"a\\u003a": 1, "a:": 2}',  # an escaped colon escapes the colon count
        b'{"x": "\\u00e9", "a": 1, "a": 2}',
        b"123456789012345678901",
        b"NaN",
        b"[1,]",
    ],
)
def test_suspect_texts_take_the_strict_pass(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bytes | str] = []
    strict = strictjson._decode_strictly

    def spy(text: bytes | str) -> Decoded:
        taken.append(text)
        return strict(text)

    monkeypatch.setattr(strictjson, "_decode_strictly", spy)
    with contextlib.suppress(JSONSyntaxError):
        decode(data)
    assert taken == [data]
