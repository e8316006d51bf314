"""HTTP-level checks of one pause response."""

from __future__ import annotations

import json

import pytest

import contract
from tests.helpers import minimal_job

JSON = {"Content-Type": "application/json"}
BODY = json.dumps(minimal_job()).encode()


def _pairs(found: list[contract.Violation]) -> list[tuple[str, str]]:
    return [(v.path, v.keyword) for v in found]


def test_conforming_response() -> None:
    assert contract.check_response(200, JSON, BODY, job_id="ftjob-abc123") == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"],
)
def test_content_type_parameters_are_allowed(content_type: str) -> None:
    assert contract.check_response(200, {"content-type": content_type}, BODY) == []


def test_headers_may_be_pairs_with_any_case() -> None:
    assert contract.check_response(200, [("CONTENT-TYPE", "application/json")], BODY) == []


@pytest.mark.parametrize(
    "headers", [{"Content-Type": "text/html"}, {"Content-Type": "application/jsonp"}, {}]
)
def test_wrong_or_missing_content_type(headers: dict[str, str]) -> None:
    found = contract.check_response(200, headers, BODY)
    assert _pairs(found) == [("", "content-type")]
    assert "application/json" in found[0].message


def test_undocumented_status_quotes_the_api_error() -> None:
    envelope = {
        "error": {
            "message": "Job ftjob-x not found",
            "type": "invalid_request_error",
            "param": None,
            "code": "not_found",
        }
    }
    (violation,) = contract.check_response(404, JSON, json.dumps(envelope))
    assert violation.keyword == "status"
    assert violation.message == (
        "status 404 is not a documented response of pauseFineTuningJob (documented: 200): "
        "API error not_found: Job ftjob-x not found"
    )


def test_undocumented_status_without_envelope() -> None:
    (violation,) = contract.check_response(
        502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"
    )
    assert (
        violation.message
        == "status 502 is not a documented response of pauseFineTuningJob (documented: 200)"
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e400}', "number 1e400 is out of the range of a double"),
        (b'{"a": 1, "a": 2}', 'duplicate key "a" in an object'),
    ],
)
def test_json_that_python_accepts_but_rfc_8259_does_not(body: bytes, problem: str) -> None:
    found = contract.check_response(200, JSON, body)
    json_problems = [v.message for v in found if v.keyword == "json"]
    assert json_problems == [f"body is not interoperable JSON: {problem}"]


def test_duplicate_id_key_is_reported_even_when_the_job_conforms() -> None:
    body = BODY[:-1] + b', "id": "ftjob-abc123"}'
    assert _pairs(contract.check_response(200, JSON, body)) == [("", "json")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "body is empty"),
        (b"   ", "body is empty"),
        (b'{"id": "ftjob', "body ends early"),
        (b"<html>", "body is not JSON"),
        (b'{"id": "\xff"}', "body is not UTF-8"),
        (b'\xef\xbb\xbf{"id": 1}', "body starts with a byte order mark"),
    ],
)
def test_body_that_is_not_json(body: bytes, reason: str) -> None:
    (violation,) = contract.check_response(200, JSON, body)
    assert violation.keyword == "json"
    assert violation.message.startswith(reason)


def _body_nested(depth: int) -> bytes:
    """A conforming job whose unknown property nests arrays so the body is ``depth`` deep."""
    inner = b"[" * (depth - 1) + b"]" * (depth - 1)
    return BODY[:-1] + b', "extra": ' + inner + b"}"


@pytest.mark.parametrize(
    "body",
    [b"9" * 4301, BODY[:-1] + b', "seed_copy": [1, -' + b"9" * 4301 + b"]}"],
    ids=["bare", "nested"],
)
def test_an_integer_longer_than_python_converts_is_a_json_violation(body: bytes) -> None:
    assert contract.check_response(200, JSON, body) == [
        contract.Violation(
            "",
            "json",
            "body has a number of 4301 digits, beyond the 4300 digits Python converts "
            "to an integer",
        )
    ]


def test_a_body_nested_to_the_limit_is_checked() -> None:
    assert contract.check_response(200, JSON, _body_nested(512)) == []
    wrong = _body_nested(512).replace(b'"running"', b'"paused"')
    assert _pairs(contract.check_response(200, JSON, wrong)) == [("/status", "enum")]


@pytest.mark.parametrize("depth", [513, 955, 990, 1025, 100_000])
def test_a_body_nested_deeper_than_the_limit_is_a_json_violation(depth: int) -> None:
    assert contract.check_response(200, JSON, _body_nested(depth)) == [
        contract.Violation("", "json", "body is nested more than 512 levels deep")
    ]


def test_job_id_must_match_the_request() -> None:
    found = contract.check_response(200, JSON, BODY, job_id="ftjob-other")
    assert _pairs(found) == [("/id", "job-id")]
    assert found[0].message == '"ftjob-abc123" is not the job the request paused ("ftjob-other")'


def test_schema_violations_come_with_http_ones() -> None:
    body = json.dumps(minimal_job(status="paused")).encode()
    assert _pairs(contract.check_response(200, {"Content-Type": "text/plain"}, body)) == [
        ("", "content-type"),
        ("/status", "enum"),
    ]


def test_decoded_body_is_taken_as_is() -> None:
    assert contract.check_response(200, JSON, minimal_job()) == []
    assert _pairs(contract.check_response(200, JSON, minimal_job(seed=None))) == [("/seed", "type")]
