"""Every recorder layout read: a pause, a list page, an API error and an unrelated call each.

The files under ``data/recordings/layouts/`` (see the README there) hold the same
four calls in each recorder's own layout, stored the way that recorder stores
bodies; each file may add calls that only its layout can express.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.checks import header
from contract.recordings import NotARecording, RecordingError, read
from contract.recordings.layouts import LAYOUTS
from tests.recording_builders import DATA, FIXTURE_KEY

LAYOUT_FILES = DATA / "layouts"

#: Each fixture: the layout that must read it, and how its calls are named.
FIXTURES = {
    "vcrpy.yaml": ("vcrpy cassette", "interaction"),
    "vcrpy-json-serializer.json": ("vcrpy cassette", "interaction"),
    "vcrpy-httpx-legacy.yaml": ("vcrpy cassette", "interaction"),
    "vcrpy-aiohttp.yaml": ("vcrpy cassette", "interaction"),
    "ruby-vcr.yml": ("Ruby VCR / Betamax / Schemathesis cassette", "interaction"),
    "betamax.json": ("Ruby VCR / Betamax / Schemathesis cassette", "interaction"),
    "schemathesis.yaml": ("Ruby VCR / Betamax / Schemathesis cassette", "interaction"),
    "go-vcr-v2.yaml": ("go-vcr cassette", "interaction"),
    "go-vcr-v4.yaml": ("go-vcr cassette", "interaction"),
    "session-record.json": ("test-proxy session record", "entry"),
    "polly.har": ("HAR 1.2", "interaction"),
    "nock.json": ("nock fixture", "interaction"),
}
#: Fixtures whose list page is stored still gzip-compressed (binary, base64 or hex).
COMPRESSED_LIST = {
    "vcrpy.yaml",
    "ruby-vcr.yml",
    "betamax.json",
    "go-vcr-v4.yaml",
    "polly.har",
    "nock.json",
}
API = "https://api.openai.com/v1"

#: The four calls every fixture starts with: method, URL, operation, status, job id.
CALLS = [
    (
        "POST",
        f"{API}/fine_tuning/jobs/ftjob-layout1/pause",
        "pauseFineTuningJob",
        200,
        "ftjob-layout1",
    ),
    ("GET", f"{API}/fine_tuning/jobs?limit=2", "listPaginatedFineTuningJobs", 200, None),
    ("POST", f"{API}/fine_tuning/jobs/ftjob-gone/cancel", "cancelFineTuningJob", 404, "ftjob-gone"),
    ("GET", f"{API}/models", None, 200, None),
]
#: The list page's second job has ``"error": {}``: code, message and param are required.
LIST_VIOLATIONS = {
    ("/data/1/error", "required", "code"),
    ("/data/1/error", "required", "message"),
    ("/data/1/error", "required", "param"),
}


def pinned(violations: Any) -> set[tuple[str, str, str]]:
    """(path, keyword, the missing property for ``required``) of each violation."""
    found = set()
    for v in violations:
        missing = v.message.split('"')[1] if v.keyword == "required" else ""
        found.add((v.path, v.keyword, missing))
    return found


def document(path: Path) -> Any:
    data = path.read_bytes()
    if path.suffix in (".yaml", ".yml"):
        from contract.recordings._yaml import load

        return load(data, path.name)
    return json.loads(data)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_exactly_one_layout_claims_each_fixture(name: str) -> None:
    wanted, _ = FIXTURES[name]
    claims = [layout.name for layout in LAYOUTS if layout.detect(document(LAYOUT_FILES / name))]
    assert claims == [wanted]


def assert_the_four_calls(path: Path, calls: list[Any], prefix: str) -> None:
    first = calls[:4]
    assert [i.source for i in first] == [f"{path}::{prefix}[{n}]" for n in range(4)]
    assert [i.name for i in first] == [f"{prefix}[{n}]" for n in range(4)]
    assert [(i.method, i.url) for i in first] == [(m, u) for m, u, *_ in CALLS]
    operations = [i.operation.operation_id if i.operation else None for i in first]
    assert operations == [op for _, _, op, _, _ in CALLS]
    assert [(i.status, i.job_id) for i in first] == [(s, j) for *_, s, j in CALLS]

    pause, page, error, other = first
    verdict = pause.assess()
    assert verdict.valid and verdict.api_error is None and verdict.jobs == 1
    # Content-Encoding says gzip, but the recorder stored the body decompressed.
    assert (header(pause.headers, "content-encoding") or "").lower() == "gzip"

    verdict = page.assess()
    assert not verdict.valid and verdict.jobs == 2 and verdict.api_error is None
    assert pinned(verdict.violations) == LIST_VIOLATIONS

    verdict = error.assess()
    assert verdict.valid and verdict.jobs == 0
    assert verdict.api_error is not None
    assert (verdict.api_error.status, verdict.api_error.code) == (404, "job_not_found")
    assert verdict.api_error.type == "invalid_request_error"

    assert not other.to_check and other.body == b""  # counted, never decoded
    for interaction in calls:
        assert FIXTURE_KEY not in repr(interaction) + (interaction.url or "")
        assert all(FIXTURE_KEY not in value for _, value in interaction.request_headers or [])


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_layout_reads_the_four_calls(name: str) -> None:
    path = LAYOUT_FILES / name
    every = list(read(path, include_other=True))
    assert_the_four_calls(path, every, FIXTURES[name][1])
    # By default only the answered jobs calls are yielded.
    assert [i.name for i in read(path)] == [i.name for i in every if i.to_check]
    assert "interaction[3]" not in {i.name for i in read(path)}


@pytest.mark.parametrize("name", sorted(COMPRESSED_LIST))
def test_bodies_stored_compressed_are_decompressed(name: str) -> None:
    page = list(read(LAYOUT_FILES / name, include_other=True))[1]
    assert (header(page.headers, "content-encoding") or "").lower() == "gzip"
    assert json.loads(page.body)["object"] == "list"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_gzip_compressed_files_read_as_the_plain_ones(name: str, tmp_path: Path) -> None:
    packed = tmp_path / f"{name}.gz"  # x.yaml.gz, x.json.gz, x.har.gz
    packed.write_bytes(gzip.compress((LAYOUT_FILES / name).read_bytes()))
    every = list(read(packed, include_other=True))
    assert_the_four_calls(packed, every, FIXTURES[name][1])
    plain = list(read(LAYOUT_FILES / name, include_other=True))
    assert [(i.name, i.status, i.body) for i in every] == [
        (i.name, i.status, i.body) for i in plain
    ]


def test_gzip_is_recognised_by_content_when_the_suffix_is_lost(tmp_path: Path) -> None:
    packed = tmp_path / "session-record.json"
    packed.write_bytes(gzip.compress((LAYOUT_FILES / "session-record.json").read_bytes()))
    assert [i.name for i in read(packed)] == ["entry[0]", "entry[1]", "entry[2]"]


def test_schemathesis_request_that_got_no_answer() -> None:
    failed = list(read(LAYOUT_FILES / "schemathesis.yaml", include_other=True))[4]
    assert (failed.name, failed.method, failed.status) == ("interaction[4]", "GET", None)
    assert failed.operation is not None and failed.operation.short_name == "retrieve"
    assert failed.job_id == "ftjob-layout1"
    assert not failed.to_check and not failed.answered
    assert "interaction[4]" not in {i.name for i in read(LAYOUT_FILES / "schemathesis.yaml")}


def test_aiohttp_empty_body_is_an_empty_body_not_an_unreadable_file() -> None:
    resume = list(read(LAYOUT_FILES / "vcrpy-aiohttp.yaml"))[-1]
    assert (resume.name, resume.operation and resume.operation.short_name) == (
        "interaction[4]",
        "resume",
    )
    assert resume.body == b""
    assert [(v.path, v.keyword) for v in resume.check()] == [("", "json")]


def test_ruby_binary_tag_holds_the_compressed_body() -> None:
    retrieve = list(read(LAYOUT_FILES / "ruby-vcr.yml"))[-1]
    assert "!binary |-" in (LAYOUT_FILES / "ruby-vcr.yml").read_text()
    assert (retrieve.name, retrieve.method, retrieve.job_id) == (
        "interaction[4]",
        "GET",
        "ftjob-layout1",
    )
    assert retrieve.operation is not None and retrieve.operation.short_name == "retrieve"
    assert json.loads(retrieve.body)["id"] == "ftjob-layout1"
    assert retrieve.check() == []


def test_recordings_are_never_modified(tmp_path: Path) -> None:
    copy = tmp_path / "layouts"
    shutil.copytree(LAYOUT_FILES, copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    for path in copy.iterdir():
        if path.name in FIXTURES:
            list(read(path, include_other=True))
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before


# Files in no layout we read: one line naming the file and what it looked like.


@pytest.mark.parametrize(
    ("name", "text", "error", "said"),
    [
        (
            "odd.json",
            '{"interactions": [{"request": {"path": "/v1/models"}, "response": {}}]}',
            RecordingError,
            "looks like a recording (a mapping with keys 'interactions')",
        ),
        (
            "odd.yaml",
            "interactions:\n- req: {path: /v1/models}\n",
            RecordingError,
            "looks like a recording (a mapping with keys 'interactions')",
        ),
        (
            "config.yaml",
            "retries: 3\nbase_url: https://api.openai.com/v1\n",
            NotARecording,
            "(a mapping with keys 'retries', 'base_url'",
        ),
        (
            "calls.json",
            '[{"request": {"method": "GET"}, "reply": 200}]',
            RecordingError,
            "looks like a recording (a list of 1 items)",
        ),
        (
            "old.yaml",
            "- !!python/object:vcr.request.Request\n  method: GET\n  url: https://x/\n",
            RecordingError,
            "pre-1.0 vcrpy",
        ),
    ],
)
def test_a_file_in_no_known_layout_is_one_clear_line(
    name: str, text: str, error: type[Exception], said: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RecordingError) as raised:
        list(read(path, include_other=True))
    # A file that looks like a recording is an error; one that does not can be skipped.
    assert type(raised.value) is error
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert said in message
    if error is not NotARecording:
        assert "known layouts" in message or "pre-1.0" in message


@pytest.mark.parametrize(
    ("name", "document", "said"),
    [
        (
            "c.yml",
            {"http_interactions": [{"request": {"method": "get"}, "response": None}]},
            "c.yml::interaction[0]: request has no method or uri",
        ),
        (
            "c.yml",
            {"http_interactions": [{"request": {"method": "get", "uri": "u"}, "response": {}}]},
            "c.yml::interaction[0]: response.status.code is not a status code",
        ),
        (
            "r.json",
            {"Entries": [{"RequestMethod": "GET", "RequestUri": "u", "StatusCode": "n/a"}]},
            "r.json::entry[0]: StatusCode is not a status code",
        ),
        (
            "r.json",
            {"Entries": [{"RequestMethod": "GET", "RequestUri": "u", "ResponseHeaders": []}]},
            "r.json::entry[0]: ResponseHeaders is not a mapping",
        ),
        (
            "g.yaml",
            {"interactions": [{"request": {"url": "u", "method": "GET"}, "response": {}}]},
            "g.yaml::interaction[0]: response.code is not a status code",
        ),
        (
            "n.json",
            [{"scope": "https://x", "method": "GET", "path": "/", "rawHeaders": ["a"]}],
            "n.json::interaction[0]: rawHeaders does not hold name, value pairs",
        ),
    ],
)
def test_a_broken_call_is_named_with_its_place(
    name: str, document: Any, said: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(document))
    else:
        path.write_text(yaml.safe_dump(document))
    with pytest.raises(RecordingError) as raised:
        list(read(path, include_other=True))
    assert str(raised.value) == f"{tmp_path}/{said}"
