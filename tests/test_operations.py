"""The jobs family: operation documents, routing under any prefix, and per-operation checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import contract
from contract.checks import assess_body, assess_response
from contract.schema import operations
from tests.helpers import minimal_job

JSON = {"Content-Type": "application/json"}
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
ENVELOPE = {
    "error": {
        "message": "No such job: ftjob-x",
        "type": "invalid_request_error",
        "param": None,
        "code": "fine_tune_not_found",
    }
}


def page(*jobs: dict[str, object], has_more: bool = False) -> dict[str, object]:
    return {"object": "list", "data": list(jobs), "has_more": has_more}


def test_every_jobs_operation_of_the_published_document_is_described() -> None:
    published = json.loads(
        (
            SCHEMAS.parent.parent / "shared" / "reference" / "openai-openapi-fine-tuning.json"
        ).read_text()
        if (SCHEMAS.parent.parent / "shared").is_dir()
        else "{}"
    )
    expected = {
        ("POST", "/fine_tuning/jobs", "createFineTuningJob", "FineTuningJob"),
        (
            "GET",
            "/fine_tuning/jobs",
            "listPaginatedFineTuningJobs",
            "ListPaginatedFineTuningJobsResponse",
        ),
        ("GET", "/fine_tuning/jobs/{fine_tuning_job_id}", "retrieveFineTuningJob", "FineTuningJob"),
        (
            "POST",
            "/fine_tuning/jobs/{fine_tuning_job_id}/cancel",
            "cancelFineTuningJob",
            "FineTuningJob",
        ),
        (
            "POST",
            "/fine_tuning/jobs/{fine_tuning_job_id}/resume",
            "resumeFineTuningJob",
            "FineTuningJob",
        ),
        (
            "POST",
            "/fine_tuning/jobs/{fine_tuning_job_id}/pause",
            "pauseFineTuningJob",
            "FineTuningJob",
        ),
    }
    described = {(op.method, op.path, op.operation_id, op.schema) for op in operations.operations()}
    assert described == expected
    if published:
        upstream = {
            (method.upper(), path, spec["operationId"])
            for path, methods in published["paths"].items()
            for method, spec in methods.items()
        }
        assert {(m, p, o) for m, p, o, _ in described} == upstream


def test_pause_is_the_default_and_short_names_work() -> None:
    assert operations.get() is operations.get("pause") is operations.get("pauseFineTuningJob")
    assert operations.get("list").operation_id == "listPaginatedFineTuningJobs"
    with pytest.raises(ValueError, match=r"unknown operation 'delete'; known operations: .*pause"):
        operations.get("delete")


@pytest.mark.parametrize(
    ("method", "url", "operation_id", "job"),
    [
        ("POST", "https://api.openai.com/v1/fine_tuning/jobs", "createFineTuningJob", None),
        (
            "GET",
            "https://api.openai.com/v1/fine_tuning/jobs?limit=2&after=ftjob-1",
            "listPaginatedFineTuningJobs",
            None,
        ),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7", "retrieveFineTuningJob", "ftjob-7"),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/", "retrieveFineTuningJob", "ftjob-7"),
        (
            "POST",
            "http://proxy.internal/team-a/openai/v1/fine_tuning/jobs/ftjob-7/cancel",
            "cancelFineTuningJob",
            "ftjob-7",
        ),
        ("post", "/fine_tuning/jobs/ftjob-7/resume", "resumeFineTuningJob", "ftjob-7"),
        (
            "POST",
            "https://res.openai.azure.com/openai/fine_tuning/jobs/ftjob-7/pause?api-version=2024-10-21",
            "pauseFineTuningJob",
            "ftjob-7",
        ),
        (
            "GET",
            "https://res.openai.azure.com/openai/fine_tuning/jobs?api-version=2024-10-21",
            "listPaginatedFineTuningJobs",
            None,
        ),
        ("GET", "/v1/fine_tuning/jobs/ftjob%2Fodd%20id", "retrieveFineTuningJob", "ftjob/odd id"),
    ],
)
def test_requests_are_routed_under_any_prefix(
    method: str, url: str, operation_id: str, job: str | None
) -> None:
    routed = operations.route(method, url)
    assert routed is not None
    assert (routed.operation.operation_id, routed.job_id) == (operation_id, job)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "https://api.openai.com/v1/models"),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/events"),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/checkpoints"),
        ("DELETE", "/v1/fine_tuning/jobs/ftjob-7"),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/pause"),
        ("POST", "/v1/fine_tuning/jobs/ftjob-7/pause/extra"),
        ("POST", "https://h[/fine_tuning/jobs/j/pause"),
        (None, "/v1/fine_tuning/jobs"),
        ("GET", None),
    ],
)
def test_other_requests_are_not_routed(method: str | None, url: str | None) -> None:
    assert operations.route(method, url) is None


def test_url_for_builds_the_path_from_the_template() -> None:
    assert (
        operations.get("cancel").url_for("https://api.openai.com/v1/", "ftjob/x")
        == "https://api.openai.com/v1/fine_tuning/jobs/ftjob%2Fx/cancel"
    )
    assert operations.get("list").url_for("/v1") == "/v1/fine_tuning/jobs"
    with pytest.raises(ValueError, match="needs a job id"):
        operations.get("retrieve").url_for("/v1")


@pytest.mark.parametrize(
    ("operation", "verb"),
    [
        ("retrieve", "retrieved"),
        ("cancel", "cancelled"),
        ("resume", "resumed"),
        ("pause", "paused"),
    ],
)
def test_the_job_id_is_checked_for_operations_that_name_a_job(operation: str, verb: str) -> None:
    (found,) = contract.check_response(
        200, JSON, json.dumps(minimal_job(id="ftjob-b")), "ftjob-a", operation=operation
    )
    assert (found.path, found.keyword) == ("/id", "job-id")
    assert found.message == f'"ftjob-b" is not the job the request {verb} ("ftjob-a")'


def test_the_job_id_comes_from_the_url_when_routed() -> None:
    url = "https://api.openai.com/v1/fine_tuning/jobs/ftjob-a/cancel"
    (found,) = contract.check_response(
        200, JSON, json.dumps(minimal_job(id="ftjob-b")), method="POST", url=url
    )
    assert found.keyword == "job-id"
    with pytest.raises(ValueError, match="is not a call of a jobs operation"):
        contract.check_response(200, JSON, b"{}", method="GET", url="/v1/models")


def test_create_does_not_name_a_job() -> None:
    body = json.dumps(minimal_job(id="ftjob-new"))
    assert contract.check_response(200, JSON, body, operation="create") == []


def test_a_list_page_reports_each_job_at_its_own_place() -> None:
    jobs = [minimal_job(id=f"ftjob-{i}") for i in range(20)]
    jobs[3]["error"] = {}
    result = assess_response(200, JSON, json.dumps(page(*jobs)), operation="list")
    assert {(v.path, v.keyword) for v in result.violations} == {("/data/3/error", "required")}
    assert result.jobs == 20
    assert result.note == "list page of 20 jobs"


def test_a_list_page_is_checked_as_a_page() -> None:
    found = contract.check_response(
        200, JSON, json.dumps({"object": "list", "data": []}), operation="list"
    )
    assert {(v.path, v.keyword) for v in found} == {("", "required")}
    found = contract.check_response(200, JSON, json.dumps(minimal_job()), operation="list")
    assert ("", "required") in {(v.path, v.keyword) for v in found}


def test_an_api_error_is_counted_not_failed_but_check_response_stays_strict() -> None:
    body = json.dumps(ENVELOPE)
    result = assess_response(404, JSON, body, operation="retrieve")
    assert result.violations == ()
    assert result.api_error is not None
    assert str(result.api_error) == "API error 404 fine_tune_not_found: No such job: ftjob-x"
    (strict,) = contract.check_response(404, JSON, body, operation="retrieve")
    assert strict.keyword == "status"
    assert strict.message == (
        "status 404 is not a documented response of retrieveFineTuningJob (documented: 200): "
        "API error fine_tune_not_found: No such job: ftjob-x"
    )


def test_a_malformed_error_envelope_is_a_violation() -> None:
    body = json.dumps({"error": {"message": 7, "type": "server_error"}})
    result = assess_response(500, JSON, body, operation="create")
    assert result.api_error is None
    assert {(v.path, v.keyword) for v in result.violations} == {
        ("", "status"),
        ("/error", "required"),
        ("/error/message", "type"),
    }


def test_a_bare_error_envelope_is_reported_as_one() -> None:
    (found,) = contract.check_body(json.dumps(ENVELOPE))
    assert found.keyword == "api-error"
    assert found.message == (
        "is an API error envelope, not a job: API error fine_tune_not_found: No such job: ftjob-x"
    )


def test_a_bare_list_page_is_checked_as_a_page() -> None:
    broken = minimal_job()
    del broken["seed"]
    result = assess_body(json.dumps(page(minimal_job(), broken)))
    assert {(v.path, v.keyword) for v in result.violations} == {("/data/1", "required")}
    assert (result.jobs, result.note) == (2, "list page of 2 jobs")


def test_an_explicit_schema_disables_the_shape_guess() -> None:
    found = contract.check_body(json.dumps(ENVELOPE), "FineTuningJob")
    assert ("", "api-error") not in {(v.path, v.keyword) for v in found}
    assert len(found) > 5
