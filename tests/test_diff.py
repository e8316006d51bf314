"""``finetune-contract diff``: the published OpenAPI document against the contract."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract._diff.schema_diff import FIXES
from contract.cli import main

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "openai-openapi-fine-tuning.json"
#: The second extract of the same document: every operation under /fine_tuning/jobs (events
#: and checkpoints too) and the schemas the first lacks; its $refs point into the first.
MORE = REFERENCE.with_name("openai-openapi-fine-tuning-requests-events.json")
pytestmark = pytest.mark.skipif(
    not (REFERENCE.is_file() and MORE.is_file()), reason="../shared is not beside this checkout"
)

PAUSE = "/fine_tuning/jobs/{fine_tuning_job_id}/pause"
EVENTS = "/fine_tuning/jobs/{fine_tuning_job_id}/events".replace("/", "~")
CHECKPOINTS = "/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints".replace("/", "~")
JOB = {
    "object": "fine_tuning.job",
    "id": "ftjob-1",
    "model": "m",
    "created_at": 1,
    "finished_at": None,
    "fine_tuned_model": None,
    "organization_id": "org-1",
    "result_files": [],
    "status": "queued",
    "validation_file": None,
    "training_file": "file-1",
    "hyperparameters": {"n_epochs": "auto"},
    "trained_tokens": None,
    "error": None,
    "seed": 1,
}


def _first_extract() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def _reference() -> dict[str, Any]:
    """The published document as the two extracts hold it, put back together."""
    data = _first_extract()
    more = json.loads(MORE.read_text(encoding="utf-8"))
    data["paths"].update(more["paths"])
    data["components"]["schemas"].update(more["components"]["schemas"])
    return data


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["diff", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _write(tmp_path: Path, document: Any, name: str = "openapi.json") -> Path:
    path = tmp_path / name
    if name.endswith((".yaml", ".yml")):
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _differences(out: str) -> list[str]:
    skip = ("documented fix ", "example does not conform: ", "diff: ")
    return [line for line in out.splitlines() if not line.startswith(skip)]


def test_the_reference_differs_only_by_the_documented_fixes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = _run(capsys, str(_write(tmp_path, _reference())))
    assert (status, err) == (0, "")
    assert _differences(out) == []
    fixes = [line for line in out.splitlines() if line.startswith("documented fix ")]
    assert [int(line.split()[2]) for line in fixes] == [1, 2, 3, 4, 6, 8]
    assert fixes[1] == (
        "documented fix 2 (GraderScoreModel.range is exactly two numbers): 1 place: "
        "GraderScoreModel/range"
    )
    assert re.fullmatch(
        r"diff: 0 differences, 6 documented fixes \(\d+ places\), 2 of 2 examples do not conform",
        out.splitlines()[-1],
    )


def test_the_first_extract_lacks_the_events_and_checkpoints_operations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(capsys, str(REFERENCE))
    assert status == 1
    assert _differences(out) == [
        "operation removed: listFineTuningEvents: GET "
        "/fine_tuning/jobs/{fine_tuning_job_id}/events",
        "operation removed: listFineTuningJobCheckpoints: GET "
        "/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints",
    ]


def test_the_documents_own_examples_are_checked_against_its_own_schemas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = _run(capsys, str(REFERENCE))
    examples = [line for line in out.splitlines() if line.startswith("example does not conform")]
    assert examples == [
        "example does not conform: pauseFineTuningJob response example "
        "(pause_response_example_from_upstream_docs): <root>: 'error' is a required property; "
        "<root>: 'finished_at' is a required property; <root>: 'hyperparameters' is a required "
        "property; <root>: 'trained_tokens' is a required property; <root>: 'seed' is a required "
        "property; /status: 'paused' is not one of ['validating_files', 'queued', 'running', "
        "'succeeded', 'failed', 'cancelled']",
        "example does not conform: FineTuningJob object example "
        "(fine_tuning_job_object_example_from_upstream_docs): <root>: 'error' is a required "
        "property",
    ]


def test_every_recognised_fix_is_documented() -> None:
    text = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8").replace("`", "")
    for number, title in FIXES.items():
        assert re.search(rf"^{number}\. \*\*{re.escape(title)}", text, re.M), (number, title)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        parts = [p.replace("~", "/") for p in path.split("/")]
        node: Any = document
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _DELETE:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value

    return edit


_DELETE = object()
_JOB = "components/schemas/FineTuningJob/properties"
_ENUM = ["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]
# Read at import only where the reference is beside the checkout (else every test is skipped,
# and a fresh clone must still collect this module).
_REQUIRED: list[str] = (
    _reference()["components"]["schemas"]["FineTuningJob"]["required"]
    if REFERENCE.is_file()
    else []
)
_OK = {
    "200": {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FineTuningJob"}}}
    }
}

EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "enum+",
        _set(f"{_JOB}/status/enum", [*_ENUM, "paused"]),
        'enum values added: FineTuningJob/status: "paused"',
    ),
    (
        "enum-",
        _set(f"{_JOB}/status/enum", _ENUM[:-1]),
        'enum values removed: FineTuningJob/status: "cancelled"',
    ),
    (
        "prop+",
        _set(f"{_JOB}/usage_metrics", {"type": "object"}),
        "property added: FineTuningJob/usage_metrics",
    ),
    (
        "prop-",
        _set(f"{_JOB}/estimated_finish", _DELETE),
        "property removed: FineTuningJob/estimated_finish",
    ),
    (
        "required-",
        _set("components/schemas/FineTuningJob/required", [n for n in _REQUIRED if n != "seed"]),
        "required changed: FineTuningJob: 'seed' required in ours, optional upstream",
    ),
    (
        "required+",
        _set("components/schemas/FineTuningJob/required", [*_REQUIRED, "method"]),
        "required changed: FineTuningJob: 'method' required upstream, optional in ours",
    ),
    (
        "type",
        _set(f"{_JOB}/seed", {"type": "number"}),
        "type changed: FineTuningJob/seed: integer (ours) -> number (upstream)",
    ),
    (
        "bounds",
        _set(
            "components/schemas/FineTuneSupervisedHyperparameters/properties/n_epochs/oneOf/1/maximum",
            100,
        ),
        "bounds changed: FineTuneSupervisedHyperparameters/n_epochs|integer: "
        "maximum 50 (ours) -> 100 (upstream)",
    ),
    (
        "bounds at a fixed place",
        _set(
            "components/schemas/FineTuneSupervisedHyperparameters/properties/learning_rate_multiplier/oneOf/1/minimum",
            1,
        ),
        "bounds changed: FineTuneSupervisedHyperparameters/learning_rate_multiplier|number: "
        "exclusiveMinimum 0 (ours) -> 1 (upstream)",
    ),
    (
        "metadata bound upstream",
        _set("components/schemas/Metadata/anyOf/0/maxProperties", 20),
        "bounds changed: Metadata: maxProperties 16 (ours) -> 20 (upstream)",
    ),
    (
        "nullable 3.1",
        _set(f"{_JOB}/model", {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        "nullability changed: FineTuningJob/model: upstream allows null, ours does not",
    ),
    (
        "nullable 3.0",
        _set(f"{_JOB}/model", {"type": "string", "nullable": True}),
        "nullability changed: FineTuningJob/model: upstream allows null, ours does not",
    ),
    (
        "not nullable",
        _set(f"{_JOB}/fine_tuned_model", {"type": "string"}),
        "nullability changed: FineTuningJob/fine_tuned_model: ours allows null, upstream does not",
    ),
    (
        "items",
        _set(f"{_JOB}/result_files/items", {"type": "integer"}),
        "type changed: FineTuningJob/result_files[]: string (ours) -> integer (upstream)",
    ),
    (
        "alternative-",
        lambda d: _schemas(d)["FineTuneReinforcementMethod"]["properties"]["grader"]["oneOf"].pop(),
        "alternative removed: FineTuneReinforcementMethod/grader|GraderMulti",
    ),
    (
        "operation-",
        lambda d: d["paths"].pop(PAUSE),
        "operation removed: pauseFineTuningJob: POST " + PAUSE,
    ),
    (
        "operation+",
        lambda d: d["paths"].update(
            {
                PAUSE.replace("pause", "archive"): {
                    "post": {"operationId": "archiveFineTuningJob", "responses": _OK}
                }
            }
        ),
        "operation added: archiveFineTuningJob: POST " + PAUSE.replace("pause", "archive"),
    ),
    (
        "operation changed",
        lambda d: d["paths"][PAUSE].update(put=d["paths"][PAUSE].pop("post")),
        f"operation changed: pauseFineTuningJob: POST {PAUSE} (ours) -> PUT {PAUSE} (upstream)",
    ),
    (
        "response+",
        lambda d: d["paths"][PAUSE]["post"]["responses"].update(
            {"409": {"description": "conflict"}}
        ),
        "response added: pauseFineTuningJob: status 409",
    ),
    (
        "response-",
        lambda d: d["paths"][PAUSE]["post"].update(responses={"202": {"description": "accepted"}}),
        "response added: pauseFineTuningJob: status 202\n"
        "response removed: pauseFineTuningJob: status 200",
    ),
    (
        "parameter-",
        lambda d: d["paths"]["/fine_tuning/jobs"]["get"]["parameters"].pop(0),
        "parameter removed: listPaginatedFineTuningJobs: query parameter 'after'",
    ),
    (
        "parameter default",
        _set(f"paths/{EVENTS}/get/parameters/2/schema/default", 50),
        "parameter changed: listFineTuningEvents: 'limit': default 20 (ours) -> 50 (upstream)",
    ),
    (
        "parameter bound",
        _set(f"paths/{CHECKPOINTS}/get/parameters/2/schema/maximum", 1000),
        "parameter changed: listFineTuningJobCheckpoints: 'limit': maximum 100 (ours) -> "
        "1000 (upstream)",
    ),
    (
        "event enum",
        _set("components/schemas/FineTuningJobEvent/properties/level/enum", ["info", "warn"]),
        'enum values removed: FineTuningJobEvent/level: "error"',
    ),
    (
        "checkpoint required",
        _set(
            "components/schemas/FineTuningJobCheckpoint/required",
            ["created_at", "fine_tuning_job_id", "fine_tuned_model_checkpoint", "id", "object"],
        ),
        "required changed: FineTuningJobCheckpoint: 'metrics' required in ours, optional "
        "upstream\nrequired changed: FineTuningJobCheckpoint: 'step_number' required in ours, "
        "optional upstream",
    ),
    (
        "error schema",
        lambda d: _schemas(d)["Error"]["required"].remove("code"),
        "required changed: Error: 'code' required in ours, optional upstream",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_each_category_is_found_one_edit_at_a_time(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    document = _reference()
    edit(document)
    status, out, err = _run(capsys, str(_write(tmp_path, document)))
    assert (status, err) == (1, "")
    assert _differences(out) == expected.split("\n")


def test_yaml_reads_like_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = _reference()
    as_json = _run(capsys, str(_write(tmp_path, document)))
    as_yaml = _run(capsys, str(_write(tmp_path, document, "openapi.yaml")))
    assert as_yaml[0] == as_json[0] == 0
    assert as_yaml[1].replace("openapi.yaml", "openapi.json") == as_json[1]


def test_openapi_30_forms_and_x_oai_meta_examples(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = _reference()
    document["openapi"] = "3.0.3"
    for key in [k for k in document if k.endswith("_example_from_upstream_docs")]:
        del document[key]
    _schemas(document)["FineTuningJob"]["properties"]["fine_tuned_model"] = {
        "type": "string",
        "nullable": True,
    }
    bad = dict(JOB, status="paused")
    document["paths"][PAUSE]["post"]["x-oaiMeta"] = {
        "examples": [
            {"title": "Good", "request": {"curl": "…"}, "response": json.dumps(JOB)},
            {"title": "Paused", "response": json.dumps(bad)},
            {"title": "Comma", "response": '{"id": "x",}'},
        ]
    }
    _schemas(document)["FineTuningJob"]["x-oaiMeta"] = {"example": json.dumps(JOB)}
    status, out, _ = _run(capsys, str(_write(tmp_path, document, "openapi.yml")))
    assert status == 0 and _differences(out) == []
    assert [line for line in out.splitlines() if line.startswith("example")] == [
        "example does not conform: pauseFineTuningJob response example 'Paused': /status: "
        "'paused' is not one of ['validating_files', 'queued', 'running', 'succeeded', 'failed', "
        "'cancelled']",
        "example does not conform: pauseFineTuningJob response example 'Comma': not JSON "
        "(Expecting property name enclosed in double quotes at line 1 column 12)",
    ]
    assert out.splitlines()[-1].endswith("2 of 4 examples do not conform")


def test_json_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = _reference()
    _schemas(document)["FineTuningJob"]["properties"]["status"]["enum"].append("paused")
    status, out, _ = _run(capsys, "--format", "json", str(_write(tmp_path, document)))
    report = json.loads(out)
    assert status == 1
    assert report["differences"] == [
        {"category": "enum values added", "where": "FineTuningJob/status", "detail": '"paused"'}
    ]
    assert report["openapi"] == "3.1 (assumed: no openapi field)"
    assert {f["fix"] for f in report["fixes"]} == {1, 2, 3, 4, 6, 8}
    assert set(report["fixes"][0]) == {"fix", "title", "where", "detail"}
    assert report["summary"]["differences"] == 1 and report["summary"]["fixes"] == 6
    assert [e["conforms"] for e in report["examples"]] == [False, False]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.json", ": cannot read: No such file or directory"),
        ('{"paths": {', "bad.json", ":1:12: not valid JSON: Expecting property name"),
        ("paths: [\n", "bad.yaml", ":2:1: not valid YAML: "),
        (
            '{"openapi": "2.0", "paths": {}}',
            "old.json",
            ": openapi: '2.0' is not OpenAPI 3.0 or 3.1",
        ),
        ('{"openapi": "3.1.0"}', "nopaths.json", ": paths: missing or not an object"),
        ("[1, 2]", "list.json", ": not an OpenAPI document (the top level is not an object)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, name: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, out, err = _run(capsys, str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"finetune-contract diff: error: {path}{message}")
    assert err.count("\n") == 1


def test_a_dangling_reference_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = copy.deepcopy(_reference())
    _schemas(document)["FineTuningJob"]["properties"]["method"] = {
        "$ref": "#/components/schemas/Nope"
    }
    status, _, err = _run(capsys, str(_write(tmp_path, document)))
    assert status == 2
    assert "$ref '#/components/schemas/Nope' points nowhere" in err and err.count("\n") == 1


def test_examples_of_other_apis_are_counted_not_listed_unless_all(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The full upstream document holds examples of every API: only the jobs family is checked."""
    document = _reference()
    schemas = _schemas(document)
    # Another API's component with a bad example, and one the jobs family reaches.
    schemas["Embedding"] = {
        "type": "object",
        "required": ["object"],
        "properties": {"object": {"const": "embedding"}},
        "x-oaiMeta": {"example": json.dumps({"object": "list"})},
    }
    schemas["Metadata"]["x-oaiMeta"] = {"example": json.dumps({"k": 1})}
    path = _write(tmp_path, document)
    status, out, _ = _run(capsys, str(path))
    assert status == 0
    listed = [line for line in out.splitlines() if line.startswith("example does not conform")]
    assert not any("Embedding" in line for line in listed)
    assert any(
        line.startswith("example does not conform: Metadata object example") for line in listed
    )
    assert out.splitlines()[-1].endswith(
        "3 of 3 examples do not conform (1 example of other APIs not checked; --all checks them)"
    )
    status, out, _ = _run(capsys, "--all", str(path))
    assert (
        "example does not conform: Embedding object example: /object: 'embedding' was expected"
        in out
    )
    assert out.splitlines()[-1].endswith("4 of 4 examples do not conform")
    report = json.loads(_run(capsys, "--format", "json", str(path))[1])
    assert report["summary"]["examples_of_other_apis_skipped"] == 1
