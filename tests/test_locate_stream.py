"""Interaction lines of JSON recordings read forward in blocks agree with the whole-file scan.

The whole-file scan (``interaction_lines(json_values(text))``) is the oracle:
the block reader must give the same line for every index, whatever the block
size, the whitespace, the strings and the order of the questions.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.engine.results import Result
from contract.recordings._limits import INFLATED_VARIABLE
from contract.reports._jsonscan import HOLDS, InteractionLines, Opener
from contract.reports._locate import Locator, interaction_lines, json_values, yaml_values
from contract.violations import Violation
from tests.report_runs import CORPUS, needs_corpus


def _opener(data: bytes) -> Opener:
    @contextmanager
    def opened() -> Iterator[tuple[BinaryIO, int]]:
        yield io.BytesIO(data), len(data)

    return opened


def _oracle(text: str) -> dict[int, int]:
    return interaction_lines(json_values(text))


def _result(path: Path, index: int) -> Result:
    name = f"interaction[{index}]"
    return Result(f"{path}::{name}", (Violation("/id", "type", "x"),), name=name)


#: Strings that trouble a scanner: quotes, backslashes, brackets, escaped newlines, unicode.
_STRINGS = st.text(
    st.sampled_from(list('ab"\\[]{}:,\n\t/~é€😀 ')) | st.characters(codec="utf-8"), max_size=12
)
#: Member names: plain, the ones that count, and ones that must be escaped (never digits:
#: two keys such as "0" and "00" name one interaction, which only a whole read can rank).
_NAMES = st.from_regex(r"[a-z_]{1,6}", fullmatch=True) | st.sampled_from(
    ["body", "content", "response", "request", "ResponseBody", "entries", "log", "text"]
)
_NAMES |= st.sampled_from(['a"b', "x/y~z", "é", "\n", "\\", "]}"])
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _STRINGS
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=3),
    max_leaves=8,
)
_RESPONSES = _VALUES | st.fixed_dictionaries(
    {},
    optional={
        "status": st.integers(100, 599),
        "body": _VALUES,
        "content": _VALUES,
        "headers": st.lists(st.dictionaries(_NAMES, _STRINGS, max_size=2), max_size=2),
    },
)


@st.composite
def _items(draw: st.DrawFn) -> Any:
    """One interaction: mostly an object with its response somewhere among other members."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_VALUES)
    members = draw(st.dictionaries(_NAMES, _VALUES, max_size=3))
    places = {"response": _RESPONSES, "ResponseBody": _VALUES, "request": _VALUES}
    for key, values in places.items():
        if draw(st.booleans()):
            members[key] = draw(values)
    keys = draw(st.permutations(list(members)))
    return {key: members[key] for key in keys}


@st.composite
def _recordings(draw: st.DrawFn) -> Any:
    items = draw(st.lists(_items(), max_size=5))
    layout = draw(st.sampled_from(["har", "interactions", "http_interactions", "Entries", "list"]))
    if layout == "list":
        return items
    extra = draw(st.dictionaries(_NAMES, _VALUES, max_size=2))
    if layout == "har":
        log = {"version": "1.2", **extra, "entries": items}
        return {"log": {key: log[key] for key in draw(st.permutations(list(log)))}}
    document = {**extra, layout: items}
    return {key: document[key] for key in draw(st.permutations(list(document)))}


#: Whitespace between tokens, taken in turn.
_SPACES = st.lists(st.sampled_from(["", " ", "\n", "\n  ", "\t", "\r\n", " \n\n "]), min_size=1)


def _dump(value: Any, spaces: list[str], ascii_only: bool) -> str:
    """``value`` as JSON with the whitespace of ``spaces`` between tokens, in turn."""
    turn = itertools.cycle(spaces)

    def dump(value: Any) -> str:
        if isinstance(value, dict):
            members = [
                f"{next(turn)}{json.dumps(k, ensure_ascii=ascii_only)}{next(turn)}:"
                f"{next(turn)}{dump(v)}{next(turn)}"
                for k, v in value.items()
            ]
            return "{" + (",".join(members) or next(turn)) + "}"
        if isinstance(value, list):
            return "[" + (",".join(next(turn) + dump(v) + next(turn) for v in value)) + "]"
        return json.dumps(value, ensure_ascii=ascii_only)

    return next(turn) + dump(value) + next(turn)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    _recordings(),
    _SPACES,
    st.booleans(),
    st.sampled_from([1, 2, 7, 64, 1 << 20]),
    st.data(),
)
def test_block_reader_gives_the_oracles_lines(
    document: Any, spaces: list[str], ascii_only: bool, block: int, data: st.DataObject
) -> None:
    text = _dump(document, spaces, ascii_only)
    assert json.loads(text) == json.loads(json.dumps(document))
    oracle = _oracle(text)
    indices = range(max(oracle, default=-1) + 3)
    lines = InteractionLines(_opener(text.encode()), block=block)
    assert [lines.line(i) for i in indices] == [oracle.get(i) for i in indices]
    # Any order: an earlier index than the last reads the file again.
    asked = data.draw(st.lists(st.sampled_from(list(indices)), max_size=8))
    assert [lines.line(i) for i in asked] == [oracle.get(i) for i in asked]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_items(), max_size=5),
    st.sampled_from(["har", "interactions", "list"]),
    st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=1, max_size=4),
    st.sampled_from([7, 64, 1 << 20]),
)
def test_long_interactions_on_lines_of_their_own_give_the_oracles_lines(
    items: list[Any], layout: str, tails: list[str], block: int
) -> None:
    """Items on one line each, longer than the look-ahead for a newline: each is passed
    over whole (by orjson, or the stdlib decoder where orjson refuses the line)."""
    pad = {"padding": "x" * 300}
    items = [{**item, **pad} if isinstance(item, dict) else [item, pad] for item in items]
    tail = itertools.cycle(tails)
    body = ",\n".join(json.dumps(item) + next(tail) for item in items)
    text = {
        "har": '{"log": {"entries": [\n' + body + "\n]}}\n",
        "interactions": '{"interactions": [\n' + body + "\n]}",
        "list": "[\n" + body + "\n]",
    }[layout]
    oracle = _oracle(text)
    indices = range(max(oracle, default=-1) + 3)
    lines = InteractionLines(_opener(text.encode()), block=block)
    assert [lines.line(i) for i in indices] == [oracle.get(i) for i in indices]


def test_compact_and_pretty_items_and_other_containers() -> None:
    entries = [
        {"request": {"url": "x"}, "response": {"status": 200, "content": {"text": "{}"}}},
        {"response": {"body": "b", "content": "c"}},
        {"ResponseBody": "r", "response": 1},
        ["not", "an", "object"],
        {"other": {"response": {"body": 1}}},
    ]
    documents = [
        {"log": {"entries": entries}},
        {"interactions": entries},
        {"0": "first", "interactions": entries},  # a digit key at the root names the container
        {"interactions": {"1": entries[0], "0": entries[1], "x": 2}},
        entries,
    ]
    for document in documents:
        for indent in (None, 0, 2):
            for separators in ((", ", ": "), (",", ":")):
                text = json.dumps(document, indent=indent, separators=separators)
                # One interaction a line: the way the benchmark's HAR is written.
                text = text.replace('}, {"', '},\n{"')
                oracle = _oracle(text)
                for block in (3, 1 << 20):
                    lines = InteractionLines(_opener(text.encode()), block=block)
                    assert {i: lines.line(i) for i in range(7)} == {
                        i: oracle.get(i) for i in range(7)
                    }


#: Texts json.dumps does not write: escaped keys, a key ending in a newline (which the
#: oracle's ``$`` lets through), trailing commas, a byte order mark, two documents, an
#: interaction whose first newline comes late, digits of another script.
_ODD_TEXTS = [
    '{"log": {"entries": [\n{"respons\\u0065":\n {"b\\u006fdy":\n 1}},\n{"x": 1}]}}',
    '{"interactions": [{"response\\n":\n1, "a": {"response": 2}},\n{"0": 1}]}',
    '[\n{"response": {"content":\n1,},\n},\n[1,\n],\n]',
    '\ufeff{"Entries": [{"ResponseBody":\n"x"}]}',
    '[{"response": 1}]\n[\n{"response":\n2}, 3]',
    '{"http_interactions": [{"request": "' + "r" * 300 + '",\n"response": {"body": 1}}]}',
    '{"\\u0663": {"response": 1},\n"interactions": [1]}',
]


def test_odd_texts_get_the_oracles_lines() -> None:
    for text in _ODD_TEXTS:
        oracle = _oracle(text)
        assert oracle
        for block in (1, 5, 1 << 20):
            lines = InteractionLines(_opener(text.encode()), block=block)
            assert {i: lines.line(i) for i in range(5)} == {i: oracle.get(i) for i in range(5)}


def _recording_files() -> list[Path]:
    files = [*CORPUS.glob("*.json"), *CORPUS.glob("formats/*.json"), *CORPUS.glob("**/*.har")]
    return sorted(files)


@needs_corpus
def test_real_recordings_get_the_oracles_lines() -> None:
    files = _recording_files()
    assert files
    located = 0
    for path in files:
        oracle = _oracle(path.read_text(encoding="utf-8"))
        indices = range(max(oracle, default=-1) + 2)
        locator = Locator()
        found = [locator.locate(_result(path, i)).line for i in indices]
        assert found == [oracle.get(i) for i in indices], path
        # Backwards: each question reads the file again from its start.
        assert [locator.locate(_result(path, i)).line for i in reversed(indices)] == [
            oracle.get(i) for i in reversed(indices)
        ], path
        located += len(oracle)
    assert located > 10


def test_questions_out_of_order_and_across_files(tmp_path: Path) -> None:
    har = {"log": {"entries": [{"response": {"content": {"text": str(i)}}} for i in range(30)]}}
    pretty, compact = tmp_path / "pretty.har", tmp_path / "compact.har"
    pretty.write_text(json.dumps(har, indent=2))
    compact.write_text(json.dumps(har).replace('}}}, {"', '}}},\n{"'))
    zipped = tmp_path / "pretty.har.gz"
    zipped.write_bytes(gzip.compress(pretty.read_bytes()))
    expected = {path: _oracle(path.read_text()) for path in (pretty, compact)}
    expected[zipped] = expected[pretty]
    assert expected[pretty][29] > expected[pretty][0] > 1 and expected[compact][29] == 30
    locator = Locator()
    for path, index in [(pretty, 20), (pretty, 3), (compact, 5), (pretty, 29), (zipped, 7)]:
        for _ in range(2):  # the same question twice in a row
            assert locator.locate(_result(path, index)).line == expected[path][index]
    for index in (25, 2, 28, 0, 29, 30, 1):
        assert locator.locate(_result(compact, index)).line == expected[compact].get(index)
    locator.close()


def test_broken_files_give_no_line_and_no_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    har = {"log": {"entries": [{"response": {"content": {"text": 'a\\"[{'}}}] * 3}}
    text = json.dumps(har, indent=1)
    oracle = _oracle(text)
    path = tmp_path / "cut.har"
    last_item_end = text.rindex("}", 0, text.rindex("]"))
    for cut in range(len(text)):
        path.write_text(text[:cut])
        locator = Locator()
        for index in range(4):
            line = locator.locate(_result(path, index)).line
            # A line only where the whole file has the same one, none for the cut interaction.
            assert line is None or line == oracle[index]
        if cut <= last_item_end:
            assert locator.locate(_result(path, 2)).line is None
    for junk in (b"\xff\xfe{", b"{]", b'{"log": {"entries": [{"response": 1 2}]}}', b"", b"[{"):
        path.write_bytes(junk)
        assert Locator().locate(_result(path, 0)).line is None
    path.write_bytes(b"[1 2]")  # what comes before the break is read
    assert [Locator().locate(_result(path, i)).line for i in (0, 1)] == [1, None]
    # Past the inflation limit: no line, no exception.
    zipped = tmp_path / "big.har.gz"
    zipped.write_bytes(gzip.compress(json.dumps(har).encode() + b" " * 4096))
    monkeypatch.setenv(INFLATED_VARIABLE, "1K")
    assert Locator().locate(_result(zipped, 0)).line is None
    monkeypatch.setenv(INFLATED_VARIABLE, "1M")
    assert Locator().locate(_result(zipped, 2)).line == 1


def test_a_huge_value_is_read_a_block_at_a_time() -> None:
    body = 'x\\"y' * (1 << 20)  # 4 MiB of one string, then one of a nested value
    nested = "[" * 5000 + "]" * 5000
    text = (
        f'{{"log": {{"entries": [\n{{"response": {{"content": {{"text": "{body}"}}}}}},\n'
        f'{{"request": {nested}, "response": {{"body": {nested}}}}},\n{{"response": 1}}]}}}}'
    )
    data = text.encode()
    del text
    tracemalloc.start()
    try:
        lines = InteractionLines(_opener(data), block=1 << 14)
        assert [lines.line(i) for i in range(4)] == [2, 3, 4, None]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # a few blocks, never the 4 MiB value


#: Text of JSON's pieces in any order, the names that count among them.
_JUNK = st.lists(st.sampled_from([*'{}[]":,\\ \n\t0123e.-tnul', '"response"', '"body"'])).map(
    "".join
)


@settings(max_examples=150)
@given(
    _JUNK | st.builds(lambda d, n: _dump(d, [" ", "\n"], True)[:n], _recordings(), st.integers(0)),
    st.sampled_from([1, 3, 1 << 20]),
    st.lists(st.integers(0, 6), max_size=6),
)
def test_any_text_gives_lines_or_none_never_an_exception(
    text: str, block: int, asked: list[int]
) -> None:
    lines = InteractionLines(_opener(text.encode()), block=block)
    for index in asked:
        line = lines.line(index)
        assert line is None or 1 <= line <= text.count("\n") + 1


# -- YAML: only the collections that may hold an interaction's place are walked into ------


def _yaml_lines(data: bytes, passing_over: bool) -> dict[int, int] | str:
    try:
        values = yaml_values(data, into=HOLDS.match if passing_over else None)
        return interaction_lines(values)
    except yaml.YAMLError as exc:
        return type(exc).__name__


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=_recordings(), flow=st.sampled_from([False, True, None]), width=st.integers(20, 120)
)
def test_yaml_lines_passing_over_what_holds_no_interaction_are_those_of_every_node(
    document: Any, flow: bool | None, width: int
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, width=width, allow_unicode=True)
    data = text.encode()
    assert _yaml_lines(data, True) == _yaml_lines(data, False)


@pytest.mark.parametrize(
    "text",
    [
        "interactions:\n- &a {response: {body: 1}}\n- *a\n- {? [x, y] : 1, response: {body: 2}}\n",
        "? {interactions: [1]}\n: 2\ninteractions:\n- response:\n    body: {string: x}\n",
        "- response: {content: [1, {response: 2}]}\n- [response, body]\n- response: 3\n",
        "interactions: [{request: {}, response: {body: [a, b]}}]\n...\n",
    ],
)
def test_yaml_lines_passing_over_aliases_complex_keys_and_flow(text: str) -> None:
    data = text.encode()
    assert _yaml_lines(data, True) == _yaml_lines(data, False)
    assert _yaml_lines(data, True)


@needs_corpus
def test_yaml_lines_passing_over_on_the_real_corpus() -> None:
    files = [p for p in CORPUS.rglob("*") if p.suffix.lower() in (".yaml", ".yml")]
    assert files
    for path in files:
        data = path.read_bytes()
        assert _yaml_lines(data, True) == _yaml_lines(data, False), path
