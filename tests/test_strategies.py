"""Conforming payloads: always valid, every branch and boundary reachable, loud refusals."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from contract import schema as registry
from contract.generate import strategies
from contract.schema import tree as _schema_nodes
from contract.validation import fast_validator, reference_validator

#: For what a search finds and shrinks to. Without Hypothesis's explain phase, which
#: tries which parts of the example matter (15 of the 18 s the shrinking test took):
#: ``find`` prints no explanation.
FIND = settings(
    max_examples=20_000,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
#: For reachability: stop at the first example found, no shrinking.
NO_SHRINK = settings(FIND, phases=[Phase.generate])


def _both_accept(payload: Any, name: str) -> bool:
    return bool(fast_validator(name).is_valid(payload)) and reference_validator(name).is_valid(
        payload
    )


@pytest.mark.parametrize(
    ("realistic", "extra", "count"),
    [(True, False, 300), (False, False, 300), (True, True, 150), (False, True, 150)],
)
def test_conforming_jobs_pass_both_validators(realistic: bool, extra: bool, count: int) -> None:
    @settings(max_examples=count, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.conforming(realistic=realistic, extra_properties=extra))
    def check(job: dict[str, Any]) -> None:
        assert isinstance(job, dict)
        assert _both_accept(job, "FineTuningJob"), job
        json.dumps(job, allow_nan=False)  # JSON-safe: no NaN or infinity

    check()


@pytest.mark.parametrize("name", registry.schema_names())
def test_every_type_conforms(name: str) -> None:
    @settings(max_examples=40, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.conforming(name, realistic=False))
    def check(payload: Any) -> None:
        assert _both_accept(payload, name), payload

    check()


def _get(value: Any, *path: str | int) -> Any:
    for part in path:
        in_object = isinstance(value, dict) and isinstance(part, str) and part in value
        in_array = isinstance(value, list) and isinstance(part, int) and part < len(value)
        if not (in_object or in_array):
            return None
        value = value[part]
    return value


def _hyper_values(job: dict[str, Any], key: str) -> list[Any]:
    method = job.get("method") or {}
    places = [job.get("hyperparameters") or {}]
    places += [
        _get(method, m, "hyperparameters") or {} for m in ("supervised", "dpo", "reinforcement")
    ]
    return [p[key] for p in places if isinstance(p, dict) and key in p]


def _grader_type(job: dict[str, Any]) -> Any:
    return _get(job, "method", "reinforcement", "grader", "type")


_REACHABLE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "error object": lambda j: isinstance(j["error"], dict),
    "error null": lambda j: j["error"] is None,
    "optional property absent": lambda j: "method" not in j,
    "optional property present": lambda j: "estimated_finish" in j,
    "status cancelled (last enum value)": lambda j: j["status"] == "cancelled",
    "method dpo": lambda j: _get(j, "method", "type") == "dpo",
    "method reinforcement": lambda j: _get(j, "method", "type") == "reinforcement",
    "grader string_check": lambda j: _grader_type(j) == "string_check",
    "grader text_similarity": lambda j: _grader_type(j) == "text_similarity",
    "grader python": lambda j: _grader_type(j) == "python",
    "grader score_model": lambda j: _grader_type(j) == "score_model",
    "grader multi": lambda j: _grader_type(j) == "multi",
    "batch_size auto": lambda j: "auto" in _hyper_values(j, "batch_size"),
    "batch_size null": lambda j: (
        _get(j, "hyperparameters", "batch_size") is None and "batch_size" in j["hyperparameters"]
    ),
    "batch_size 1": lambda j: 1 in _hyper_values(j, "batch_size"),
    "batch_size 256": lambda j: 256 in _hyper_values(j, "batch_size"),
    "learning_rate_multiplier float": lambda j: any(
        isinstance(v, float) for v in _hyper_values(j, "learning_rate_multiplier")
    ),
    "beta 2": lambda j: 2 in _hyper_values(j, "beta"),
    "n_epochs 50": lambda j: 50 in _hyper_values(j, "n_epochs"),
    "16 metadata pairs": lambda j: isinstance(j.get("metadata"), dict) and len(j["metadata"]) == 16,
    "64-character metadata key": lambda j: (
        isinstance(j.get("metadata"), dict) and any(len(k) == 64 for k in j["metadata"])
    ),
    "5 integrations": lambda j: (
        isinstance(j.get("integrations"), list) and len(j["integrations"]) == 5
    ),
}


def test_conforming_reaches_every_branch_and_boundary() -> None:
    seen: set[str] = set()

    def record(job: dict[str, Any]) -> bool:
        seen.update(fact for fact, holds in _REACHABLE.items() if holds(job))
        return len(seen) == len(_REACHABLE)

    with contextlib.suppress(NoSuchExample):
        find(strategies.conforming(), record, settings=NO_SHRINK)
    assert sorted(set(_REACHABLE) - seen) == []


def test_failing_test_shrinks_to_a_small_readable_job() -> None:
    job = find(strategies.conforming(), lambda j: j["status"] == "failed", settings=FIND)
    text = json.dumps(job)
    assert set(job) == set(registry.document("FineTuningJob")["required"]), job
    assert len(text) < 450, text
    assert job["id"].startswith("ftjob-")


def test_realistic_identifiers_and_timestamps() -> None:
    @settings(max_examples=200, database=None)
    @given(strategies.conforming())
    def check(job: dict[str, Any]) -> None:
        assert job["id"].startswith("ftjob-")
        assert job["training_file"].startswith("file-")
        assert job["organization_id"].startswith("org-")
        assert all(f.startswith("file-") for f in job["result_files"])
        assert 1_500_000_000 < job["created_at"] < 2_000_000_000

    check()


def test_arbitrary_strings_reach_non_ascii() -> None:
    found = find(
        strategies.conforming(realistic=False),
        lambda j: any(ord(ch) > 127 for ch in j["id"]),
        settings=NO_SHRINK,
    )
    assert not found["id"].startswith("ftjob-") or len(found["id"]) > 6


def test_arbitrary_integers_reach_integral_floats() -> None:
    # JSON Schema counts 7.0 as an integer: arbitrary mode draws it, realistic mode does not.
    found = find(
        strategies.conforming(realistic=False),
        lambda j: isinstance(j["seed"], float),
        settings=NO_SHRINK,
    )
    assert found["seed"].is_integer() and _both_accept(found, "FineTuningJob")

    @settings(max_examples=200, database=None)
    @given(strategies.conforming())
    def check(job: dict[str, Any]) -> None:
        assert all(isinstance(job[k], int) for k in ("seed", "created_at"))

    check()


def test_extra_properties_are_added_and_allowed() -> None:
    known = set(registry.document("FineTuningJob")["properties"])
    found = find(
        strategies.conforming(extra_properties=True),
        lambda j: bool(set(j) - known),
        settings=NO_SHRINK,
    )
    assert _both_accept(found, "FineTuningJob")


def test_without_extra_properties_only_described_keys() -> None:
    known = set(registry.document("FineTuningJob")["properties"])

    @settings(max_examples=200, database=None)
    @given(strategies.conforming())
    def check(job: dict[str, Any]) -> None:
        assert set(job) <= known

    check()


def test_unknown_type_name_is_a_clear_error() -> None:
    known = "unknown schema 'Nope'; known schemas: CreateFineTuningJobRequest, Error"
    with pytest.raises(ValueError, match=known):
        strategies.conforming("Nope")
    with pytest.raises(ValueError, match="unknown schema"):
        strategies.nonconforming("Nope")


def test_every_document_compiles() -> None:
    _schema_nodes.check_all()


def _compile_with(monkeypatch: pytest.MonkeyPatch, extra_docs: dict[str, Any]) -> None:
    docs = dict(registry.documents())
    for name, doc in extra_docs.items():
        docs[name] = {"$id": registry.BASE_URI + name + ".json", **doc}
    # The published documents, which documents() and uri_of() read.
    monkeypatch.setattr(registry, "_published", lambda: docs)
    _schema_nodes._Compiler().node(next(iter(extra_docs)), "")


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        (
            {"Bad": {"type": "object", "properties": {"x": {"type": "string", "pattern": "a"}}}},
            r"Bad\.json#/properties/x: keyword\(s\) pattern not supported",
        ),
        ({"Bad": {"$ref": "Metadata.json", "maxProperties": 3}}, r"Bad\.json#: \$ref next to"),
        ({"Bad": {"type": "object", "additionalProperties": False}}, "additionalProperties: false"),
        (
            {"Bad": {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 3}]}},
            "may accept the same value",
        ),
        (
            {"Bad": {"type": "object", "properties": {"self": {"$ref": "Bad.json"}}}},
            "recursive reference",
        ),
        ({"Bad": {"maxLength": 3}}, 'without a "type" of string'),
    ],
)
def test_unsupported_schemas_are_refused_at_build_time(
    monkeypatch: pytest.MonkeyPatch, docs: dict[str, Any], message: str
) -> None:
    with pytest.raises(_schema_nodes.UnsupportedSchema, match=message):
        _compile_with(monkeypatch, docs)


def test_strategies_are_plain_search_strategies() -> None:
    assert isinstance(strategies.conforming(), st.SearchStrategy)
    assert isinstance(strategies.nonconforming(), st.SearchStrategy)
