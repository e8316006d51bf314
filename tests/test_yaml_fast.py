"""A YAML recording built from the parser's events in one pass is what the plain path builds.

The plain path measures every event (aliases, depth), composes and constructs; the fast
path (:func:`contract.recordings._yaml._fast`) takes recordings with nothing to expand
and steps aside for anything else, so both give the same values and the same errors.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.recordings import RecordingError, _limits, _yaml

_YAML_SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.binary(max_size=8),
    st.dates(),
)
_YAML_VALUES = st.recursive(
    _YAML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=6), st.integers(), st.none()), inner, max_size=4
        ),
    ),
    max_leaves=20,
)
# Pieces of hand-written YAML where the fast path must step aside or agree: tags, anchors,
# aliases, merge and value keys, implicit types, several documents, broken syntax.
_YAML_PIECES = st.sampled_from(
    [
        "a: 1",
        "b: yes",
        "- x",
        "- - y",
        "k: [1, 2, {c: d}]",
        "<<: {m: 1}",
        "=: v",
        "v: =",
        "t: 2020-01-01",
        "t: 2020-13-45",
        "h: 0x1F",
        "s: 1:20:30",
        "f: .nan",
        "f: -.inf",
        "n: ~",
        "e:",
        "!!int nope",
        "x: !!binary aGk=",
        "x: !binary aGk=",
        "x: !!binary no%64",
        "!!str 12",
        "? !!binary aGk=\n: 1",
        "x: !!python/tuple [1]",
        "x: !custom 1",
        "x: &a [1]",
        "y: *a",
        "*a",
        "&b k: v",
        "? [1]\n: v",
        "? {a: b}\n: v",
        "---",
        "...",
        "--- 1",
        "'quoted: *x'",
        '"dq \\u00e9"',
        "{a: [b, {c: d}]}",
        "[",
        "}",
        "k: '1' ",
        "i: " + "9" * 4400,
        "j: 0b" + "1" * 20,
        "  - nested",
        "    deeper: 2",
        "\t",
        "%YAML 1.1\n---",
        "- &x 1\n- *x",
        "key: |\n  block\n  text",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ]
)


def _outcome(load: Any, data: bytes) -> tuple[str, str]:
    """What loading gives, comparable (NaN included): the value's repr, or the error."""
    try:
        return "value", repr(load(data, "c.yaml"))
    except RecordingError as exc:
        return "error", str(exc)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.tuples(_YAML_VALUES, st.sampled_from([None, True, False])).map(
            lambda pair: yaml.safe_dump(pair[0], default_flow_style=pair[1]).encode()
        ),
        st.lists(_YAML_PIECES, max_size=8).map(lambda pieces: "\n".join(pieces).encode()),
    )
)
def test_yaml_built_from_events_is_what_measuring_and_composing_builds(data: bytes) -> None:
    assert _outcome(_yaml.load, data) == _outcome(_yaml._load, data)


def test_yaml_from_events_depth_limit_is_the_plain_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_limits, "MAX_YAML_DEPTH", 5)
    assert _yaml.load(b"[[[[[1]]]]]", "c.yaml") == [[[[[1]]]]]
    with pytest.raises(RecordingError, match="nested deeper than 5 levels"):
        _yaml.load(b"[[[[[[1]]]]]]", "c.yaml")
