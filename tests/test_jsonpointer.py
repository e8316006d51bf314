"""The one JSON Pointer helper (RFC 6901): escaping round-trips, and pointers reach values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract._core import jsonpointer

tokens = st.lists(st.text(alphabet=st.sampled_from("ab~/01")), max_size=4)


@given(tokens)
def test_build_then_split_gives_the_tokens_back(parts: list[str]) -> None:
    assert jsonpointer.split(jsonpointer.build(parts)) == parts


def test_rfc_6901_examples() -> None:
    document: Any = {"foo": ["bar", "baz"], "": 0, "a/b": 1, "m~n": 8}
    assert jsonpointer.resolve(document, "") == document
    assert jsonpointer.resolve(document, "/foo/0") == "bar"
    assert jsonpointer.resolve(document, "/") == 0
    assert jsonpointer.resolve(document, "/a~1b") == 1
    assert jsonpointer.resolve(document, "/m~0n") == 8
    # ~01 is "~1" unescaped, not "/": unescaping goes ~1 first, then ~0
    assert jsonpointer.unescape("~01") == "~1"
    assert jsonpointer.build(["m~n", "a/b", 3]) == "/m~0n/a~1b/3"


def test_a_pointer_leading_nowhere_raises() -> None:
    with pytest.raises(KeyError):
        jsonpointer.resolve({"a": 1}, "/b")
    with pytest.raises(IndexError):
        jsonpointer.resolve([1], "/3")
    with pytest.raises(TypeError):
        jsonpointer.resolve({"a": 1}, "/a/b")
