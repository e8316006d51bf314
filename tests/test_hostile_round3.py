"""Hostile input, round three: each cause of issue 24, and fresh variants of the same classes.

Every case must end clean: within its bounds, with the documented exit code
(0/1 verdicts, 2 unreadable input or bad configuration, never 3), one clear
line naming the file and place, and nothing secret in any output. The live
check's bounds are in ``test_live_bounds.py``; child processes in
``test_fuzz_tree.py``.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from contract import config
from contract.recordings import RecordingError, expand, read
from contract.recordings import _limits as limits
from contract.redact import escape_json, redact
from contract.strictjson import decode

ROOT = Path(__file__).resolve().parent.parent
JOB = json.loads((ROOT / "contract/_data/recordings/pause-jobs.jsonl").read_text().splitlines()[0])
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github")
#: A key with no recognisable shape (as every Azure key): only known as the configured one.
AZURE_KEY = "c0ffee11d00d4e5fa7b8c9d0e1f2a3b4"


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str]:
    """Run the command in a process of its own; its exit status and everything it wrote."""
    done = subprocess.run(
        [sys.executable, "-m", "contract", *args],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=cwd,
        timeout=120,
    )
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# -- lone surrogates ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=5),
    st.integers(0xD800, 0xDFFF),
    st.text(max_size=5),
    st.booleans(),
)
def test_a_lone_surrogate_is_a_json_problem_wherever_it_sits(
    before: str, code: int, after: str, as_key: bool
) -> None:
    # Escaped, and not completed into a pair by what follows.
    escaped = json.dumps(before)[1:-1] + f"\\u{code:04x}" + json.dumps("x" + after)[1:-1]
    text = f'{{"{escaped}": 1}}' if as_key else f'{{"a": "{escaped}"}}'
    decoded = decode(text.encode())
    assert any("lone surrogate" in problem for problem in decoded.problems), text
    for problem in decoded.problems:
        problem.encode("utf-8")  # the message itself can be written anywhere


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(min_codepoint=0x10000), min_size=1, max_size=5))
def test_characters_beyond_the_bmp_written_as_pairs_are_no_problem(text: str) -> None:
    assert decode(json.dumps({"a": text}).encode()).problems == []


#: Any character, with the ones writers trip on (surrogates, C1, bidi, separators) often.
AWKWARD = st.one_of(
    st.characters(codec=None),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from("\x00\x1b\x7f\x85\x9b\u2028\u2029\u202e\u2066\ufeff"),
)


def _as_json_reads(value: object) -> object:
    """``value`` as JSON text gives it back: a high and a low surrogate side by side are
    written as the escapes of a pair, which RFC 8259 reads as the one character."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if isinstance(value, list):
        return [_as_json_reads(item) for item in value]
    return value


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.text(AWKWARD), lambda c: st.lists(c, max_size=3)))
def test_json_text_escaped_reads_back_the_same_and_encodes_anywhere(value: object) -> None:
    text = escape_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == _as_json_reads(value)
    text.encode("utf-8")
    assert not any(0x80 <= ord(c) <= 0x9F or c in "\u202e\u2066\u2028\x7f" for c in text)


@pytest.mark.parametrize("form", FORMATS)
def test_surrogates_in_payloads_and_undecodable_file_names_end_in_a_verdict(
    tmp_path: Path, form: str
) -> None:
    job = dict(JOB, status="\ud800paused", organization_id="org-\udfff")
    text = json.dumps(job)  # ASCII: the surrogates are \u escapes
    (tmp_path / "ok.jsonl").write_text(text + "\n")
    (tmp_path / os.fsdecode(b"bad\xff\xfe.jsonl")).write_text(text + "\n")
    status, out = cli("check", "--format", form, ".", cwd=tmp_path)
    assert status == 1, out
    assert "internal error" not in out and "Traceback" not in out
    if form in ("json", "sarif"):
        json.loads(out[out.index("{") :])
    elif form == "jsonl":
        records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert len(records) >= 2, out
    elif form == "text":
        assert "lone surrogate" in out


# -- redaction at the edges -----------------------------------------------------------------


def _encoded_forms(key: str) -> list[str]:
    data = key.encode()
    return [
        data.hex(),
        data.hex().upper(),
        base64.b64encode(data).decode(),
        base64.urlsafe_b64encode(b"~~" + data).decode(),
        base64.b64encode(b"user:" + data).decode(),  # a Basic credential
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.text(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8, max_size=40
    ),
    st.binary(max_size=5),
    st.binary(max_size=5),
    st.sampled_from(["b64", "b64url", "hex", "HEX"]),
)
def test_a_known_secret_is_found_in_any_encoding_at_any_offset(
    key: str, before: bytes, after: bytes, how: str
) -> None:
    data = before + key.encode() + after
    encoded = {
        "b64": base64.b64encode(data).decode(),
        "b64url": base64.urlsafe_b64encode(data).decode(),
        "hex": data.hex(),
        "HEX": data.hex().upper(),
    }[how]
    shown = redact(f"token={encoded};", [key])
    assert encoded not in shown
    assert "[REDACTED]" in shown


def test_the_configured_key_and_its_encodings_are_masked_in_every_format(tmp_path: Path) -> None:
    forms = _encoded_forms(AZURE_KEY)
    body = {
        "error": {
            "message": f"Incorrect API key provided: {AZURE_KEY} " + " ".join(forms),
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    bad_job = dict(JOB, status=AZURE_KEY, model=forms[2])
    lines = json.dumps(body) + "\n" + json.dumps(bad_job) + "\n"
    (tmp_path / f"run-{AZURE_KEY}.jsonl").write_text(lines)
    (tmp_path / f"run-{forms[0]}.jsonl").write_text(lines)
    for form in FORMATS:
        status, out = cli(
            "check",
            "--format",
            form,
            "--fail-on-api-errors",
            ".",
            env={"OPENAI_API_KEY": AZURE_KEY},
            cwd=tmp_path,
        )
        assert status == 1, out
        assert "REDACTED" in out
        for secret in (AZURE_KEY, *forms):
            assert secret not in out, (form, secret)


def test_a_recorded_request_repr_masks_a_key_in_the_job_id() -> None:
    from contract.testing.server import RecordedRequest

    key = "sk-proj-" + "K3y" * 12
    request = RecordedRequest("POST", f"/v1/fine_tuning/jobs/{key}/pause", (), b"", key)
    assert key not in repr(request)
    assert request.job_id == key  # only what is shown is masked


# -- file names -----------------------------------------------------------------------------

HOSTILE_NAME = "a\u202etxt.\u0085\u2066evil.jsonl"


@pytest.mark.parametrize("form", FORMATS)
def test_bidi_and_c1_characters_of_a_name_are_escaped_in_every_format(
    tmp_path: Path, form: str
) -> None:
    (tmp_path / HOSTILE_NAME).write_text(json.dumps(dict(JOB, seed="7")) + "\n")
    status, out = cli("check", "--format", form, ".", cwd=tmp_path)
    assert status == 1, out
    for char in "\u202e\u0085\u2066":
        assert char not in out, (form, hex(ord(char)))


def test_sarif_uris_and_github_properties_carry_no_key_from_a_name(tmp_path: Path) -> None:
    key = "sk-proj-" + "Nm3" * 12
    (tmp_path / f"{key}.jsonl").write_text(json.dumps(dict(JOB, seed="7")) + "\n")
    for form in ("sarif", "github"):
        status, out = cli("check", "--format", form, ".", cwd=tmp_path)
        assert status == 1 and key not in out and key[:16] not in out, out


def test_node_ids_and_junit_names_are_escaped_and_redacted(pytester: pytest.Pytester) -> None:
    key = "sk-proj-" + "Pq7" * 12
    folder = pytester.path / "rec"
    folder.mkdir()
    payload = json.dumps(dict(JOB, seed="7")) + "\n"
    (folder / f"forged\nPASSED fake {key}.jsonl").write_text(payload)
    (folder / HOSTILE_NAME).write_text(payload)
    result = pytester.runpytest("--contract-recordings", "rec", "-rA", "--junitxml=out.xml")
    result.assert_outcomes(failed=2)
    shown = result.stdout.str() + (pytester.path / "out.xml").read_text()
    assert key not in shown and key[:16] not in shown
    assert not any(line.startswith("PASSED fake") for line in shown.splitlines())
    assert "\u202e" not in shown and "\u2066" not in shown


# -- amplification --------------------------------------------------------------------------


def test_one_large_string_aliased_many_times_is_refused_by_its_size(tmp_path: Path) -> None:
    big = "x" * (4 << 20)
    cassette = (
        "interactions:\n- request: {method: GET, uri: 'https://api.openai.com/v1/models',"
        " body: null, headers: {}}\n  response:\n    status: {code: 200, message: OK}\n"
        f"    headers: {{X-Big: [&big '{big}']}}\n"
        "    body: {string: '{}'}\n"
        "- request: {method: GET, uri: 'https://api.openai.com/v1/models', body: null,"
        " headers: {}}\n  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {X-Copies: [" + ", ".join(["*big"] * 1000) + "]}\n"
        "    body: {string: '{}'}\n"
    )
    path = tmp_path / "aliased.yaml"
    path.write_text(cassette)
    with pytest.raises(RecordingError, match=r"aliases repeat more than \d+ characters"):
        list(read(path))
    status, out = cli("check", str(path))
    assert status == 2
    (line,) = [line for line in out.splitlines() if "aliased.yaml" in line]
    assert "aliases repeat more than" in line and "line 10" in line
    assert "Traceback" not in out


def test_nested_aliases_multiply_their_size_and_are_refused(tmp_path: Path) -> None:
    # Each level repeats the one before 16 times: 64 KB becomes 16 GB four levels up.
    lines = [f"a0: &a0 '{'y' * 65536}'"]
    for level in range(1, 5):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 16) + "]")
    path = tmp_path / "nested.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match="aliases repeat more than"):
        list(read(path))


def test_small_aliases_within_the_limits_still_load(tmp_path: Path) -> None:
    # A cassette as recorders write them with anchors: one header list shared by both calls.
    body = json.dumps(JOB).replace("'", "''")
    call = (
        "- request: {method: GET, uri: 'https://api.openai.com/v1/fine_tuning/jobs/%s',"
        " body: null, headers: %s}\n"
        "  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {Content-Type: [application/json]}\n"
        "    body: {string: '%s'}\n"
    )
    path = tmp_path / "anchored.yaml"
    path.write_text(
        "interactions:\n"
        + call % (JOB["id"], "&h {Accept: [application/json], X-Pad: ['" + "z" * 100 + "']}", body)
        + call % (JOB["id"], "*h", body)
    )
    assert limits.MAX_ALIAS_BYTES > 300
    found = list(read(path))
    assert len(found) == 2
    assert all(json.loads(i.body) == JOB for i in found)
    assert all("z" * 100 in str(i.request_headers) for i in found)  # the alias resolved


def _other_calls_har(count: int) -> bytes:
    entry = {
        "request": {"method": "GET", "url": "https://api.openai.com/v1/models", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": f"x-h{i}", "value": "v" * 20} for i in range(40)],
            "content": {"mimeType": "application/json", "text": '{"data": []}' + " " * 800},
        },
    }
    doc = {
        "log": {
            "version": "1.2",
            "creator": {"name": "t", "version": "1"},
            "entries": [entry] * count,
        }
    }
    return json.dumps(doc).encode()


def test_a_compressed_har_is_read_an_entry_at_a_time(tmp_path: Path) -> None:
    data = _other_calls_har(5000)  # ~12 MB inflated, ~60 MB as Python objects
    path = tmp_path / "many.har.gz"
    path.write_bytes(gzip.compress(data))
    tracemalloc.start()
    try:
        count = sum(1 for _ in read(path, include_other=True))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5000
    assert peak < len(data) // 2, (peak, len(data))


def test_a_compressed_har_bomb_stops_at_the_inflation_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.har.gz"
    path.write_bytes(gzip.compress(_other_calls_har(2000)))
    with pytest.raises(RecordingError, match="inflates past the limit of 100000 bytes"):
        list(read(path, include_other=True, max_inflated=100_000))


def test_the_plugin_keeps_a_file_whose_responses_pass_its_budget_as_one_item(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contract.plugin import _items

    monkeypatch.setattr(_items, "MAX_KEPT_BYTES", 4096)
    folder = pytester.path / "rec"
    folder.mkdir()
    lines = [json.dumps(dict(JOB, id=f"ftjob-{i}")) for i in range(20)]
    lines[3] = json.dumps(dict(JOB, seed="7"))
    (folder / "many.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "few.jsonl").write_text(lines[0] + "\n")
    result = pytester.runpytest("--contract-recordings", "rec", "-p", "no:randomly", "-v")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "many.jsonl::recording FAILED" in out  # one item for the file over budget
    assert "few.jsonl::line[1] PASSED" in out
    assert "contract: 21 responses checked" in out  # every response of the file still checked


# -- configuration files --------------------------------------------------------------------


def _config_cases(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    (tmp_path / "deep.toml").write_text("a = " + "[" * 2000 + "]" * 2000 + "\n")
    (tmp_path / "inline.toml").write_text("x = " + "{a = " * 40 + "1" + "}" * 40 + "\n")
    (tmp_path / "digits.toml").write_text("max-annotations = " + "9" * 5000 + "\n")
    (tmp_path / "huge.json").write_text('{"max-annotations": ' + "9" * 30 + "}")
    (tmp_path / "deep.json").write_text('{"a": ' + "[" * 2000 + "]" * 2000 + "}")
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    (tmp_path / "folder.toml").mkdir()
    return {
        "/dev/zero": "not a regular file",
        str(fifo): "not a regular file",
        str(tmp_path / "zero.toml"): "not a regular file",
        str(tmp_path / "folder.toml"): "is a directory",
        str(tmp_path / "deep.toml"): "nested deeper",
        str(tmp_path / "inline.toml"): "x.a.a.a",
        str(tmp_path / "digits.toml"): "digits",
        str(tmp_path / "huge.json"): "max-annotations: the integer is out of range",
        str(tmp_path / "deep.json"): "nested deeper",
    }


def test_hostile_config_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    payload = tmp_path / "job.json"
    payload.write_text(json.dumps(JOB))
    for path, reason in _config_cases(tmp_path).items():
        status, out = cli("check", "--config", path, str(payload))
        assert status == 2, (path, out)
        line = one_line(out)
        assert os.path.basename(path) in line and reason in line, line


def test_hostile_config_files_are_a_usage_error_in_pytest(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", job=json.dumps(JOB))
    folder = pytester.path / "cfg"
    folder.mkdir()
    for path, reason in _config_cases(folder).items():
        result = pytester.runpytest("--contract-recordings", "job.json", "--contract-config", path)
        assert result.ret == pytest.ExitCode.USAGE_ERROR, (path, result.stdout.str())
        assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
        (line,) = [line for line in result.stderr.lines if reason in line]
        assert os.path.basename(path) in line, line


def test_a_conditional_amendment_meeting_a_builtin_one_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "conflict.toml"
    path.write_text(
        "[amendments.status-archived-new]\n"
        'description = "Archived jobs report status archived."\n'
        'evidence = ["https://example.com/issue/1"]\n'
        'first-seen = "2026-01-31"\n'
        'scope = "FineTuningJob.json#/properties/status"\n'
        'change = { enum-add = ["archived"] }\n'
        'when = { required = ["created_at"] }\n'
    )
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    message = str(caught.value)
    assert "status-archived-new" in message and "status-created-legacy" in message
    assert "conflict.toml" in message
    status, out = cli("check", "--config", str(path), "--profile", "observed", str(path))
    assert status == 2 and "status-created-legacy" in one_line(out)


def test_a_conditional_amendment_elsewhere_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "fine.toml"
    path.write_text(
        "[amendments.suffix-long]\n"
        'description = "Long suffixes."\n'
        'evidence = ["https://example.com/issue/2"]\n'
        'first-seen = "2026-01-31"\n'
        'scope = "FineTuningJob.json#/properties/organization_id"\n'
        "change = { nullable = true }\n"
        'when = { required = ["created_at"] }\n'
    )
    assert "suffix-long" in config.load(path).catalogue.amendments


# -- the walk -------------------------------------------------------------------------------


def test_links_leading_out_of_a_walked_folder_are_skipped_with_a_note(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = '{"error": {"message": "outside-content-4f1e", "type": "x", "param": null}}'
    (outside / "private.json").write_text(secret)
    walked = tmp_path / "rec"
    walked.mkdir()
    (walked / "job.json").write_text(json.dumps(JOB))
    (walked / "link.json").symlink_to(outside / "private.json")
    (walked / "dirlink").symlink_to(outside)
    (walked / "inner.json").symlink_to(walked / "job.json")  # inside: followed
    (walked / "up").symlink_to("..")  # relative, and a way round to everything above
    (walked / "here").symlink_to(".")  # a loop inside: not walked, not noted
    noted: list[Path] = []
    found = list(expand([walked], noted.append))
    assert sorted(Path(f).name for f in found) == ["inner.json", "job.json"]
    assert sorted(p.name for p in noted) == ["dirlink", "link.json", "up"]
    status, out = cli("check", "--fail-on-api-errors", str(walked))
    assert status == 0, out
    assert "outside-content-4f1e" not in out
    for name in ("link.json", "dirlink", "up"):
        assert f"{name}: skipped (a link leading out of" in out, out
    assert "here: skipped" not in out


def test_a_named_link_is_read_as_named(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(JOB))
    link = tmp_path / "rec" / "named.json"
    link.parent.mkdir()
    link.symlink_to(target)
    assert list(expand([link])) == [link]  # the user named it: no walk to stay inside


# -- fresh variants of the same classes -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/v1",  # an unclosed IPv6 bracket
        "http://127.0.0.1:99999/v1",  # a port out of range
        f"http://user:{AZURE_KEY}@[::1/v1",  # and a key in its userinfo
    ],
)
def test_a_base_url_urlsplit_cannot_read_is_a_live_error(url: str) -> None:
    from contract.testing import live

    with pytest.raises(live.InsecureURLError) as caught:
        live.check("ftjob-x", api_key=AZURE_KEY, base_url=url)
    assert isinstance(caught.value, live.LiveError)
    message = str(caught.value)
    assert "cannot be read" in message and "\n" not in message
    assert AZURE_KEY not in message


def test_a_base_url_urlsplit_cannot_read_is_a_usage_error_in_pytest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", AZURE_KEY)
    url = f"http://user:{AZURE_KEY}@127.0.0.1:99999/v1"
    result = pytester.runpytest(
        "--contract-live", "--contract-job-id", "ftjob-x", "--contract-base-url", url
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    shown = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in shown and "Traceback" not in shown
    assert AZURE_KEY not in shown
    (line,) = [line for line in result.stderr.lines if "--contract-base-url" in line]
    assert "cannot be read" in line


def test_a_compressed_lines_file_past_the_limit_is_one_error_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(JOB) + "\n").encode() * 5000))
    status, out = cli("check", "--max-inflated", "100000", str(path))
    assert status == 2, out
    (line,) = [line for line in out.splitlines() if "error" in line]
    assert "many.jsonl.gz" in line and "inflates past the limit of 100000 bytes" in line
    assert "Traceback" not in out


def test_a_gzip_bomb_body_in_a_cassette_is_bounded_by_the_limit(tmp_path: Path) -> None:
    bomb = gzip.compress(b"{" + b" " * (16 << 20) + b"}")  # 16 MiB from ~16 KB
    body = base64.b64encode(bomb).decode()
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "interactions:\n- request: {method: GET, body: null, headers: {},"
        f" uri: 'https://api.openai.com/v1/fine_tuning/jobs/{JOB['id']}'}}\n"
        "  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {Content-Encoding: [gzip]}\n"
        f"    body: {{string: !!binary '{body}'}}\n"
    )
    status, out = cli("check", str(path), env={"FINETUNE_CONTRACT_MAX_INFLATED": "1000000"})
    assert status == 2, out
    (line,) = [line for line in out.splitlines() if "error" in line]
    assert "bomb.yaml::interaction[0]" in line
    assert "inflates past the limit of 1000000 bytes" in line


def test_a_config_file_past_the_size_limit_is_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "padded.toml"
    path.write_text("# padding\n" * (config.MAX_CONFIG_BYTES // 10 + 1))
    payload = tmp_path / "job.json"
    payload.write_text(json.dumps(JOB))
    status, out = cli("check", "--config", str(path), str(payload))
    assert status == 2
    line = one_line(out)
    assert "padded.toml" in line and f"larger than the limit of {config.MAX_CONFIG_BYTES}" in line


@pytest.mark.parametrize("form", FORMATS)
def test_a_terminal_escape_in_a_name_reaches_no_output_raw(tmp_path: Path, form: str) -> None:
    # An OSC 8 hyperlink and a bell: a terminal would draw a link to somewhere else.
    (tmp_path / "esc\x1b]8;;x\x07name.json").write_text(json.dumps(dict(JOB, seed="7")))
    status, out = cli("check", "--format", form, ".", cwd=tmp_path)
    assert status == 1, out
    assert "\x1b" not in out and "\x07" not in out
    assert "name.json" in out


@pytest.mark.parametrize(
    ("encoding", "layers"),
    [("gzip, gzip", 2), ("x-gzip", 1), ("deflate, gzip", 2)],
)
def test_a_live_bomb_in_stacked_or_aliased_codings_stops_at_the_cap(
    httpserver: HTTPServer, encoding: str, layers: int
) -> None:
    import zlib

    from contract.testing import live

    body = b"{" + b" " * (64 << 20) + b"}"  # each layer alone is small: the product is not
    for coding in [c.strip() for c in encoding.split(",")][:layers]:
        body = zlib.compress(body) if coding == "deflate" else gzip.compress(body)
    httpserver.expect_request(f"/v1/fine_tuning/jobs/{JOB['id']}/pause").respond_with_data(
        body, headers={"Content-Encoding": encoding, "Content-Type": "application/json"}
    )
    with pytest.raises(live.InflatedTooLargeError) as caught:
        live.check(
            JOB["id"], api_key=AZURE_KEY, base_url=httpserver.url_for("/v1"), max_inflated=1 << 20
        )
    assert caught.value.kind == "inflated-too-large"
    assert AZURE_KEY not in str(caught.value)


def test_the_configured_key_and_its_encodings_are_masked_by_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", AZURE_KEY)
    forms = _encoded_forms(AZURE_KEY)
    bad_job = dict(JOB, status=AZURE_KEY, model=forms[2], suffix=forms[0])
    folder = pytester.path / "rec"
    folder.mkdir()
    (folder / f"run-{forms[3]}.jsonl").write_text(json.dumps(bad_job) + "\n")
    result = pytester.runpytest("--contract-recordings", "rec", "-rA", "--junitxml=out.xml")
    result.assert_outcomes(failed=1)
    shown = result.stdout.str() + result.stderr.str() + (pytester.path / "out.xml").read_text()
    assert "REDACTED" in shown
    for secret in (AZURE_KEY, *forms):
        assert secret not in shown, secret
