"""Recognising pause calls from the operation document's method and path template."""

from __future__ import annotations

import pytest

from contract.schema import operations

PAUSE = operations.pause()


def job_id(method: str | None, url: str | None) -> str | None:
    return (PAUSE.path_parameters(method, url) or {}).get("fine_tuning_job_id")


def is_pause(method: str | None, url: str | None) -> bool:
    routed = operations.route(method, url)
    return routed is not None and routed.operation is PAUSE


def test_method_and_template_come_from_the_operation_document() -> None:
    operation = PAUSE.document
    assert PAUSE.method == operation["method"] == "POST"
    assert PAUSE.path == operation["path"]


@pytest.mark.parametrize(
    ("url", "job"),
    [
        ("/fine_tuning/jobs/ftjob-abc/pause", "ftjob-abc"),
        ("/v1/fine_tuning/jobs/ftjob-abc/pause", "ftjob-abc"),
        ("https://api.openai.com/v1/fine_tuning/jobs/ftjob-abc/pause", "ftjob-abc"),
        (
            "https://x.openai.azure.com/openai/v1/fine_tuning/jobs/ftjob-abc/pause?api-key=k",
            "ftjob-abc",
        ),
        ("http://127.0.0.1:8080/v1/fine_tuning/jobs/ftjob%2Fodd%20id/pause", "ftjob/odd id"),
    ],
)
def test_pause_calls_under_any_base_path(url: str, job: str) -> None:
    assert job_id("POST", url) == job
    assert job_id("post", url) == job
    assert is_pause("POST", url)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/v1/fine_tuning/jobs/ftjob-abc/pause"),
        ("POST", "/v1/fine_tuning/jobs/ftjob-abc/resume"),
        ("POST", "/v1/fine_tuning/jobs/ftjob-abc"),
        ("POST", "/v1/fine_tuning/jobs/a/b/pause"),
        ("POST", "/v1/fine_tuning/jobs//pause"),
        ("POST", "/v1/fine_tuning/jobs/ftjob-abc/pause/extra"),
        ("POST", "/v1/xfine_tuning/jobs/ftjob-abc/pause"),
        (None, "/v1/fine_tuning/jobs/ftjob-abc/pause"),
        ("POST", None),
    ],
)
def test_other_calls_do_not_match(method: str | None, url: str | None) -> None:
    assert job_id(method, url) is None
    assert not is_pause(method, url)


def test_url_for_round_trips_through_job_id() -> None:
    url = PAUSE.url_for("https://api.openai.com/v1/", "ftjob/odd id")
    assert url == "https://api.openai.com/v1/fine_tuning/jobs/ftjob%2Fodd%20id/pause"
    assert job_id("POST", url) == "ftjob/odd id"
