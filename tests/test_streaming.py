"""JSON Lines are read a line at a time: same lines as reading whole, bounded lines, lazy reads."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import threading
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract.recordings import RecordingError, _limits, read, read_bytes, read_lines
from contract.recordings._jsonl import numbered, sniff

# Lines without a newline in them; some blank, some not JSON (a reader must not care).
_LINE = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b" "))
_LINES = st.lists(st.one_of(_LINE, st.sampled_from([b"", b"  ", b'{"id": 1}', b"\r"])), max_size=30)


def _write(tmp: Path, name: str, lines: list[bytes], final_newline: bool) -> Path:
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path = tmp / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


@settings(max_examples=60, deadline=None)
@given(lines=_LINES, final_newline=st.booleans(), compressed=st.booleans())
@example(lines=[b"\x1f\x8b"], final_newline=False, compressed=False)
def test_streamed_lines_are_the_lines_of_the_whole_file(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    final_newline: bool,
    compressed: bool,
) -> None:
    tmp = tmp_path_factory.mktemp("lines")
    name = "traffic.jsonl.gz" if compressed else "traffic.jsonl"
    path = _write(tmp, name, lines, final_newline)
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    whole = list(enumerate(data.split(b"\n"), start=1))
    if whole and whole[-1][1] == b"":
        whole.pop()  # the split after a final newline is no line
    if not compressed and data.startswith(b"\x1f\x8b"):
        # Compression is recognised by content: the gzip magic makes it a (broken) gzip file.
        with pytest.raises(RecordingError, match="compressed data"):
            list(read_lines(path))
        return
    assert list(read_lines(path)) == whole


@settings(max_examples=40, deadline=None)
@given(lines=_LINES)
def test_reading_a_file_streamed_gives_what_reading_it_in_memory_gives(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    path = _write(tmp_path_factory.mktemp("same"), "p.jsonl", lines, True)
    data = path.read_bytes()
    try:
        # In memory as read_bytes has it: a file that starts like gzip is gzip, whatever
        # its suffix (so bytes such as b"\x1f\x8b" on the first line make it one).
        in_memory = [(i.source, i.body) for i in read_bytes(data, path.name, str(path))]
    except RecordingError as exc:
        with pytest.raises(RecordingError) as streamed:
            list(read(path))
        # The same file and the same kind of problem (the two inflaters word details apart).
        assert str(streamed.value).split(" (")[0] == str(exc).split(" (")[0]
        return
    assert [(i.source, i.body) for i in read(path)] == in_memory


def test_a_line_past_the_limit_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits, "MAX_LINE_BYTES", 64)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"a": 1}\n\n' + b'{"pad": "' + b"x" * 100 + b'"}\n{"b": 2}\n')
    found = read_lines(path)
    assert next(found) == (1, b'{"a": 1}')
    assert next(found) == (2, b"")
    with pytest.raises(RecordingError) as error:
        next(found)
    assert str(error.value) == f"{path}:3: line is longer than the limit of 64 bytes"


def test_a_line_exactly_at_the_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits, "MAX_LINE_BYTES", 10)
    path = tmp_path / "edge.jsonl"
    path.write_bytes(b"0123456789\n0123456789")
    assert list(read_lines(path)) == [(1, b"0123456789"), (2, b"0123456789")]


class _Endless(io.RawIOBase):
    """An endless source of JSON lines that counts what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        line = b'{"object": "fine_tuning.job"}\n'
        size = len(buffer) - len(buffer) % len(line)
        buffer[:size] = line * (size // len(line))
        self.served += size
        return size


def test_lines_are_read_as_needed_not_ahead() -> None:
    source = _Endless()
    handle = io.BufferedReader(source, buffer_size=8192)
    first = list(islice(numbered(handle, "endless"), 3))
    assert [number for number, _ in first] == [1, 2, 3]
    assert source.served <= 2 * 8192  # one buffer or two, never the (endless) rest


def test_standard_input_holding_json_lines_is_streamed() -> None:
    source = _Endless()
    found, rest = sniff(io.BufferedReader(source, buffer_size=8192), "<stdin>")
    assert found is not None and rest == b""
    assert [n for n, _ in islice(found, 5)] == [1, 2, 3, 4, 5]
    assert source.served <= 2 * 8192


@pytest.mark.parametrize(
    ("data", "streamed"),
    [
        (b'{"a": 1}\n{"b": 2}\n', True),
        (b'\n\n{"a": 1}\n  \n{"b": 2}', True),
        (b'{"a": 1}\n\n   \n', False),  # one document, blank lines after it
        (b'{\n  "a": 1\n}\n', False),  # pretty-printed: its first line is not JSON alone
        (b"not json\n{}\n", False),
        (gzip.compress(b'{"a": 1}\n{"b": 2}\n', mtime=0), False),
        (b"", False),
    ],
    ids=["lines", "blank-lines-between", "one-document", "pretty", "not-json", "gzip", "empty"],
)
def test_standard_input_is_json_lines_only_when_its_first_line_is_json(
    data: bytes, streamed: bool
) -> None:
    found, rest = sniff(io.BufferedReader(io.BytesIO(data)), "<stdin>")
    assert (found is not None) is streamed
    if found is None:
        assert rest == data  # read whole, nothing lost
    else:
        lines = list(found)
        assert lines == list(enumerate(data.split(b"\n"), start=1))[: len(lines)]
        assert b"\n".join(text for _, text in lines).strip() == data.strip()


def test_a_compressed_file_inflating_past_its_budget_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"{}\n" * 100_000))
    found = read_lines(path, max_inflated=1000)
    with pytest.raises(RecordingError, match="inflates past the limit of 1000 bytes"):
        list(found)


def test_a_truncated_compressed_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n' * 1000)[:-20])
    with pytest.raises(RecordingError) as error:
        list(read_lines(path))
    assert str(error.value) == f"{path}: the file ends early (truncated compressed data)"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(RecordingError, match="not a regular file"):
        list(read_lines(fifo))


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "contract", "check", *args]


def test_results_show_before_the_input_ends() -> None:
    """The first invalid line is reported while standard input is still open."""
    process = subprocess.Popen(
        _cli("-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    try:
        # Two JSON lines make it JSON Lines; keep feeding lines (stdin stays open)
        # until the report of line 2 arrives or a generous bound passes.
        process.stdin.write(b'{"id": 1}\n{"id": 2}\n')
        for _ in range(600):
            process.stdin.write(b'{"id": 3}\n')
            process.stdin.flush()
            reader.join(timeout=0.1)
            if not reader.is_alive():
                break
        assert got and got[0].startswith(b"<stdin>:1: ")
    finally:
        process.kill()
        process.wait()
        reader.join(timeout=5)
