"""Hostile recordings end in interactions or one clear error, within bounded time and memory.

Library: :class:`RecordingError` naming file and place. CLI: one line, exit 2.
Plugin: one failed item. And no reader ever modifies what it reads.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import threading
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.cli import main
from contract.recordings import RecordingError, read, read_bytes, read_stdin
from contract.recordings import _limits as limits
from contract.schema import operations
from tests.recording_builders import body, har_entry, pause_url, vcr_interaction, write_har

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld"
MIB = 1 << 20
PAUSE = pause_url("ftjob-abc123")
JOB = body()


def cassette(
    *, other_header: str = "text/plain", status: str = "200", uri: str = PAUSE, job: str = JOB
) -> str:
    """A vcrpy cassette: a pause call (line 12 holds its status), then a call of another API
    whose ``X-Other`` header (line 20) holds ``other_header`` as raw YAML."""
    return f"""interactions:
- request:
    body: null
    headers:
      Authorization: [Bearer sk-test-123456789]
    method: POST
    uri: '{uri}'
  response:
    body: {{string: '{job}'}}
    headers:
      Content-Type: [application/json]
    status: {{code: {status}, message: OK}}
- request:
    body: null
    headers: {{}}
    method: GET
    uri: https://api.openai.com/v1/models
  response:
    body: {{string: '{{}}'}}
    headers:
      X-Other: {other_header}
    status: {{code: 200, message: OK}}
version: 1
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def refusal(path: Path, **options: Any) -> RecordingError:
    with pytest.raises(RecordingError) as caught:
        list(read(path, include_other=True, **options))
    return caught.value


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def cli_refuses(capsys: pytest.CaptureFixture[str], path: Path, reason: str) -> None:
    """The CLI exits 2 with one line naming the file and the reason."""
    status, _, err = cli(capsys, str(path))
    assert status == 2
    lines = [line for line in err.splitlines() if path.name in line]
    assert len(lines) == 1 and reason in lines[0], err


# -- crashes that must be errors -------------------------------------------------------------


TAGGED = ["!!int", "!!float x", "!!timestamp 2020-13-45", "!!timestamp x", "!!bool maybe",
          "!!binary a", "!!int 0x"]


@pytest.mark.parametrize("scalar", TAGGED)
def test_a_tagged_scalar_that_does_not_parse_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scalar: str
) -> None:
    # In the headers of a call that would be skipped, and as the pause call's status code.
    for text, line in ((cassette(other_header=scalar), 21), (cassette(status=scalar), 12)):
        path = write(tmp_path, "tagged.yaml", text)
        error = refusal(path)
        assert error.source == str(path)
        assert "is not readable YAML" in error.reason and f"at line {line}" in error.reason
        cli_refuses(capsys, path, f"line {line}")


def test_an_integer_longer_than_python_converts_is_refused_in_any_notation(tmp_path: Path) -> None:
    digits = sys.get_int_max_str_digits()
    for scalar in ("9" * (digits + 1), "0x" + "f" * digits, "1" + ":00" * digits):
        error = refusal(write(tmp_path, "long.yaml", cassette(other_header=scalar)))
        assert f"longer than the limit of {digits} digits" in error.reason
    # Shorter to write, but more digits once converted: as unprintable, so refused too.
    scalar = "0x" + "f" * (digits - 2)
    error = refusal(write(tmp_path, "long.yaml", cassette(other_header=scalar)))
    assert f"has more than the limit of {digits} digits" in error.reason


@pytest.mark.parametrize("code", ["'²'", "'" + "9" * 5000 + "'", "[200]", "{}", "2.5", "true"])
def test_a_status_code_of_any_other_kind_is_refused(tmp_path: Path, code: str) -> None:
    error = refusal(write(tmp_path, "status.yaml", cassette(status=code)))
    assert error.source.endswith("::interaction[0]") and "status" in error.reason


def test_a_url_that_does_not_parse_routes_to_no_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "https://h[/fine_tuning/jobs/j/pause"
    assert operations.route("POST", bad) is None
    path = write(tmp_path, "badurl.yaml", cassette(uri=bad))
    pause, _ = list(read(path, include_other=True))
    assert pause.operation is None and not pause.to_check
    status, _, _ = cli(capsys, str(path))
    assert status == 2  # no pause call at all is an error, not a pass


def nested(depth: int) -> str:
    return "[" * depth + "x" + "]" * depth


def test_a_header_value_nested_990_deep_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "deep.yaml", cassette(other_header=nested(990)))
    error = refusal(path)
    assert f"nested deeper than {limits.MAX_YAML_DEPTH} levels at line 21" in error.reason
    cli_refuses(capsys, path, "nested deeper than")


def test_nesting_is_read_up_to_the_yaml_limit_and_refused_past_it(tmp_path: Path) -> None:
    # The header value sits under five levels: the document, interactions, the
    # interaction, response and headers.
    room = limits.MAX_YAML_DEPTH - 5
    path = write(tmp_path, "limit.yaml", cassette(other_header=nested(room)))
    assert len(list(read(path, include_other=True))) == 2
    path = write(tmp_path, "past.yaml", cassette(other_header=nested(room + 1)))
    assert "nested deeper than" in refusal(path).reason


def test_an_alias_counts_at_the_depth_it_is_used(tmp_path: Path) -> None:
    # Anchored under the document (depth 1 + 96 fits), used under five levels (5 + 96 does not).
    anchored = f"anchored: &deep {nested(limits.MAX_YAML_DEPTH - 4)}\n"
    path = write(tmp_path, "anchor.yaml", anchored + cassette())
    assert len(list(read(path, include_other=True))) == 2
    text = anchored + cassette(other_header="*deep")
    error = refusal(write(tmp_path, "alias-deep.yaml", text))
    assert "alias *deep nests deeper than" in error.reason


def test_an_alias_inside_the_node_it_names_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "loop.yaml", cassette(other_header="&loop [a, *loop]")))
    assert "alias *loop is inside the node it names at line 21" in error.reason


def test_keys_of_any_type_are_read(tmp_path: Path) -> None:
    keys = [
        "1: [x]", "null: [y]", "true: z", "1.5: w", "? !!binary AAE=\n      : v",
        "2020-01-01: u",
    ]
    json_type = "Content-Type: [application/json]"
    text = cassette().replace(json_type, "\n      ".join([json_type, *keys]))
    path = write(tmp_path, "keys.yaml", text)
    pause, _ = list(read(path, include_other=True))
    assert pause.check() == []


def test_a_json_header_nested_as_deep_as_the_decoder_allows_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = har_entry("POST", PAUSE, 200, JOB)
    value: Any = "x"
    for _ in range(500):
        value = [value]
    entry["response"]["headers"].append({"name": "X-Deep", "value": value})
    path = write(tmp_path, "deep.har", json.dumps({"log": {"entries": [entry]}}))
    (interaction,) = read(path)
    assert interaction.check() == []
    assert cli(capsys, str(path))[0] == 0


def test_a_body_like_polly_chunks_but_nested_deep_is_read_as_a_body(tmp_path: Path) -> None:
    text = '["1f8b", ' + "[" * 5000 + "]" * 5000 + "]"
    entry = har_entry("POST", PAUSE, 200, text)
    (interaction,) = read(write(tmp_path, "chunks.har", json.dumps({"log": {"entries": [entry]}})))
    assert [v.keyword for v in interaction.check()] == ["json"]


# -- decompression ---------------------------------------------------------------------------


def gzip_of_zeros(mebibytes: int) -> bytes:
    """A gzip stream of ``mebibytes`` MiB of zeros, built from one compressed MiB repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(bytes(MIB), crc)
    trailer = struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * mebibytes + final + trailer


def gzip_cassette(bodies: list[bytes], alias: bool = False) -> str:
    """Pause calls whose bodies are stored gzip-compressed (``!!binary``, as vcrpy does); with
    ``alias``, every call after the first names the first one's body by a YAML alias."""
    parts = ["interactions:"]
    for index, raw in enumerate(bodies):
        if alias and index:
            string = "*body"
        else:
            encoded = base64.encodebytes(raw).decode()
            block = "".join(f"\n        {line}" for line in encoded.splitlines())
            string = ("&body " if alias else "") + "!!binary |" + block
        parts.append(
            f"""- request:
    method: POST
    uri: '{PAUSE}'
  response:
    status: {{code: 200, message: OK}}
    headers:
      Content-Type: [application/json]
      Content-Encoding: [gzip]
    body:
      string: {string}"""
        )
    return "\n".join([*parts, "version: 1\n"])


def padded_job(mebibytes: int) -> bytes:
    """A conforming job of ``mebibytes`` MiB and a little more (trailing blanks), gzipped."""
    return gzip.compress(JOB.encode() + b" " * (mebibytes * MIB), mtime=0)


def refusal_and_peak(path: Path) -> tuple[RecordingError, int]:
    """The error reading ``path`` raises, and the most memory Python held at once meanwhile."""
    tracemalloc.start()
    try:
        error = refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return error, peak


def test_a_gigabyte_of_gzip_aliased_into_four_calls_is_refused_with_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(limits.INFLATED_VARIABLE, raising=False)  # the default limit
    path = write(tmp_path, "bomb.yaml", gzip_cassette([gzip_of_zeros(1024)] * 4, alias=True))
    assert path.read_text().count("*body") == 3
    assert path.stat().st_size < 2 * MIB
    error, peak = refusal_and_peak(path)
    assert error.source == f"{path}::interaction[0]"
    assert f"past the limit of {limits.MAX_INFLATED_BYTES} bytes" in error.reason
    assert limits.INFLATED_VARIABLE in error.reason
    # The limit is 256 MiB; refusing it never holds more than a few MiB.
    assert peak < 24 * MIB


@pytest.mark.parametrize("alias", [False, True], ids=["four bodies", "one body aliased"])
def test_the_inflation_limit_holds_for_the_whole_file(tmp_path: Path, alias: bool) -> None:
    path = write(tmp_path, "four.yaml", gzip_cassette([padded_job(3)] * 4, alias=alias))
    seen: list[str] = []
    with pytest.raises(RecordingError) as caught:
        for interaction in read(path, max_inflated=8 * MIB):
            seen.append(interaction.name)
    assert seen == ["interaction[0]", "interaction[1]"]
    assert caught.value.source.endswith("::interaction[2]")
    assert f"past the limit of {8 * MIB} bytes" in caught.value.reason
    # Raised: every call is read and conforms.
    assert [i.check() for i in read(path, max_inflated=13 * MIB)] == [[]] * 4


def test_files_read_in_alternation_each_keep_their_own_limit(tmp_path: Path) -> None:
    text = gzip_cassette([padded_job(3)] * 2)
    first, second = write(tmp_path, "a.yaml", text), write(tmp_path, "b.yaml", text)
    pairs = zip(read(first, max_inflated=7 * MIB), read(second, max_inflated=7 * MIB), strict=True)
    assert [(a.check(), b.check()) for a, b in pairs] == [([], [])] * 2


def test_a_compressed_file_and_its_bodies_share_one_limit(tmp_path: Path) -> None:
    text = gzip_cassette([padded_job(3)]).encode() + b"\n#" + b" " * (3 * MIB) + b"\n"
    path = write(tmp_path, "shared.yaml.gz", gzip.compress(text, mtime=0))
    error = refusal(path, max_inflated=5 * MIB)
    assert error.source.endswith("::interaction[0]")  # the file fitted; its body did not
    assert "the gzip-encoded body inflates past" in error.reason
    assert [i.check() for i in read(path, max_inflated=7 * MIB)] == [[]]
    assert "the file inflates past" in refusal(path, max_inflated=MIB).reason


def test_the_limit_is_raised_by_the_environment_or_the_module_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "big.yaml", gzip_cassette([padded_job(2)]))
    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", MIB)
    assert "past the limit of 1048576 bytes" in refusal(path).reason
    monkeypatch.setenv(limits.INFLATED_VARIABLE, "3M")
    assert [i.check() for i in read(path)] == [[]]
    # The parameter wins over both.
    assert "past the limit of 1024 bytes" in refusal(path, max_inflated=1024).reason
    monkeypatch.setenv(limits.INFLATED_VARIABLE, "lots")
    error = refusal(path)
    assert error.source == limits.INFLATED_VARIABLE and "not a size: 'lots'" in error.reason


@pytest.mark.parametrize(
    ("text", "size"),
    [("1048576", MIB), ("512K", 512 << 10), ("256M", 256 * MIB), ("1G", 1 << 30),
     ("2GiB", 2 << 30), ("64mb", 64 * MIB), (" 7 ", 7), ("0", None), ("-1", None),
     ("1.5G", None), ("lots", None), ("", None), ("1T", None)],
)
def test_sizes_are_bytes_or_binary_multiples(text: str, size: int | None) -> None:
    if size is None:
        with pytest.raises(ValueError, match="not a size"):
            limits.parse_size(text)
    else:
        assert limits.parse_size(text) == size


def test_truncated_and_corrupt_compressed_bodies_are_errors(tmp_path: Path) -> None:
    whole = gzip.compress(JOB.encode())
    corrupt = whole[:10] + b"\xff" * 30
    for damaged, reason in ((whole[:-12], "ends early"), (corrupt, "is not valid")):
        path = write(tmp_path, "damaged.yaml", gzip_cassette([damaged]))
        assert f"the gzip-encoded body {reason}" in refusal(path).reason


# -- YAML aliases ----------------------------------------------------------------------------


def billion_laughs() -> str:
    laughs = ["&l0 lol"] + [
        f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)
    ]
    lines = "".join(f"\n      X-Lol-{i}: {value}" for i, value in enumerate(laughs))
    return "lol" + lines


def test_billion_laughs_in_the_headers_of_a_skipped_call_are_refused_early(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "laughs.yaml", cassette(other_header=billion_laughs()))
    error, peak = refusal_and_peak(path)
    assert f"aliases repeat more than {limits.MAX_ALIAS_NODES} nodes" in error.reason
    assert peak < 4 * MIB
    cli_refuses(capsys, path, "aliases repeat")


def test_ten_aliases_to_a_million_element_anchor_are_refused_at_the_first(
    tmp_path: Path,
) -> None:
    anchor = "big: &big [" + ",".join(["a"] * limits.MAX_ALIAS_NODES) + "]\n"
    text = anchor + "".join(f"copy{i}: *big\n" for i in range(10)) + cassette()
    path = write(tmp_path, "anchor.yaml", text)
    assert path.stat().st_size > 2_000_000
    error = refusal(path)
    assert "aliases repeat more than" in error.reason and "at line 2 column" in error.reason


def test_aliases_as_pyyaml_writes_them_for_shared_values_are_read(tmp_path: Path) -> None:
    shared_headers = {"Content-Type": ["application/json"]}
    calls = [vcr_interaction("POST", PAUSE, text=JOB) for _ in range(3)]
    for call in calls:
        call["response"]["headers"] = shared_headers  # one object: PyYAML anchors it
    text = yaml.safe_dump({"interactions": calls, "version": 1})
    assert "&id001" in text and text.count("*id001") == 2
    interactions = list(read(write(tmp_path, "shared.yaml", text)))
    assert [i.check() for i in interactions] == [[]] * 3
    assert all(dict(i.headers or [])["Content-Type"] == "application/json" for i in interactions)


# -- files that are not files ----------------------------------------------------------------


def refused_without_hanging(path: Path) -> RecordingError:
    """The error reading ``path`` raises, from a thread that must end (a hang fails the test)."""
    found: list[BaseException] = []

    def attempt() -> None:
        try:
            list(read(path))
        except BaseException as exc:  # handed to the test thread
            found.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), f"reading {path} hangs"
    assert len(found) == 1 and isinstance(found[0], RecordingError), found
    return found[0]


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert "is not a regular file" in refused_without_hanging(fifo).reason
    cli_refuses(capsys, fifo, "is not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), link):
        assert "is not a regular file" in refused_without_hanging(path).reason
        cli_refuses(capsys, path, "is not a regular file")


def test_a_directory_given_to_read_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path).reason == "is a directory"


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.har"
    with sparse.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)  # no blocks written: a sparse file
    error, peak = refusal_and_peak(sparse)
    assert peak < MIB
    assert error.reason == (
        f"is {limits.MAX_FILE_BYTES + 1} bytes, larger than the limit of "
        f"{limits.MAX_FILE_BYTES} bytes"
    )


def test_standard_input_past_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", len(JOB) + 10)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(JOB.encode())))
    assert [i.check() for i in read_stdin()] == [[]]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(JOB.encode() + b" " * 11)))
    with pytest.raises(RecordingError, match="larger than the limit of"):
        list(read_stdin())


# -- large recordings still work -------------------------------------------------------------


def large_har(path: Path, megabytes: int) -> Path:
    """A HAR of about ``megabytes`` MB: three pause calls among large downloads of other APIs."""
    filler = "x" * MIB
    entries = [
        har_entry("GET", f"https://files.example/{n}", 200, filler)
        for n in range(megabytes)
    ]
    for index, job_id in ((0, "ftjob-a"), (megabytes // 2, "ftjob-b"), (megabytes, "ftjob-c")):
        entries.insert(index, har_entry("POST", pause_url(job_id), 200, body(id=job_id)))
    return write_har(path, entries)


def test_a_20_mb_recording_is_read_whole(tmp_path: Path) -> None:
    path = large_har(tmp_path / "large.har", 20)
    assert path.stat().st_size > 20 * MIB
    found = list(read(path, include_other=True))
    assert len(found) == 23
    assert [(i.job_id, i.check()) for i in found if i.to_check] == [
        ("ftjob-a", []), ("ftjob-b", []), ("ftjob-c", [])
    ]
    packed = write(tmp_path, "large.har.gz", gzip.compress(path.read_bytes(), compresslevel=1))
    assert [i.job_id for i in read(packed)] == ["ftjob-a", "ftjob-b", "ftjob-c"]


def test_bytes_given_directly_are_bounded_the_same_way() -> None:
    data = gzip.compress(JOB.encode() + b" " * (2 * MIB))
    with pytest.raises(RecordingError, match="the file inflates past the limit of 1048576"):
        list(read_bytes(data, "job.json.gz", max_inflated=MIB))
    assert [i.check() for i in read_bytes(data, "job.json.gz")] == [[]]


# -- no input is ever modified ---------------------------------------------------------------


def fingerprints(roots: list[Path]) -> dict[str, tuple[str, int, int]]:
    """SHA-256, size and modification time (ns) of every file under ``roots``."""
    found = {}
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path)] = (digest, info.st_size, info.st_mtime_ns)
    return found


def test_no_input_file_is_ever_modified(capsys: pytest.CaptureFixture[str]) -> None:
    roots = [ROOT / "tests" / "data"] + ([REALWORLD] if REALWORLD.is_dir() else [])
    before = fingerprints(roots)
    assert len(before) > 20
    for name in before:
        try:
            for interaction in read(name, include_other=True):
                interaction.assess()
        except RecordingError:
            pass
    for root in roots:
        main(["check", str(root)])
    main(["check", "--format", "json", *sorted(before)])
    capsys.readouterr()
    assert fingerprints(roots) == before


# -- the plugin ------------------------------------------------------------------------------


def test_the_plugin_makes_each_hostile_file_one_failed_item(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(limits.INFLATED_VARIABLE, "1M")
    hostile = {
        "deep.yaml": cassette(other_header=nested(990)),
        "tagged.yaml": cassette(status="!!int"),
        "laughs.yaml": cassette(other_header=billion_laughs()),
        "loop.yaml": cassette(other_header="&loop [a, *loop]"),
        "bomb.yaml": gzip_cassette([padded_job(2)]),
    }
    folder = pytester.path / "rec"
    folder.mkdir()
    for name, text in hostile.items():
        (folder / name).write_text(text)
    (folder / "good.yaml").write_text(cassette())
    result = pytester.runpytest_inprocess("--contract-recordings", "rec", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=len(hostile))
    output = result.stdout.str()
    for reason in ("nested deeper than", "!!int '' does not parse", "aliases repeat more than",
                   "is inside the node it names", "inflates past the limit of 1048576"):
        assert reason in output
    for crash in ("INTERNALERROR", "RecursionError", "Traceback"):
        assert crash not in output
