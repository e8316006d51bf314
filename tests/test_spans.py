"""Workers read their own lines: a JSON Lines file cut into spans at line ends gives, read
span after span, exactly the lines and refusals of reading it a line at a time."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract.recordings import RecordingError, _jsonl, _limits, file_spans, span_lines
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
    """The lines of every span in order, then the refusal met, if any; no span may
    follow a refusal."""
    found: list[object] = []
    spans = _jsonl.file_spans(path, "f", size)
    assert spans is not None
    try:
        for span in spans:
            found.extend(span_lines(path, "f", span))
    except RecordingError as exc:
        found.append(str(exc))
        assert next(spans, None) is None
    return found


@settings(max_examples=150, deadline=None)
@given(
    lines=_LINES,
    final_newline=st.booleans(),
    size=st.integers(min_value=1, max_value=80),
    block=st.integers(min_value=1, max_value=40),
)
@example(lines=[b"x" * (_LIMIT + 1)], final_newline=False, size=1, block=40)
@example(lines=[b"x" * _LIMIT, b"y" * _LIMIT], final_newline=True, size=1, block=5)
@example(lines=[b"a", b"x" * (_LIMIT + 1), b"b"], final_newline=True, size=1, block=3)
@example(lines=[b"", b" ", b""], final_newline=True, size=1, block=1)
def test_spans_read_in_order_are_the_lines_read_one_at_a_time(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    final_newline: bool,
    size: int,
    block: int,
) -> None:
    path = tmp_path_factory.mktemp("spans") / "traffic.jsonl"
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    if data.startswith(b"\x1f\x8b"):
        data = b" " + data  # (a gzip magic makes it a compressed file: another test)
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_limits, "MAX_LINE_BYTES", _LIMIT)
        patch.setattr(_jsonl, "_BLOCK", block)
        assert _span_after_span(path, size) == _one_at_a_time(path)


def test_spans_end_at_line_ends_and_cover_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_jsonl, "_BLOCK", 1000)
    path = tmp_path / "traffic.jsonl"
    data = b"".join(b'{"n": %d}\n' % n for n in range(5000))
    path.write_bytes(data)
    spans = list(_jsonl.file_spans(path, "f", 4096) or [])
    assert len(spans) > 5
    assert all(4096 <= span.end - span.start < 4096 + 1000 for span in spans if span.end)
    assert spans[0].start == 0 and spans[-1].end in (None, len(data))
    for before, after in itertools.pairwise(spans):
        assert before.end == after.start
        assert data[after.start - 1 : after.start] == b"\n"
        assert after.first == data[: after.start].count(b"\n") + 1


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
