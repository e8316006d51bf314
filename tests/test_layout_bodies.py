"""How each layout stores a body, and that reading gives back exactly the body recorded."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.generate import strategies
from contract.recordings import read
from contract.strictjson import decode
from tests.recording_builders import (
    go_vcr_interaction,
    gzipped,
    har_entry,
    nock_call,
    pause_url,
    ruby_vcr_interaction,
    session_entry,
    vcr_interaction,
    write_cassette,
    write_go_vcr,
    write_har,
    write_http_interactions,
    write_nock,
    write_session_record,
)

URL = pause_url("ftjob-stored")
GZIP = {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]}
GZIP_RAW = ["Content-Type", "application/json", "Content-Encoding", "gzip"]


def _text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


#: Each way a recorder stores a body: (directory, payload) -> the file written.
STORED: dict[str, Callable[[Path, Any], Path]] = {
    "vcrpy !!binary gzip": lambda d, p: write_cassette(
        d / "c.yaml", [vcr_interaction("POST", URL, text=_text(p), encoding="gzip")]
    ),
    "HAR base64": lambda d, p: write_har(
        d / "c.har", [har_entry("POST", URL, text=_text(p), base64_body=True)]
    ),
    "Ruby VCR string": lambda d, p: write_http_interactions(
        d / "c.yml", [ruby_vcr_interaction("POST", URL, body=_text(p))]
    ),
    "Ruby VCR base64_string gzip": lambda d, p: write_http_interactions(
        d / "c.yml",
        [ruby_vcr_interaction("POST", URL, body=gzipped(_text(p)), base64_body=True, headers=GZIP)],
    ),
    "Ruby VCR binary string gzip": lambda d, p: write_http_interactions(
        d / "c.yml", [ruby_vcr_interaction("POST", URL, body=gzipped(_text(p)), headers=GZIP)]
    ),
    "Schemathesis quoted status": lambda d, p: write_http_interactions(
        d / "c.yaml", [ruby_vcr_interaction("POST", URL, status="200", body=_text(p))]
    ),
    "Betamax base64_string": lambda d, p: write_http_interactions(
        d / "c.json", [ruby_vcr_interaction("POST", URL, body=_text(p), base64_body=True)]
    ),
    "go-vcr v4 string": lambda d, p: write_go_vcr(
        d / "c.yaml", [go_vcr_interaction("POST", URL, body=_text(p))]
    ),
    "go-vcr v4 binary gzip": lambda d, p: write_go_vcr(
        d / "c.yaml", [go_vcr_interaction("POST", URL, body=gzipped(_text(p)), headers=GZIP)]
    ),
    "go-vcr v1 status line only": lambda d, p: write_go_vcr(
        d / "c.yaml", [go_vcr_interaction("POST", URL, body=_text(p), code=False)], version=1
    ),
    "test-proxy JSON value": lambda d, p: write_session_record(
        d / "r.json", [session_entry("POST", URL, body=p)]
    ),
    "nock JSON value": lambda d, p: write_nock(d / "n.json", [nock_call("POST", URL, response=p)]),
    "nock text": lambda d, p: write_nock(d / "n.json", [nock_call("POST", URL, response=_text(p))]),
    "nock binary hex": lambda d, p: write_nock(
        d / "n.json", [nock_call("POST", URL, response=_text(p).encode().hex(), binary=True)]
    ),
    "nock gzip hex chunks": lambda d, p: write_nock(
        d / "n.json",
        [nock_call("POST", URL, response=_hex_chunks(gzipped(_text(p))), raw_headers=GZIP_RAW)],
    ),
}


def _hex_chunks(data: bytes) -> list[str]:
    return [data[:10].hex(), data[10:].hex()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    how=st.sampled_from(sorted(STORED)),
    payload=st.one_of(strategies.conforming(), strategies.conforming(realistic=False)),
)
def test_reading_gives_back_the_recorded_body(how: str, payload: Any) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = STORED[how](Path(directory), payload)
        (interaction,) = read(path)
    assert (interaction.method, interaction.status, interaction.job_id) == (
        "POST",
        200,
        "ftjob-stored",
    )
    assert interaction.operation is not None and interaction.operation.short_name == "pause"
    found = decode(interaction.body)
    assert found.problems == [] and found.value == payload


def _one(path: Path) -> Any:
    (interaction,) = read(path)
    return interaction


@pytest.mark.parametrize(
    ("stored", "content_type", "body"),
    [
        ({"id": "ftjob-1", "n": 1.5}, "application/json", '{"id": "ftjob-1", "n": 1.5}'),
        (["{\n", '"id": "ftjob-1"\n', "}"], "application/json", '{\n"id": "ftjob-1"\n}'),
        ('{"id": "ftjob-1"}', "application/json; charset=utf-8", '{"id": "ftjob-1"}'),
        ("eyJpZCI6ICJmdGpvYi0xIn0=", "application/octet-stream", b'{"id": "ftjob-1"}'),
        ("not base64!", "application/octet-stream", "not base64!"),
        (None, "application/json", b""),
        ([], "application/json", b""),
        (7, "application/json", "7"),
    ],
)
def test_test_proxy_body_forms(stored: Any, content_type: str, body: Any, tmp_path: Path) -> None:
    """Objects are the body; text is a string or its lines; other types are base64."""
    entry = session_entry("POST", URL, body=stored, headers={"Content-Type": content_type})
    assert _one(write_session_record(tmp_path / "r.json", [entry])).body == body


def test_test_proxy_header_lists_and_lower_case_method(tmp_path: Path) -> None:
    entry = session_entry("post", URL, body={"id": "ftjob-stored"})
    entry["ResponseHeaders"] = {"Content-Type": ["application/json"], "X-A": ["1", "2"]}
    interaction = _one(write_session_record(tmp_path / "r.json", [entry]))
    assert interaction.method == "POST"
    assert list(interaction.headers or []) == [
        ("Content-Type", "application/json"),
        ("X-A", "1"),
        ("X-A", "2"),
    ]


@pytest.mark.parametrize(
    ("changes", "status", "headers"),
    [
        ({"status": None}, 200, [("Content-Type", "application/json")]),
        (
            {"rawHeaders": [["content-type", "application/json"]]},
            200,
            [("content-type", "application/json")],
        ),
        (
            {"rawHeaders": {"content-type": "application/json"}},
            200,
            [("content-type", "application/json")],
        ),
        (
            {"headers": {"content-type": "application/json"}},
            200,
            [("content-type", "application/json")],
        ),
    ],
)
def test_nock_headers_and_default_status(
    changes: dict[str, Any], status: int, headers: list[tuple[str, str]], tmp_path: Path
) -> None:
    call = nock_call("POST", URL, response={"id": "ftjob-stored"})
    if "headers" in changes:
        del call["rawHeaders"]
    call.update(changes)
    if call.get("status") is None:
        del call["status"]  # nock replies 200 when the definition has none
    interaction = _one(write_nock(tmp_path / "n.json", [call]))
    assert (interaction.status, list(interaction.headers or [])) == (status, headers)
    assert interaction.url == URL  # scope's default port dropped


def test_nock_json_array_response_is_not_taken_for_hex_chunks(tmp_path: Path) -> None:
    """Only a content-encoded answer is stored as hex chunks; a JSON array is a JSON body."""
    call = nock_call("POST", URL, response=["abcd", "ef01"])
    assert _one(write_nock(tmp_path / "n.json", [call])).body == '["abcd", "ef01"]'


def test_nock_scope_keeps_a_non_default_port(tmp_path: Path) -> None:
    call = nock_call("POST", "http://localhost/v1/fine_tuning/jobs/ftjob-stored/pause")
    call["scope"] = "http://localhost:4010"
    interaction = _one(write_nock(tmp_path / "n.json", [call]))
    assert interaction.url == "http://localhost:4010/v1/fine_tuning/jobs/ftjob-stored/pause"


def test_an_empty_list_is_a_payload_not_a_nock_fixture(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[]")
    (interaction,) = read(path)
    assert not interaction.has_request
    assert [(v.path, v.keyword) for v in interaction.check()] == [("", "type")]
