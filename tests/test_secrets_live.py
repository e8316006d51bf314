"""Live mode: when the check of a live response crashes, no output shows the API key.

A conftest inside the pytester project makes the check (or the transport)
raise, so pytest prints a full traceback with every frame's locals; the key is
in ``OPENAI_API_KEY`` and the served response carries organisation, project
and cookie headers. None of them may appear in stdout, stderr or JUnit XML.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator

import httpx
import pytest

import contract.recordings  # imported here so in-process runs patch the same objects
import contract.testing.live
from contract.testing.server import ContractServer
from tests.helpers import minimal_job

KEY = "sk-proj-PLANTEDkeyAbCdEf0123456789ghijKLMN"
JOB = "ftjob-secret1"
PLANTED_HEADERS = {
    "openai-organization": "org-PLANTEDorg0123456789",
    "openai-project": "proj_PLANTEDproject98765",
    "set-cookie": "__cf_bm=PLANTEDcookieXyZ0987654321; path=/; HttpOnly",
}
PLANTED = [
    KEY,
    KEY[8:24],
    KEY[-16:],
    "PLANTEDorg0123456789",
    "PLANTEDproject98765",
    "PLANTEDcookieXyZ0987654321",
]

CRASH = """
import {module}

_original = {target}


def _crash(*args, **kwargs):
    raise RuntimeError("planted crash")


{target} = _crash


def pytest_unconfigure(config):
    {target_assign} = _original
"""


def _crash_conftest(pytester: pytest.Pytester, module: str, target: str) -> None:
    pytester.makeconftest(CRASH.format(module=module, target=target, target_assign=target))


@pytest.fixture
def live_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractServer]:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server = ContractServer().start()
    server.serve(
        minimal_job(id=JOB), headers={"Content-Type": "application/json", **PLANTED_HEADERS}
    )
    try:
        yield server
    finally:
        server.stop()


def _leaks(text: str) -> list[str]:
    return [p for p in PLANTED if p in text]


CHECK = ("contract.recordings", "contract.recordings.Interaction.assess")  # what live.check calls
TRANSPORT = ("httpx", "httpx.HTTPTransport.handle_request")


@pytest.mark.parametrize(
    ("crash", "options"),
    [
        (CHECK, ["-vv", "--tb=long", "-l"]),
        (TRANSPORT, ["-vv", "--tb=long", "-l"]),
        (CHECK, ["--fulltrace", "-l", "-rA"]),
        (TRANSPORT, ["--tb=native"]),
    ],
    ids=["check-long-locals", "transport-long-locals", "check-fulltrace", "transport-native"],
)
def test_a_crashing_live_check_never_shows_the_key(
    pytester: pytest.Pytester,
    live_server: ContractServer,
    crash: tuple[str, str],
    options: list[str],
) -> None:
    _crash_conftest(pytester, *crash)
    xml = pytester.path / "report.xml"
    result = pytester.runpytest(
        "--contract-live",
        "--contract-job-id",
        JOB,
        "--contract-base-url",
        live_server.url,
        f"--junitxml={xml}",
        *options,
    )
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "planted crash" in output  # the traceback is shown...
    assert _leaks(output) == []  # ...without the key or the planted headers
    assert _leaks(xml.read_text(encoding="utf-8")) == []
    if "-l" in options:
        assert "api_key" in output  # the frame holding the key was shown, masked


def test_a_failed_live_check_counts_no_response_checked(
    pytester: pytest.Pytester, live_server: ContractServer
) -> None:
    _crash_conftest(pytester, *TRANSPORT)
    result = pytester.runpytest(
        "--contract-live", "--contract-job-id", JOB, "--contract-base-url", live_server.url
    )
    result.assert_outcomes(failed=1)
    (summary,) = [line for line in result.outlines if line.startswith("contract:")]
    assert re.match(r"contract: 0 \w+ checked", summary), summary


def test_no_frame_of_a_crashing_live_call_holds_the_key_in_the_clear(
    live_server: ContractServer,
) -> None:
    def crash(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("planted crash")

    with pytest.raises(RuntimeError) as caught:
        contract.testing.live.check(
            JOB, api_key=KEY, base_url=live_server.url, transport=httpx.MockTransport(crash)
        )
    frames = [frame for frame, _ in traceback.walk_tb(caught.value.__traceback__)]
    names = {frame.f_code.co_name for frame in frames}
    assert {"check", "pause"} <= names  # the key passed through these
    shown = [f"{name}={value!r}" for frame in frames for name, value in frame.f_locals.items()]
    assert [line for line in shown if KEY in line] == []
    assert any(line.startswith("api_key=") for line in shown)


def test_the_request_still_carries_the_real_key(live_server: ContractServer) -> None:
    result = contract.testing.live.check(JOB, api_key=KEY, base_url=live_server.url)
    assert result.valid
    (request,) = live_server.requests
    assert request.header("authorization") == f"Bearer {KEY}"
    assert KEY not in repr(result) and KEY not in repr(request)
