"""The pytest plugin, run through ``pytester``: recordings, formats, reports, options."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import httpcore  # noqa: F401 - httpx imports it lazily
import httpx  # noqa: F401
import pytest

# In-process pytester runs drop the modules first imported inside them; import
# what the plugin loads lazily here, once, so exception classes stay the same objects.
import contract.recordings.har
import contract.recordings.vcrpy
import contract.testing.contract
import contract.testing.live
import contract.testing.server  # noqa: F401
from tests.recording_builders import (
    DATA,
    FIXTURE_KEY,
    body,
    digest,
    pause_url,
    vcr_interaction,
    write_cassette,
)

PAYLOADS = Path(__file__).resolve().parent / "data" / "payloads"


def place(pytester: pytest.Pytester, name: str, as_: str | None = None) -> Path:
    """Copy a fixture from tests/data/recordings into the pytester project."""
    target = pytester.path / (as_ or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / name, target)
    return target


def lit(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself (brackets escaped)."""
    return "".join("[[]" if c == "[" else "[]]" if c == "]" else c for c in text)


def output(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


@pytest.fixture
def mixed(pytester: pytest.Pytester) -> Path:
    """cassettes/pause.yaml: one conforming pause call, one other call, one violating pause call."""
    return place(pytester, "cassette-mixed.yaml", "cassettes/pause.yaml")


def test_cassette_gives_one_pass_one_failure_naming_the_path(
    pytester: pytest.Pytester, mixed: Path
) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "PASSED cassettes/pause.yaml::interaction[0]",
            lit("FAILED cassettes/pause.yaml::interaction[2]") + "*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            lit("*_ interaction[2] _*"),
            "POST https://api.openai.com/v1/fine_tuning/jobs/ftjob-mix2/pause -> 200",
            "1 contract violation:",
            "  /hyperparameters/n_epochs: 51 is greater than the maximum of 50 [[]FC106[]]",
            '  body at /hyperparameters: {"n_epochs": 51, …}',
        ]
    )
    result.stdout.fnmatch_lines(
        ["contract: 2 responses checked: 1 valid, 1 invalid; 1 other interaction skipped"]
    )
    assert FIXTURE_KEY not in output(result)
    assert "Traceback" not in output(result)


def test_same_result_under_xdist(pytester: pytest.Pytester, mixed: Path) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "-n", "2", "-rf")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*/hyperparameters/n_epochs: 51 is greater than the maximum of 50 [[]FC106[]]",
            "contract: 2 responses checked: 1 valid, 1 invalid; 1 other interaction skipped",
            lit("FAILED cassettes/pause.yaml::interaction[2]") + "*",
        ]
    )


def test_no_option_adds_nothing(pytester: pytest.Pytester, mixed: Path) -> None:
    pytester.makepyfile(test_user="def test_user():\n    pass\n")
    result = pytester.runpytest("--co", "-q")
    result.stdout.fnmatch_lines(["test_user.py::test_user", "1 test collected*"])
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "contract:" not in output(result)


def test_no_option_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import sys

        def pytest_sessionfinish(session):
            names = ("httpx", "yaml", "jsonschema", "referencing", "jsonschema_rs",
                     "contract.validation", "contract.schema",
                     "contract.recordings", "contract.testing.contract",
                     "contract.testing.server", "contract.testing.live",
                     "contract.generate.strategies",
                     "contract.testing.contract", "contract.schema.operations",
                     "contract.recordings.vcrpy", "contract.recordings.har")
            loaded = sorted(n for n in names if n in sys.modules)
            plugin = "contract.plugin" in sys.modules
            with open("modules.txt", "w") as out:
                out.write(f"{plugin} {loaded}")
        """
    )
    pytester.makepyfile(test_user="def test_user():\n    pass\n")
    result = pytester.runpytest_subprocess("--co", "-q")
    assert result.ret == 0
    assert (pytester.path / "modules.txt").read_text() == "True []"


def test_plugin_can_be_disabled(pytester: pytest.Pytester, mixed: Path) -> None:
    result = pytester.runpytest("-p", "no:finetune_contract", "--contract-recordings", "cassettes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --contract-recordings*"])


def test_ini_option_and_repeatable_option(pytester: pytest.Pytester, mixed: Path) -> None:
    place(pytester, "pause-mixed.har", "recordings/calls.har")
    pytester.makeini("[pytest]\ncontract_recordings = recordings/calls.har\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result = pytester.runpytest("--contract-recordings", "cassettes/pause.yaml", "-q")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        ["contract: 4 responses checked: 2 valid, 2 invalid; 2 other interactions skipped"]
    )
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest(
        "--contract-recordings", "cassettes", "--contract-recordings", "recordings", "-q"
    )
    result.assert_outcomes(passed=2, failed=2)


def test_k_lf_and_x_work_as_usual(pytester: pytest.Pytester, mixed: Path) -> None:
    place(pytester, "pause-mixed.har", "cassettes/calls.har")
    result = pytester.runpytest(
        "--contract-recordings", "cassettes", "-k", "pause.yaml and interaction[0]"
    )
    result.assert_outcomes(passed=1, deselected=3)
    result = pytester.runpytest("--contract-recordings", "cassettes", "-x")
    result.assert_outcomes(passed=1, failed=1)
    result = pytester.runpytest("--contract-recordings", "cassettes")
    result.assert_outcomes(passed=2, failed=2)
    result = pytester.runpytest("--contract-recordings", "cassettes", "--lf", "-rf")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "run-last-failure: rerun previous 2 failures*",
            lit("FAILED cassettes/calls.har::interaction[2]") + "*",
            lit("FAILED cassettes/pause.yaml::interaction[2]") + "*",
        ]
    )
    result = pytester.runpytest(
        "--contract-recordings", "cassettes", "--deselect", "cassettes/calls.har::interaction[2]"
    )
    result.assert_outcomes(passed=2, failed=1, deselected=1)


def test_junit_xml(pytester: pytest.Pytester, mixed: Path) -> None:
    result = pytester.runpytest("--contract-recordings", "cassettes", "--junitxml=out.xml")
    result.assert_outcomes(passed=1, failed=1)
    text = (pytester.path / "out.xml").read_text()
    cases = {c.get("name"): c for c in ET.fromstring(text).iter("testcase")}
    assert set(cases) == {"interaction[0]", "interaction[2]"}
    (failure,) = cases["interaction[2]"].iter("failure")
    assert "/hyperparameters/n_epochs: 51 is greater than the maximum of 50" in (failure.text or "")
    assert not list(cases["interaction[0]"].iter("failure"))
    assert FIXTURE_KEY not in text


def test_har_report_shows_the_interaction_and_hides_keys(pytester: pytest.Pytester) -> None:
    place(pytester, "pause-mixed.har", "calls.har")
    result = pytester.runpytest("--contract-recordings", "calls.har", "-rA", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "POST https://example-resource.openai.azure.com/openai/v1/fine_tuning/jobs/ftjob-har3/"
            "pause?api-key=[[]REDACTED[]] -> 200",
            "1 contract violation:",
            '  /id: "ftjob-someone-else" is not the job the request paused ("ftjob-har3") '
            "[[]FC004[]]",
            '  body at <root>: {…, "id": "ftjob-someone-else", …}',
        ]
    )
    result.stdout.fnmatch_lines(
        ["contract: 2 responses checked: 1 valid, 1 invalid; 1 other interaction skipped"]
    )
    assert FIXTURE_KEY not in output(result)
    assert "Bearer" not in output(result)


def test_large_bodies_are_excerpted(pytester: pytest.Pytester) -> None:
    files = [f"file-{n:05d}" for n in range(3000)]
    write_cassette(
        pytester.path / "big.yaml",
        [
            vcr_interaction(
                "POST", pause_url("ftjob-abc123"), text=body(result_files=files, status="paused")
            )
        ],
    )
    result = pytester.runpytest("--contract-recordings", "big.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['  body at <root>: {…, "status": "paused", …}'])
    assert "file-02999" not in output(result)
    assert len(output(result)) < 3000


def test_json_and_jsonl_payloads_are_items(pytester: pytest.Pytester) -> None:
    shutil.copyfile(PAYLOADS / "mixed.jsonl", pytester.path / "jobs.jsonl")
    shutil.copyfile(PAYLOADS / "valid.json", pytester.path / "job.json")
    result = pytester.runpytest("--contract-recordings", ".", "-rA")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "PASSED job.json::payload",
            "PASSED jobs.jsonl::line[[]1[]]",
            "PASSED jobs.jsonl::line[[]4[]]",
            "FAILED jobs.jsonl::line[[]2[]]*",
        ]
    )
    result.stdout.fnmatch_lines(["payload (no request recorded)"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "broken.yaml",
            "contract: unreadable recording: recordings/broken.yaml: is not readable "
            "YAML (*line 5*",
        ),
        (
            "truncated.har",
            "contract: unreadable recording: recordings/truncated.har: is not a HAR "
            "file (not JSON: ends early*",
        ),
        (
            "not-a-har.har",
            "contract: unreadable recording: recordings/not-a-har.har: is not a HAR "
            "file (no log.entries list)",
        ),
    ],
)
def test_unreadable_recording_is_one_failed_item_and_the_others_still_run(
    pytester: pytest.Pytester, mixed: Path, name: str, message: str
) -> None:
    place(pytester, name, f"recordings/{name}")
    result = pytester.runpytest(
        "--contract-recordings", "recordings", "--contract-recordings", "cassettes", "-rA"
    )
    # Not a collection error that interrupts the session: the readable cassette still runs.
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([lit("*_ recording _*"), message])
    result.stdout.fnmatch_lines(
        [
            "contract: 2 responses checked: 1 valid, 1 invalid; 1 other interaction skipped; "
            "1 unreadable recording"
        ]
    )
    result.stdout.fnmatch_lines([lit(f"FAILED recordings/{name}::recording") + "*"])
    assert "Traceback" not in output(result)
    assert "contract/" not in output(result)


def test_missing_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--contract-recordings", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contract-recordings: nowhere: no such file or directory"])


def test_recordings_are_never_modified(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "recs"
    shutil.copytree(DATA, folder)
    before = digest(folder)
    serial = pytester.runpytest("--contract-recordings", "recs").parseoutcomes()
    parallel = pytester.runpytest("--contract-recordings", "recs", "-n", "2").parseoutcomes()
    # The three unreadable fixtures are failed items, the rest checked; same under xdist.
    assert serial["failed"] >= 3 and serial["passed"] >= 2
    assert {k: parallel[k] for k in ("passed", "failed")} == {
        k: serial[k] for k in ("passed", "failed")
    }
    assert digest(folder) == before


# -- fixtures in users' own tests ------------------------------------------------------


def test_fixtures_in_a_users_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_client="""
        import json
        import httpx

        JOB = json.loads('''BODY''')

        def test_checks_an_httpx_response(contract, contract_server):
            contract_server.serve(JOB)
            response = httpx.post(contract_server.pause_url(JOB["id"]))
            assert contract.check_response(response) == []
            assert contract_server.requests[0].method == "POST"

        def test_hook_catches_a_bad_response(contract, contract_server):
            contract_server.serve(dict(JOB, status="paused"))
            with httpx.Client(event_hooks={"response": [contract.httpx_hook()]}) as client:
                client.post(contract_server.pause_url(JOB["id"]))
        """.replace("BODY", body())
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *ResponseContractViolation: POST http://127.0.0.1:*/pause -> 200",
            '*/status: "paused"*',
        ]
    )
    assert "contract:" not in output(result)  # no option given: no summary line


# -- live mode -------------------------------------------------------------------------

LIVE_KEY = "sk-test-LIVEPLUGINkey0123456789"


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", LIVE_KEY)


def test_live_needs_both_options(
    pytester: pytest.Pytester, httpserver: object, live_env: None
) -> None:
    from pytest_httpserver import HTTPServer

    assert isinstance(httpserver, HTTPServer)
    result = pytester.runpytest("--contract-live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contract-live needs --contract-job-id*"])
    pytester.makepyfile(test_user="def test_user():\n    pass\n")
    result = pytester.runpytest(
        "--contract-job-id", "ftjob-x", "--contract-base-url", httpserver.url_for("/v1")
    )
    result.assert_outcomes(passed=1)
    assert httpserver.log == []


def test_live_refuses_plain_http_to_a_remote_host(
    pytester: pytest.Pytester, live_env: None
) -> None:
    result = pytester.runpytest(
        "--contract-live",
        "--contract-job-id",
        "ftjob-x",
        "--contract-base-url",
        "http://api.example.com/v1",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*refusing to send an API key over plain http:// to api.example.com*"]
    )
    assert LIVE_KEY not in output(result)


def live_run(pytester: pytest.Pytester, base_url: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "--contract-live", "--contract-job-id", "ftjob-live", "--contract-base-url", base_url, *args
    )


def test_live_conforming_response(
    pytester: pytest.Pytester, httpserver: object, live_env: None
) -> None:
    from pytest_httpserver import HTTPServer

    assert isinstance(httpserver, HTTPServer)
    path = "/v1/fine_tuning/jobs/ftjob-live/pause"
    httpserver.expect_oneshot_request(path, method="POST").respond_with_data(
        body(id="ftjob-live"), content_type="application/json"
    )
    result = live_run(pytester, httpserver.url_for("/v1"), "-rA")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [lit("contract-live[ftjob-live] .") + "*", "*", lit("PASSED contract-live[ftjob-live]")]
    )
    result.stdout.fnmatch_lines(
        ["contract: 1 response checked: 1 valid, 0 invalid; 0 other interactions skipped"]
    )
    ((request, _),) = httpserver.log
    assert request.headers["Authorization"] == f"Bearer {LIVE_KEY}"


def test_live_violations_and_errors(
    pytester: pytest.Pytester, httpserver: object, live_env: None
) -> None:
    from pytest_httpserver import HTTPServer

    assert isinstance(httpserver, HTTPServer)
    path = "/v1/fine_tuning/jobs/ftjob-live/pause"
    httpserver.expect_oneshot_request(path).respond_with_data(
        body(id="ftjob-other"), content_type="application/json"
    )
    result = live_run(pytester, httpserver.url_for("/v1"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ['  /id: "ftjob-other" is not the job the request paused ("ftjob-live") [[]FC004[]]']
    )
    for status, kind in (
        (401, "unauthorized"),
        (404, "not-found"),
        (429, "rate-limited"),
        (500, "server-error"),
    ):
        envelope = {
            "error": {
                "message": f"bad key {LIVE_KEY}",
                "type": "x",
                "param": None,
                "code": f"c{status}",
            }
        }
        httpserver.expect_oneshot_request(path).respond_with_json(envelope, status=status)
        result = live_run(pytester, httpserver.url_for("/v1"))
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                f"live pause of ftjob-live at http://*/v1 failed: {kind}: HTTP {status}: "
                f"API error c{status}: bad key [[]REDACTED[]]",
                "(not a contract violation: there was no pause response to check)",
            ]
        )
        assert LIVE_KEY not in output(result)
        assert "is not a documented response" not in output(result)


def test_live_connection_error(pytester: pytest.Pytester, live_env: None) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = live_run(pytester, f"http://127.0.0.1:{port}/v1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["live pause of ftjob-live at * failed: connection: ConnectError*"])
