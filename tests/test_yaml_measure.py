"""The measuring pass before a YAML document is built: exact node counts through aliases.

Aliases may repeat at most ``MAX_ALIAS_NODES`` nodes, counting every scalar,
sequence and mapping an alias stands for; these tests sit on the boundary.
"""

from __future__ import annotations

import pytest

from contract.recordings import RecordingError, _limits, _yaml


def _aliases(anchor: str, name: str, times: int) -> str:
    return f"{anchor}\nuses: [{', '.join([f'*{name}'] * times)}]\n"


@pytest.mark.parametrize(
    ("anchor", "name", "nodes"),
    [
        ("one: &s scalar", "s", 1),
        ("flat: &f [a, b, c, 4]", "f", 5),
        ("nested: &n {k: [a, {b: c}], &inner i: [x]}", "n", 10),
        ("block: &b\n  - a\n  - key: value\n    other: [1, 2]", "b", 9),
    ],
    ids=["scalar", "flat", "nested", "block"],
)
def test_aliases_repeat_exactly_the_nodes_they_name(
    monkeypatch: pytest.MonkeyPatch, anchor: str, name: str, nodes: int
) -> None:
    monkeypatch.setattr(_limits, "MAX_ALIAS_NODES", nodes * 7)
    document = _yaml.load(_aliases(anchor, name, 7).encode(), "a.yaml")
    assert len(document["uses"]) == 7
    with pytest.raises(RecordingError, match=f"aliases repeat more than {nodes * 7} nodes"):
        _yaml.load(_aliases(anchor, name, 8).encode(), "a.yaml")


def test_an_alias_to_a_scalar_adds_no_depth_and_one_to_a_sequence_adds_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_limits, "MAX_YAML_DEPTH", 3)
    assert _yaml.load(b"a: &s x\nb: [[*s]]\n", "a.yaml") == {"a": "x", "b": [["x"]]}
    assert _yaml.load(b"a: &q [x]\nb: [*q]\n", "a.yaml") == {"a": ["x"], "b": [["x"]]}
    with pytest.raises(RecordingError, match=r"alias \*q nests deeper than 3 levels"):
        _yaml.load(b"a: &q [x]\nb: [[*q]]\n", "a.yaml")
