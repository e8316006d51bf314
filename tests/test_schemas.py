"""The schema documents: well-formed 2020-12, linked, and faithful to the fixes claimed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

import contract
from contract import schema as registry
from contract.schema import operations

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SEED_TYPES = {
    "FineTuningJob",
    "FineTuneMethod",
    "FineTuneSupervisedMethod",
    "FineTuneDPOMethod",
    "FineTuneReinforcementMethod",
    "FineTuneSupervisedHyperparameters",
    "FineTuneDPOHyperparameters",
    "FineTuneReinforcementHyperparameters",
    "Metadata",
}
REACHED_TYPES = {
    "FineTuningJobError",
    "FineTuningIntegration",
    "GraderStringCheck",
    "GraderTextSimilarity",
    "GraderPython",
    "GraderScoreModel",
    "GraderMulti",
    "GraderLabelModel",
    "EvalItem",
    "EvalItemContent",
    "EvalItemContentItem",
    "EvalItemContentArray",
    "EvalItemContentText",
    "EvalItemContentOutputText",
    "EvalItemInputImage",
    "InputTextContent",
    "InputAudio",
    "PromptCacheBreakpointConfig",
    "ReasoningEffort",
    "Error",
    "ErrorResponse",
}
NAMES = sorted(registry.schema_names())


def _nodes(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{where}/{index}")


def test_the_registry_reads_the_checkout_schemas() -> None:
    documents = {p for p in SCHEMA_DIR.glob("*.json") if p.name not in registry.NOT_SCHEMAS}
    assert {p.stem for p in documents} == set(NAMES)


def test_every_named_type_has_a_document() -> None:
    assert set(NAMES) >= SEED_TYPES | REACHED_TYPES


@pytest.mark.parametrize("name", NAMES)
def test_document_passes_the_2020_12_metaschema(name: str) -> None:
    document = registry.document(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("name", NAMES)
def test_every_reference_resolves(name: str) -> None:
    resolver = registry.registry().resolver(registry.uri_of(name))
    refs = [
        node["$ref"]
        for _, node in _nodes(registry.document(name))
        if isinstance(node, dict) and "$ref" in node
    ]
    for ref in refs:
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:  # pragma: no cover - the assertion below reports it
            pytest.fail(f"{name}: {ref} does not resolve: {exc}")


def test_exclusive_bounds_are_numbers_not_booleans() -> None:
    for name in NAMES:
        for where, node in _nodes(registry.document(name)):
            if isinstance(node, dict) and "exclusiveMinimum" in node:
                assert type(node["exclusiveMinimum"]) in (int, float), f"{name}{where}"


def test_score_range_is_exactly_two_numbers() -> None:
    range_schema = registry.document("GraderScoreModel")["properties"]["range"]
    assert (range_schema["minItems"], range_schema["maxItems"]) == (2, 2)
    assert "min_items" not in json.dumps(range_schema)


def test_every_property_is_described() -> None:
    undescribed = [
        f"{name}{where}/{key}"
        for name in NAMES
        for where, node in _nodes(registry.document(name))
        if isinstance(node, dict) and isinstance(node.get("properties"), dict)
        for key, sub in node["properties"].items()
        if "description" not in sub and "$ref" not in sub
    ]
    assert undescribed == []


def test_operation_document() -> None:
    op = operations.pause().document
    assert (op["method"], op["path"]) == ("POST", "/fine_tuning/jobs/{fine_tuning_job_id}/pause")
    (parameter,) = op["parameters"]
    assert parameter == {
        **parameter,
        "name": "fine_tuning_job_id",
        "in": "path",
        "required": True,
        "type": "string",
    }
    assert op["responses"]["200"]["content_type"] == "application/json"
    assert op["responses"]["200"]["schema"] == registry.uri_of("FineTuningJob")


def test_unknown_schema_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown schema 'FineTuningJobs'.*FineTuningJob, "):
        contract.is_valid({}, schema="FineTuningJobs")
    with pytest.raises(ValueError, match="known schemas"):
        list(contract.iter_violations({}, schema="nope"))


def test_package_exports_resolve() -> None:
    for name in contract.__all__:
        assert getattr(contract, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = contract.nope  # type: ignore[attr-defined]
