"""Each file of the real-world corpus (``../shared/realworld/``) gets the verdict SOURCES.md gives.

The corpus is read where it lies, never copied into the repository. The
expectations below are written from SOURCES.md's text (each file's source and
expert verdict), not from this toolkit's output. Skipped when the corpus is
absent (an installed wheel is tested elsewhere); the development checkout and
CI have it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import contract
from contract import profiles
from contract.recordings import RecordingError, read

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "realworld"
if not (CORPUS / "SOURCES.md").is_file():
    pytest.skip(f"the real-world corpus {CORPUS} is absent", allow_module_level=True)

API = "https://api.openai.com/v1"

# A violation is pinned as (path, keyword, the missing property for "required").
Pins = frozenset[tuple[str, str, str]]


def missing(path: str, *names: str) -> Pins:
    return frozenset((path, "required", name) for name in names)


def broken(*pairs: tuple[str, str]) -> Pins:
    return frozenset((path, keyword, "") for path, keyword in pairs)


#: ``"error": {}``: code, message and param are required when error is an object.
ERROR_EMPTY = missing("/error", "code", "message", "param")
#: 2023 jobs: the API did not return ``seed`` yet.
NO_SEED = missing("", "seed")
#: The upstream pause/resume/cancel examples omit five required properties.
FIVE_MISSING = missing("", "error", "finished_at", "hyperparameters", "trained_tokens", "seed")
#: ``"error": {"code": null, "message": null, …}``: code and message must be strings.
NULL_CODE_MESSAGE = broken(("/error/code", "type"), ("/error/message", "type"))
#: The Azure payloads: status "pending", -1 epochs and batch size, null organization and results.
AZURE_PENDING = broken(
    ("/status", "enum"),
    ("/hyperparameters/n_epochs", "minimum"),
    ("/hyperparameters/batch_size", "minimum"),
    ("/organization_id", "type"),
    ("/result_files", "type"),
)
#: Azure's recorded jobs leave these out instead of sending null (SOURCES, 2026-12-07).
AZURE_ABSENT = missing(
    "",
    "error",
    "finished_at",
    "fine_tuned_model",
    "organization_id",
    "result_files",
    "trained_tokens",
    "validation_file",
)
#: n_epochs and batch_size -1 before Azure chose them.
MINUS_ONE = broken(
    ("/hyperparameters/n_epochs", "minimum"), ("/hyperparameters/batch_size", "minimum")
)
STATUS_ENUM = broken(("/status", "enum"))
#: An undocumented HTTP status (Azure's 201 on create).
STATUS = broken(("", "status"))


def pins(violations: Any, under: str = "") -> Pins:
    """The violations as pins, their paths relative to ``under``."""
    found = set()
    for v in violations:
        assert v.path.startswith(under), v
        name = re.fullmatch(r'required property "(.+)" is missing', v.message)
        found.add((v.path[len(under) :], v.keyword, name.group(1) if name else ""))
    return frozenset(found)


@dataclass(frozen=True)
class Job:
    """One job checked on its own: exactly these violations (none: it conforms)."""

    violations: Pins


@dataclass(frozen=True)
class Page:
    """A list page: how many jobs it holds, the violations of each job that breaks the
    contract (all the same), and how many jobs conform (each of them a failed job
    whose error is filled in)."""

    jobs: int
    each_invalid: Pins
    valid: int = 0


@dataclass(frozen=True)
class Error:
    """An API error answer in a well-formed envelope (``no_code``: its code is null)."""

    status: int
    type: str | None = None
    code: str | None = None
    said: str = ""
    no_code: bool = False


@dataclass(frozen=True)
class Events:
    """A page of a job's events: how many, and the violations of each (all the same)."""

    events: int
    each_invalid: Pins


@dataclass(frozen=True)
class Envelope:
    """An error answer whose envelope is not the published one: exactly these violations
    (the undocumented status among them); ``azure``: Azure's envelope, its code."""

    violations: Pins
    azure: str


@dataclass(frozen=True)
class Other:
    """A call of another API (files...) or of no published operation: counted and skipped."""


@dataclass(frozen=True)
class Call:
    method: str
    operation: str
    status: int
    verdict: Job | Page | Error | Events | Envelope | Other
    url: str = ""


CREATE = f"{API}/fine_tuning/jobs"

#: The 12 real recordings: every response in each, in order.
RECORDINGS: dict[str, list[Call]] = {
    "ruby-vcr-finetunes_create-2024-10.yml": [
        Call("POST", "createFineTuningJob", 200, Job(ERROR_EMPTY), CREATE)
    ],
    "ruby-vcr-finetunes_create-2023-11.yml": [
        Call("POST", "createFineTuningJob", 200, Job(NO_SEED), CREATE)
    ],
    "ruby-vcr-finetunes_list-2023-11.yml": [
        Call("GET", "listPaginatedFineTuningJobs", 200, Page(20, NO_SEED), CREATE)
    ],
    "ruby-vcr-finetunes_cancel-404.yml": [
        Call(
            "POST",
            "cancelFineTuningJob",
            404,
            Error(404, code="fine_tune_not_found"),
            f"{API}/fine_tuning/jobs/123/cancel",
        )
    ],
    "ruby-vcr-finetunes_retrieve-404.yml": [
        Call("GET", "retrieveFineTuningJob", 404, Error(404), f"{API}/fine_tuning/jobs/123")
    ],
    "dotnet-sessionrecord-MinimalRequiredParams.json": [
        Call("POST", "createFineTuningJob", 200, Job(ERROR_EMPTY), CREATE),
        Call("POST", "cancelFineTuningJob", 200, Job(ERROR_EMPTY)),
    ],
    "dotnet-sessionrecord-AllParameters.json": [
        Call("POST", "createFineTuningJob", 200, Job(ERROR_EMPTY), CREATE),
        Call("POST", "cancelFineTuningJob", 200, Job(ERROR_EMPTY)),
    ],
    "dotnet-sessionrecord-ExceptionThrownOnInvalidFileName.json": [
        Call(
            "POST",
            "createFineTuningJob",
            400,
            Error(400, type="invalid_request_error", said="training_file", no_code=True),
            CREATE,
        )
    ],
    "dotnet-sessionrecord-ExceptionThrownOnInvalidModelName.json": [
        Call("POST", "createFineTuningJob", 400, Error(400, code="model_not_available"), CREATE)
    ],
    "dotnet-sessionrecord-ExceptionThrownOnInvalidValidationIdAsync.json": [
        Call("POST", "createFineTuningJob", 400, Error(400, said="validation_file"), CREATE)
    ],
    "dotnet-sessionrecord-GetJobs.json": [
        Call("GET", "listPaginatedFineTuningJobs", 200, Page(20, ERROR_EMPTY, valid=1))
    ],
    "dotnet-sessionrecord-GetJobsWithAfter.json": [
        Call("GET", "listPaginatedFineTuningJobs", 200, Page(20, ERROR_EMPTY, valid=1)),
        Call("GET", "listPaginatedFineTuningJobs", 200, Page(20, ERROR_EMPTY, valid=1)),
    ],
    # Added 2026-12-07: the first real pause and resume (Azure AI Foundry), Azure's
    # create/cancel/delete session, an events page.
    "azure-ai-projects-py-testproxy-pause-pausing-2025-12.json": [
        Call("GET", "retrieveFineTuningJob", 200, Job(AZURE_ABSENT | MINUS_ONE)),
        Call("POST", "pauseFineTuningJob", 200, Job(AZURE_ABSENT | MINUS_ONE | STATUS_ENUM)),
    ],
    "azure-ai-projects-py-testproxy-resume-resuming-2025-12.json": [
        # Result files now exist; the settings are chosen (10, 1, 2: valid).
        Call(
            "GET",
            "retrieveFineTuningJob",
            200,
            Job(AZURE_ABSENT - missing("", "result_files") | STATUS_ENUM),
        ),
        Call(
            "POST",
            "resumeFineTuningJob",
            200,
            Job(AZURE_ABSENT - missing("", "result_files") | STATUS_ENUM),
        ),
    ],
    "azure-openai-net-sessionrecord-CreateCancelDelete-V2025_01_01_Preview-2025-04.json": [
        Call("POST", "", 201, Other()),  # file upload
        Call("GET", "", 200, Other()),  # file status
        Call(
            "POST", "createFineTuningJob", 201, Job(STATUS | AZURE_ABSENT | MINUS_ONE | STATUS_ENUM)
        ),
        Call(
            "POST",
            "cancelFineTuningJob",
            200,
            Job(AZURE_ABSENT - missing("", "finished_at") | MINUS_ONE),
        ),
        Call("DELETE", "", 204, Other()),  # Azure-only: no such operation, never a retrieve
        Call(
            "GET",
            "retrieveFineTuningJob",
            404,
            Envelope(STATUS | missing("/error", "type", "param"), azure="404"),
        ),
        Call("DELETE", "", 200, Other()),  # the file, twice
        Call("DELETE", "", 200, Other()),
    ],
    # Events are an operation of the family now: a message event's "data": null breaks
    # FineTuningJobEvent (data is an object), which observed accepts.
    "ruby-vcr-fine_tuning_job_event_list-events-200-not-a-job-list-2023-08.yml": [
        Call("GET", "listFineTuningEvents", 200, Events(1, broken(("/data", "type")))),
    ],
}
#: The 12 recordings SOURCES.md counted first (2026-11-25).
FIRST_RECORDINGS = tuple(RECORDINGS)[:12]
#: The profile meant for each recording's traffic: azure for Azure's, observed otherwise.
AZURE_RECORDINGS = {name for name in RECORDINGS if name.startswith("azure-")}

#: Pasted payloads and upstream examples that are JSON: each checked as a bare body.
PAYLOADS: dict[str, Pins | str] = {
    "azure-docs-finetune-tutorial-create-pending-2024-05.json": AZURE_PENDING,
    "azure-learnmodule-create-pending-method-null-2025-09.json": AZURE_PENDING
    | broken(("/method", "type")),
    "issue-cequence-scala-80-create-error-empty-2024-09.json": ERROR_EMPTY,
    "issue-openai-php-227-create-2023-11.json": NO_SEED,
    "issue-openai-openapi-pr81-running-2023-09.json": missing("", "error", "seed"),
    "issue-openai-openapi-pr81-succeeded-2023-09.json": missing("", "error", "seed"),
    "llamaindex-nb-openai_fine_tuning-running-2023-08.json": missing("", "error", "seed"),
    "llamaindex-nb-openai_fine_tuning_functions-succeeded-2023-10.json": NO_SEED,
    "imint-double_fences-create-curl-2025-08.json": ERROR_EMPTY,
    "openai-guide-sft-completed-job-2025-05.json": ERROR_EMPTY,
    "js-comment-create-2024-06.json": ERROR_EMPTY,
    "js-comment-retrieve-succeeded-2024-06.json": ERROR_EMPTY,
    "alexts10-list-2023-08.json": missing("/data/0", "error", "seed"),
    "issue-simple-openai-193-create-400-error-2024-09.json": "error envelope",
    "upstream-example-create-epochs.json": broken(
        ("/error/code", "type"), ("/error/message", "type")
    ),
    "upstream-example-create-dpo.json": missing("", "trained_tokens")
    | NULL_CODE_MESSAGE
    | broken(("/hyperparameters", "type")),
    "upstream-example-create-reinforcement.json": missing("", "hyperparameters") | ERROR_EMPTY,
    "upstream-example-pause.json": FIVE_MISSING | broken(("/status", "enum")),
    "upstream-example-resume.json": FIVE_MISSING,
    "upstream-example-cancel.json": FIVE_MISSING,
    "upstream-example-retrieve.json": missing("", "error"),
}

#: Files that are not JSON as published: refused with the place, never checked as a job.
NOT_JSON = {
    "alexts10-create-status-created-truncated-2023-08.json",
    "upstream-example-create-default-trailing-comma.json",
    "upstream-example-create-wandb-python-None.json",
}

#: Format samples (not fine-tuning traffic): read with the one call in each counted and
#: skipped (method, host), or refused with a message saying why.
FORMATS: dict[str, tuple[str, str] | str] = {
    "pytest-recording-simonw-llm-openai-responses.yaml": ("POST", "api.openai.com"),
    "polly-har-jest-node-fetch-user.har": ("GET", "jsonplaceholder.typicode.com"),
    "go-vcr-v4-cassette-version2-json-content-type.yaml": ("GET", "httpbin.org"),
    "vcrpy-httpx-old-format-gzip.yaml": ("GET", "httpbin.org"),
    "vcrpy-v0-old_cassette.yaml": "pre-1.0 vcrpy",
    "vcrpy-json-serializer-new_cassette.json": ("GET", "httpbin.org"),
    "betamax-our-first-recorded-session.json": ("GET", "httpbin.org"),
    "nock-back-fixture-content_length_test.json": ("GET", "example.test"),
}


def test_every_corpus_file_has_an_expected_verdict() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()} - {"SOURCES.md"}
    expected = {*RECORDINGS, *PAYLOADS, *NOT_JSON, *(f"formats/{n}" for n in FORMATS)}
    assert files == expected
    assert (len(RECORDINGS), len(PAYLOADS) + len(NOT_JSON), len(FORMATS)) == (16, 24, 8)


def _check_page(body: Any, verdict: Page, violations: Any) -> None:
    jobs = body["data"]
    assert len(jobs) == verdict.jobs
    by_job: dict[int, list[Any]] = {}
    for v in violations:
        found = re.match(r"/data/(\d+)(?=/|$)", v.path)
        assert found, f"a violation outside the page's jobs: {v}"
        by_job.setdefault(int(found.group(1)), []).append(v)
    for index, found_here in by_job.items():
        assert pins(found_here, f"/data/{index}") == verdict.each_invalid
    conforming = [job for i, job in enumerate(jobs) if i not in by_job]
    assert len(conforming) == verdict.valid
    for job in conforming:  # "the failed job (error = {code, message, param}) conforms"
        assert job["status"] == "failed"
        assert set(job["error"]) >= {"code", "message", "param"}
        assert job["error"]["code"] == "deleted_training_file"


def _check_call(interaction: Any, call: Call) -> None:
    assert interaction.method == call.method
    assert interaction.status == call.status
    if isinstance(call.verdict, Other):
        assert interaction.operation is None and not interaction.to_check
        return
    assert interaction.operation is not None
    assert interaction.operation.operation_id == call.operation
    if call.url:
        assert interaction.url == call.url
    verdict = interaction.assess()
    body = json.loads(interaction.body)
    if isinstance(call.verdict, Events):
        assert verdict.api_error is None and verdict.jobs == 0
        assert verdict.note == f"list page of {call.verdict.events} event"
        assert len(body["data"]) == call.verdict.events
        assert pins(verdict.violations, "/data/0") == call.verdict.each_invalid
    elif isinstance(call.verdict, Envelope):
        assert verdict.api_error is None and verdict.jobs == 0
        assert pins(verdict.violations) == call.verdict.violations
        under_azure = interaction.assess(profile="azure")
        assert under_azure.valid and under_azure.api_error is not None
        assert under_azure.api_error.code == call.verdict.azure
    elif isinstance(call.verdict, Error):
        error = call.verdict
        assert verdict.valid and verdict.api_error is not None
        assert verdict.api_error.status == error.status
        assert list(contract.iter_violations(body, schema="ErrorResponse")) == []
        if error.type:
            assert verdict.api_error.type == error.type
        if error.code or error.no_code:
            assert verdict.api_error.code == error.code
        assert error.said in verdict.api_error.message
        assert verdict.jobs == 0
    elif isinstance(call.verdict, Page):
        assert verdict.api_error is None and verdict.jobs == call.verdict.jobs
        assert verdict.valid is False
        _check_page(body, call.verdict, verdict.violations)
    else:
        assert verdict.api_error is None and verdict.jobs == 1
        assert pins(verdict.violations) == call.verdict.violations
        if interaction.operation.names_job:  # the job in the path is the one answered
            assert interaction.job_id == body["id"]


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_real_recording_verdict(name: str) -> None:
    every = list(read(CORPUS / name, include_other=True))
    assert all(i.has_request for i in every)
    assert len(every) == len(RECORDINGS[name])
    for interaction, call in zip(every, RECORDINGS[name], strict=True):
        _check_call(interaction, call)


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_real_recording_passes_under_the_profile_meant_for_its_traffic(name: str) -> None:
    """Azure's recordings under azure, api.openai.com's under observed: every body passes,
    every API error is read as one, and nothing needs an amendment the profile lacks."""
    profile = "azure" if name in AZURE_RECORDINGS else "observed"
    checked = [i for i in read(CORPUS / name) if i.to_check]
    assert len(checked) == sum(not isinstance(c.verdict, Other) for c in RECORDINGS[name])
    for interaction in checked:
        verdict = interaction.assess(profile=profile, deviations=True)
        assert verdict.violations == (), (interaction.name, verdict.violations)
        assert verdict.deviations == ()


def test_real_recordings_add_up_to_what_sources_counts() -> None:
    """15 responses: 6 single jobs, 4 list pages of 80 jobs, 5 API errors; 50 distinct bodies."""
    kinds: Counter[str] = Counter()
    jobs = in_pages = 0
    bodies: list[Any] = []
    for name in FIRST_RECORDINGS:
        for interaction in read(CORPUS / name):
            verdict = interaction.assess()
            body = json.loads(interaction.body)
            jobs += verdict.jobs
            if verdict.api_error is not None:
                kinds["api error"] += 1
                bodies.append(body)
            elif interaction.operation is not None and interaction.operation.returns_page:
                kinds["page"] += 1
                in_pages += verdict.jobs
                bodies.extend(body["data"])
            else:
                kinds["job"] += 1
                bodies.append(body)
    assert kinds == {"job": 6, "page": 4, "api error": 5}
    assert (jobs, in_pages, len(bodies)) == (86, 80, 91)
    distinct = {json.dumps(b, sort_keys=True): b for b in bodies}.values()
    shapes = Counter(
        "envelope"
        if "object" not in b
        else "error {}"
        if b.get("error") == {}
        else "no seed"
        if "seed" not in b
        else "conforming"
        for b in distinct
    )
    assert shapes == {"error {}": 24, "no seed": 21, "envelope": 4, "conforming": 1}
    assert [contract.is_valid(b) for b in distinct if "seed" in b and b.get("error")] == [True]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_pasted_payload_verdict(name: str) -> None:
    (interaction,) = read(CORPUS / name)
    assert not interaction.has_request and interaction.operation is None
    verdict = interaction.assess()
    expected = PAYLOADS[name]
    assert not verdict.valid  # SOURCES: no pasted payload conforms
    if expected == "error envelope":
        # Not a FineTuningJob at all, and said to be an error envelope, in one line.
        assert [(v.path, v.keyword) for v in verdict.violations] == [("", "api-error")]
        assert "API error envelope" in verdict.violations[0].message
        return
    assert pins(verdict.violations) == expected
    if name.startswith("alexts10-list"):
        assert verdict.jobs == 1 and "list page of 1 job" in verdict.note


@pytest.mark.parametrize("name", sorted(NOT_JSON))
def test_payload_that_is_not_json_is_refused_with_its_place(name: str) -> None:
    with pytest.raises(RecordingError) as raised:
        list(read(CORPUS / name))
    message = str(raised.value)
    assert message.startswith(f"{CORPUS / name}: ") and "\n" not in message
    assert re.search(r"at line \d+ column \d+", message)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_sample_is_read_or_refused(name: str) -> None:
    path = CORPUS / "formats" / name
    expected = FORMATS[name]
    if isinstance(expected, str):
        with pytest.raises(RecordingError, match=expected) as raised:
            list(read(path, include_other=True))
        assert str(raised.value).startswith(f"{path}: ")
        return
    method, host = expected
    (call,) = read(path, include_other=True)  # one call, read...
    assert (call.method, call.status) == (method, 200)
    assert call.url is not None and f"//{host}" in call.url
    assert call.operation is None and not call.to_check  # ...counted and skipped
    assert list(read(path)) == []  # 0 jobs calls


@pytest.mark.parametrize("name", sorted(n for n, e in FORMATS.items() if not isinstance(e, str)))
def test_format_sample_bodies_decode(name: str) -> None:
    """Read as their layout stores them (gzip !!binary, Polly hex chunks, decompressed text)."""
    from contract.recordings._yaml import load
    from contract.recordings.layouts import detect

    data = (CORPUS / "formats" / name).read_bytes()
    document = load(data, name) if name.endswith(".yaml") else json.loads(data)
    layout = detect(document)
    assert layout is not None
    (call,) = layout.calls(document, name)
    body = call.body()
    assert isinstance(json.loads(body), dict)


#: OpenAI's documented examples of pause, resume, cancel and the DPO create are placeholder
#: jobs (ids ftjob-abc...) that leave out what real answers carry: no profile holds the
#: amendment that accepts them; it is switched on by name.
DOCS_PLACEHOLDERS = {
    "upstream-example-pause.json",
    "upstream-example-resume.json",
    "upstream-example-cancel.json",
    "upstream-example-create-dpo.json",
}


@pytest.mark.parametrize("name", sorted(n for n, e in PAYLOADS.items() if e != "error envelope"))
def test_pasted_payload_passes_under_the_profile_meant_for_it(name: str) -> None:
    profile = profiles.resolve(
        "azure" if name.startswith("azure-") else "observed",
        amend=["docs-example-fields-absent"] if name in DOCS_PLACEHOLDERS else [],
    )
    (interaction,) = read(CORPUS / name)
    verdict = interaction.assess(profile=profile, deviations=True)
    assert verdict.violations == () and verdict.deviations == ()
