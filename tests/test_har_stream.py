"""Large HAR files are read an entry at a time, with the same interactions as a whole read."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from contract.recordings import Interaction, RecordingError, _limits, read
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
