"""VCR cassettes (vcrpy / pytest-recording YAML): safe loading, gzip and binary bodies."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from contract.cli import main
from contract.recordings import SUFFIXES, RecordingError, read
from contract.schema._paths import example_recordings_dir
from tests.recording_builders import (
    DATA,
    FIXTURE_KEY,
    body,
    digest,
    pause_url,
    vcr_interaction,
    write_cassette,
)


def test_yaml_suffixes_are_registered() -> None:
    assert {".yaml", ".yml"} <= set(SUFFIXES)


def test_reads_the_mixed_cassette() -> None:
    path = DATA / "cassette-mixed.yaml"
    before = digest(path)
    every = list(read(path, include_other=True))
    assert [(i.name, i.method, i.status, i.is_pause, i.job_id) for i in every] == [
        ("interaction[0]", "POST", 200, True, "ftjob-mix1"),
        ("interaction[1]", "GET", 200, False, None),
        ("interaction[2]", "POST", 200, True, "ftjob-mix2"),
    ]
    first, third = read(path)
    # Stored gzip-compressed as !!binary: decompressed before the check.
    assert isinstance(first.body, bytes) and first.body.startswith(b"{")
    assert first.check() == []
    assert [(v.path, v.keyword) for v in third.check()] == [
        ("/hyperparameters/n_epochs", "maximum")
    ]
    assert all(FIXTURE_KEY not in repr(i) for i in every)
    assert digest(path) == before


def test_deflate_and_plain_text_bodies(tmp_path: Path) -> None:
    text = body(id="ftjob-d")
    deflated = vcr_interaction("POST", pause_url("ftjob-d"), text=zlib.compress(text.encode()))
    deflated["response"]["headers"]["Content-Encoding"] = ["deflate"]
    # Recorded with decode_compressed_response: text body, header kept by some tools.
    plain = vcr_interaction(
        "POST",
        pause_url("ftjob-d"),
        text=text,
        headers={"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]},
    )
    path = write_cassette(tmp_path / "c.yml", [deflated, plain])
    assert [i.check() for i in read(path)] == [[], []]


def test_status_as_a_bare_integer_and_header_values_as_strings(tmp_path: Path) -> None:
    entry = vcr_interaction("POST", pause_url("ftjob-abc123"), text=body())
    entry["response"]["status"] = 200
    entry["response"]["headers"] = {"Content-Type": "application/json"}
    (interaction,) = read(write_cassette(tmp_path / "c.yaml", [entry]))
    assert interaction.check() == []


def test_unknown_content_encoding_is_an_error_naming_the_interaction(tmp_path: Path) -> None:
    entry = vcr_interaction("POST", pause_url("ftjob-abc123"), text=b"\x00\x01")
    entry["response"]["headers"]["Content-Encoding"] = ["br"]
    path = write_cassette(tmp_path / "c.yaml", [entry])
    with pytest.raises(
        RecordingError,
        match=r"c\.yaml::interaction\[0\]: the body is br-encoded; only gzip and deflate",
    ):
        list(read(path))


def test_corrupt_gzip_is_an_error(tmp_path: Path) -> None:
    entry = vcr_interaction("POST", pause_url("ftjob-abc123"), text=body(), encoding="gzip")
    entry["response"]["body"]["string"] = gzip.compress(b"{}")[:12]
    with pytest.raises(
        RecordingError, match=r"gzip-encoded body (ends early|is not valid compressed data)"
    ):
        list(read(write_cassette(tmp_path / "c.yaml", [entry])))


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f"interactions: !!python/object/apply:os.system\n  args: ['touch {marker}']\n")
    with pytest.raises(RecordingError, match=r"evil\.yaml: holds Python object tags"):
        list(read(path))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "version: 1\n",
            "is not a recording in a layout this toolkit reads (a mapping with keys 'version'",
        ),
        ("- just\n- a list\n", "is not a recording in a layout this toolkit reads (a list of 2"),
        (
            "interactions:\n- request: {method: POST}\n  response: {}\n",
            "looks like a recording (a mapping with keys 'interactions') but is in no layout",
        ),
    ],
)
def test_not_a_cassette(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(RecordingError) as caught:
        list(read(path))
    assert reason in str(caught.value) and str(caught.value).startswith(str(path))


def test_broken_yaml_names_file_and_place() -> None:
    path = DATA / "broken.yaml"
    with pytest.raises(RecordingError) as caught:
        list(read(path))
    assert str(caught.value).startswith(f"{path}: is not readable YAML (")
    assert "line 5" in str(caught.value)


def test_bundled_examples_include_both_new_formats_and_conform(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = {p.name for p in example_recordings_dir().iterdir()}
    assert {"pause.har", "pause-cassette.yaml"} <= names
    assert main(["check", "-v"]) == 0
    out = capsys.readouterr().out
    assert "pause.har::interaction[1]: ok" in out
    assert "pause-cassette.yaml::interaction[0]: ok" in out
    # The bundled files also hold a retrieve and a list call: jobs operations, checked too.
    assert "pause.har::interaction[0]: ok" in out
    assert "pause-cassette.yaml::interaction[1]: ok (list page of" in out
