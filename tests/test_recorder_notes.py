"""Readers: bodies a recorder cut or did not capture, vcrpy 9 cassettes, custom YAML tags,
and JSON files that are no fine-tuning payload met while walking a folder.

What the recorders write is pinned from their own writers: Schemathesis 4.27 and later
keep the start of a large body and write ``truncated_from: SIZE`` beside the response's
body in a cassette, and in a HAR file the content's ``comment`` "Body truncated: N of M
bytes recorded"; vcrpy 9 writes a top-level ``metadata`` mapping next to
``interactions`` (values stored with ``cassette.get_metadata``) and its safe loader reads
``!!python/tuple`` and request bodies tagged ``!!python/object/new:_io.BytesIO``.
"""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest

from contract.recordings import RecordingError, read
from tests.recording_builders import (
    API,
    body,
    har_entry,
    pause_url,
    vcr_interaction,
    write_cassette,
    write_har,
)
from tests.report_runs import CORPUS, check, clean_env, needs_corpus

__all__ = ["clean_env"]  # a fixture, used by name

JOB = body(id="ftjob-abc123", status="running")


def _schemathesis(tmp_path: Path, *, cut: bool, inside: bool = False) -> Path:
    """A Schemathesis 4.x cassette: two pause calls, the second one's body cut when asked
    (``truncated_from`` beside ``body``, or ``inside`` its mapping)."""
    whole = JOB
    kept = json.dumps(whole[:40]) if cut else json.dumps(whole)
    indent = " " * (14 if inside else 12)
    truncated = f"\n{indent}truncated_from: {len(whole) + 4000}" if cut else ""
    text = f"""\
        command: 'st run openapi.json'
        recorded_with: 'Schemathesis 4.32.5'
        seed: 1
        http_interactions:
        - id: '1'
          status: 'SUCCESS'
          metadata: null
          recorded_at: '2026-11-30T10:00:00.000000+00:00'
          checks: []
          request:
            uri: '{pause_url("ftjob-abc123")}'
            method: 'POST'
            headers:
              Content-Type:
                - 'application/json'
          response:
            status:
              code: '200'
              message: "OK"
            elapsed: '0.1'
            headers:
              Content-Type:
                - 'application/json'
            body:
              encoding: 'utf-8'
              string: {json.dumps(whole)}
            http_version: '1.1'
        - id: '2'
          status: 'SUCCESS'
          metadata: null
          recorded_at: '2026-11-30T10:00:01.000000+00:00'
          checks: []
          request:
            uri: '{pause_url("ftjob-abc123")}'
            method: 'POST'
            headers: {{}}
          response:
            status:
              code: '200'
              message: "OK"
            elapsed: '0.1'
            headers:
              Content-Type:
                - 'application/json'
            body:
              encoding: 'utf-8'
              string: {kept}{truncated}
            http_version: '1.1'
        """
    path = tmp_path / "schemathesis.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("inside", [False, True], ids=["beside-body", "inside-body"])
def test_a_body_schemathesis_cut_is_a_note_not_bad_json(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    inside: bool,
) -> None:
    path = _schemathesis(tmp_path, cut=True, inside=inside)
    status, out, err = check(capsys, path)
    assert status == 0, out + err
    assert (
        out.strip()
        == "checked 1 payload: 1 valid, 0 invalid; 1 request checked: 1 valid, 0 invalid"
    )
    assert f"note: {path}::interaction[1]: body cut by the recorder (truncated from" in err
    assert "not checked" in err and "JSON" not in out + err
    # Uncut, both bodies are checked.
    path = _schemathesis(tmp_path, cut=False)
    status, out, _ = check(capsys, path)
    assert status == 0 and out.startswith("checked 2 payloads: 2 valid, 0 invalid")


def test_a_har_body_cut_by_the_recorder_is_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    whole = har_entry("POST", pause_url("ftjob-abc123"), 200, JOB)
    cut = har_entry("POST", pause_url("ftjob-abc123"), 200, JOB[:30])
    cut["response"]["content"]["comment"] = f"Body truncated: 30 of {len(JOB)} bytes recorded"
    path = write_har(tmp_path / "cut.har", [whole, cut])
    status, out, err = check(capsys, path)
    assert status == 0, out + err
    assert f"note: {path}::interaction[1]: body cut by the recorder (Body truncated: 30 of " in err
    assert out.startswith("checked 1 payload: 1 valid, 0 invalid")


def test_a_har_entry_without_captured_text_is_a_note_not_an_empty_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    entries = [
        har_entry("POST", pause_url("ftjob-abc123"), 200, JOB),
        har_entry("POST", pause_url("ftjob-abc123"), 200, None),  # saved without content
    ]
    path = write_har(tmp_path / "no-content.har", entries)
    status, out, err = check(capsys, path)
    assert status == 0, out + err
    assert "body is empty" not in out
    assert f"note: {path}::interaction[1]: no body captured" in err
    # An empty text is a body, and an empty body is still a violation.
    entries[1]["response"]["content"]["text"] = ""
    write_har(path, entries)
    status, out, _ = check(capsys, path)
    assert status == 1 and ": interaction[1]: <root>: body" in out


def test_the_plugin_skips_a_cut_body_with_its_reason(pytester: pytest.Pytester) -> None:
    _schemathesis(pytester.path, cut=True)
    result = pytester.runpytest(
        "--contract-recordings", "schemathesis.yaml", "-p", "no:randomly", "-rs"
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *body cut by the recorder (truncated from *"])


# -- vcrpy 9 -------------------------------------------------------------------------------


def test_vcrpy_9_metadata_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = write_cassette(
        tmp_path / "v9.yaml", [vcr_interaction("POST", pause_url("ftjob-abc123"), 200, JOB)]
    )
    text = path.read_text() + "metadata:\n  recorded_on: 2026-11-30\n  random_seed: 42\n"
    path.write_text(text)
    (interaction,) = read(path)
    assert interaction.check() == []
    assert check(capsys, path)[0] == 0
    path.write_text(
        path.read_text().replace(
            "metadata:\n  recorded_on: 2026-11-30\n  random_seed: 42\n", "metadata: [1, 2]\n"
        )
    )
    with pytest.raises(RecordingError, match=r"v9\.yaml: the cassette's metadata is not a mapping"):
        list(read(path))


def test_vcrpy_python_tags_its_safe_loader_reads_are_read(tmp_path: Path) -> None:
    # A create request whose body vcrpy kept as a BytesIO, and a tuple in the metadata.
    request_body = json.dumps(
        {"model": "gpt-4o-mini", "training_file": "file-1", "suffix": "x" * 65}
    )
    encoded = base64.b64encode(request_body.encode()).decode()
    text = f"""\
        interactions:
        - request:
            body: !!python/object/new:_io.BytesIO
              state: !!python/tuple
              - !!binary |
                {encoded}
              - 0
              - null
            headers:
              Content-Type:
              - application/json
            method: POST
            uri: {API}/fine_tuning/jobs
          response:
            body:
              string: {json.dumps(JOB)}
            headers:
              Content-Type:
              - application/json
            status:
              code: 200
              message: OK
        metadata:
          versions: !!python/tuple [1, 2]
          name: !!python/str cassette
        version: 1
        """
    path = tmp_path / "tags.yaml"
    path.write_text(textwrap.dedent(text))
    (interaction,) = read(path)
    assert interaction.request_body == request_body.encode()
    found = interaction.assess_request()
    assert found is not None
    assert [(v.path, v.keyword) for v in found.violations] == [("/suffix", "maxLength")]


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("!myapp/Secret", "'!myapp/Secret'"),
        ("!!python/object/new:myapp.CustomHeader", "'!!python/object/new:myapp.CustomHeader'"),
        ("!<tag:example.com,2026:thing>", "'tag:example.com,2026:thing'"),
    ],
)
def test_an_unknown_yaml_tag_is_one_error_naming_it_and_its_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tag: str,
    shown: str,
) -> None:
    path = write_cassette(
        tmp_path / "custom.yaml", [vcr_interaction("POST", pause_url("ftjob-abc123"), 200, JOB)]
    )
    lines = path.read_text().splitlines()
    lines.append(f"metadata:\n  header: {tag} value")
    path.write_text("\n".join(lines) + "\n")
    line = len(lines) + 1
    status, _, err = check(capsys, path)
    assert status == 2
    errors = [e for e in err.splitlines() if "error:" in e]
    assert len(errors) == 1, err
    assert shown in errors[0] and f"at line {line} column" in errors[0]
    assert "Traceback" not in err


# -- JSON files that are no fine-tuning payload ----------------------------------------------


@needs_corpus
def test_a_package_json_in_a_walked_folder_is_skipped_and_named_it_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "openai-guide.json").write_bytes(
        (CORPUS / "openai-guide-sft-completed-job-2025-05.json").read_bytes()
    )
    package = folder / "package.json"
    package.write_text(
        json.dumps(
            {
                "name": "client",
                "version": "1.0.0",
                "type": "module",
                "scripts": {"test": "jest"},
                "devDependencies": {},
            }
        )
    )
    status, out, err = check(capsys, "--profile", "observed", folder)
    assert status == 0, out + err
    assert out.splitlines()[0] == "checked 1 payload: 1 valid, 0 invalid"
    assert f"note: skipped {package}: it is no fine-tuning payload" in err
    # Named on the command line it is checked: the user asked for it.
    status, out, _ = check(capsys, package)
    assert status == 1
    assert f"{package}:1: <root>: required property" in out
    # A page of jobs, an error envelope and a partial job are still read as payloads.
    for name in (
        "alexts10-list-2023-08.json",
        "issue-simple-openai-193-create-400-error-2024-09.json",
    ):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    (folder / "partial.json").write_text(json.dumps({"id": "ftjob-1", "status": "paused"}))
    _, out, err = check(capsys, "--format", "json", folder)
    sources = {r["source"].rsplit("/", 1)[-1] for r in json.loads(out)["results"]}
    assert sources == {
        "openai-guide.json:1",
        "alexts10-list-2023-08.json:1",
        "issue-simple-openai-193-create-400-error-2024-09.json:1",
        "partial.json:1",
    }


def test_the_plugin_skips_a_walked_package_json(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "rec"
    folder.mkdir()
    (folder / "job.json").write_text(JOB)
    (folder / "package.json").write_text(json.dumps({"name": "x", "version": "1.0.0"}))
    result = pytester.runpytest("--contract-recordings", "rec", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["contract: note: skipped rec/package.json: it is no fine-tuning*"])
