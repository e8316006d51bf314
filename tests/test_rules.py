"""Every documented rule of every type, with a passing and a failing example.

Each case names a type, a valid base value of it, one change (a JSON Pointer
and the value put there) and what the contract must say: ``OK`` (conforms) or
the exact set of ``(path, keyword)`` violations reported.
"""

from __future__ import annotations

from typing import Any

import pytest

import contract
from tests.helpers import DELETE, changed, minimal_job, reported

OK: set[tuple[str, str]] = set()

STRING_CHECK = {
    "type": "string_check",
    "name": "g",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}
TEXT_SIMILARITY = {
    "type": "text_similarity",
    "name": "g",
    "input": "a",
    "reference": "b",
    "evaluation_metric": "bleu",
}
PYTHON = {"type": "python", "name": "g", "source": "def grade(sample, item): return 1.0"}
MESSAGE = {"role": "user", "content": "Rate {{sample.output_text}}"}
SCORE_MODEL = {"type": "score_model", "name": "g", "model": "gpt-4o", "input": [MESSAGE]}
LABEL_MODEL = {
    "type": "label_model",
    "name": "g",
    "model": "gpt-4o",
    "input": [MESSAGE],
    "labels": ["good", "bad"],
    "passing_labels": ["good"],
}
MULTI = {"type": "multi", "name": "g", "graders": STRING_CHECK, "calculate_output": "g"}
RFT = {"type": "reinforcement", "reinforcement": {"grader": STRING_CHECK}}
WANDB = {"type": "wandb", "wandb": {"project": "p"}}
ERROR = {"code": "invalid_file", "message": "bad", "param": None}

JOB = minimal_job()
BASES: dict[str, Any] = {
    "FineTuningJob": JOB,
    "FineTuneMethod": {"type": "supervised"},
    "FineTuneSupervisedMethod": {},
    "FineTuneDPOMethod": {},
    "FineTuneReinforcementMethod": {"grader": STRING_CHECK},
    "FineTuneSupervisedHyperparameters": {},
    "FineTuneDPOHyperparameters": {},
    "FineTuneReinforcementHyperparameters": {},
    "Metadata": {},
    "FineTuningIntegration": WANDB,
    "GraderStringCheck": STRING_CHECK,
    "GraderTextSimilarity": TEXT_SIMILARITY,
    "GraderPython": PYTHON,
    "GraderScoreModel": SCORE_MODEL,
    "GraderLabelModel": LABEL_MODEL,
    "GraderMulti": MULTI,
    "EvalItem": MESSAGE,
    "Error": {
        "type": "invalid_request_error",
        "message": "No such job",
        "param": None,
        "code": None,
    },
    "ErrorResponse": {"error": {"type": "t", "message": "m", "param": None, "code": "c"}},
}

CASES: list[tuple[str, str, Any, set[tuple[str, str]]]] = [
    # --- FineTuningJob: required properties and their types
    *[("FineTuningJob", f"/{name}", DELETE, {("", "required")}) for name in JOB],
    ("FineTuningJob", "/object", "fine_tuning.jobs", {("/object", "const")}),
    *[
        ("FineTuningJob", "/status", s, OK)
        for s in ("validating_files", "queued", "running", "succeeded", "failed", "cancelled")
    ],
    ("FineTuningJob", "/status", "paused", {("/status", "enum")}),
    ("FineTuningJob", "/created_at", 1.0, OK),  # 1.0 is an integer
    ("FineTuningJob", "/created_at", 1.5, {("/created_at", "type")}),
    ("FineTuningJob", "/created_at", True, {("/created_at", "type")}),  # booleans are not integers
    ("FineTuningJob", "/created_at", "1721764800", {("/created_at", "type")}),
    ("FineTuningJob", "/seed", False, {("/seed", "type")}),
    ("FineTuningJob", "/seed", -1, OK),
    ("FineTuningJob", "/id", 123, {("/id", "type")}),
    ("FineTuningJob", "/model", None, {("/model", "type")}),
    ("FineTuningJob", "/organization_id", None, {("/organization_id", "type")}),
    ("FineTuningJob", "/training_file", None, {("/training_file", "type")}),
    ("FineTuningJob", "/error", ERROR, OK),
    ("FineTuningJob", "/error", dict(ERROR, param="training_file"), OK),
    ("FineTuningJob", "/error", {}, {("/error", "required")}),  # the real-world "error": {}
    ("FineTuningJob", "/error", {"code": "c", "message": "m"}, {("/error", "required")}),
    ("FineTuningJob", "/error", "boom", {("/error", "type")}),
    ("FineTuningJob", "/error", dict(ERROR, code=5), {("/error/code", "type")}),
    ("FineTuningJob", "/fine_tuned_model", "ft:gpt-4o-mini:org::abc", OK),
    ("FineTuningJob", "/fine_tuned_model", 5, {("/fine_tuned_model", "type")}),
    ("FineTuningJob", "/finished_at", 1721768400, OK),
    ("FineTuningJob", "/finished_at", "soon", {("/finished_at", "type")}),
    ("FineTuningJob", "/trained_tokens", 5768, OK),
    ("FineTuningJob", "/trained_tokens", 57.5, {("/trained_tokens", "type")}),
    ("FineTuningJob", "/validation_file", "file-abc123", OK),
    ("FineTuningJob", "/validation_file", [], {("/validation_file", "type")}),
    ("FineTuningJob", "/result_files", ["file-1", "file-2"], OK),
    ("FineTuningJob", "/result_files", [1], {("/result_files/0", "type")}),
    ("FineTuningJob", "/result_files", None, {("/result_files", "type")}),
    ("FineTuningJob", "/estimated_finish", None, OK),
    ("FineTuningJob", "/estimated_finish", 1721768400, OK),
    ("FineTuningJob", "/estimated_finish", 1.5, {("/estimated_finish", "type")}),
    ("FineTuningJob", "/user_provided_suffix", "demo", OK),  # unknown properties are allowed
    ("FineTuningJob", "/usage_metrics", {"tokens": 1}, OK),
    # --- integrations: null, up to five, each a wandb integration
    ("FineTuningJob", "/integrations", None, OK),
    ("FineTuningJob", "/integrations", [], OK),
    ("FineTuningJob", "/integrations", [WANDB] * 5, OK),
    ("FineTuningJob", "/integrations", [WANDB] * 6, {("/integrations", "maxItems")}),
    ("FineTuningJob", "/integrations", {}, {("/integrations", "type")}),
    (
        "FineTuningJob",
        "/integrations",
        [{"type": "slack", "wandb": {"project": "p"}}],
        {("/integrations/0/type", "const")},
    ),
    ("FineTuningJob", "/integrations", [{"type": "wandb"}], {("/integrations/0", "required")}),
    # --- metadata: null, up to 16 pairs, keys <= 64, values <= 512 characters
    ("FineTuningJob", "/metadata", None, OK),
    ("FineTuningJob", "/metadata", {f"k{i}": "v" for i in range(16)}, OK),
    (
        "FineTuningJob",
        "/metadata",
        {f"k{i}": "v" for i in range(17)},
        {("/metadata", "maxProperties")},
    ),
    ("FineTuningJob", "/metadata", {"k" * 64: "v"}, OK),
    ("FineTuningJob", "/metadata", {"k" * 65: "v"}, {("/metadata", "propertyNames")}),
    ("FineTuningJob", "/metadata", {"k": "v" * 512}, OK),
    ("FineTuningJob", "/metadata", {"k": "v" * 513}, {("/metadata/k", "maxLength")}),
    ("FineTuningJob", "/metadata", {"k": 1}, {("/metadata/k", "type")}),
    ("FineTuningJob", "/metadata", ["k", "v"], {("/metadata", "type")}),
    ("Metadata", "", None, OK),
    ("Metadata", "", {"": ""}, OK),
    # --- the job's hyperparameters (batch_size may be null there)
    ("FineTuningJob", "/hyperparameters", {"n_epochs": 4}, OK),  # only some keys: allowed
    ("FineTuningJob", "/hyperparameters/batch_size", None, OK),
    ("FineTuningJob", "/hyperparameters/batch_size", 1, OK),
    ("FineTuningJob", "/hyperparameters/batch_size", 256, OK),
    (
        "FineTuningJob",
        "/hyperparameters/batch_size",
        0,
        {("/hyperparameters/batch_size", "minimum")},
    ),
    (
        "FineTuningJob",
        "/hyperparameters/batch_size",
        257,
        {("/hyperparameters/batch_size", "maximum")},
    ),
    ("FineTuningJob", "/hyperparameters/batch_size", "auto", OK),
    (
        "FineTuningJob",
        "/hyperparameters/batch_size",
        True,
        {("/hyperparameters/batch_size", "type")},
    ),
    ("FineTuningJob", "/hyperparameters/learning_rate_multiplier", 1, OK),
    ("FineTuningJob", "/hyperparameters/learning_rate_multiplier", 1.0, OK),
    (
        "FineTuningJob",
        "/hyperparameters/learning_rate_multiplier",
        0,
        {("/hyperparameters/learning_rate_multiplier", "exclusiveMinimum")},
    ),
    (
        "FineTuningJob",
        "/hyperparameters/learning_rate_multiplier",
        None,
        {("/hyperparameters/learning_rate_multiplier", "type")},
    ),
    ("FineTuningJob", "/hyperparameters/n_epochs", 50, OK),
    ("FineTuningJob", "/hyperparameters/n_epochs", 51, {("/hyperparameters/n_epochs", "maximum")}),
    (
        "FineTuningJob",
        "/hyperparameters/n_epochs",
        "Auto",
        {("/hyperparameters/n_epochs", "const")},
    ),
    ("FineTuningJob", "/hyperparameters", None, {("/hyperparameters", "type")}),
    # --- method
    *[("FineTuneMethod", "/type", t, OK) for t in ("supervised", "dpo", "reinforcement")],
    ("FineTuneMethod", "/type", "rlhf", {("/type", "enum")}),
    ("FineTuneMethod", "/type", DELETE, {("", "required")}),
    ("FineTuneMethod", "/supervised", {"hyperparameters": {"n_epochs": 3}}, OK),
    ("FineTuneMethod", "/supervised", [], {("/supervised", "type")}),
    (
        "FineTuneMethod",
        "/dpo",
        {"hyperparameters": {"beta": 0}},
        {("/dpo/hyperparameters/beta", "exclusiveMinimum")},
    ),
    ("FineTuneMethod", "/reinforcement", {}, {("/reinforcement", "required")}),
    ("FineTuningJob", "/method", RFT, OK),
    ("FineTuningJob", "/method", {"type": "reinforcement"}, OK),
    # --- hyperparameters of each method
    ("FineTuneSupervisedHyperparameters", "/batch_size", 1, OK),
    ("FineTuneSupervisedHyperparameters", "/batch_size", 256, OK),
    ("FineTuneSupervisedHyperparameters", "/batch_size", 0, {("/batch_size", "minimum")}),
    ("FineTuneSupervisedHyperparameters", "/batch_size", 257, {("/batch_size", "maximum")}),
    ("FineTuneSupervisedHyperparameters", "/batch_size", None, {("/batch_size", "type")}),
    ("FineTuneSupervisedHyperparameters", "/batch_size", 8.0, OK),
    ("FineTuneSupervisedHyperparameters", "/batch_size", 8.5, {("/batch_size", "type")}),
    (
        "FineTuneSupervisedHyperparameters",
        "/learning_rate_multiplier",
        0,
        {("/learning_rate_multiplier", "exclusiveMinimum")},
    ),
    (
        "FineTuneSupervisedHyperparameters",
        "/learning_rate_multiplier",
        -0.5,
        {("/learning_rate_multiplier", "exclusiveMinimum")},
    ),
    ("FineTuneSupervisedHyperparameters", "/learning_rate_multiplier", 1e-9, OK),
    ("FineTuneSupervisedHyperparameters", "/learning_rate_multiplier", "auto", OK),
    ("FineTuneSupervisedHyperparameters", "/n_epochs", 1, OK),
    ("FineTuneSupervisedHyperparameters", "/n_epochs", 0, {("/n_epochs", "minimum")}),
    ("FineTuneDPOHyperparameters", "/beta", 2, OK),
    ("FineTuneDPOHyperparameters", "/beta", 0.01, OK),
    ("FineTuneDPOHyperparameters", "/beta", 0, {("/beta", "exclusiveMinimum")}),
    ("FineTuneDPOHyperparameters", "/beta", 2.5, {("/beta", "maximum")}),
    ("FineTuneDPOHyperparameters", "/beta", "auto", OK),
    ("FineTuneDPOHyperparameters", "/batch_size", 257, {("/batch_size", "maximum")}),
    ("FineTuneDPOHyperparameters", "/n_epochs", 51, {("/n_epochs", "maximum")}),
    ("FineTuneReinforcementHyperparameters", "/compute_multiplier", 10, OK),
    ("FineTuneReinforcementHyperparameters", "/compute_multiplier", 0.001, OK),
    (
        "FineTuneReinforcementHyperparameters",
        "/compute_multiplier",
        1e-05,
        {("/compute_multiplier", "exclusiveMinimum")},
    ),
    (
        "FineTuneReinforcementHyperparameters",
        "/compute_multiplier",
        10.5,
        {("/compute_multiplier", "maximum")},
    ),
    ("FineTuneReinforcementHyperparameters", "/eval_interval", 1, OK),
    ("FineTuneReinforcementHyperparameters", "/eval_interval", 0, {("/eval_interval", "minimum")}),
    ("FineTuneReinforcementHyperparameters", "/eval_samples", 0, {("/eval_samples", "minimum")}),
    ("FineTuneReinforcementHyperparameters", "/eval_samples", "auto", OK),
    *[
        ("FineTuneReinforcementHyperparameters", "/reasoning_effort", e, OK)
        for e in ("default", "low", "medium", "high")
    ],
    (
        "FineTuneReinforcementHyperparameters",
        "/reasoning_effort",
        "max",
        {("/reasoning_effort", "enum")},
    ),
    ("FineTuneReinforcementHyperparameters", "/n_epochs", 51, {("/n_epochs", "maximum")}),
    ("FineTuneReinforcementHyperparameters", "/batch_size", 0, {("/batch_size", "minimum")}),
    (
        "FineTuneReinforcementHyperparameters",
        "/learning_rate_multiplier",
        0,
        {("/learning_rate_multiplier", "exclusiveMinimum")},
    ),
    # --- reinforcement method and graders
    *[
        ("FineTuneReinforcementMethod", "/grader", g, OK)
        for g in (STRING_CHECK, TEXT_SIMILARITY, PYTHON, SCORE_MODEL, MULTI)
    ],
    (
        "FineTuneReinforcementMethod",
        "/grader",
        LABEL_MODEL,
        {("/grader/type", "oneOf")},
    ),  # only inside multi
    ("FineTuneReinforcementMethod", "/grader", DELETE, {("", "required")}),
    ("FineTuneReinforcementMethod", "/grader", "exact", {("/grader", "type")}),
    ("FineTuneReinforcementMethod", "/grader/operation", "gt", {("/grader/operation", "enum")}),
    (
        "FineTuneReinforcementMethod",
        "/hyperparameters",
        {"eval_interval": 0},
        {("/hyperparameters/eval_interval", "minimum")},
    ),
    *[("GraderStringCheck", f"/{k}", DELETE, {("", "required")}) for k in STRING_CHECK],
    *[("GraderStringCheck", "/operation", op, OK) for op in ("eq", "ne", "like", "ilike")],
    ("GraderStringCheck", "/type", "string-check", {("/type", "const")}),
    *[("GraderTextSimilarity", f"/{k}", DELETE, {("", "required")}) for k in TEXT_SIMILARITY],
    *[
        ("GraderTextSimilarity", "/evaluation_metric", m, OK)
        for m in (
            "cosine",
            "fuzzy_match",
            "bleu",
            "gleu",
            "meteor",
            "rouge_1",
            "rouge_2",
            "rouge_3",
            "rouge_4",
            "rouge_5",
            "rouge_l",
        )
    ],
    ("GraderTextSimilarity", "/evaluation_metric", "rouge_6", {("/evaluation_metric", "enum")}),
    *[("GraderPython", f"/{k}", DELETE, {("", "required")}) for k in PYTHON],
    ("GraderPython", "/image_tag", "2025-05-08", OK),
    ("GraderPython", "/image_tag", 1, {("/image_tag", "type")}),
    *[("GraderScoreModel", f"/{k}", DELETE, {("", "required")}) for k in SCORE_MODEL],
    ("GraderScoreModel", "/range", [0, 1], OK),
    ("GraderScoreModel", "/range", [0], {("/range", "minItems")}),
    ("GraderScoreModel", "/range", [0, 1, 2], {("/range", "maxItems")}),
    ("GraderScoreModel", "/range", ["0", 1], {("/range/0", "type")}),
    (
        "GraderScoreModel",
        "/sampling_params",
        {
            "seed": None,
            "top_p": None,
            "temperature": 0.2,
            "max_completions_tokens": 1,
            "reasoning_effort": None,
        },
        OK,
    ),
    (
        "GraderScoreModel",
        "/sampling_params",
        {"max_completions_tokens": 0},
        {("/sampling_params/max_completions_tokens", "minimum")},
    ),
    (
        "GraderScoreModel",
        "/sampling_params",
        {"top_p": "high"},
        {("/sampling_params/top_p", "type")},
    ),
    *[
        ("GraderScoreModel", "/sampling_params", {"reasoning_effort": e}, OK)
        for e in ("none", "minimal", "low", "medium", "high", "xhigh", "max")
    ],
    (
        "GraderScoreModel",
        "/sampling_params",
        {"reasoning_effort": "default"},
        {("/sampling_params/reasoning_effort", "enum")},
    ),
    *[("GraderLabelModel", f"/{k}", DELETE, {("", "required")}) for k in LABEL_MODEL],
    ("GraderLabelModel", "/labels", [1], {("/labels/0", "type")}),
    ("GraderLabelModel", "/passing_labels", [], OK),
    *[("GraderMulti", f"/{k}", DELETE, {("", "required")}) for k in MULTI],
    *[
        ("GraderMulti", "/graders", g, OK)
        for g in (STRING_CHECK, TEXT_SIMILARITY, PYTHON, SCORE_MODEL, LABEL_MODEL)
    ],
    ("GraderMulti", "/graders", MULTI, {("/graders/type", "oneOf")}),  # no nesting of multi graders
    ("GraderMulti", "/graders", [STRING_CHECK], {("/graders", "type")}),
    # --- prompt messages inside graders
    *[("EvalItem", "/role", r, OK) for r in ("user", "assistant", "system", "developer")],
    ("EvalItem", "/role", "tool", {("/role", "enum")}),
    ("EvalItem", "/content", DELETE, {("", "required")}),
    ("EvalItem", "/type", "message", OK),
    ("EvalItem", "/type", "msg", {("/type", "const")}),
    ("EvalItem", "/content", {"type": "input_text", "text": "hi"}, OK),
    (
        "EvalItem",
        "/content",
        {"type": "input_text", "text": "hi", "prompt_cache_breakpoint": {"mode": "explicit"}},
        OK,
    ),
    (
        "EvalItem",
        "/content",
        {"type": "input_text", "text": "hi", "prompt_cache_breakpoint": {"mode": "auto"}},
        {("/content/prompt_cache_breakpoint/mode", "const")},
    ),
    ("EvalItem", "/content", {"type": "output_text", "text": "hi"}, OK),
    ("EvalItem", "/content", {"type": "output_text"}, {("/content", "required")}),
    (
        "EvalItem",
        "/content",
        {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
        OK,
    ),
    ("EvalItem", "/content", {"type": "input_image"}, {("/content", "required")}),
    (
        "EvalItem",
        "/content",
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        OK,
    ),
    (
        "EvalItem",
        "/content",
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "ogg"}},
        {("/content/input_audio/format", "enum")},
    ),
    ("EvalItem", "/content", ["plain", {"type": "output_text", "text": "hi"}], OK),
    ("EvalItem", "/content", ["plain", {"type": "input_image"}], {("/content/1", "required")}),
    ("EvalItem", "/content", 42, {("/content", "type")}),
    ("EvalItem", "/content", {"type": "video", "url": "x"}, {("/content/type", "oneOf")}),
    # --- integrations and the error envelope
    (
        "FineTuningIntegration",
        "/wandb",
        {"project": "p", "name": None, "entity": "team", "tags": ["a"]},
        OK,
    ),
    ("FineTuningIntegration", "/wandb", {"name": "run"}, {("/wandb", "required")}),
    ("FineTuningIntegration", "/wandb/tags", "a", {("/wandb/tags", "type")}),
    ("FineTuningIntegration", "/type", DELETE, {("", "required")}),
    ("Error", "/code", "not_found", OK),
    ("Error", "/message", DELETE, {("", "required")}),
    ("ErrorResponse", "/error", DELETE, {("", "required")}),
]


def _case_id(case: tuple[str, str, Any, set[tuple[str, str]]]) -> str:
    schema, pointer, value, expected = case
    shown = "DELETE" if value is DELETE else repr(value)
    if len(shown) > 30:
        shown = shown[:27] + "..."
    return f"{schema}:{pointer or '/'}={shown}:{'ok' if not expected else 'fails'}"


def test_every_base_conforms() -> None:
    for schema, value in BASES.items():
        assert reported(value, schema) == set(), schema


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule(case: tuple[str, str, Any, set[tuple[str, str]]]) -> None:
    schema, pointer, value, expected = case
    payload = changed(BASES[schema], pointer, value)
    assert reported(payload, schema) == expected
    assert contract.is_valid(payload, schema=schema) is (not expected)


def test_every_type_has_passing_and_failing_cases() -> None:
    outcomes: dict[str, set[bool]] = {}
    for schema, _, _, expected in CASES:
        outcomes.setdefault(schema, set()).add(not expected)
    assert {s for s, o in outcomes.items() if o == {True, False}} >= {
        "FineTuningJob",
        "FineTuneMethod",
        "FineTuneSupervisedHyperparameters",
        "FineTuneDPOHyperparameters",
        "FineTuneReinforcementHyperparameters",
        "FineTuneReinforcementMethod",
        "GraderStringCheck",
        "GraderTextSimilarity",
        "GraderPython",
        "GraderScoreModel",
        "GraderLabelModel",
        "GraderMulti",
        "EvalItem",
        "FineTuningIntegration",
        "Error",
    }
