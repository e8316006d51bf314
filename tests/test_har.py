"""HAR 1.2 recordings: pause entries found, bodies decoded, bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.cli import main
from contract.recordings import SUFFIXES, RecordingError, read
from tests.recording_builders import (
    DATA,
    FIXTURE_KEY,
    body,
    digest,
    har_entry,
    pause_url,
    write_har,
)


def test_har_suffix_is_registered() -> None:
    assert ".har" in SUFFIXES


def test_reads_every_entry_and_flags_the_pause_calls() -> None:
    path = DATA / "pause-mixed.har"
    before = digest(path)
    every = list(read(path, include_other=True))
    assert [(i.name, i.method, i.is_pause, i.job_id) for i in every] == [
        ("interaction[0]", "POST", True, "ftjob-har1"),
        ("interaction[1]", "GET", False, None),
        ("interaction[2]", "POST", True, "ftjob-har3"),
    ]
    assert [i.source for i in read(path)] == [
        f"{path}::interaction[0]",
        f"{path}::interaction[2]",
    ]
    assert digest(path) == before


def test_base64_body_is_decoded_and_checked() -> None:
    first, third = read(DATA / "pause-mixed.har")
    assert isinstance(first.body, bytes) and first.body.startswith(b"{")
    assert first.check() == []
    # A body for another job than the request paused.
    assert [(v.path, v.keyword) for v in third.check()] == [("/id", "job-id")]


def test_request_headers_are_kept_without_credentials() -> None:
    for interaction in read(DATA / "pause-mixed.har", include_other=True):
        assert FIXTURE_KEY not in repr(interaction)
        assert FIXTURE_KEY not in str(interaction.request_headers)
        assert ("Authorization", "[REDACTED]") in list(interaction.request_headers or [])


def test_other_entries_are_never_decoded(tmp_path: Path) -> None:
    # An unrelated entry with a broken base64 body does not stop the file.
    other = har_entry("GET", "https://cdn.example/logo.png", text="***", base64_body=True)
    other["response"]["content"]["text"] = "not base64!"
    path = write_har(
        tmp_path / "x.har", [other, har_entry("POST", pause_url("ftjob-abc123"), text=body())]
    )
    assert [i.name for i in read(path)] == ["interaction[1]"]


def test_entry_saved_without_content_fails_the_check(tmp_path: Path) -> None:
    path = write_har(tmp_path / "x.har", [har_entry("POST", pause_url("ftjob-abc123"), text=None)])
    (interaction,) = read(path)
    assert [v.keyword for v in interaction.check()] == ["json"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-a-har.har", "is not a HAR file (no log.entries list)"),
        ("truncated.har", "is not a HAR file (not JSON: ends early"),
    ],
)
def test_unreadable_files_raise_one_line_naming_the_file(name: str, reason: str) -> None:
    path = DATA / name
    with pytest.raises(RecordingError) as caught:
        list(read(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: {reason}")
    assert "\n" not in message


def test_bad_entries_are_named(tmp_path: Path) -> None:
    entry = har_entry("POST", pause_url("ftjob-abc123"), text="e30=", base64_body=True)
    entry["response"]["content"]["text"] = "%%%"
    path = write_har(tmp_path / "x.har", [har_entry("GET", "https://x/", text="{}"), entry])
    with pytest.raises(RecordingError, match=r"x\.har::interaction\[1\]: .*not valid base64"):
        list(read(path))
    del entry["response"]["status"]
    write_har(path, [entry])
    with pytest.raises(
        RecordingError, match=r"interaction\[0\]: response.status is not an integer"
    ):
        list(read(path))


def test_cli_checks_har_pause_entries_only(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "pause-mixed.har"
    status = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert status == 1
    # The text line names the line of the entry's response content (the third "content").
    content_lines = [
        n for n, line in enumerate(path.read_text().splitlines(), 1) if '"content":' in line
    ]
    assert out.splitlines() == [
        f'{path}:{content_lines[2]}: interaction[2]: /id: "ftjob-someone-else" is not the job '
        'the request paused ("ftjob-har3") [FC004]',
        "checked 2 payloads: 1 valid, 1 invalid (1 other recorded interaction skipped); "
        "2 requests checked: 2 valid, 0 invalid",
    ]
    assert FIXTURE_KEY not in out + err


def test_cli_reports_an_unreadable_har_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", str(DATA / "truncated.har")])
    _, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1 and "truncated.har: is not a HAR file" in err
