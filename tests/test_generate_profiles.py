"""Payloads of a profile: the strategies, the sampler, ``generate --profile`` and the server.

What a profile's amendments accept must be drawn (reach), every payload must be
valid under the profile for both validators, and mutants invalid under it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from contract import profiles
from contract.cli import main
from contract.generate import sampler, strategies
from contract.generate.mutant import CONTEXTS, Context
from contract.schema.amendments import Profile
from contract.testing.server import ContractServer
from contract.validation import fast_validator, is_valid, reference_validator
from tests.helpers import minimal_job

OBSERVED = profiles.resolve("observed")
AZURE = profiles.resolve("azure")
JOB = "FineTuningJob"
LIST = "ListPaginatedFineTuningJobsResponse"
#: Draws a bounded reach loop takes; each target below is at least 1 draw in 20 (and
#: missing one in all of them is below 1e-40).
DRAWS = 2000
#: Examples a Hypothesis search for one target may take (no shrinking: the first one found).
SEARCH = settings(max_examples=3000, phases=[Phase.generate], database=None, deadline=None)


def _cut_off(profile: Profile, amendment: str) -> int:
    """The created_at bound of a legacy amendment, read from its ``when``."""
    when = profile.catalogue.amendment(amendment).when
    assert when is not None
    bound = when["properties"]["created_at"]["exclusiveMaximum"]
    assert isinstance(bound, int)
    return bound


def _method_type(job: dict[str, Any]) -> Any:
    method = job.get("method")
    return method.get("type") if isinstance(method, dict) else None


def _hyperparameters(job: dict[str, Any]) -> dict[str, Any]:
    found = job.get("hyperparameters")
    return found if isinstance(found, dict) else {}


#: What each profile's amendments let a job show, and that the published contract refuses.
OBSERVED_TARGETS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "error {}": lambda job: job.get("error") == {},
    "status paused": lambda job: job["status"] == "paused",
    "status pausing": lambda job: job["status"] == "pausing",
    "status resuming": lambda job: job["status"] == "resuming",
    "legacy job without seed": lambda job: "seed" not in job,
    "DPO or reinforcement job without hyperparameters": lambda job: (
        "hyperparameters" not in job and _method_type(job) in ("dpo", "reinforcement")
    ),
}
AZURE_TARGETS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "status pending": lambda job: job["status"] == "pending",
    "n_epochs -1": lambda job: _hyperparameters(job).get("n_epochs") == -1,
    "null organization_id": lambda job: "organization_id" in job and job["organization_id"] is None,
    "null result_files": lambda job: "result_files" in job and job["result_files"] is None,
    "null method": lambda job: "method" in job and job["method"] is None,
    "status paused": lambda job: job["status"] == "paused",
    "status resuming": lambda job: job["status"] == "resuming",
    # Azure leaves out what would be null: each nullable required property, and the two
    # Azure sends no value for.
    "no error": lambda job: "error" not in job,
    "no finished_at": lambda job: "finished_at" not in job,
    "no fine_tuned_model": lambda job: "fine_tuned_model" not in job,
    "no trained_tokens": lambda job: "trained_tokens" not in job,
    "no validation_file": lambda job: "validation_file" not in job,
    "no organization_id": lambda job: "organization_id" not in job,
    "no result_files": lambda job: "result_files" not in job,
    "DPO or reinforcement job without hyperparameters": lambda job: (
        "hyperparameters" not in job and _method_type(job) in ("dpo", "reinforcement")
    ),
}


def _check_reached(jobs: list[dict[str, Any]], profile: Profile, targets: dict[str, Any]) -> None:
    fast = fast_validator(JOB, profile)
    assert all(fast.is_valid(job) for job in jobs)
    reference = reference_validator(JOB, profile)
    for name, target in targets.items():
        hits = [job for job in jobs if target(job)]
        assert hits, f"{name} never drawn in {len(jobs)} jobs"
        # What the amendment accepts, the published contract refuses; both validators agree.
        assert reference.is_valid(hits[0])
        assert not is_valid(hits[0])


# -- the sampler -----------------------------------------------------------------------------------


def test_sampler_reaches_what_observed_accepts() -> None:
    jobs = list(islice(sampler.conforming(profile="observed"), DRAWS))
    _check_reached(jobs, OBSERVED, OBSERVED_TARGETS)
    seed_cut_off = _cut_off(OBSERVED, "seed-absent-legacy")
    for job in jobs:
        if "seed" not in job:  # a legacy job: created before the cut-off the amendment names
            assert job["created_at"] < seed_cut_off
        if "hyperparameters" not in job or job["hyperparameters"] is None:
            assert _method_type(job) in ("dpo", "reinforcement")


def test_sampler_reaches_what_azure_accepts() -> None:
    jobs = list(islice(sampler.conforming(profile=AZURE), DRAWS))
    _check_reached(jobs, AZURE, AZURE_TARGETS)
    for job in jobs:  # the amendment is derived from the schemas: nothing else goes missing
        left_out = {"error", "finished_at", "fine_tuned_model", "trained_tokens"}
        left_out |= {"validation_file", "organization_id", "result_files", "hyperparameters"}
        assert set(minimal_job()) - set(job) <= left_out


@pytest.mark.parametrize("name", [JOB, LIST])
@pytest.mark.parametrize("profile", ["observed", "azure"])
def test_sampler_payloads_are_valid_under_the_profile_for_both_validators(
    name: str, profile: str
) -> None:
    knobs = [
        {},
        {"coherent": True, "extra_properties": True},
        {"realistic": False},
    ]
    reference = reference_validator(name, profile)
    for options in knobs:
        for payload in islice(sampler.conforming(name, profile=profile, **options), 60):
            assert is_valid(payload, name, profile)
            assert reference.is_valid(payload)


def test_the_default_profile_draws_nothing_an_amendment_adds() -> None:
    jobs = list(islice(sampler.conforming(), 500))
    targets = {**OBSERVED_TARGETS, **AZURE_TARGETS}
    assert not [name for name, target in targets.items() if any(target(job) for job in jobs)]


def test_sampler_mutants_are_invalid_under_the_profile() -> None:
    fast = fast_validator(JOB, OBSERVED)
    reference = reference_validator(JOB, OBSERVED)
    for context in ("minimal", "full"):
        mutants = list(islice(sampler.nonconforming(profile="observed", context=context), 1500))
        assert not any(fast.is_valid(m.payload) for m in mutants)
        assert not any(reference.is_valid(m.payload) for m in mutants[:150])


def test_a_mutant_an_amendment_accepts_is_not_yielded() -> None:
    # A job error's code or message of null breaks the published contract (the sampler
    # draws it about one mutant in 35), and error-null-fields (observed) accepts it.
    error = "FineTuningJobError"
    published = list(islice(sampler.nonconforming(error), DRAWS))
    accepted = {m.description for m in published if is_valid(m.payload, error, OBSERVED)}
    assert accepted == {"code of wrong type null", "message of wrong type null"}
    observed = list(islice(sampler.nonconforming(error, profile=OBSERVED), DRAWS))
    assert not any(is_valid(m.payload, error, OBSERVED) for m in observed)
    assert not any(m.description in accepted for m in observed)


# -- the Hypothesis strategies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "targets"), [(OBSERVED, OBSERVED_TARGETS), (AZURE, AZURE_TARGETS)]
)
def test_strategies_reach_what_the_profile_accepts(
    profile: Profile, targets: dict[str, Callable[[dict[str, Any]], bool]]
) -> None:
    drawn = strategies.conforming(profile=profile)
    found = [find(drawn, target, settings=SEARCH) for target in targets.values()]
    _check_reached(found, profile, targets)


@settings(max_examples=30)
@given(data=st.data())
def test_strategy_payloads_are_valid_under_the_profile(data: st.DataObject) -> None:
    profile = data.draw(st.sampled_from(["observed", "azure"]))
    name = data.draw(st.sampled_from([JOB, LIST]))
    coherent = data.draw(st.booleans())
    payload = data.draw(strategies.conforming(name, profile=profile, coherent=coherent))
    assert is_valid(payload, name, profile)
    assert reference_validator(name, profile).is_valid(payload)


@settings(max_examples=20)
@given(data=st.data())
def test_strategy_mutants_are_invalid_under_the_profile(data: st.DataObject) -> None:
    profile = data.draw(st.sampled_from(["observed", "azure"]))
    context: Context = data.draw(st.sampled_from(CONTEXTS))
    mutant = data.draw(strategies.nonconforming(profile=profile, context=context))
    assert not is_valid(mutant.payload, JOB, profile)
    assert not reference_validator(JOB, profile).is_valid(mutant.payload)


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown profile 'nope'; known profiles: published"):
        strategies.conforming(profile="nope")
    with pytest.raises(ValueError, match="unknown profile 'nope'"):
        sampler.nonconforming(profile="nope")


# -- user amendments -------------------------------------------------------------------------------

_CONFIG = """\
[tool.finetune-contract.amendments.cancelled-tokens-text]
description = "Cancelled jobs say n/a for trained_tokens."
evidence = ["https://example.com/issue/2"]
first-seen = "2026-02-01"
scope = "FineTuningJob.json#/properties/trained_tokens"
change = { allow = { const = "n/a" } }
when = { required = ["status"], properties = { status = { const = "cancelled" } } }

[tool.finetune-contract.amendments.status-archived]
description = "Archived jobs."
evidence = ["https://example.com/issue/1"]
first-seen = "2026-01-31"
scope = "FineTuningJob.json#/properties/status"
change = { enum-add = ["archived"] }

[tool.finetune-contract.profiles.ours]
extends = "observed"
amendments = ["cancelled-tokens-text", "status-archived"]
"""


def test_user_amendments_conditional_allow_is_reached_only_where_its_when_holds(
    tmp_path: Path,
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(_CONFIG)
    ours = profiles.resolve("ours", config=config)
    jobs = list(islice(sampler.conforming(profile=ours), DRAWS))
    fast = fast_validator(JOB, ours)
    assert all(fast.is_valid(job) for job in jobs)
    texts = [job for job in jobs if job["trained_tokens"] == "n/a"]
    assert texts
    assert all(job["status"] == "cancelled" for job in texts)
    assert any(job["status"] == "archived" for job in jobs)
    assert any("seed" not in job for job in jobs)  # what it extends is still reached


# -- the command line ------------------------------------------------------------------------------


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "contract", *args], input=stdin, capture_output=True, timeout=120
    )


def test_generate_profile_piped_into_check(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "contract"]
    generate = subprocess.Popen(
        [*command, "generate", "--profile", "observed", "--valid", "-n", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert generate.stdout is not None
    checked = subprocess.run(
        [*command, "check", "--profile", "observed", "-"],
        stdin=generate.stdout,
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    generate.stdout.close()
    assert generate.wait(timeout=120) == 0
    assert checked.returncode == 0, checked.stdout.decode()[-2000:]
    summary = checked.stdout.decode()
    assert "checked 1000 payloads: 1000 valid, 0 invalid" in summary
    assert "amendments needed (profile observed): " in summary
    assert "seed-absent-legacy" in summary


def test_check_with_the_default_profile_reports_the_deviations(tmp_path: Path) -> None:
    drawn = _cli("generate", "--profile", "observed", "--valid", "-n", "300", "--seed", "7")
    assert drawn.returncode == 0
    checked = _cli("check", "-", stdin=drawn.stdout)
    assert checked.returncode == 1
    out = checked.stdout.decode()
    for amendment in ("error-empty-object", "seed-absent-legacy"):
        assert f"(known deviation {amendment}; accepted by profile observed)" in out
    assert "(known deviation status-paused; accepted by profiles observed, azure)" in out


def test_generate_amend_and_no_amend(capsys: pytest.CaptureFixture[str]) -> None:
    def statuses(*options: str) -> set[str]:
        argv = ["generate", "--valid", "-n", "400", "--seed", "3", *options]
        assert main(argv) == 0
        out = capsys.readouterr().out
        return {json.loads(line)["status"] for line in out.splitlines()}

    assert "paused" in statuses("--profile", "observed")
    assert "paused" not in statuses("--profile", "observed", "--no-amend", "status-paused")
    assert "pending" in statuses("--amend", "azure-status-pending")


def test_generate_invalid_under_a_profile_with_labels(tmp_path: Path) -> None:
    target = tmp_path / "bad.jsonl"
    argv = ["generate", "--invalid", "-n", "200", "--seed", "2", "--profile", "azure"]
    assert main([*argv, "-o", str(target)]) == 0
    payloads = [json.loads(line) for line in target.read_text().splitlines()]
    labels = (tmp_path / "bad.labels.jsonl").read_text().splitlines()
    assert len(payloads) == len(labels) == 200
    assert not any(is_valid(p, profile=AZURE) for p in payloads)


def test_generate_with_a_configuration_file(tmp_path: Path) -> None:
    config = tmp_path / "contract.toml"
    config.write_text(_CONFIG.replace("[tool.finetune-contract.", "["))
    out = tmp_path / "jobs.jsonl"
    argv = ["generate", "--valid", "-n", "600", "--seed", "4", "--config", str(config)]
    assert main([*argv, "--profile", "ours", "-o", str(out)]) == 0
    jobs = [json.loads(line) for line in out.read_text().splitlines()]
    ours = profiles.resolve("ours", config=config)
    assert all(is_valid(job, profile=ours) for job in jobs)
    assert any(job["status"] == "archived" for job in jobs)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--profile", "nope"], "unknown profile 'nope'; known profiles: published, observed"),
        (["--amend", "nope"], "unknown amendment 'nope'; known amendments: "),
        (["--config", "missing.toml"], "missing.toml"),
    ],
)
def test_generate_bad_profile_options_are_one_line_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--valid", "-n", "3", *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("finetune-contract generate: error: ")
    assert message in lines[0]


# -- the server ------------------------------------------------------------------------------------


def test_server_serves_payloads_of_a_profile() -> None:
    beyond_published: list[Any] = []
    with ContractServer() as server, httpx.Client() as client:

        @settings(max_examples=12)
        @given(data=st.data())
        def served(data: st.DataObject) -> None:
            payload = server.serve_conforming(data, profile="azure")
            answer = client.post(server.pause_url(str(payload["id"])))
            assert answer.json() == payload
            assert is_valid(payload, profile=AZURE)
            if not is_valid(payload):
                beyond_published.append(payload)
            mutant = server.serve_nonconforming(data, profile="observed")
            assert not is_valid(mutant.payload, profile=OBSERVED)
            assert server.pending == 1
            server.reset()

        served()
    assert beyond_published  # some job only azure accepts was served


# -- events and checkpoints ------------------------------------------------------------------------

ITEMS = [
    "FineTuningJobEvent",
    "ListFineTuningJobEventsResponse",
    "FineTuningJobCheckpoint",
    "ListFineTuningJobCheckpointsResponse",
]


@pytest.mark.parametrize("name", ITEMS)
def test_events_and_checkpoints_are_generated_both_ways(name: str) -> None:
    reference = reference_validator(name)
    for knobs in ({}, {"coherent": True}, {"extra_properties": True}, {"realistic": False}):
        drawn = list(islice(sampler.conforming(name, **knobs), 100))
        # (coherent: an event's type "message" names no other key; its message stays)
        assert all(is_valid(p, name) and reference.is_valid(p) for p in drawn), knobs
    mutants = list(islice(sampler.nonconforming(name), 100))
    assert not any(is_valid(m.payload, name) or reference.is_valid(m.payload) for m in mutants)


def test_observed_draws_message_events_with_null_data() -> None:
    events = list(islice(sampler.conforming("FineTuningJobEvent", profile=OBSERVED), DRAWS))
    nulls = [e for e in events if "data" in e and e["data"] is None]
    assert nulls and not is_valid(nulls[0], "FineTuningJobEvent")
    published = islice(sampler.conforming("FineTuningJobEvent"), 500)
    assert not any("data" in e and e["data"] is None for e in published)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_strategies_draw_events_and_checkpoints(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(ITEMS))
    coherent = data.draw(st.booleans())
    assert is_valid(data.draw(strategies.conforming(name, coherent=coherent)), name)
    assert not is_valid(data.draw(strategies.nonconforming(name)).payload, name)
