"""The request side of the contract: recorded requests checked beside their responses.

The rules come from the published document (``suffix`` at most 64 characters,
``n_epochs`` from 1 to 50, ``seed`` from 0 to 2147483647, no body for pause,
resume and cancel) and from our reading of it (``limit`` from 1 to 100, the
``metadata`` filter forms); each test states the rule it pins.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import sampler
from contract.checks.requests import assess_request, check_request
from contract.generate import strategies
from contract.validation import is_valid, violations_of
from tests.recording_builders import API, FIXTURE_KEY, body, vcr_interaction, write_cassette
from tests.report_runs import CORPUS, check, clean_env, needs_corpus

__all__ = ["clean_env"]  # a fixture, used by name

REQUEST = "CreateFineTuningJobRequest"
JOBS = f"{API}/fine_tuning/jobs"


def _create(**body: Any) -> str:
    return json.dumps({"model": "gpt-4o-mini", "training_file": "file-abc123", **body})


def _places(found: Any) -> set[tuple[str, str]]:
    return {(v.path, v.keyword) for v in found}


# -- the create body -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"suffix": "x" * 64}, set()),
        ({"suffix": "x" * 65}, {("/suffix", "maxLength")}),
        ({"suffix": ""}, {("/suffix", "minLength")}),
        ({"suffix": None}, set()),
        ({"seed": 2147483648}, {("/seed", "maximum")}),
        ({"seed": -1}, {("/seed", "minimum")}),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 0}}}},
            {("/method/supervised/hyperparameters/n_epochs", "minimum")},
        ),
        ({"validation_file": None, "integrations": None, "metadata": None}, set()),
    ],
)
def test_the_create_body_is_checked_against_the_request_schema(
    changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    found = check_request("create", method="POST", url=JOBS, body=_create(**changes))
    assert _places(found) == expected


def test_model_and_training_file_are_required() -> None:
    found = check_request("create", method="POST", url=JOBS, body="{}")
    assert _places(found) == {("", "required")}
    assert {v.message for v in found} == {
        'required property "model" is missing',
        'required property "training_file" is missing',
    }


def test_the_published_boolean_exclusive_minimum_is_a_strict_bound() -> None:
    # Upstream writes minimum 0 + exclusiveMinimum true; the contract: exclusiveMinimum 0.
    zero = {"hyperparameters": {"learning_rate_multiplier": 0}}
    tiny = {"hyperparameters": {"learning_rate_multiplier": 1e-9}}
    assert _places(check_request("create", url=JOBS, body=_create(**zero))) == {
        ("/hyperparameters/learning_rate_multiplier", "exclusiveMinimum")
    }
    assert check_request("create", url=JOBS, body=_create(**tiny)) == []


def test_published_nullable_is_null_allowed_not_ignored() -> None:
    # OpenAPI 3.0's nullable: true mixed into 3.1 means nothing to a 2020-12 validator;
    # the contract says null with a type union, so null passes and a number does not.
    for name in ("suffix", "validation_file", "integrations", "seed"):
        assert is_valid({"model": "m", "training_file": "f", name: None}, REQUEST), name
    assert not is_valid({"model": "m", "training_file": "f", "validation_file": 7}, REQUEST)


def test_deprecated_top_level_hyperparameters_is_a_warning_not_a_violation() -> None:
    found = assess_request(
        "create", url=JOBS, body=_create(hyperparameters={"n_epochs": 3}), content_type=None
    )
    assert found.violations == ()
    assert _places(found.warnings) == {("/hyperparameters", "deprecated")}
    assert "method.supervised.hyperparameters" in found.warnings[0].message
    modern = {"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}}}
    assert assess_request("create", url=JOBS, body=_create(**modern)).warnings == ()


def test_a_create_request_needs_a_json_body() -> None:
    assert _places(check_request("create", url=JOBS, body="")) == {("", "body")}
    assert _places(check_request("create", url=JOBS, body="{")) == {("", "json")}
    wrong_type = check_request(
        "create", url=JOBS, body=_create(), content_type="application/x-www-form-urlencoded"
    )
    assert _places(wrong_type) == {("", "content-type")}
    # Not recorded at all: nothing to say.
    assert check_request("create", url=JOBS, body=None) == []


# -- pause, resume and cancel take no body --------------------------------------------------


@pytest.mark.parametrize("verb", ["pause", "resume", "cancel"])
def test_pause_resume_and_cancel_send_no_body(verb: str) -> None:
    url = f"{JOBS}/ftjob-abc123/{verb}"
    for nothing in (None, "", b"", "{}", " {} \n"):
        assert check_request(verb, method="POST", url=url, body=nothing) == [], nothing
    found = check_request(verb, method="POST", url=url, body='{"reason": "done"}')
    assert _places(found) == {("", "body")}
    assert "takes no request body" in found[0].message


# -- the path id and the query --------------------------------------------------------------


@pytest.mark.parametrize(
    ("job_id", "ok"),
    [
        ("ftjob-abc123", True),
        ("ft-AF1WoRqd3aJAHsqc9NY7iL8F", True),  # the published example's form
        ("%7Bfine_tuning_job_id%7D", False),  # a template never filled in
        ("ftjob%20abc", False),
        ("a%2Fb", False),
    ],
)
def test_the_path_id_is_an_identifier(job_id: str, ok: bool) -> None:
    found = check_request(None, method="POST", url=f"{JOBS}/{job_id}/pause")
    assert (found == []) is ok
    if not ok:
        assert _places(found) == {("{fine_tuning_job_id}", "pattern")}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=1", set()),
        ("limit=100", set()),
        ("limit=0", {("?limit", "minimum")}),
        ("limit=500", {("?limit", "maximum")}),
        ("limit=ten", {("?limit", "type")}),
        ("limit=2.5", {("?limit", "type")}),
        ("limit=5&limit=6", {("?limit", "repeated")}),
        ("after=ftjob-abc", set()),
        ("after=", {("?after", "minLength")}),
        ("api-version=2025-01-01-preview", set()),  # not the contract's: left alone
    ],
)
def test_list_query_parameters(query: str, expected: set[tuple[str, str]]) -> None:
    found = check_request(None, method="GET", url=f"{JOBS}?{query}")
    assert _places(found) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("metadata[team]=search&metadata[stage]=prod", set()),
        ("metadata=null", set()),
        ("metadata=search", {("?metadata", "style")}),
        ("metadata=null&metadata[team]=x", {("?metadata", "style")}),
        ("metadata[" + "k" * 65 + "]=v", {("?metadata", "maxLength")}),
        ("metadata[k]=" + "v" * 513, {("?metadata[k]", "maxLength")}),
        ("&".join(f"metadata[k{i}]=v" for i in range(17)), {("?metadata", "maxProperties")}),
        ("metadata[]=v", {("?metadata", "minLength")}),
    ],
)
def test_the_metadata_filter_forms(query: str, expected: set[tuple[str, str]]) -> None:
    found = check_request("list", method="GET", url=f"{JOBS}?{query}")
    assert _places(found) == expected


@pytest.mark.parametrize("listing", ["events", "checkpoints"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=10&after=ftevent-abc", set()),
        ("limit=0", {("?limit", "minimum")}),
        ("limit=101", {("?limit", "maximum")}),
        ("after=", {("?after", "minLength")}),
    ],
)
def test_events_and_checkpoints_query_parameters(
    listing: str, query: str, expected: set[tuple[str, str]]
) -> None:
    found = check_request(None, method="GET", url=f"{JOBS}/ftjob-abc/{listing}?{query}")
    assert _places(found) == expected


def test_events_of_an_unfilled_path_template_are_no_job() -> None:
    found = check_request(None, method="GET", url=f"{JOBS}/%7Bfine_tuning_job_id%7D/events")
    assert _places(found) == {("{fine_tuning_job_id}", "pattern")}


def test_limit_bounds_are_read_from_the_operation_document() -> None:
    document = json.loads(
        (
            Path(__file__).resolve().parents[1]
            / "schemas"
            / "operations"
            / "listPaginatedFineTuningJobs.json"
        ).read_text()
    )
    (limit,) = (p for p in document["parameters"] if p["name"] == "limit")
    high = limit["schema"]["maximum"]
    assert check_request("list", url=f"{JOBS}?limit={high}") == []
    assert _places(check_request("list", url=f"{JOBS}?limit={high + 1}")) == {("?limit", "maximum")}


# -- generation ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(strategies.conforming(REQUEST))
def test_drawn_create_requests_conform(payload: Any) -> None:
    assert violations_of(payload, REQUEST) == []
    assert check_request("create", url=JOBS, body=json.dumps(payload)) == []


@settings(max_examples=60, deadline=None)
@given(strategies.nonconforming(REQUEST))
def test_drawn_bad_create_requests_break_their_labelled_rule(mutant: Any) -> None:
    found = check_request("create", url=JOBS, body=json.dumps(mutant.payload))
    assert found
    assert any(mutant.path.startswith(v.path) for v in found), (mutant, found)


@given(st.integers(min_value=0, max_value=2**32))
@settings(max_examples=10, deadline=None)
def test_the_sampler_draws_conforming_and_labelled_bad_create_requests(seed: int) -> None:
    good = sampler.conforming(REQUEST, seed=seed)
    bad = sampler.nonconforming(REQUEST, seed=seed)
    for _ in range(20):
        assert is_valid(next(good), REQUEST)
        mutant = next(bad)
        assert not is_valid(mutant.payload, REQUEST), mutant
        assert mutant.keyword and mutant.description


# -- recorded requests through the command line --------------------------------------------


def _cassette(tmp_path: Path, request_body: str | None, url: str = JOBS) -> Path:
    interaction = vcr_interaction("POST", url, 200, body())
    interaction["request"]["body"] = request_body
    return write_cassette(tmp_path / "create.yaml", [interaction])


def test_a_bad_request_fails_the_run_and_says_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _cassette(tmp_path, _create(suffix="x" * 65))
    status, out, _ = check(capsys, path)
    assert status == 1
    # The text line: file and line, the interaction, the side, the place, the request's code.
    assert re.search(rf"{re.escape(str(path))}:\d+: interaction\[0\]: request: /suffix: ", out)
    assert "more than the maximum of 64 [FC411]" in out
    assert out.splitlines()[-1].endswith("1 request checked: 0 valid, 1 invalid")
    status, out, _ = check(capsys, "--format", "json", path)
    document = json.loads(out)
    (result,) = document["results"]
    assert [(v["side"], v["path"]) for v in result["violations"]] == [("request", "/suffix")]
    assert result["verdict"] == "invalid"
    assert document["summary"]["requests"] == {
        "checked": 1,
        "valid": 0,
        "invalid": 1,
        "with_warnings": 0,
    }
    assert document["summary"]["invalid"] == 1
    assert FIXTURE_KEY not in out


def test_request_findings_are_marked_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    interaction = vcr_interaction("POST", JOBS, 200, body(seed="x"))
    interaction["request"]["body"] = _create(suffix="x" * 65)
    path = write_cassette(tmp_path / "both.yaml", [interaction])
    _, out, _ = check(capsys, "--format", "jsonl", path)
    first = json.loads(out.splitlines()[0])
    assert {(v["side"], v["path"]) for v in first["violations"]} == {
        ("response", "/seed"),
        ("request", "/suffix"),
    }
    _, out, _ = check(capsys, "--format", "junit", path)
    failure = ET.fromstring(out).find(".//failure")
    assert failure is not None and failure.text is not None
    assert "request: /suffix: " in failure.text and "/seed: " in failure.text
    assert "2 contract violations" in failure.attrib["message"]
    _, out, _ = check(capsys, "--format", "github", path)
    annotations = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(annotations) == 2
    assert sum("request contract violation" in line for line in annotations) == 1
    _, out, _ = check(capsys, "--format", "sarif", path)
    results = json.loads(out)["runs"][0]["results"]
    sides = {(r["properties"]["side"], r["ruleId"]) for r in results}
    assert sides == {("response", "FC101"), ("request", "FC411")}
    (request,) = (r for r in results if r["properties"]["side"] == "request")
    assert ": request: /suffix: " in request["message"]["text"]


def test_a_deprecated_property_warns_and_the_run_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _cassette(tmp_path, _create(hyperparameters={"n_epochs": 3}))
    status, out, _ = check(capsys, path)
    assert status == 0
    assert "request: warning: /hyperparameters: hyperparameters is deprecated" in out
    assert out.splitlines()[-1].endswith("1 request checked: 1 valid, 0 invalid, 1 with warnings")
    _, out, _ = check(capsys, "--format", "json", path)
    (result,) = json.loads(out)["results"]
    assert result["violations"] == []
    assert [(w["side"], w["keyword"]) for w in result["warnings"]] == [("request", "deprecated")]


def test_no_requests_checks_the_responses_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _cassette(tmp_path, _create(suffix="x" * 65))
    status, out, _ = check(capsys, "--no-requests", path)
    assert (status, out.strip()) == (0, "checked 1 payload: 1 valid, 0 invalid")


def test_the_configuration_can_turn_request_checks_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _cassette(tmp_path, _create(suffix="x" * 65))
    config = tmp_path / "contract.toml"
    config.write_text("requests = false\n")
    assert check(capsys, "--config", config, path)[0] == 0
    config.write_text("requests = true\n")
    assert check(capsys, "--config", config, path)[0] == 1
    config.write_text('requests = "no"\n')
    status, _, err = check(capsys, "--config", config, path)
    assert status == 2 and "requests" in err


def test_the_request_switch_is_resolved_with_the_other_settings(tmp_path: Path) -> None:
    # One place decides: command line, environment, ini, configuration file, default (on).
    from contract.profiles import AmendmentError, Choices, settings

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert settings(search_from=elsewhere, environ={}).requests is True
    tmp_path = tmp_path / "project"
    tmp_path.mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.finetune-contract]\nrequests = false\n")
    off = {"FINETUNE_CONTRACT_REQUESTS": "off"}
    from_file = settings(search_from=tmp_path, environ={})
    assert (from_file.requests, dict(from_file.sources)["requests"]) == (
        False,
        str(tmp_path / "pyproject.toml"),
    )
    assert settings(ini=Choices(requests="yes"), search_from=tmp_path, environ={}).requests
    assert not settings(ini=Choices(requests="yes"), search_from=tmp_path, environ=off).requests
    on = Choices(requests="true")
    assert settings(on, ini=Choices(requests="no"), search_from=tmp_path, environ=off).requests
    with pytest.raises(AmendmentError, match=r"^requests \(environment\): 'maybe' is not true"):
        settings(search_from=tmp_path, environ={"FINETUNE_CONTRACT_REQUESTS": "maybe"})


def test_the_environment_turns_request_checks_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = _cassette(tmp_path, _create(suffix="x" * 65))
    clean_env.setenv("FINETUNE_CONTRACT_REQUESTS", "false")
    assert check(capsys, path)[0] == 0
    clean_env.setenv("FINETUNE_CONTRACT_REQUESTS", "maybe")
    status, out, err = check(capsys, path)
    assert (status, out) == (2, "")
    assert err.strip().splitlines() == [
        "finetune-contract check: error: requests (environment): 'maybe' is not true or false"
    ]


@needs_corpus
def test_every_real_request_in_the_corpus_conforms(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    # Real clients (openai-dotnet, Azure.AI.OpenAI, ruby-openai, azure-ai-projects) send
    # requests the contract accepts: create bodies, list pages with after, pause, resume.
    _, out, _ = check(capsys, "--format", "json", CORPUS)
    document = json.loads(out)
    requests = document["summary"]["requests"]
    assert requests["checked"] >= 15
    assert requests["invalid"] == 0
    assert not [v for r in document["results"] for v in r["violations"] if v["side"] == "request"]


@needs_corpus
def test_a_real_create_request_broken_the_way_the_issue_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    # The openai-dotnet AllParameters recording with a 65-character suffix and n_epochs 0.
    source = CORPUS / "dotnet-sessionrecord-AllParameters.json"
    document = json.loads(source.read_text())
    create = document["Entries"][0]
    create["RequestBody"]["suffix"] = "s" * 65
    create["RequestBody"]["method"]["supervised"]["hyperparameters"]["n_epochs"] = 0
    path = tmp_path / source.name
    path.write_text(json.dumps(document))
    _, out, _ = check(capsys, "--format", "json", "--profile", "observed", path)
    results = json.loads(out)["results"]
    assert {(v["side"], v["path"], v["keyword"]) for v in results[0]["violations"]} == {
        ("request", "/suffix", "maxLength"),
        ("request", "/method/supervised/hyperparameters/n_epochs", "minimum"),
    }
    assert results[1]["violations"] == []  # the cancel: response accepted, no request body
    shutil.rmtree(tmp_path, ignore_errors=True)


# -- the plugin ---------------------------------------------------------------------------


def test_the_plugin_checks_requests_and_can_be_told_not_to(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "rec"
    folder.mkdir()
    _cassette(folder, _create(suffix="x" * 65))
    result = pytester.runpytest("--contract-recordings", "rec", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 request contract violation:",
            "  request: /suffix: *more than the maximum of 64 [[]FC411[]]",
            "contract: 1 request checked: 0 valid, 1 invalid",
        ]
    )
    result = pytester.runpytest(
        "--contract-recordings", "rec", "--contract-no-requests", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=1)
    assert "request checked" not in result.stdout.str()
    pytester.makeini("[pytest]\ncontract_requests = false\n")
    result = pytester.runpytest("--contract-recordings", "rec", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    pytester.makeini("[pytest]\n")
    pytester.makepyprojecttoml("[tool.finetune-contract]\nrequests = false\n")
    result = pytester.runpytest("--contract-recordings", "rec", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


# -- the validating proxy -----------------------------------------------------------------


def test_the_proxy_checks_what_a_real_client_sends() -> None:
    # The openai SDK through the proxy: a 65-character suffix and limit=500 are the client's
    # fault, found by this module; a conforming create and list are not findings.
    import openai

    from contract.testing._serving import serving
    from contract.testing.proxy import Proxy
    from tests.proxy_upstream import Upstream

    with serving(Upstream().app()) as served, Proxy(served.url + "/v1") as proxy:
        client = openai.OpenAI(api_key="sk-test", base_url=proxy.url, max_retries=0)
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc123")
        client.fine_tuning.jobs.list(limit=20)
        assert proxy.findings == []
        client.fine_tuning.jobs.create(
            model="gpt-4o-mini", training_file="file-abc123", suffix="x" * 65
        )
        client.fine_tuning.jobs.list(limit=500)
        found = [(f.method, f.violation.path, f.violation.keyword) for f in proxy.findings]
    assert found == [("POST", "/suffix", "maxLength"), ("GET", "?limit", "maximum")]
    with serving(Upstream().app()) as served, Proxy(served.url + "/v1", requests=False) as proxy:
        openai.OpenAI(api_key="sk-test", base_url=proxy.url, max_retries=0).fine_tuning.jobs.list(
            limit=500
        )
        assert proxy.findings == []
