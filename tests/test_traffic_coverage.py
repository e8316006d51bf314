"""Traffic coverage: what checked traffic exercised of the contract, and what it never did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract import schema as registry
from contract.recordings import read
from contract.schema import operations
from contract.traffic import Observation, TrafficCoverage, observe
from tests.helpers import minimal_job
from tests.recording_builders import vcr_interaction, write_cassette
from tests.report_runs import CORPUS, check, clean_env, json_of, needs_corpus

__all__ = ["clean_env"]

API = "https://api.openai.com/v1/fine_tuning/jobs"


def _job_enum(prop: str) -> list[str]:
    """An enum as the schema document states it (read here, not restated)."""
    values: list[str] = registry.document("FineTuningJob")["properties"][prop]["enum"]
    return values


def _grader_kinds() -> list[str]:
    method = registry.document("FineTuneReinforcementMethod")
    kinds = []
    for branch in method["properties"]["grader"]["oneOf"]:
        name = registry.name_of(registry.BASE_URI + branch["$ref"]).removesuffix(".json")
        kinds.append(registry.document(name)["properties"]["type"]["const"])
    return kinds


def _coverage(*jobs: dict[str, Any], tmp_path: Path) -> TrafficCoverage:
    path = tmp_path / "jobs.jsonl"
    path.write_text("".join(json.dumps(job) + "\n" for job in jobs))
    return TrafficCoverage.of(observe(i) for i in read(path))


def test_enum_values_seen_and_never_seen(tmp_path: Path) -> None:
    statuses = _job_enum("status")
    data = _coverage(
        minimal_job(status=statuses[0]), minimal_job(status="paused"), tmp_path=tmp_path
    ).as_dict()
    entry = data["values"]["/status"]
    assert entry["seen"] == {statuses[0]: 1}
    assert entry["never"] == statuses[1:]
    assert entry["outside"] == {"paused": 1}
    assert data["jobs"] == 2


def test_methods_and_graders(tmp_path: Path) -> None:
    grader = {
        "type": "string_check",
        "name": "g",
        "input": "{{sample.output_text}}",
        "reference": "x",
        "operation": "eq",
    }
    reinforcement = {"type": "reinforcement", "reinforcement": {"grader": grader}}
    data = _coverage(minimal_job(method=reinforcement), tmp_path=tmp_path).as_dict()
    methods = data["values"]["/method/type"]
    assert methods["seen"] == {"reinforcement": 1}
    assert set(methods["never"]) == {"supervised", "dpo"}
    graders = data["alternatives"]["/method/reinforcement/grader"]
    assert graders["seen"] == {"string_check": 1}
    assert graders["never"] == [k for k in _grader_kinds() if k != "string_check"]


def test_nullable_and_optional_cases(tmp_path: Path) -> None:
    failed = minimal_job(
        status="failed", error={"code": "x", "message": "m", "param": None}, metadata={"a": "b"}
    )
    without_seed = minimal_job()
    del without_seed["seed"]
    data = _coverage(minimal_job(), failed, without_seed, tmp_path=tmp_path).as_dict()
    assert data["nullable"]["/error"] == {"null": 2, "non-null": 1}
    assert data["nullable"]["/error/param"] == {"null": 1, "non-null": 0}
    assert data["optional"]["/metadata"] == {"present": 1, "absent": 2}
    assert data["optional"]["/integrations"] == {"present": 0, "absent": 3}
    # seed is required: absence is a violation, not a coverage case
    assert "/seed" not in data["optional"]


def test_lines_name_what_was_never_seen(tmp_path: Path) -> None:
    lines = _coverage(minimal_job(result_files=[]), tmp_path=tmp_path).lines()
    text = "\n".join(lines)
    assert lines[0].startswith("traffic coverage: 1 response (1 job);")
    never = [s for s in _job_enum("status") if s != "running"]
    assert f"  /status: never {', '.join(never)} (seen: running)" in lines
    assert "nullable fields never non-null: /error," in text
    assert "optional properties never present: /integrations," in text
    assert "never reached: /result_files/*" in text
    # Places under objects never seen are not listed one by one.
    assert "/method/reinforcement/grader" not in text


def test_operations_and_statuses_per_response(tmp_path: Path) -> None:
    page = {
        "object": "list",
        "data": [minimal_job(), minimal_job(status="failed")],
        "has_more": False,
    }
    error = {
        "error": {"message": "no", "type": "invalid_request_error", "param": None, "code": None}
    }
    path = write_cassette(
        tmp_path / "c.yaml",
        [
            vcr_interaction("GET", API, 200, json.dumps(page)),
            vcr_interaction("POST", API, 400, json.dumps(error)),
            vcr_interaction("GET", "https://api.openai.com/v1/models", 200, "{}"),
        ],
    )
    coverage = TrafficCoverage.of(observe(i) for i in read(path))
    ops = coverage.as_dict()["operations"]
    assert set(ops) == {op.operation_id for op in operations.operations()}
    list_id, create_id = operations.get("list").operation_id, operations.get("create").operation_id
    assert ops[list_id] == {"responses": 1, "statuses": {"200": 1}}
    assert ops[create_id] == {"responses": 1, "statuses": {"400": 1}}
    assert coverage.responses == 2 and coverage.jobs == 2  # a page's jobs one by one
    assert coverage.as_dict()["values"]["/status"]["seen"] == {"running": 1, "failed": 1}
    never = [name for name, entry in ops.items() if not entry["responses"]]
    assert f"  operations never seen: {', '.join(never)}" in coverage.lines()


_FACTS = st.tuples(
    st.sampled_from(["enum", "alternative", "nullable", "optional", "reached", "outside"]),
    st.text(max_size=10),
    st.text(max_size=10),
)


@given(
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.integers(100, 599)),
    st.integers(0, 100),
    st.lists(st.tuples(_FACTS, st.integers(1, 10)), max_size=5, unique_by=lambda p: p[0]),
)
def test_observations_survive_their_json_form(
    operation: str | None, status: int | None, jobs: int, facts: list[Any]
) -> None:
    observation = Observation(operation, status, jobs, tuple(facts))
    assert Observation.from_list(json.loads(json.dumps(observation.as_list()))) == observation


def test_cli_coverage_in_text_and_json(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(json.dumps(minimal_job(status="failed")) + "\n")
    status, out, _ = check(capsys, "--coverage", path)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "checked 1 payload: 1 valid, 0 invalid"
    assert lines[1].startswith("traffic coverage: 1 response (1 job);")
    status, out, _ = check(capsys, "--format", "json", "--coverage", path)
    coverage = json.loads(out)["coverage"]
    assert coverage["values"]["/status"]["seen"] == {"failed": 1}
    assert "traffic coverage" not in check(capsys, path)[1]


@needs_corpus
def test_the_real_corpus_shows_pause_and_resume(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    coverage = json_of(CORPUS, "--coverage")["coverage"]
    ops = coverage["operations"]
    # SOURCES.md, added 2026-12-07: one real pause and one real resume (Azure AI Foundry),
    # both answered 200; Azure's create answered 201; one recorded page of events.
    for verb in ("pause", "resume"):
        assert ops[operations.get(verb).operation_id] == {"responses": 1, "statuses": {"200": 1}}
    assert ops[operations.get("create").operation_id]["statuses"]["201"] == 1
    assert ops[operations.get("events").operation_id] == {"responses": 1, "statuses": {"200": 1}}
    assert ops[operations.get("list").operation_id]["responses"] == 4
    # The lifecycle the published enum lacks: pausing, then paused, then resuming; Azure's
    # pending. (One each in the recordings; "paused" also in the upstream pause example.)
    outside = coverage["values"]["/status"]["outside"]
    assert {"pausing", "paused", "resuming", "pending"} <= set(outside)
    assert outside["pausing"] == 1 and outside["resuming"] == 1
    # The events page holds one message event of level info.
    assert coverage["items"] == {"FineTuningJobEvent": 1}
    level = coverage["values"]["FineTuningJobEvent:/level"]
    assert level["seen"] == {"info": 1} and level["never"] == ["warn", "error"]
    assert coverage["jobs"] >= 86 + 6


def test_events_and_checkpoints_are_covered_in_their_own_places(tmp_path: Path) -> None:
    event = {
        "object": "fine_tuning.job.event",
        "id": "ftevent-1",
        "created_at": 1,
        "level": "warn",
        "message": "m",
    }
    path = write_cassette(
        tmp_path / "events.yaml",
        [
            vcr_interaction(
                "GET",
                f"{API}/ftjob-1/events",
                200,
                json.dumps({"object": "list", "data": [event, event], "has_more": False}),
            )
        ],
    )
    coverage = TrafficCoverage.of(observe(i) for i in read(path))
    data = coverage.as_dict()
    assert (data["jobs"], data["items"]) == (0, {"FineTuningJobEvent": 2})
    assert data["values"]["FineTuningJobEvent:/level"]["seen"] == {"warn": 2}
    assert data["optional"]["FineTuningJobEvent:/type"] == {"present": 0, "absent": 2}
    assert "/status" not in [p for p, v in data["values"].items() if v["seen"]]
    lines = coverage.lines()
    assert lines[0].startswith("traffic coverage: 1 response (0 jobs, 2 events);")
    assert "  FineTuningJobEvent:/level: never info, error (seen: warn)" in lines
    # Observations travel between processes as JSON.
    (observation,) = [observe(i) for i in read(path)]
    assert Observation.from_list(json.loads(json.dumps(observation.as_list()))) == observation


def test_plugin_summary_with_contract_coverage(pytester: pytest.Pytester) -> None:
    jobs = pytester.path / "jobs.jsonl"
    jobs.write_text(json.dumps(minimal_job(status="failed")) + "\n" + json.dumps(minimal_job()))
    result = pytester.runpytest("--contract-recordings", str(jobs), "--contract-coverage")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "contract: traffic coverage: 2 responses (2 jobs);*",
            "contract:   /status: never * (seen: running, failed)*",
        ]
    )
    plain = pytester.runpytest("--contract-recordings", str(jobs))
    assert "traffic coverage" not in plain.stdout.str()


def test_values_outside_the_contract_are_escaped_for_people(tmp_path: Path) -> None:
    coverage = _coverage(minimal_job(status="\x1b[2Jpaused\u202e"), tmp_path=tmp_path)
    assert coverage.as_dict()["values"]["/status"]["outside"] == {"\x1b[2Jpaused\u202e": 1}
    (line,) = [line for line in coverage.lines() if line.startswith("  /status:")]
    assert line.endswith("outside the contract: \\x1b[2Jpaused\\u202e")


def test_worker_processes_give_the_same_coverage(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    statuses = _job_enum("status")
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        "".join(json.dumps(minimal_job(status=statuses[i % 3], seed=i)) + "\n" for i in range(30))
    )
    found = []
    for jobs in ("1", "2"):
        _, out, _ = check(capsys, "--jobs", jobs, "--format", "json", "--coverage", path)
        found.append(json.loads(out)["coverage"])
    assert found[0] == found[1]
    assert found[0]["values"]["/status"]["seen"] == {s: 10 for s in statuses[:3]}


def _summary_and_coverage(out: str) -> list[str]:
    """The summary line and the coverage report of ``check``'s text output."""
    lines = out.splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.startswith("checked ")]
    return lines[start:]


@pytest.mark.parametrize("fail_fast", [(), ("--fail-fast",)])
def test_counted_coverage_is_the_coverage_of_each_result_serially_in_processes_and_stopped(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    fail_fast: tuple[str, ...],
) -> None:
    # Conforming lines come as counts whose coverage is handed over once per chunk, or,
    # with --fail-fast, before each result; -v checks and observes every line on its own.
    from itertools import islice

    from contract.engine._work import CHUNK_LINES
    from contract.generate import sampler

    lines = [json.dumps(j) for j in islice(sampler.conforming(seed=4, coherent=True), 2600)]
    broken = [json.dumps(m.payload) for m in islice(sampler.nonconforming(seed=4), 40)]
    for at, line in zip(range(CHUNK_LINES + 50, 2600, 13), broken, strict=False):
        lines[at] = line  # the first failure in the second chunk, more after it
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    plain = _summary_and_coverage(check(capsys, "-v", "--coverage", *fail_fast, path)[1])
    assert plain[0].startswith("checked 2051 payloads" if fail_fast else "checked 2600 payloads")
    for jobs in ("1", "2"):
        _, out, _ = check(capsys, "--jobs", jobs, "--coverage", *fail_fast, path)
        assert _summary_and_coverage(out) == plain
