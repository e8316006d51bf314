"""Fuzzing every reader: payload JSON, JSON Lines and each layout in the registry.

Whatever the bytes, reading ends in interactions (each of which ``assess()``
returns for) or in :class:`RecordingError`: :func:`tests.loader_fuzzing.outcome`
lets anything else escape. The layouts are taken from
``contract.recordings.layouts.LAYOUTS``, so a new layout is fuzzed as soon as
it is registered (and fails :func:`test_every_reader_has_seed_files` until a
sample file of it exists). The long run is ``benchmarks/fuzz_loaders.py``.
"""

from __future__ import annotations

import copy
import datetime
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import loader_fuzzing as fuzzing

SHORT = settings(max_examples=30, deadline=None, database=None)


def test_every_reader_has_seed_files() -> None:
    found = {seed.kind for seed in fuzzing.seeds()}
    missing = [kind for kind in fuzzing.kinds() if kind not in found]
    assert not missing, f"add a sample file under tests/data/recordings/ for: {missing}"


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.binary(max_size=1024), name=st.sampled_from(fuzzing.NAMES))
def test_arbitrary_bytes_under_every_name_end_in_a_result_or_an_error(
    data: bytes, name: str
) -> None:
    assert fuzzing.outcome(data, name) in ("read", "refused")


@settings(max_examples=100, deadline=None, database=None)
@given(rnd=st.randoms(use_true_random=False), name=st.sampled_from(fuzzing.NAMES))
def test_token_soup_ends_in_a_result_or_an_error(rnd: random.Random, name: str) -> None:
    data = b"".join(rnd.choice(fuzzing.TOKENS) for _ in range(rnd.randrange(1, 16)))
    assert fuzzing.outcome(data, name) in ("read", "refused")


@pytest.mark.parametrize("kind", fuzzing.kinds())
@SHORT
@given(rnd=st.randoms(use_true_random=False))
def test_mutated_files_of_every_reader_end_in_a_result_or_an_error(
    kind: str, rnd: random.Random
) -> None:
    pool = fuzzing.seeds_of(kind)
    if not pool:
        pytest.skip(f"no seed file for {kind}")  # test_every_reader_has_seed_files fails
    data, name = fuzzing.draw(rnd, pool)
    assert fuzzing.outcome(data, name) in ("read", "refused")


@pytest.mark.parametrize("via", ["file", "stdin"])
@SHORT
@given(rnd=st.randoms(use_true_random=False))
def test_files_and_standard_input_end_in_a_result_or_an_error(
    via: str, rnd: random.Random, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # JSON Lines files and standard input are streamed, not read whole: fuzz them as such.
    folder = tmp_path_factory.getbasetemp() / "loader-fuzz"
    folder.mkdir(exist_ok=True)
    pool = fuzzing.seeds_of(fuzzing.LINES) if rnd.random() < 0.5 else None
    data, name = fuzzing.draw(rnd, pool)
    assert fuzzing.outcome(data, name, via, folder) in ("read", "refused")


# -- every field of the first call, of every layout, given every type ---------------------------


ODD_VALUES: tuple[Any, ...] = (None, 7, "", [], {"k": {}})
#: Only YAML can hold these (bytes and dates; non-string keys).
YAML_VALUES: tuple[Any, ...] = (b"\x1f\x8b\x00", datetime.datetime(2020, 1, 2))
ODD_KEYS: tuple[Any, ...] = (1,)

def first_call_slots(document: Any) -> list[tuple[Any, Any]]:
    """(container, key) for every value on the way to and inside the first call: lists are
    followed into their first item only, so each layout yields a few dozen slots."""
    slots: list[tuple[Any, Any]] = []
    stack = [document]
    while stack:
        node = stack.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))[:1]
        for key, value in items:
            slots.append((node, key))
            if isinstance(value, (dict, list)) and value:
                stack.append(value)
    return slots


def smallest_seed(kind: str) -> fuzzing.Seed:
    pool = [seed for seed in fuzzing.seeds_of(kind) if seed.document is not None]
    if not pool:
        pytest.skip(f"no seed file for {kind}")
    return min(pool, key=lambda seed: len(seed.data))


def variants(document: Any, yaml: bool) -> list[Any]:
    """``document`` once per (slot, odd value), and once per (mapping key, odd key) in YAML."""
    values = ODD_VALUES + (YAML_VALUES if yaml else ())
    found: list[Any] = []
    for index in range(len(first_call_slots(document))):
        for value in values:
            changed = copy.deepcopy(document)
            parent, key = first_call_slots(changed)[index]
            parent[key] = value
            found.append(changed)
        if yaml:
            for odd in ODD_KEYS:
                changed = copy.deepcopy(document)
                parent, key = first_call_slots(changed)[index]
                if isinstance(parent, dict):
                    parent[odd] = parent.pop(key)
                    found.append(changed)
    return found


@pytest.mark.parametrize("kind", [layout.name for layout in fuzzing.LAYOUTS])
def test_every_field_of_every_layout_takes_any_type(kind: str) -> None:
    seed = smallest_seed(kind)
    yaml = seed.name.removesuffix(".gz").endswith((".yaml", ".yml"))
    rnd = random.Random(0)  # serialize() picks a style; the values are exhaustive
    documents = variants(seed.document, yaml)
    assert len(documents) >= 3 * len(ODD_VALUES)
    outcomes = {fuzzing.outcome(fuzzing.serialize(rnd, d, seed.name), seed.name) for d in documents}
    # Some odd values are read as they are (an odd header value), others refused.
    assert outcomes == {"read", "refused"}
