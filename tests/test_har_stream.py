"""Large HAR files are read an entry at a time, with the same interactions as a whole read."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.recordings import Interaction, RecordingError, _limits, har, read
from contract.reports._locate import interaction_lines, json_values
from tests.recording_builders import API, body, gzipped, har_entry, pause_url, write_har

REPO = Path(__file__).resolve().parent.parent
CORPUS_HARS = [
    REPO / "contract" / "_data" / "recordings" / "pause.har",
    REPO.parent / "shared" / "realworld" / "formats" / "polly-har-jest-node-fetch-user.har",
]


def _entries() -> list[dict[str, object]]:
    # Polly.JS keeps a compressed body as a JSON array of hex chunks.
    chunks = json.dumps([gzipped(body(id="ftjob-gz")).hex()])
    compressed = har_entry(
        "POST", pause_url("ftjob-gz"), text=chunks, headers={"Content-Encoding": "gzip"}
    )
    return [
        har_entry("POST", pause_url("ftjob-abc123"), text=body()),
        har_entry("POST", pause_url("ftjob-2"), text=body(id="ftjob-2", status="paused")),
        har_entry("GET", f"{API}/models", text='{"data": []}'),
        har_entry("POST", pause_url("ftjob-3"), text=body(id="ftjob-3"), base64_body=True),
        har_entry("POST", pause_url("ftjob-4"), status=0),
        har_entry("GET", f"{API}/fine_tuning/jobs/ftjob-5", text=body(id="ftjob-5")),
        compressed,
    ]


def _read(path: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch) -> list[Interaction]:
    threshold = 0 if streamed else _limits.MAX_FILE_BYTES + 1
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", threshold)
    return list(read(path, include_other=True))


@pytest.mark.parametrize(
    "path",
    [
        CORPUS_HARS[0],
        pytest.param(
            CORPUS_HARS[1],
            marks=pytest.mark.skipif(
                not CORPUS_HARS[1].is_file(), reason="../shared is not beside this checkout"
            ),
        ),
        None,
    ],
    ids=["bundled", "polly", "built"],
)
def test_a_streamed_har_gives_what_the_whole_read_gives(
    path: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path is None:
        path = write_har(tmp_path / "calls.har", _entries())
    whole = _read(path, False, monkeypatch)
    streamed = _read(path, True, monkeypatch)
    assert whole, "the file holds interactions"
    assert streamed == whole
    assert [i.assess().violations for i in streamed] == [i.assess().violations for i in whole]


def test_entries_are_read_as_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries before a broken place are checked; a whole read refuses the file at once."""
    path = write_har(tmp_path / "cut.har", _entries()[:2])
    text = path.read_text()
    path.write_text(text[: text.rindex("]")] + ', {"request": ')  # the file ends early
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", 0)
    found = read(path)
    assert next(found).source == f"{path}::interaction[0]"
    assert next(found).source == f"{path}::interaction[1]"
    with pytest.raises(RecordingError, match="is not a HAR file \\(not JSON"):
        next(found)
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", _limits.MAX_FILE_BYTES + 1)
    with pytest.raises(RecordingError, match="is not a HAR file \\(not JSON"):
        next(read(path))


def _outcome(path: Path) -> object:
    try:
        return list(read(path, include_other=True))
    except RecordingError as exc:
        return str(exc)


@pytest.mark.parametrize(
    "text", ['{"log": {"entries": []}}', '{"log": {}}', '{"interactions": []}', "[1, 2"]
)
def test_a_large_file_with_no_entry_is_judged_by_the_whole_read(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "odd.har"
    path.write_text(text)
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", _limits.MAX_FILE_BYTES + 1)
    whole = _outcome(path)
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", 0)
    assert _outcome(path) == whole


def _oracle(text: str) -> dict[int, int]:
    return interaction_lines(json_values(text))


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        for interaction in read(path):
            interaction.assess()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_har_is_read_in_memory_far_below_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filler = "x" * 20_000  # a long unknown property in each body
    entries = [
        har_entry("POST", pause_url(f"ftjob-{i}"), text=body(id=f"ftjob-{i}", note=filler))
        for i in range(600)
    ]
    path = write_har(tmp_path / "big.har", entries)
    size = path.stat().st_size
    assert size > 12_000_000
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", 0)
    streamed = _peak(path)
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", _limits.MAX_FILE_BYTES + 1)
    whole = _peak(path)
    assert whole > size  # the whole read holds the file and its decoded document
    assert streamed < size / 10


# -- one entry per line: read a line at a time, as ijson reads it ---------------------------

_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=1 - 2**63, max_value=2**63 - 1),  # (beyond: see the test below)
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
_HEADS = [
    b'{"log": {"version": "1.2", "entries": [',
    b'{"log": {"entries": [',
    b'{"log": {"creator": {"name": "a\\"b"}, "entries": [',  # an escape: ijson reads it
    b'{"log": {"entries": [1], "entries": [',  # a name twice: ijson reads both
    b'{"log": {"entr\\u0069es": [3], "entries": [',  # the same name, escaped
    b'{"log": {"entries": [2]}, "log": {"entries": [',  # log twice
    b'{"comment": "", "log": {"entries": [',  # more than log at the root
    b'{"log": {"entries": [ ',
]
_CLOSINGS = [
    *(b"\n]}}\n", b",\n]}}\n", b"\n]}}", b"\n]\n}\n}\n"),
    *(b'\n], "pages": []}}\n', b"\n]}} x", b"\n]}}]"),
]


def _ijson_reads(data: bytes) -> tuple[list[object], str]:
    import ijson

    found: list[object] = []
    try:
        found.extend(ijson.items(io.BytesIO(data), "log.entries.item", use_float=True))
    except ijson.JSONError as exc:
        return found, f"{type(exc).__name__}: {exc}"
    return found, ""


def _with_lines(data: bytes) -> tuple[tuple[list[object], str], list[int | None]]:
    """What the reader gives: the entries and how it stopped, and the line of each."""
    import ijson

    found: list[tuple[object, int | None]] = []
    error = ""
    try:
        found.extend(har._entries(io.BytesIO(data)))
    except ijson.JSONError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return ([entry for entry, _ in found], error), [line for _, line in found]


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(st.one_of(_VALUE, st.dictionaries(st.text(max_size=4), _VALUE)), max_size=6),
    head=st.sampled_from(_HEADS),
    closing=st.sampled_from(_CLOSINGS),
    joiner=st.sampled_from([b",\n", b",\n\n", b"\n, ", b"\n", b",,\n", b" ,\n"]),
    ascii_only=st.booleans(),
    indented=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_a_har_of_one_entry_per_line_gives_what_ijson_gives(
    entries: list[object],
    head: bytes,
    closing: bytes,
    joiner: bytes,
    ascii_only: bool,
    indented: int | None,
    cut: int | None,
) -> None:
    lines = []
    for index, entry in enumerate(entries):
        text = json.dumps(entry, ensure_ascii=ascii_only, indent=1 if index == indented else None)
        lines.append(text.encode())
    data = head + b"\n" + joiner.join(lines) + closing
    if cut is not None:
        data = data[: cut % (len(data) + 1)]  # a file that stops anywhere
    read, given = _with_lines(data)
    assert read == _ijson_reads(data)
    # A line given is the one the entry is on, alone; it is the line the report would
    # find by reading the file again.
    rows = data.split(b"\n")
    for entry, line in zip(read[0], given, strict=True):
        if line is not None:
            assert orjson.loads(rows[line - 1].strip().removesuffix(b",")) == entry
    try:
        text = data.decode()
        json.loads(text)
    except ValueError:
        return
    oracle = _oracle(text)
    known = {index: line for index, line in enumerate(given) if line is not None}
    assert known == {index: oracle[index] for index in known}


def test_the_proxy_har_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    from contract.testing._har_writer import HarWriter

    writer = HarWriter(tmp_path / "proxy.har", comment="recorded by the proxy")
    entries = [{"n": n, "request": {"url": f"{API}/x"}} for n in range(3)]
    for entry in entries:
        writer.add(entry)
    writer.close()
    with (tmp_path / "proxy.har").open("rb") as handle:
        lines = har._one_per_line(handle)
        assert [entry for entry, _ in lines] == entries
    with (tmp_path / "proxy.har").open("rb") as handle:
        finished = har._one_per_line(handle)
        for _ in entries:
            next(finished)
        with pytest.raises(StopIteration) as stop:
            next(finished)
    assert stop.value.value is None  # read to its end: ijson never read it


@pytest.mark.parametrize(
    ("number", "read"), [(b"18446744073709551616", 2.0**64), (b"-9223372036854775808", -(2**63))]
)
def test_an_integer_ijson_refuses_on_a_line_of_its_own_is_read(number: bytes, read: float) -> None:
    data = b'{"log": {"entries": [\n{"time": ' + number + b', "n": 1}\n]}}\n'
    assert _ijson_reads(data)[1].startswith("IncompleteJSONError: parse error: integer overflow")
    assert _with_lines(data) == (([{"time": read, "n": 1}], ""), [2])


def test_a_streamed_har_names_the_lines_reading_it_again_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text report's line of a call the reader saw on a line of its own is the line
    the report would find by reading the file again, and the file is not read again."""
    import dataclasses

    from contract.engine.results import Result
    from contract.engine.serial import check_file
    from contract.reports._locate import Locator
    from contract.testing._har_writer import HarWriter

    path = tmp_path / "proxy.har"
    writer = HarWriter(path, comment="recorded by the proxy")
    for n in range(6):
        broken = n % 2 == 1  # a string where an integer belongs
        text = body(id=f"ftjob-{n}", created_at="soon") if broken else body(id=f"ftjob-{n}")
        writer.add(har_entry("POST", pause_url(f"ftjob-{n}"), text=text))
    writer.close()
    monkeypatch.setattr(_limits, "STREAM_HAR_BYTES", 0)
    failed = [e for e in check_file(path) if isinstance(e, Result) and e.failed]
    assert [r.name for r in failed] == ["interaction[1]", "interaction[3]", "interaction[5]"]
    rows = path.read_bytes().split(b"\n")
    for result in failed:
        assert result.body_line is not None
        job = result.name.removeprefix("interaction[").removesuffix("]")
        assert f"/ftjob-{job}/pause".encode() in rows[result.body_line - 1]
    again = [Locator().locate(dataclasses.replace(r, body_line=None)).line for r in failed]
    assert [r.body_line for r in failed] == again
    monkeypatch.setattr(Locator, "_interaction_line", None)  # reading again would fail
    assert [Locator().locate(r).line for r in failed] == again
