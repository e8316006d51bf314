"""contract.fuzz.check_parser / fuzz_parser: verdicts, shrinking, labels, database replay."""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis.database import InMemoryExampleDatabase

import contract
from contract import schema as registry
from contract.fuzz import FuzzReport, ParserFindings, check_parser, fuzz_parser
from contract.violations import ContractViolation

REQUIRED = set(registry.document("FineTuningJob")["required"])


def must_conform(payload: Any, schema: str = "FineTuningJob") -> None:
    """Raise ValueError unless the payload conforms (cheaper than contract.validate)."""
    if not contract.is_valid(payload, schema=schema):
        raise ValueError(f"not a {schema}")


def validating_parser(payload: Any) -> Any:
    """A correct strict parser: the contract's own validator."""
    must_conform(payload)
    return payload


def accepts_batch_size_zero(payload: Any) -> Any:
    """Buggy: lets batch_size 0 through (and checks everything else)."""
    if (
        isinstance(payload, dict)
        and type(payload.get("batch_size")) is int
        and payload["batch_size"] == 0
    ):
        payload = {k: v for k, v in payload.items() if k != "batch_size"}
    must_conform(payload, "FineTuningJobHyperparameters")
    return payload


def test_correct_parser_has_no_findings() -> None:
    report = check_parser(validating_parser, max_examples=40, seed=1, database=None)
    assert report.ok, str(report)
    conforming, nonconforming = report.counts["conforming"], report.counts["nonconforming"]
    assert conforming["accepted"] >= 30 and conforming["rejected"] == 0
    assert nonconforming["rejected"] >= 30 and nonconforming["accepted"] == 0


def test_strict_mode_reports_the_accepted_mutant_shrunk_and_labelled() -> None:
    report = check_parser(
        accepts_batch_size_zero, "FineTuningJobHyperparameters", seed=2, database=None
    )
    assert [f.kind for f in report.findings] == ["accepted-nonconforming"], str(report)
    finding = report.findings[0]
    assert json.dumps(finding.payload) == '{"batch_size": 0}'  # 0, not False or 0.0
    assert finding.shrunk
    assert finding.label is not None
    assert (finding.label["path"], finding.label["keyword"]) == ("/batch_size", "minimum")
    assert "accepted-nonconforming" in str(report) and '"batch_size": 0' in str(report)


def test_tolerant_mode_lets_the_parser_accept_nonconforming_payloads() -> None:
    report = check_parser(
        accepts_batch_size_zero,
        "FineTuningJobHyperparameters",
        mode="tolerant",
        seed=2,
        database=None,
    )
    assert report.ok, str(report)
    assert report.counts["nonconforming"]["accepted"] > 0


def test_crash_on_sixteen_metadata_keys_is_found_with_a_sixteen_key_payload() -> None:
    def crashes_on_sixteen_keys(payload: Any) -> Any:
        metadata = payload.get("metadata") if isinstance(payload, dict) else None
        if isinstance(metadata, dict) and len(metadata) == 16:
            raise KeyError("sixteen")
        must_conform(payload)
        return payload

    report = check_parser(
        crashes_on_sixteen_keys, max_examples=300, seed=3, database=None, shrink_time=5
    )
    # KeyError is not a clean rejection: a crash, counted in both classes' columns, and
    # one finding: one bug, whichever class showed it first.
    (finding,) = report.findings
    assert finding.kind == "crash", str(report)
    assert (
        report.counts["conforming"]["crash"] >= 1 and report.counts["nonconforming"]["crash"] >= 1
    )
    assert len(finding.payload["metadata"]) == 16
    assert finding.exception == "KeyError: 'sixteen'"
    assert "KeyError" in finding.traceback
    assert finding.group.startswith(f"KeyError at {__file__}:")
    assert contract.is_valid(finding.payload) == (finding.payload_class == "conforming")


@pytest.mark.parametrize(
    ("error", "kind", "column"),
    [(ValueError, "rejected-conforming", "rejected"), (TypeError, "crash", "crash")],
)
def test_shrunk_conforming_payload_is_minimal(
    error: type[Exception], kind: str, column: str
) -> None:
    def chokes_on_cancelled(payload: Any) -> Any:
        must_conform(payload)
        if payload["status"] == "cancelled":
            raise error("cannot handle cancelled jobs")
        return payload

    report = check_parser(chokes_on_cancelled, max_examples=60, seed=4, database=None)
    assert len(report.findings) == 1, str(report)
    finding = report.findings[0]
    assert finding.kind == kind and finding.shrunk
    assert report.counts["conforming"][column] > 0  # the table's column agrees
    assert finding.exception == f"{error.__name__}: cannot handle cancelled jobs"
    assert finding.payload["status"] == "cancelled"
    assert set(finding.payload) == REQUIRED  # every optional property shrunk away
    assert finding.payload["hyperparameters"] == {}
    assert finding.payload["result_files"] == []


def test_unclean_exception_is_a_crash_even_in_tolerant_mode() -> None:
    schema = "FineTuningJobHyperparameters"

    def raises_runtime_error(payload: Any) -> Any:
        if not contract.is_valid(payload, schema=schema):
            raise RuntimeError("boom")
        return payload

    report = check_parser(
        raises_runtime_error, schema, mode="tolerant", max_examples=30, seed=5, database=None
    )
    assert report.findings and {f.kind for f in report.findings} == {"crash"}
    assert all(f.exception == "RuntimeError: boom" for f in report.findings)
    assert all(f.payload_class == "nonconforming" for f in report.findings)

    clean = check_parser(
        raises_runtime_error,
        schema,
        mode="tolerant",
        max_examples=30,
        seed=5,
        database=None,
        clean=(RuntimeError,),
    )
    assert clean.ok, str(clean)


def test_invariant_violation_is_a_finding() -> None:
    def pairs_of(payload: Any) -> Any:
        must_conform(payload, "Metadata")
        return payload or {}

    report = check_parser(
        pairs_of,
        "Metadata",
        max_examples=60,
        seed=6,
        database=None,
        invariant=lambda payload, value: len(value) < 3,
    )
    assert [f.kind for f in report.findings] == ["invariant"], str(report)
    finding = report.findings[0]
    assert finding.payload_class == "conforming"
    assert len(finding.payload) == 3
    assert "invariant returned False" in finding.exception


RELEASE = threading.Event()


@pytest.fixture
def release_hung_calls() -> Iterator[None]:
    yield
    RELEASE.set()


@pytest.mark.usefixtures("release_hung_calls")
def test_hanging_parser_is_a_finding_within_bounded_time() -> None:
    def hangs_on_queued(payload: Any) -> Any:
        if isinstance(payload, dict) and payload.get("status") == "queued":
            RELEASE.wait()
        must_conform(payload)
        return payload

    started = time.monotonic()
    report = check_parser(hangs_on_queued, max_examples=40, seed=7, database=None, timeout=0.2)
    elapsed = time.monotonic() - started
    hangs = [f for f in report.findings if f.kind == "hang"]
    assert hangs, str(report)
    assert all(f.payload["status"] == "queued" for f in hangs)
    assert sum(c["hang"] for c in report.counts.values()) <= 3  # at most MAX_HANGS calls hang
    assert elapsed < 15
    assert any("after 3 hangs" in note for note in report.notes)


def test_bytes_input() -> None:
    seen: list[type] = []

    def parse_bytes(data: Any) -> Any:
        seen.append(type(data))
        payload = json.loads(data)
        must_conform(payload)
        return payload

    report = check_parser(parse_bytes, accepts="bytes", max_examples=20, seed=8, database=None)
    assert report.ok, str(report)
    assert seen and set(seen) == {bytes}


def test_findings_are_saved_and_replayed_first_from_the_database() -> None:
    database = InMemoryExampleDatabase()
    # No seed=: Hypothesis neither reads nor writes the database in a seeded run.
    # Enough draws that a random seed reaches batch_size 0 (100 missed it about one run in 20).
    first = check_parser(
        accepts_batch_size_zero,
        "FineTuningJobHyperparameters",
        database=database,
        max_examples=500,
    )
    assert [f.payload for f in first.findings] == [{"batch_size": 0}]
    assert database.data, "nothing saved in the example database"

    calls: list[Any] = []

    def recording(payload: Any) -> Any:
        calls.append(payload)
        return accepts_batch_size_zero(payload)

    # Same name as the first parser, so it reads the same database entries.
    recording.__qualname__ = accepts_batch_size_zero.__qualname__
    recording.__module__ = accepts_batch_size_zero.__module__
    second = check_parser(
        recording,
        "FineTuningJobHyperparameters",
        database=database,
        max_examples=5,
        mode="strict",
    )
    nonconforming_calls = [
        p for p in calls if not contract.is_valid(p, schema="FineTuningJobHyperparameters")
    ]
    assert nonconforming_calls[0] == {"batch_size": 0}  # replayed before any new draw
    assert [f.payload for f in second.findings] == [{"batch_size": 0}]


def test_fuzz_parser_decorator_makes_a_pytest_test() -> None:
    @fuzz_parser("FineTuningJobHyperparameters", seed=11, database=None)
    def test_buggy(payload: Any) -> Any:
        return accepts_batch_size_zero(payload)

    assert inspect.signature(test_buggy).parameters == {}
    assert test_buggy.__name__ == "test_buggy"
    with pytest.raises(ParserFindings) as caught:
        test_buggy()
    assert isinstance(caught.value, AssertionError)
    assert "accepted-nonconforming" in str(caught.value)
    assert caught.value.report.findings[0].payload == {"batch_size": 0}

    @fuzz_parser("FineTuningJobHyperparameters", max_examples=20, seed=11, database=None)
    def test_good(payload: Any) -> Any:
        must_conform(payload, "FineTuningJobHyperparameters")
        return payload

    test_good()  # no finding: does not raise


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "lenient"}, "mode must be one of strict, tolerant"),
        ({"accepts": "text"}, "accepts must be one of json, bytes"),
        ({"schema": "NoSuchType"}, "unknown schema 'NoSuchType'"),
        ({"max_examples": 0}, "max_examples must be at least 1"),
        ({"timeout": 0}, "timeout must be a positive number"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_parser(validating_parser, **options)


def test_report_renders_as_table_and_json() -> None:
    report = check_parser(
        accepts_batch_size_zero, "FineTuningJobHyperparameters", seed=2, database=None
    )
    assert isinstance(report, FuzzReport)
    lines = report.table().splitlines()
    assert lines[0].split() == ["class", "draws", "accepted", "rejected", "crashed", "hung"]
    assert lines[1].split()[0] == "conforming" and lines[2].split()[0] == "nonconforming"
    assert lines[3] == "findings: 1"
    # The table lists each finding: kind, label, and the minimal payload.
    assert lines[4].startswith("finding 1: [accepted-nonconforming] accepted a non-conforming")
    assert "[minimum at /batch_size: batch_size below minimum 1]" in lines[4]
    assert lines[5] == '  minimal payload: {"batch_size": 0}'
    document = json.loads(json.dumps(report.as_dict()))
    assert document["findings"][0]["label"]["keyword"] == "minimum"
    assert document["findings"][0]["payload"] == {"batch_size": 0}
    with pytest.raises(ParserFindings):
        report.raise_for_findings()


def test_secrets_in_exceptions_are_masked() -> None:
    key = "sk-proj-" + "Ab3" * 12

    def leaks(payload: Any) -> Any:
        raise RuntimeError(f"bad key {key} for {payload.get('id')!r}")

    report = check_parser(leaks, max_examples=5, seed=1, database=None, shrink_time=1)
    assert report.findings
    shown = (
        str(report) + json.dumps(report.as_dict()) + "".join(f.traceback for f in report.findings)
    )
    assert key not in shown and key[:20] not in shown
    assert "[REDACTED]" in shown


def test_shrinking_moves_the_label_with_the_broken_item() -> None:
    def accepts_bad_tags_only(payload: Any) -> Any:
        tags = (payload.get("wandb") or {}).get("tags") if isinstance(payload, dict) else None
        if isinstance(tags, list) and any(not isinstance(tag, str) for tag in tags):
            return payload
        raise ValueError("rejected")

    report = check_parser(
        accepts_bad_tags_only, "FineTuningIntegration", max_examples=400, seed=12, database=None
    )
    accepted = [f for f in report.findings if f.kind == "accepted-nonconforming"]
    assert len(accepted) == 1, str(report)
    finding = accepted[0]
    assert finding.shrunk and finding.label is not None
    # Every other tag is gone, so the broken one is the first, and the label says so.
    assert finding.label["path"] == "/wandb/tags/0", str(report)
    assert len(finding.payload["wandb"]["tags"]) == 1
    assert not isinstance(finding.payload["wandb"]["tags"][0], str)
    assert finding.label["keyword"] == "type"
    assert not contract.is_valid(finding.payload, schema="FineTuningIntegration")


@pytest.mark.parametrize("schema", ["FineTuneDPOHyperparameters", "FineTuningJob"])
def test_shrunk_mutants_keep_true_labels(schema: str) -> None:
    import random

    seed = random.SystemRandom().randrange(2**32)
    report = check_parser(
        lambda p: p, schema, max_examples=150, seed=seed, database=None, max_findings=20
    )
    mutants = [f for f in report.findings if f.kind == "accepted-nonconforming"]
    assert mutants, seed
    for finding in mutants:
        assert finding.label is not None
        path, keyword = finding.label["path"], finding.label["keyword"]
        found = contract.iter_violations(finding.payload, schema=schema)
        assert (path, keyword) in {(v.path, v.keyword) for v in found}, (seed, finding)
        value = _at(finding.payload, path)
        description = finding.label["description"]
        if keyword == "exclusiveMinimum":
            bound = json.loads(description.rsplit(" ", 1)[1])
            assert (value == bound) is (" at exclusive minimum " in description), (seed, finding)
        if keyword == "type":  # "... of wrong type boolean" names the value's kind
            assert description.endswith(" " + _kind(value)), (seed, finding)


def _kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null"}.get(value, "boolean")
    if isinstance(value, (int, float)):
        return "integer" if float(value).is_integer() else "non-integer number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def _at(payload: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        payload = payload[int(part)] if isinstance(payload, list) else payload[part]
    return payload


def test_one_finding_per_bug_and_the_users_frames_first() -> None:
    """Two bugs (two places that raise), each hit by both payload classes: two findings."""
    import json as _json

    def two_bugs(payload: Any) -> Any:
        if isinstance(payload, dict) and payload.get("status") == "failed":
            return _json.loads(payload["id"] + "{")  # bug 1: raises inside the library
        if isinstance(payload, dict) and payload.get("seed") == 0:
            raise TypeError("seed 0")  # bug 2: raises here
        return payload

    report = check_parser(
        two_bugs,
        mode="tolerant",
        max_examples=200,
        seed=5,
        database=None,
        shrink_time=2,
        clean=(ContractViolation,),
    )
    assert sorted(f.group.split(" at ")[0] for f in report.findings) == [
        "JSONDecodeError",
        "TypeError",
    ], str(report)
    assert all(f.kind == "crash" for f in report.findings)
    assert len({f.group for f in report.findings}) == 2
    decode = next(f for f in report.findings if f.group.startswith("JSONDecodeError"))
    lines = decode.traceback.splitlines()
    assert lines[0] == "Your code (innermost last):"
    assert __file__ in lines[1] and "two_bugs" in lines[1]
    library = lines.index("Library frames (innermost last):")
    assert library > 1 and "json" in "\n".join(lines[library:])
    assert "_python.py" not in decode.traceback  # the runner that called the parser: left out
    assert str(report).count("| Your code (innermost last):") == 2
