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
    reference = SCHEMAS.parent.parent / "shared" / "reference"
    # The second extract holds every operation under /fine_tuning/jobs (events, checkpoints).
    published = json.loads(
        (reference / "openai-openapi-fine-tuning-requests-events.json").read_text()
        if reference.is_dir()
        else "{}"
    )
    expected = {
        (
            "GET",
            "/fine_tuning/jobs/{fine_tuning_job_id}/events",
            "listFineTuningEvents",
            "ListFineTuningJobEventsResponse",
        ),
        (
            "GET",
            "/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints",
            "listFineTuningJobCheckpoints",
            "ListFineTuningJobCheckpointsResponse",
        ),
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
    assert operations.get("events").operation_id == "listFineTuningEvents"
    assert operations.get("checkpoints").operation_id == "listFineTuningJobCheckpoints"
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
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/events?limit=2", "listFineTuningEvents", "ftjob-7"),
        (
            "GET",
            "/v1/fine_tuning/jobs/ftjob-7/checkpoints",
            "listFineTuningJobCheckpoints",
            "ftjob-7",
        ),
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
        ("POST", "/v1/fine_tuning/jobs/ftjob-7/events"),
        ("GET", "/v1/fine_tuning/jobs/ftjob-7/checkpoints/cp-1"),
        ("DELETE", "/v1/fine_tuning/jobs/ftjob-7"),
        # Azure's delete of a job is another call, never a retrieve.
        ("DELETE", "https://r.openai.azure.com/openai/fine_tuning/jobs/ftjob-7?api-version=2025"),
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


# -- 2xx statuses, error envelopes, events and checkpoints -----------------------------------------

EVENT = {
    "object": "fine_tuning.job.event",
    "id": "ftevent-1",
    "created_at": 1692901133,
    "level": "info",
    "message": "Created fine-tune: ftjob-7",
    "type": "message",
}
CHECKPOINT = {
    "object": "fine_tuning.job.checkpoint",
    "id": "ftckpt-1",
    "created_at": 1721764800,
    "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org::ckpt:step-10",
    "fine_tuning_job_id": "ftjob-7",
    "step_number": 10,
    "metrics": {"step": 10, "train_loss": 0.5},
}
AZURE_404 = {"error": {"code": "404", "message": "Resource not found"}}


def test_an_undocumented_2xx_body_is_checked_as_the_operations_body() -> None:
    broken = minimal_job(error={})
    result = assess_response(201, JSON, json.dumps(broken), operation="create")
    assert result.api_error is None and result.jobs == 1
    assert {(v.path, v.keyword) for v in result.violations} == {
        ("", "status"),
        ("/error", "required"),
    }
    assert result.violations[0].message == (
        "status 201 is not a documented response of createFineTuningJob (documented: 200)"
    )
    # A conforming body: only the status is reported.
    (found,) = contract.check_response(202, JSON, json.dumps(minimal_job()), operation="cancel")
    assert found.keyword == "status"


def test_azure_201_on_create_is_a_known_azure_deviation() -> None:
    body = json.dumps(minimal_job())
    assert contract.check_response(201, JSON, body, operation="create", profile="azure") == []
    result = assess_response(201, JSON, body, operation="create", profile="azure")
    assert result.needed == ("azure-create-201",)
    (said,) = assess_response(201, JSON, body, operation="create", deviations=True).violations
    assert (said.keyword, said.amendment) == ("deviation", "azure-create-201")
    assert said.message.endswith("(known deviation azure-create-201; accepted by profile azure)")
    # Only create: a 201 elsewhere is still undocumented under azure.
    (other,) = contract.check_response(
        201, JSON, body, "ftjob-abc123", operation="pause", profile="azure"
    )
    assert other.keyword == "status"


def test_only_4xx_and_5xx_bodies_are_read_as_error_envelopes() -> None:
    body = json.dumps(ENVELOPE)
    # A 200 carrying an envelope is a job that breaks the contract, not an API error.
    ok = assess_response(200, JSON, body, operation="retrieve")
    assert ok.api_error is None and ("", "required") in {(v.path, v.keyword) for v in ok.violations}
    # A 3xx is an undocumented status; its body is neither a job nor an envelope.
    moved = assess_response(302, JSON, body, operation="retrieve")
    assert moved.api_error is None
    assert [v.keyword for v in moved.violations] == ["status"]
    assert assess_response(503, JSON, body, operation="retrieve").api_error is not None


def test_azures_404_envelope_is_an_azure_deviation_of_the_error_envelope() -> None:
    body = json.dumps(AZURE_404)
    published = assess_response(404, JSON, body, operation="retrieve")
    assert published.api_error is None
    assert {(v.path, v.keyword) for v in published.violations} == {
        ("", "status"),
        ("/error", "required"),
    }
    explained = assess_response(404, JSON, body, operation="retrieve", deviations=True)
    assert [v.amendment for v in explained.violations] == ["", "azure-error-envelope-no-type"]
    azure = assess_response(404, JSON, body, operation="retrieve", profile="azure")
    assert azure.violations == () and azure.api_error is not None
    assert (azure.api_error.code, azure.api_error.message) == ("404", "Resource not found")
    assert azure.needed == ("azure-error-envelope-no-type",)


def test_an_events_page_is_checked_as_events() -> None:
    body = json.dumps(page(EVENT, dict(EVENT, id="ftevent-2", type="metrics", data={"step": 1})))
    url = "https://api.openai.com/v1/fine_tuning/jobs/ftjob-7/events"
    result = assess_response(200, JSON, body, method="GET", url=url)
    assert result.operation is not None
    assert result.operation.operation_id == "listFineTuningEvents"
    assert (result.violations, result.jobs, result.note) == ((), 0, "list page of 2 events")
    bad = dict(EVENT, level="debug", data=None)
    del bad["message"]
    found = contract.check_response(200, JSON, json.dumps(page(bad)), method="GET", url=url)
    assert {(v.path, v.keyword) for v in found} == {
        ("/data/0", "required"),
        ("/data/0/level", "enum"),
        ("/data/0/data", "type"),
    }
    assert (
        contract.check_response(
            200,
            JSON,
            json.dumps(page(dict(EVENT, data=None))),
            method="GET",
            url=url,
            profile="observed",
        )
        == []
    )


def test_a_checkpoints_page_is_checked_as_checkpoints() -> None:
    body = page(CHECKPOINT, has_more=True)
    body.update(first_id="ftckpt-1", last_id=None)
    result = assess_response(200, JSON, json.dumps(body), "ftjob-7", operation="checkpoints")
    assert (result.violations, result.note) == ((), "list page of 1 checkpoint")
    broken = dict(CHECKPOINT, step_number=1.5, metrics={"train_loss": "low"})
    found = contract.check_response(200, JSON, json.dumps(page(broken)), operation="checkpoints")
    assert {(v.path, v.keyword) for v in found} == {
        ("/data/0/step_number", "type"),
        ("/data/0/metrics/train_loss", "type"),
    }


def test_bare_events_and_checkpoints_are_known_by_their_object() -> None:
    events = assess_body(json.dumps(page(EVENT)))
    assert (events.valid, events.jobs, events.note) == (True, 0, "list page of 1 event")
    assert assess_body(json.dumps(CHECKPOINT)).valid
    (found,) = assess_body(json.dumps(dict(EVENT, level="loud"))).violations
    assert (found.path, found.keyword) == ("/level", "enum")
    # An empty page cannot tell: it is a page of jobs, as before.
    assert assess_body(json.dumps(page())).note == "list page of 0 jobs"


def test_parameters_carry_their_json_schema() -> None:
    limits = {
        op.operation_id: next(p for p in op.document["parameters"] if p["name"] == "limit")
        for op in operations.operations()
        if any(p["name"] == "limit" for p in op.document["parameters"])
    }
    assert {k: v["schema"] for k, v in limits.items()} == {
        "listPaginatedFineTuningJobs": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 20,
        },
        "listFineTuningEvents": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "listFineTuningJobCheckpoints": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 10,
        },
    }
    for op in operations.operations():
        for parameter in op.document["parameters"]:
            assert {"name", "in", "required", "type", "description", "schema"} <= set(parameter)


def test_a_bare_azure_envelope_is_one_under_azure() -> None:
    body = json.dumps(AZURE_404)
    (under_azure,) = assess_body(body, profile="azure").violations
    assert under_azure.keyword == "api-error"
    assert under_azure.message == (
        "is an API error envelope, not a job: API error 404: Resource not found"
    )
    # As published it is no envelope: it is checked as a job, and fails as one.
    assert "api-error" not in {v.keyword for v in assess_body(body).violations}


@pytest.mark.parametrize("profile", ["published", "observed", "azure"])
def test_a_failed_job_is_never_read_as_an_envelope(profile: str) -> None:
    """Azure's envelope needs no ``type``, so under azure a failed job's ``error`` would
    read as an envelope's: a body naming its ``object`` is a job, checked as one."""
    error = {"code": "invalid_training_file", "message": "bad file", "param": None}
    failed = minimal_job(status="failed", error=error)
    result = assess_body(json.dumps(failed), profile=profile)
    assert result.valid and result.jobs == 1 and result.note == ""
    # The same error as a bare envelope is one under azure (Azure's has no type).
    envelope = assess_body(json.dumps({"error": error}), profile=profile)
    assert (envelope.note == "error envelope") is (profile == "azure")
