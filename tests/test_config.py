"""User configuration files: pyproject.toml, standalone TOML and JSON, and bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract import config, profiles, validation
from tests.helpers import minimal_job

ARCHIVED = {
    "description": "Archived jobs report status archived.",
    "evidence": ["https://example.com/issue/1"],
    "first-seen": "2026-01-31",
    "scope": "FineTuningJob.json#/properties/status",
    "change": {"enum-add": ["archived"]},
    "message": "{raw}; archived jobs say so",
}

PYPROJECT = """
[project]
name = "someone-else"

[tool.finetune-contract]
profile = "ours"
no-amend = ["status-paused"]
strict = "warn"

[tool.finetune-contract.amendments.status-archived]
description = "Archived jobs report status archived."
evidence = ["https://example.com/issue/1"]
first-seen = "2026-01-31"
scope = "FineTuningJob.json#/properties/status"
change = { enum-add = ["archived"] }

[tool.finetune-contract.profiles.ours]
description = "Observed, and archived jobs."
extends = "observed"
amendments = ["status-archived"]
"""


def test_pyproject_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    found = config.discover(tmp_path / "a" / "b")
    assert found is not None
    assert found.source == str(tmp_path / "pyproject.toml")
    assert (found.profile, found.no_amend, found.strict) == ("ours", ("status-paused",), "warn")
    chosen = profiles.resolve(config=found)
    assert chosen.describe() == "ours -status-paused"
    assert "status-archived" in chosen.names and "error-empty-object" in chosen.names
    assert validation.is_valid(minimal_job(status="archived", error={}), profile=chosen)
    assert not validation.is_valid(minimal_job(status="paused"), profile=chosen)
    # Arguments come on top of the file's choices.
    # (azure holds status-paused too now: the file's no-amend still names it.)
    assert profiles.resolve("azure", config=found).describe() == "azure -status-paused"


def test_a_pyproject_without_the_table_is_no_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert config.discover(tmp_path) is None
    with pytest.raises(
        config.ConfigError, match=r"pyproject\.toml: no \[tool\.finetune-contract\] table"
    ):
        config.load(tmp_path / "pyproject.toml")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_standalone_files(tmp_path: Path, suffix: str) -> None:
    data: dict[str, Any] = {
        "amend": ["status-archived"],
        "amendments": {"status-archived": ARCHIVED},
    }
    file = tmp_path / f"contract{suffix}"
    if suffix == ".json":
        file.write_text(json.dumps(data), encoding="utf-8")
    else:
        file.write_text(
            'amend = ["status-archived"]\n[amendments.status-archived]\n'
            + "\n".join(f"{k} = {json.dumps(v)}" for k, v in ARCHIVED.items() if k != "change")
            + '\nchange = { enum-add = ["archived"] }\n',
            encoding="utf-8",
        )
    chosen = profiles.resolve(config=file)
    assert chosen.names == ("status-archived",)
    assert chosen.amendments[0].source == str(file)
    payload = minimal_job(status="archived")
    from contract.checks.deviations import assess

    assert assess(payload, profile=chosen).valid
    (line,) = assess(
        payload, profile=profiles.resolve(config=file, no_amend=["status-archived"])
    ).violations
    assert line.message.endswith(
        "; archived jobs say so (known deviation status-archived; accepted by no profile; "
        "switch it on by name)"
    )


def _bad(tmp_path: Path, text: str, name: str = "contract.toml") -> str:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError) as info:
        config.load(file)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(file))
    return message[len(str(file)) :]


AMENDMENT = "[amendments.x]\n" + "\n".join(
    f"{k} = {json.dumps(v)}" for k, v in ARCHIVED.items() if k != "change"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("strict = \n", ": not valid TOML: Invalid value (at line 1, column 10)"),
        ('strict = "loud"\n', ": strict: 'loud' is not one of ['off', 'warn', 'fail']"),
        (
            "colour = 1\n",
            ": <top level>: Additional properties are not allowed ('colour' was unexpected)",
        ),
        (
            'profile = "nope"\n',
            ": profile: unknown profile 'nope'; known profiles: published, observed, azure",
        ),
        ('amend = ["nope"]\n', ": amend.0: unknown amendment 'nope'; known amendments: azure-"),
        (
            AMENDMENT + "\nchange = { enum-add = [] }\n",
            ": amendments.x.change.enum-add: [] should be non-empty",
        ),
        (
            AMENDMENT.replace("properties/status", "properties/nope")
            + "\nchange = { nullable = true }\n",
            ": amendments.x: amendment 'x', scope FineTuningJob.json#/properties/nope: "
            "no such schema location",
        ),
        (
            AMENDMENT.replace("properties/status", "properties/model")
            + '\nchange = { enum-add = ["a"] }\n',
            ": amendments.x: amendment 'x', scope FineTuningJob.json#/properties/model: "
            "enum-add needs an enum or const there",
        ),
        (
            AMENDMENT.replace("properties/status", "properties/estimated_finish")
            + "\nchange = { absent = true }\n",
            ": amendments.x: amendment 'x', scope FineTuningJob.json#/properties/estimated_finish: "
            "'estimated_finish' is not required there",
        ),
        (
            AMENDMENT.replace("properties/status", "properties/error/anyOf")
            + '\nchange = { nullable = true }\nwhen = { required = ["id"] }\n',
            ": amendments.x: amendment 'x', scope FineTuningJob.json#/properties/error/anyOf: "
            "the location is not a schema object",
        ),
        (
            AMENDMENT.replace("[amendments.x]", "[amendments.status-paused]")
            + '\nchange = { enum-add = ["a"] }\n',
            ": amendments.status-paused: amendment 'status-paused' is already defined "
            "(amendments/catalogue.json); choose another name",
        ),
        (
            "[profiles.observed]\n",
            ": profiles.observed: profile 'observed' is already defined; choose another name",
        ),
        (
            '[profiles.a]\nextends = "b"\n[profiles.b]\nextends = "a"\n',
            ": profiles.a: profile 'a' extends itself (a -> b -> a)",
        ),
        (
            '[profiles.a]\namendments = ["nope"]\n',
            ": profiles.a: unknown amendment 'nope'; known amendments: ",
        ),
    ],
)
def test_a_bad_file_is_one_error_naming_file_and_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert _bad(tmp_path, text).startswith(expected)


def test_bad_json_and_unreadable_files(tmp_path: Path) -> None:
    assert _bad(tmp_path, '{"amend": [}', "c.json") == ":1:12: not valid JSON: Expecting value"
    assert _bad(tmp_path, "[1]", "c.json").startswith(": <top level>: [1] is not of type 'object'")
    with pytest.raises(config.ConfigError, match=r"cannot read"):
        config.load(tmp_path / "missing.toml")
    (tmp_path / "bytes.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(config.ConfigError, match=r"bytes\.toml: not UTF-8 text \(byte 0\)"):
        config.load(tmp_path / "bytes.toml")


def test_pyproject_places_are_dotted_from_the_table(tmp_path: Path) -> None:
    message = _bad(tmp_path, '[tool.finetune-contract]\nstrict = "loud"\n', "pyproject.toml")
    assert message.startswith(": tool.finetune-contract.strict: 'loud' is not one of")
