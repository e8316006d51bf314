"""No output ever shows a secret: keys of every shape planted everywhere, every output read.

Keys, tokens, cookies and account identifiers of every shape are planted in
every place of failing recordings (a vcrpy cassette, a HAR, JSON Lines, a
test-proxy session record, and unreadable ones), in the environment of a live
run, in a fuzzed parser's command line and standard error, in an OpenAPI
document and in responses checked from Python. Then every output is read:
``finetune-contract check`` in every report format of the registry (with
``-v``, ``--coverage``, the GitHub step summary, standard error, standard
input), the pytest plugin with ``-vv --tb=long -l --junitxml`` (failing,
crashing, per file, live), ``fuzz`` with ``--out``, ``diff``, and the
library's failure messages and reprs. Neither a planted secret nor any
8-character piece of it may appear anywhere.

A control run with redaction switched off shows the planted values do reach
those outputs, so the assertions can fail.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contract.checks
import contract.recordings  # imported here so in-process pytester runs patch the same objects
import contract.redact
from contract import Contract
from contract.cli import main
from contract.plugin import HIDDEN_LOCALS
from contract.redact import MASK
from contract.reports import FORMATS, failure
from contract.testing.server import ContractServer
from tests.helpers import minimal_job
from tests.recording_builders import (
    pause_url,
    write_cassette,
    write_har,
    write_session_record,
)
from tests.report_runs import OUTPUT_VARIABLES

PIECE = 8  # no run of this many characters of a secret may be shown


def _core(tag: str) -> str:
    """The secret part of a planted value: unique, credential-like (letters and digits)."""
    return tag + hashlib.sha256(tag.encode()).hexdigest()[:18] + "Xq7"


@dataclass(frozen=True)
class Plant:
    """One planted secret: ``text`` as written into the input, ``core`` its secret part."""

    name: str
    text: str
    core: str

    def shown_in(self, output: str) -> list[str]:
        """The pieces of this secret that ``output`` shows."""
        core = self.core
        pieces = {core[i : i + PIECE] for i in range(len(core) - PIECE + 1)}
        return sorted(p for p in pieces if p in output)


def _plant(name: str, prefix: str = "", suffix: str = "") -> Plant:
    core = _core(name.replace("-", "").replace("_", "")[:8].upper())
    return Plant(name, prefix + core + suffix, core)


# -- the planted values ------------------------------------------------------------------------

KEY_PROJ = _plant("sk-proj", "sk-proj-")  # a job field's value (type violation)
KEY_SK = _plant("sk", "sk-")  # inside an enum value (shown in the message, coverage)
KEY_SESS = _plant("sess", "sess-")  # inside an array where a string belongs
KEY_ESCAPED = _plant("escaped", "sk\\u002dproj-")  # JSON-escaped in the raw body text
KEY_ESCAPED_BROKEN = _plant("escbroken", "sk\\u002dproj-")  # beside a JSON syntax error
KEY_401 = _plant("err401", "sk-proj-")  # in the API's error message of a 401
KEY_ENVELOPE = _plant("envelope", "sk-")  # in a bare error envelope (JSON Lines)
FIELD_API_KEY = _plant("apikeyfield")  # {"api_key": "…"} in metadata: no shape at all
USERINFO_BODY = _plant("bodyuserinfo")  # https://bot:…@host in a long value cut by messages
UNKNOWN_NAME = _plant("unknownname", "sk-")  # the name of a property the contract lacks
UNKNOWN_VALUE = _plant("unknownvalue", "sess-")  # its value
BEARER = _plant("bearer")
API_KEY_HEADER = _plant("api-key-header")
X_API_KEY = _plant("x-api-key")
ORGANIZATION = _plant("organization", "org-")
PROJECT = _plant("project", "proj_")
SET_COOKIE = _plant("set-cookie", "__cf_bm=", "; path=/; HttpOnly")
COOKIE = _plant("cookie", "session=")
QUERY = {name: _plant(f"q-{name}") for name in ("api-key", "key", "token", "access_token",
                                                "client_secret", "sig")}  # fmt: skip
USERINFO_URL = _plant("urluserinfo")
YAML_BROKEN = _plant("yamlbroken", "sk-proj-")  # on the line a YAML error names
LIVE_KEY = _plant("livekey", "lk-")  # OPENAI_API_KEY of a live run: no recognisable shape

#: Everything planted in the recordings.
RECORDING_PLANTS = [
    KEY_PROJ,
    KEY_SK,
    KEY_SESS,
    KEY_ESCAPED,
    KEY_ESCAPED_BROKEN,
    KEY_401,
    KEY_ENVELOPE,
    FIELD_API_KEY,
    USERINFO_BODY,
    UNKNOWN_NAME,
    UNKNOWN_VALUE,
    BEARER,
    API_KEY_HEADER,
    X_API_KEY,
    ORGANIZATION,
    PROJECT,
    SET_COOKIE,
    COOKIE,
    *QUERY.values(),
    USERINFO_URL,
    YAML_BROKEN,
]


def leaks(output: str, plants: list[Plant] = RECORDING_PLANTS) -> dict[str, list[str]]:
    """Each planted secret some piece of which ``output`` shows, with those pieces."""
    return {p.name: shown for p in plants if (shown := p.shown_in(output))}


def shown_lines(output: str, plants: list[Plant] = RECORDING_PLANTS) -> list[str]:
    """The lines of ``output`` that show a piece of a planted secret (for failure messages)."""
    pieces = [piece for found in leaks(output, plants).values() for piece in found]
    return [line[:300] for line in output.splitlines() if any(p in line for p in pieces)][:12]


def reached(output: str, plants: list[Plant] = RECORDING_PLANTS) -> set[str]:
    return set(leaks(output, plants))


# -- the failing recordings ----------------------------------------------------------------


def _query() -> str:
    return "&".join(f"{name}={plant.text}" for name, plant in QUERY.items())


def _url(job_id: str) -> str:
    return pause_url(job_id, f"https://svc:{USERINFO_URL.text}@api.openai.com/v1") + "?" + _query()


REQUEST_HEADERS = {
    "Authorization": f"Bearer {BEARER.text}",
    "api-key": API_KEY_HEADER.text,
    "x-api-key": X_API_KEY.text,
    "Cookie": COOKIE.text,
    "OpenAI-Organization": ORGANIZATION.text,
    "OpenAI-Project": PROJECT.text,
}
RESPONSE_HEADERS = {
    "Content-Type": "application/json",
    "Set-Cookie": SET_COOKIE.text,
    "openai-organization": ORGANIZATION.text,
    "openai-project": PROJECT.text,
    "x-api-key": X_API_KEY.text,
}


def failing_job(job_id: str) -> str:
    """A job's JSON text failing several rules, each failing value holding a key."""
    # Messages show a value's first 60 characters: the cut falls inside the password.
    long_note = "n" * 33 + f" https://bot:{USERINFO_BODY.text}@example.com/" + "m" * 600
    metadata = {"api_key": FIELD_API_KEY.text, "note": long_note}
    metadata.update({f"k{i}": "v" for i in range(16)})  # 18 pairs: more than allowed
    job = minimal_job(
        id=job_id,
        seed=KEY_PROJ.text,
        status=f"paused by {KEY_SK.text}",
        training_file=[KEY_SESS.text],
        result_files=KEY_ESCAPED.text.replace("\\u002d", "-"),
        metadata=metadata,
        **{UNKNOWN_NAME.text: UNKNOWN_VALUE.text},  # listed by strict mode
    )
    text = json.dumps(job)
    return text.replace(KEY_ESCAPED.text.replace("\\u002d", "-"), KEY_ESCAPED.text)


BROKEN_BODY = '{"id": "ftjob-broken", "model": "' + KEY_ESCAPED_BROKEN.text + '", "seed": '
ERROR_401 = json.dumps(
    {
        "error": {
            "message": f"Incorrect API key provided: {KEY_401.text}. You can find your API "
            "key at https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
)
ENVELOPE = json.dumps(
    {
        "error": {
            "message": f"key {KEY_ENVELOPE.text} revoked",
            "type": "invalid_request_error",
            "param": None,
            "code": "revoked",
        }
    }
)
#: (job id, status, body) of the calls each recorder file holds.
CALLS = [
    ("ftjob-planted0", 200, failing_job("ftjob-planted0")),
    ("ftjob-planted1", 401, ERROR_401),
    ("ftjob-broken", 200, BROKEN_BODY),
]


def _vcrpy(path: Path) -> Path:
    return write_cassette(
        path,
        [
            {
                "request": {
                    "body": None,
                    "headers": {k: [v] for k, v in REQUEST_HEADERS.items()},
                    "method": "POST",
                    "uri": _url(job),
                },
                "response": {
                    "body": {"string": body},
                    "headers": {k: [v] for k, v in RESPONSE_HEADERS.items()},
                    "status": {"code": status, "message": "OK"},
                },
            }
            for job, status, body in CALLS
        ],
    )


def _har(path: Path) -> Path:
    entries = []
    for job, status, body in CALLS:
        url = _url(job)
        entries.append(
            {
                "startedDateTime": "2025-03-01T12:00:00.000Z",
                "time": 1,
                "request": {
                    "method": "POST",
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in REQUEST_HEADERS.items()],
                    "queryString": [{"name": k, "value": p.text} for k, p in QUERY.items()],
                    "cookies": [{"name": "session", "value": COOKIE.text}],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in RESPONSE_HEADERS.items()],
                    "cookies": [{"name": "__cf_bm", "value": SET_COOKIE.core}],
                    "content": {"size": -1, "mimeType": "application/json", "text": body},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 1, "receive": 0},
            }
        )
    return write_har(path, entries)


def _session_record(path: Path) -> Path:
    entries = []
    for job, status, body in CALLS:
        try:
            stored: Any = json.loads(body)
        except ValueError:
            stored = body  # the broken body, kept as text
        entries.append(
            {
                "RequestUri": _url(job),
                "RequestMethod": "POST",
                "RequestHeaders": REQUEST_HEADERS,
                "RequestBody": None,
                "StatusCode": status,
                "ResponseHeaders": RESPONSE_HEADERS,
                "ResponseBody": stored,
            }
        )
    return write_session_record(path, entries)


def _jsonl(path: Path) -> Path:
    path.write_text("\n".join([failing_job("ftjob-line1"), ENVELOPE, BROKEN_BODY]) + "\n")
    return path


def _broken_cassette(path: Path) -> Path:
    path.write_text(
        "interactions:\n- request:\n    headers:\n"
        f"      Authorization: [Bearer {BEARER.text}]\n"
        f"    uri: {_url('ftjob-yaml')}\n"
        f'    body: "{YAML_BROKEN.text}\n'
        f"  response: {{status: {{code: 200}}: {YAML_BROKEN.text}\n"
    )
    return path


def _broken_json(path: Path) -> Path:
    text = json.dumps({"log": {"entries": [{"request": {"url": _url("ftjob-x")}}]}})
    path.write_text(text[:-3] + f' "{YAML_BROKEN.text}"')
    return path


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of failing recordings with secrets planted in every place."""
    root = tmp_path_factory.mktemp("planted")
    _vcrpy(root / "cassette.yaml")
    _har(root / "traffic.har")
    _session_record(root / "session.json")
    _jsonl(root / "payloads.jsonl")
    return root


@pytest.fixture(scope="module")
def unreadable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Recordings that cannot be read, a secret where the reader's error points."""
    root = tmp_path_factory.mktemp("unreadable")
    _broken_cassette(root / "broken.yaml")
    _broken_json(root / "broken.har")
    return root


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*OUTPUT_VARIABLES, "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def no_redaction(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The control: redaction switched off (header names are still masked by name)."""
    monkeypatch.setattr(contract.redact, "spans", lambda text, secrets=(): [])
    contract.redact._redacted.cache_clear()  # (else texts masked before come back masked)
    yield
    contract.redact._redacted.cache_clear()


# -- finetune-contract check ------------------------------------------------------------------


def _check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    status = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out + err


ALL_OPTIONS = ("-v", "--coverage", "--fail-on-api-errors", "--color", "always", "--strict")


def _every_format(
    capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch, tmp_path: Path, *paths: Path
) -> dict[str, str]:
    """What every format writes (standard output and error, the step summary) over ``paths``."""
    shown: dict[str, str] = {}
    for name in FORMATS:
        summary = tmp_path / f"summary-{name}.md"
        env.setenv("GITHUB_STEP_SUMMARY", str(summary))
        status, output = _check(capsys, "--format", name, *ALL_OPTIONS, *paths)
        assert status in (1, 2), output
        shown[name] = output
        if summary.exists():
            shown[f"{name} step summary"] = summary.read_text("utf-8")
    assert "github step summary" in shown
    return shown


def test_no_report_format_shows_a_secret(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    recordings: Path,
    unreadable: Path,
) -> None:
    shown = _every_format(capsys, clean_env, tmp_path, recordings, unreadable)
    assert {name: leaks(text) for name, text in shown.items() if leaks(text)} == {}
    assert all(MASK in text for name, text in shown.items() if "summary" not in name), shown


def test_plain_options_and_quiet_runs_show_no_secret(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, recordings: Path
) -> None:
    for options in ([], ["-q"], ["--fail-fast"], ["--format", "json", "--schema", "FineTuningJob"]):
        status, output = _check(capsys, *options, recordings / "payloads.jsonl")
        assert status == 1 and leaks(output) == {}, (options, leaks(output))


def test_usage_errors_show_no_secret(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, recordings: Path
) -> None:
    # Values echoed back by a usage error: an unknown profile, a fuzzed command not found.
    status, output = _check(capsys, "--profile", KEY_PROJ.text, recordings)
    assert status == 2 and "unknown profile" in output
    assert main(["fuzz", "--exec", f"/nonexistent/parser --api-key {BEARER.text}"]) == 2
    output += capsys.readouterr().err
    assert "not found" in output and leaks(output) == {}, output


@pytest.mark.parametrize("name", ["payloads.jsonl", "traffic.har", "cassette.yaml"])
def test_standard_input_shows_no_secret(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    name: str,
) -> None:
    data = (recordings / name).read_bytes()
    for form in ("text", "json"):
        clean_env.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        status, output = _check(capsys, "--format", form, *ALL_OPTIONS, "-")
        assert status == 1, output
        assert leaks(output) == {}, (form, leaks(output))


def test_control_without_redaction_the_planted_values_reach_the_reports(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    recordings: Path,
    unreadable: Path,
    no_redaction: None,
) -> None:
    shown = _every_format(capsys, clean_env, tmp_path, recordings, unreadable)
    everything = "\n".join(shown.values())
    # What a check report shows at all: values in messages, API error messages.
    assert reached(everything) >= {
        UNKNOWN_NAME.name,
        KEY_PROJ.name,
        KEY_SK.name,
        KEY_SESS.name,
        KEY_ESCAPED.name,
        KEY_401.name,
        KEY_ENVELOPE.name,
        USERINFO_BODY.name,
    }


# -- messages cut long values: redacted first ---------------------------------------------------

CUT_SHAPES = [
    "sk-proj-{}",
    "https://bot:{}@example.com/",
    "Bearer {}",
    "x?sig={}&page=2",
    "api_key={}",
    '{{"password": "{}"}}',
]


@settings(max_examples=60, deadline=None)
@given(offset=st.integers(0, 70), shape=st.sampled_from(CUT_SHAPES))
def test_a_credential_anywhere_around_the_cut_of_a_shown_value_is_never_shown(
    offset: int, shape: str
) -> None:
    # Messages show a value's first 60 characters: whatever the offset, the cut never
    # leaves a piece of the credential that the report's redaction cannot recognise.
    planted = _plant("aroundcut")
    value = "w" * offset + " " + shape.format(planted.text) + " " + "z" * 600
    job = minimal_job(status=value, metadata={"note": value})
    text = failure.report(Contract().check_body(job))
    assert "/status" in text and "/metadata/note" in text
    assert planted.shown_in(text) == [], text


# -- the pytest plugin ------------------------------------------------------------------------

#: A conftest making the check crash inside ``InteractionItem.runtest``: pytest then renders
#: a traceback whose frames hold the interaction, its headers and body, and the exception's
#: message holds the headers and the body too.
CRASH = """
import contract.recordings._model as model

_originals = (model.assess_response, model.assess_body)


def _crash_response(status, headers, body, *args, **kwargs):
    raise RuntimeError(f"planted crash reading {status} {headers!r} {body!r}")


def _crash_body(body, *args, **kwargs):
    raise RuntimeError(f"planted crash reading {body!r}")


model.assess_response, model.assess_body = _crash_response, _crash_body


def pytest_unconfigure(config):
    model.assess_response, model.assess_body = _originals
"""

PLUGIN_OPTIONS = ("-vv", "--tb=long", "-l", "-rA", "--contract-coverage", "--contract-strict")


def _plugin_run(
    pytester: pytest.Pytester,
    *args: str | Path,
    status: pytest.ExitCode = pytest.ExitCode.TESTS_FAILED,
) -> str:
    """Everything a plugin run writes: its terminal output and its JUnit XML."""
    xml = pytester.path / "report.xml"
    result = pytester.runpytest(*PLUGIN_OPTIONS, f"--junitxml={xml}", *map(str, args))
    assert result.ret == status, result.stdout.str()
    return "\n".join([result.stdout.str(), result.stderr.str(), xml.read_text("utf-8")])


def _recording_args(recordings: Path, unreadable: Path) -> list[str]:
    return [
        f"--contract-recordings={recordings}",
        f"--contract-recordings={unreadable}",
        "--contract-fail-api-errors",
    ]


@pytest.mark.parametrize("item", ["interaction", "file"])
def test_the_plugin_shows_no_secret_of_failing_recordings(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    unreadable: Path,
    item: str,
) -> None:
    args = _recording_args(recordings, unreadable)
    output = _plugin_run(pytester, *args, f"--contract-item={item}")
    assert "contract violation" in output and MASK in output
    assert leaks(output) == {}, shown_lines(output)


@pytest.mark.parametrize(
    ("item", "style"),
    [("interaction", "--tb=long"), ("file", "--tb=long"), ("interaction", "--tb=native")],
)
def test_a_crashing_check_shows_no_secret_in_its_traceback(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    unreadable: Path,
    item: str,
    style: str,
) -> None:
    pytester.makeconftest(CRASH)
    output = _plugin_run(
        pytester, *_recording_args(recordings, unreadable), f"--contract-item={item}", style
    )
    assert "planted crash reading" in output  # the exception and its traceback are shown...
    assert HIDDEN_LOCALS in output and "headers = " not in output  # ...not the frames' locals
    assert leaks(output) == {}, shown_lines(output)


#: A conftest making a reader crash while pytest collects a recording: the frames hold the
#: file's raw text, its decoded document (request headers too) and the call read.
COLLECTION_CRASH = """
import contract.recordings

_original = contract.recordings.from_call


def _crash(label, call):
    raise RuntimeError(f"planted collection crash {call!r}")


contract.recordings.from_call = _crash


def pytest_unconfigure(config):
    contract.recordings.from_call = _original
"""


def test_a_reader_crashing_during_collection_shows_no_secret(
    pytester: pytest.Pytester, clean_env: pytest.MonkeyPatch, recordings: Path
) -> None:
    pytester.makeconftest(COLLECTION_CRASH)
    output = _plugin_run(
        pytester, f"--contract-recordings={recordings}", status=pytest.ExitCode.INTERRUPTED
    )
    assert "planted collection crash Call(" in output and HIDDEN_LOCALS in output
    assert leaks(output) == {}, shown_lines(output)


def test_control_without_redaction_a_collection_crash_shows_the_call(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    no_redaction: None,
) -> None:
    pytester.makeconftest(COLLECTION_CRASH)
    output = _plugin_run(
        pytester, f"--contract-recordings={recordings}", status=pytest.ExitCode.INTERRUPTED
    )
    assert reached(output) >= {
        USERINFO_URL.name,
        ORGANIZATION.name,
        SET_COOKIE.name,
        *(plant.name for plant in QUERY.values()),
    }


def test_control_without_redaction_a_crash_shows_headers_and_bodies(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    unreadable: Path,
    no_redaction: None,
) -> None:
    pytester.makeconftest(CRASH)
    output = _plugin_run(pytester, *_recording_args(recordings, unreadable))
    assert reached(output) >= {
        KEY_PROJ.name,
        KEY_SK.name,
        KEY_ESCAPED.name,
        KEY_ESCAPED_BROKEN.name,
        KEY_401.name,
        KEY_ENVELOPE.name,
        FIELD_API_KEY.name,
        USERINFO_BODY.name,
        ORGANIZATION.name,
        PROJECT.name,
        SET_COOKIE.name,
        X_API_KEY.name,
    }


def test_control_without_redaction_failure_reports_show_bodies_and_urls(
    pytester: pytest.Pytester,
    clean_env: pytest.MonkeyPatch,
    recordings: Path,
    unreadable: Path,
    no_redaction: None,
) -> None:
    output = _plugin_run(pytester, *_recording_args(recordings, unreadable))
    assert reached(output) >= {
        UNKNOWN_NAME.name,
        KEY_PROJ.name,
        KEY_SK.name,
        KEY_SESS.name,
        KEY_ESCAPED.name,
        KEY_ESCAPED_BROKEN.name,
        KEY_401.name,
        KEY_ENVELOPE.name,
        FIELD_API_KEY.name,
        USERINFO_BODY.name,
        USERINFO_URL.name,
        *(plant.name for plant in QUERY.values()),
    }


# -- a live run --------------------------------------------------------------------------------

LIVE_JOB = "ftjob-live1"
LIVE_PLANTS = [LIVE_KEY, SET_COOKIE, ORGANIZATION, PROJECT]


@pytest.fixture
def live_server(clean_env: pytest.MonkeyPatch) -> Iterator[ContractServer]:
    """A server answering the live pause with a failing job that echoes the key."""
    clean_env.setenv("OPENAI_API_KEY", LIVE_KEY.text)
    with ContractServer() as server:
        job = minimal_job(id=LIVE_JOB, seed=LIVE_KEY.text, status=f"key {LIVE_KEY.text}")
        headers = {**RESPONSE_HEADERS, "x-echo": LIVE_KEY.text}
        server.serve(job, headers=headers, job_id=LIVE_JOB)
        yield server


def _live_run(pytester: pytest.Pytester, server: ContractServer, *args: str) -> str:
    live = ["--contract-live", "--contract-job-id", LIVE_JOB, "--contract-base-url", server.url]
    return _plugin_run(pytester, *live, *args)


@pytest.mark.parametrize("crash", [False, True], ids=["failing", "crashing"])
def test_a_live_run_shows_neither_the_key_nor_the_headers(
    pytester: pytest.Pytester, live_server: ContractServer, crash: bool
) -> None:
    if crash:
        pytester.makeconftest(CRASH)
    output = _live_run(pytester, live_server)
    assert ("planted crash reading" in output) is crash
    assert leaks(output, LIVE_PLANTS) == {}, shown_lines(output, LIVE_PLANTS)
    # The server saw the real key; its record of the request shows the mask.
    (request,) = live_server.requests
    assert request.header("authorization") == f"Bearer {LIVE_KEY.text}"
    assert leaks(f"{request!r} {request} {live_server.requests!r}", [LIVE_KEY]) == {}


def test_control_without_redaction_a_live_run_shows_the_key(
    pytester: pytest.Pytester, live_server: ContractServer, no_redaction: None
) -> None:
    output = _live_run(pytester, live_server)
    assert reached(output, LIVE_PLANTS) == {LIVE_KEY.name}


# -- the library: failure messages and reprs ---------------------------------------------------


def _failing_response() -> httpx.Response:
    request = httpx.Request("POST", _url("ftjob-planted0"), headers=REQUEST_HEADERS)
    body = failing_job("ftjob-planted0").encode()
    return httpx.Response(200, headers=RESPONSE_HEADERS, content=body, request=request)


def _through_the_hook(checker: Contract) -> None:
    """A client whose every response passes :meth:`Contract.httpx_hook`."""

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=RESPONSE_HEADERS, content=failing_job("ftjob-h"))

    transport = httpx.MockTransport(serve)
    hooks = {"response": [checker.httpx_hook()]}
    with httpx.Client(transport=transport, event_hooks=hooks, headers=REQUEST_HEADERS) as client:
        client.post(_url("ftjob-h"))


def _assertion_messages() -> str:
    messages = []
    checker = Contract(secrets=[LIVE_KEY.text])
    checks: list[Callable[[], None]] = [
        lambda: checker.assert_response(_failing_response()),
        lambda: checker.assert_response(401, RESPONSE_HEADERS, ERROR_401, "ftjob-planted1"),
        lambda: checker.assert_body(json.dumps(minimal_job(seed=f"echo {LIVE_KEY.text}"))),
        lambda: checker.assert_body(BROKEN_BODY),
        lambda: _through_the_hook(checker),
    ]
    for check in checks:
        with pytest.raises(AssertionError) as caught:
            check()
        messages += [str(caught.value), repr(caught.value)]
    return "\n".join(messages)


def test_assertion_messages_show_no_secret() -> None:
    text = _assertion_messages()
    assert "contract violation" in text and MASK in text
    assert leaks(text, [*RECORDING_PLANTS, LIVE_KEY]) == {}, shown_lines(text)


def test_control_without_redaction_assertion_messages_show_bodies_and_urls(
    no_redaction: None,
) -> None:
    assert reached(_assertion_messages(), [*RECORDING_PLANTS, LIVE_KEY]) >= {
        KEY_PROJ.name,
        KEY_ESCAPED_BROKEN.name,
        USERINFO_BODY.name,
        USERINFO_URL.name,
        LIVE_KEY.name,
        *(plant.name for plant in QUERY.values()),
    }


def test_the_servers_record_of_a_request_shows_no_secret(contract_server: ContractServer) -> None:
    contract_server.serve(minimal_job(id="ftjob-planted0"))
    url = contract_server.url + "/fine_tuning/jobs/ftjob-planted0/pause?" + _query()
    body = json.dumps({"api_key": FIELD_API_KEY.text, "note": KEY_SK.text})
    httpx.post(url, headers=REQUEST_HEADERS, content=body)
    (request,) = contract_server.requests
    assert request.header("api-key") == API_KEY_HEADER.text  # the real values are kept...
    shown = f"{request!r}\n{request}\n{contract_server.requests!r}\n{contract_server!r}"
    assert leaks(shown) == {}, shown  # ...and never shown


# -- finetune-contract fuzz ------------------------------------------------------------------

FUZZ_ARGV_KEY = _plant("fuzzargv", "sk-proj-")
FUZZ_TOKEN = _plant("fuzztoken")
FUZZ_API_KEY = _plant("fuzzapikey")
FUZZ_BEARER = _plant("fuzzbearer")
FUZZ_STDERR_KEY = _plant("fuzzstderr", "sk-")
FUZZ_ENV = _plant("fuzzenv")
FUZZ_PLANTS = [FUZZ_ARGV_KEY, FUZZ_TOKEN, FUZZ_API_KEY, FUZZ_BEARER, FUZZ_STDERR_KEY, FUZZ_ENV]
#: A parser that refuses everything, printing two values of its command line (a key, the
#: value of ``--api-key``), a key of its own and an environment value on standard error.
REFUSING = (
    "sh -c 'echo \"refused: $1 $4 {stderr} api_key=$PARSER_SECRET\" >&2; exit 1' parser "
    '{argv} --token={token} --api-key {api_key} -H "Authorization: Bearer {bearer}"'
)


def _fuzz_command() -> str:
    return REFUSING.format(
        stderr=FUZZ_STDERR_KEY.text,
        argv=FUZZ_ARGV_KEY.text,
        token=FUZZ_TOKEN.text,
        api_key=FUZZ_API_KEY.text,
        bearer=FUZZ_BEARER.text,
    )


def _fuzz_outputs(capsys: pytest.CaptureFixture[str], out: Path) -> str:
    shown = []
    for form in ("text", "json"):
        options = ["-n", "4", "--seed", "1", "--format", form, "--out", str(out / form)]
        status = main(["fuzz", "--exec", _fuzz_command(), *options, "--shrink-time", "1"])
        assert status == 1
        captured = capsys.readouterr()
        files = [p.read_text("utf-8") for p in sorted((out / form).iterdir())]
        assert files
        shown += [captured.out, captured.err, *files]
    return "\n".join(shown)


def test_fuzz_shows_no_secret_of_its_command_line_environment_or_parser(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("PARSER_SECRET", FUZZ_ENV.text)
    output = _fuzz_outputs(capsys, tmp_path)
    assert "refused: " in output  # the parser's words are kept...
    assert leaks(output, FUZZ_PLANTS) == {}, shown_lines(output, FUZZ_PLANTS)  # ...not secrets


def test_control_without_redaction_fuzz_shows_the_command_line_and_stderr(
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    no_redaction: None,
) -> None:
    clean_env.setenv("PARSER_SECRET", FUZZ_ENV.text)
    output = _fuzz_outputs(capsys, tmp_path)
    assert reached(output, FUZZ_PLANTS) == {p.name for p in FUZZ_PLANTS}


# -- finetune-contract diff ------------------------------------------------------------------

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
DIFF_ENUM = _plant("diffenum", "sk-proj-")
DIFF_EXAMPLE = _plant("diffexample", "sk-")
DIFF_USERINFO = _plant("diffuserinfo")
DIFF_PLANTS = [DIFF_ENUM, DIFF_EXAMPLE, DIFF_USERINFO]


def _diff_document(tmp_path: Path) -> Path:
    source = REFERENCE / "openai-openapi-fine-tuning.json"
    if not source.is_file():
        pytest.skip(f"the reference document {source} is absent")
    document = json.loads(source.read_text("utf-8"))
    status = document["components"]["schemas"]["FineTuningJob"]["properties"]["status"]
    status["enum"] = [*status["enum"], DIFF_ENUM.text]
    example = document["pause_response_example_from_upstream_docs"]
    example["seed"] = DIFF_EXAMPLE.text
    # Long messages are cut at 120 characters: the cut falls inside the password.
    example["created_at"] = "n" * 80 + f" https://bot:{DIFF_USERINFO.text}@example.com/"
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    return path


def _diff_outputs(capsys: pytest.CaptureFixture[str], document: Path) -> str:
    shown = []
    for form in ("text", "json"):
        assert main(["diff", "--format", form, str(document)]) == 1
        captured = capsys.readouterr()
        shown += [captured.out, captured.err]
    return "\n".join(shown)


def test_diff_shows_no_secret_of_the_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = _diff_outputs(capsys, _diff_document(tmp_path))
    assert "enum values added" in output and "example does not conform" in output
    assert leaks(output, DIFF_PLANTS) == {}, shown_lines(output, DIFF_PLANTS)


def test_control_without_redaction_diff_shows_the_documents_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_redaction: None
) -> None:
    output = _diff_outputs(capsys, _diff_document(tmp_path))
    assert reached(output, DIFF_PLANTS) == {p.name for p in DIFF_PLANTS}
