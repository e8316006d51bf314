"""Workers read and number their own lines: a JSON Lines file cut into spans at line ends
gives, each span read on its own and the spans joined in order, exactly the lines,
numbers and refusals of reading it a line at a time."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract.recordings import (
    Joined,
    RecordingError,
    SpanLines,
    _jsonl,
    _limits,
    file_spans,
)
from contract.recordings.payloads import nonblank
from tests.helpers import minimal_job
from tests.test_bulk import _check

_LIMIT = 12  # the line bound in these tests, so that lines over it are common
_LINE = st.binary(max_size=2 * _LIMIT).map(lambda b: b.replace(b"\n", b" "))
_LINES = st.lists(st.one_of(_LINE, st.sampled_from([b"", b"  ", b"\r", b"{}"])), max_size=25)


def _one_at_a_time(path: Path) -> list[object]:
    """The non-blank lines as the serial reader gives them, then its refusal if any."""
    found: list[object] = []
    try:
        found.extend(nonblank(_jsonl.file_lines(path, "f"), "f"))
    except RecordingError as exc:
        found.append(str(exc))
    return found


def _span_after_span(path: Path, size: int) -> list[object]:
    """Every span read on its own, numbered from 1, then joined in order: the lines
    renumbered in the file, and the refusal met, if any; nothing after it."""
    found: list[object] = []
    spans = _jsonl.file_spans(path, "f", size)
    assert spans is not None
    joined = Joined("f")
    for span in spans:
        read = SpanLines(path, "f", span)
        lines = list(read)  # (read before the earlier spans are joined, as a worker would)
        assert [n for n, _ in lines] == sorted({n for n, _ in lines})
        if not joined.stopped:
            found.extend((joined.number(n), text) for n, text in lines)
        error = joined.close(read.lines, read.content, read.refused, read.failed, span.end is None)
        if error is not None:
            found.append(error)
    return found


@settings(max_examples=150, deadline=None)
@given(lines=_LINES, final_newline=st.booleans(), size=st.integers(min_value=1, max_value=80))
@example(lines=[b"x" * (_LIMIT + 1)], final_newline=False, size=1)
@example(lines=[b"x" * _LIMIT, b"y" * _LIMIT], final_newline=True, size=1)
@example(lines=[b"a", b"x" * (_LIMIT + 1), b"b"], final_newline=True, size=1)
@example(lines=[b"a", b"x" * (_LIMIT + 1), b"b"], final_newline=True, size=30)
@example(lines=[b"", b" ", b""], final_newline=True, size=1)
@example(lines=[], final_newline=False, size=1)
def test_spans_joined_in_order_are_the_lines_read_one_at_a_time(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], final_newline: bool, size: int
) -> None:
    path = tmp_path_factory.mktemp("spans") / "traffic.jsonl"
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    if data.startswith(b"\x1f\x8b"):
        data = b" " + data  # (a gzip magic makes it a compressed file: another test)
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_limits, "MAX_LINE_BYTES", _LIMIT)
        assert _span_after_span(path, size) == _one_at_a_time(path)


def test_spans_end_at_the_first_line_end_after_each_cut_and_cover_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "traffic.jsonl"
    data = b"".join(b'{"n": %d}\n' % n for n in range(5000))
    path.write_bytes(data)
    spans = list(_jsonl.file_spans(path, "f", 4096) or [])
    assert len(spans) > 5
    assert spans[0].start == 0 and spans[-1].end is None
    for before, after in itertools.pairwise(spans):
        assert before.end == after.start
        assert before.end is not None and before.end - before.start >= 4096
        # (the first line end from the cut on: no line end between the cut and it)
        assert b"\n" not in data[before.start + 4095 : before.end - 1]
        assert data[before.end - 1 : before.end] == b"\n"


def test_a_compressed_file_has_no_spans(tmp_path: Path) -> None:
    named = tmp_path / "traffic.jsonl.gz"
    named.write_bytes(gzip.compress(b"{}\n{}\n"))
    by_content = tmp_path / "traffic.jsonl"
    by_content.write_bytes(gzip.compress(b"{}\n"))
    assert file_spans(named) is None
    assert file_spans(by_content) is None


def test_a_missing_file_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"nothing\.jsonl"):
        file_spans(tmp_path / "nothing.jsonl")


@pytest.mark.parametrize("case", ["a line over the bound", "blank lines only"])
def test_two_processes_refuse_what_one_refuses(tmp_path: Path, case: str) -> None:
    path = tmp_path / "traffic.jsonl"
    # Conforming jobs (cheap to check), enough for several spans before the long line,
    # and an invalid one in each span (a result in the output); more spans after it.
    job = (json.dumps(minimal_job()) + "\n").encode()
    broken = (json.dumps(minimal_job(status="exploded")) + "\n").encode()
    if case == "blank lines only":
        path.write_bytes(b"\n  \n\r\n" * 1000)
    else:  # the bound is the real one: workers do not see a patched module
        long = b'{"pad": "' + b"x" * _limits.MAX_LINE_BYTES + b'"}\n'
        path.write_bytes((job * 999 + broken) * 9 + long + job * 4000)
        assert path.stat().st_size > 3 * _jsonl.SPAN_BYTES + _limits.MAX_LINE_BYTES
    one = _check("--jobs", "1", str(path))
    two = _check("--jobs", "2", str(path))
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    expected = "every line is blank" if case == "blank lines only" else ":9001: line is longer"
    assert expected in one.stderr
    assert one.returncode == 2
    if case == "a line over the bound":  # the lines before it were checked, none after
        assert one.stdout.count('"exploded"') == 9
        assert one.stdout.splitlines()[-1].startswith("checked 9000 payloads")


def _result(label: str, number: int) -> object:
    from contract.engine.results import Result
    from contract.recordings import payloads

    return Result.of(payloads.line(label, number, b"[]"))


def test_stretches_joined_are_numbered_in_their_file_and_stop_at_an_error() -> None:
    from contract.engine._work import Spanned, joined
    from contract.engine.results import Notice, Result

    def stretch(label: str, numbers: list[int], lines: int, **rest: object) -> Spanned:
        found = tuple(_result(label, n) for n in numbers)
        fields = {"content": True, "refused": None, "failed": None, "last": False, **rest}
        return Spanned(label, found, tuple(numbers), lines, **fields)

    events = list(
        joined(
            [
                stretch("a", [2], 5),
                stretch("b", [1], 3, last=True),  # (another file between: its own numbers)
                stretch("a", [1, 4], 4),
                stretch("a", [3], 6, failed="a: disk error"),
                stretch("a", [1], 2),  # (after the error: dropped)
                stretch("a", [], 0, last=True),
                stretch("c", [], 3, content=False),
                stretch("c", [], 1, content=False, last=True),
            ]
        )
    )
    named = [(e.source, e.name) if isinstance(e, Result) else e for e in events]
    assert named == [
        ("a:2", "line[2]"),
        ("b:1", "line[1]"),
        ("a:6", "line[6]"),
        ("a:9", "line[9]"),
        ("a:12", "line[12]"),
        Notice("error", "a: disk error"),
        Notice("error", "c: holds no payloads (every line is blank)"),
    ]
