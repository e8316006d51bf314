"""Decoding large documents (all YAML, JSON from 1 MiB) pauses Python's cyclic garbage
collector and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from contract.recordings import RecordingError, _yaml

CASSETTE = (
    b"interactions:\n- request: {method: GET}\n  response: {status: {code: 200}}\nversion: 1\n"
)


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    """Whatever a test does to the collector, it is enabled again afterwards."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.parametrize(
    ("data", "step"),
    [
        (CASSETTE, "get_event"),  # built from the parser's events in one pass
        (CASSETTE.replace(b"GET}", b"GET}\n  other: &a [1]\n  again: *a"), "construct_document"),
    ],
    ids=["events", "composed"],
)
def test_the_collector_is_paused_while_the_document_is_built(
    collector_enabled: None, monkeypatch: pytest.MonkeyPatch, data: bytes, step: str
) -> None:
    seen: list[bool] = []
    original = getattr(_yaml._Loader, step)

    def spy(self: Any, *args: Any) -> Any:
        seen.append(gc.isenabled())
        return original(self, *args)

    monkeypatch.setattr(_yaml._Loader, step, spy)
    document = _yaml.load(data, "c.yaml")
    assert document["version"] == 1
    assert seen and not any(seen)
    assert gc.isenabled()


@pytest.mark.parametrize(
    "data",
    [b"interactions: [", b"a: &a [*a]\n", b"!!python/object:os.system x\n", b"x: !!int nope\n"],
    ids=["syntax", "self-alias", "python-tag", "bad-scalar"],
)
def test_an_enabled_collector_is_enabled_again_after_a_refusal(
    collector_enabled: None, data: bytes
) -> None:
    with pytest.raises(RecordingError):
        _yaml.load(data, "c.yaml")
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled(collector_enabled: None) -> None:
    gc.disable()
    assert _yaml.load(CASSETTE, "c.yaml")["version"] == 1
    assert not gc.isenabled()
    with pytest.raises(RecordingError):
        _yaml.load(b"interactions: [", "c.yaml")
    assert not gc.isenabled()


def test_a_large_json_text_is_decoded_with_the_collector_paused(
    collector_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contract import strictjson
    from contract._core import gc as _collector

    seen: list[bool] = []
    real = strictjson._decode

    def spy(data: bytes | str) -> strictjson.Decoded:
        seen.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(strictjson, "_decode", spy)
    large = b'{"a": [' + b'"x", ' * (_collector.LARGE // 5) + b'"y"]}'
    assert strictjson.decode(large).value["a"][-1] == "y"
    strictjson.decode(b'{"a": 1}')
    assert seen == [False, True]  # paused for the large text only
    assert gc.isenabled()
