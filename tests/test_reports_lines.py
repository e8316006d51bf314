"""Line numbers: a JSON Pointer's line in pretty-printed JSON, an interaction's in a recording."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.engine.results import Result
from contract.reports._locate import Locator, json_values, yaml_values
from contract.violations import Violation
from tests.report_runs import PAYLOADS

_KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


def _pointers(value: Any) -> list[str]:
    return [pointer for pointer, _ in _walk(value)]


def _key_of(pointer: str) -> str:
    return pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")


@given(_DOCUMENTS, st.sampled_from([None, 0, 2, 4]))
def test_every_value_of_a_json_text_and_its_line(document: Any, indent: int | None) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    found = list(json_values(text))
    assert [pointer for pointer, _ in found] == _pointers(document)
    lines = text.split("\n")
    for _, line in found:
        assert 1 <= line <= len(lines)
        if indent is None:
            assert line == 1
    # With indentation, each member starts on the line that holds its key.
    if indent:
        parents = {p: v for p, v in _walk(document)}
        for pointer, line in found:
            parent = pointer.rsplit("/", 1)[0] if pointer else None
            if parent is not None and isinstance(parents.get(parent), dict):
                assert (
                    lines[line - 1]
                    .lstrip()
                    .startswith(json.dumps(_key_of(pointer), ensure_ascii=False) + ":")
                )


def _walk(value: Any, here: str = "") -> list[tuple[str, Any]]:
    found = [(here, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            step = str(key).replace("~", "~0").replace("/", "~1")
            found += _walk(item, f"{here}/{step}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _walk(item, f"{here}/{index}")
    return found


@settings(max_examples=50)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), _DOCUMENTS, max_size=4))
def test_every_node_of_a_yaml_document_and_its_line(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, default_flow_style=False, sort_keys=False)
    found = list(yaml_values(text.encode()))
    assert [pointer for pointer, _ in found] == _pointers(document)
    lines = text.split("\n")
    for pointer, line in found[1:]:
        if pointer.count("/") == 1:  # top-level keys: the line is the key's
            key = re.escape(_key_of(pointer))
            assert re.match(rf"(?:{key}|'{key}'|\"{key}\"):", lines[line - 1])


def _result(source: str, name: str, *paths: str) -> Result:
    return Result(source, tuple(Violation(p, "type", "x") for p in paths), name=name)


def test_pretty_payload_violations_get_their_value_lines(tmp_path: Path) -> None:
    job = json.loads((PAYLOADS / "n_epochs_51.json").read_text())
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job, indent=2))
    lines = path.read_text().splitlines()
    result = _result(f"{path}:1", "payload", "/hyperparameters/n_epochs", "", "/hyperparameters/x")
    location = Locator().locate(result)
    n_epochs = 1 + lines.index('    "n_epochs": 51')
    hyperparameters = 1 + lines.index('  "hyperparameters": {')
    # The value's line; the root's; a missing property's object (its nearest ancestor).
    assert location.violation_lines == (n_epochs, 1, hyperparameters)
    assert location.line == 1 and location.path == path


def test_recording_interactions_get_their_response_body_lines(tmp_path: Path) -> None:
    cassette = {
        "interactions": [
            {
                "request": {"method": "GET", "uri": "https://api.openai.com/v1/models"},
                "response": {"status": {"code": 200}, "body": {"string": "{}"}},
            },
            {
                "request": {"method": "POST", "uri": "https://x/v1/fine_tuning/jobs/j/pause"},
                "response": {"status": {"code": 200}, "body": {"string": "{}"}},
            },
        ],
        "version": 1,
    }
    text = yaml.safe_dump(cassette, sort_keys=False)
    yaml_path = tmp_path / "c.yaml"
    yaml_path.write_text(text)
    body_lines = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "body:"]
    gz_path = tmp_path / "c.json.gz"
    gz_path.write_bytes(gzip.compress(json.dumps(cassette, indent=1).encode()))
    json_text = json.dumps(cassette, indent=1).splitlines()
    json_bodies = [i + 1 for i, line in enumerate(json_text) if line.strip().startswith('"body"')]
    locator = Locator()
    for path, expected in ((yaml_path, body_lines), (gz_path, json_bodies)):
        for index in (0, 1):
            result = _result(f"{path}::interaction[{index}]", f"interaction[{index}]", "/id", "")
            location = locator.locate(result)
            assert location.line == expected[index]
            assert location.violation_lines == (expected[index],) * 2


def test_labels_map_to_real_paths_and_stdin_has_no_line(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("{}\n{}\n")
    labelled = Locator({"bundled example jobs.jsonl": path})
    location = labelled.locate(_result("bundled example jobs.jsonl:2", "line[2]", "/id"))
    assert (location.path, location.line, location.violation_lines) == (path, 2, (2,))
    assert location.file == "bundled example jobs.jsonl"
    stdin = Locator().locate(_result("<stdin>:1", "payload", "/id"))
    assert stdin.path is None and stdin.line == 1
    gone = Locator().locate(_result(f"{tmp_path}/gone.yaml::interaction[0]", "interaction[0]", ""))
    assert gone.path is None and gone.line is None
