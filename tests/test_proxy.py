"""The validating proxy (issue 21): forwarding unchanged, checking, HAR, secrets, hostile input."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

import contract
from contract.recordings import har
from contract.testing import _proxy_checks
from contract.testing._serving import Served, serving
from contract.testing.live import InsecureURLError
from contract.testing.proxy import Finding, Proxy
from tests.proxy_upstream import Upstream

KEY = "sk-proj-PLANTEDkey0123456789abcdefghijklmnop"


@pytest.fixture
def upstream() -> Iterator[tuple[Upstream, Served]]:
    fake = Upstream()
    with serving(fake.app()) as served:
        yield fake, served


def _client(proxy: Proxy) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=proxy.url, max_retries=0)


def test_url_is_the_upstream_path_under_the_proxy(upstream: tuple[Upstream, Served]) -> None:
    _, served = upstream
    with Proxy(served.url + "/v1/") as proxy:
        assert proxy.url == f"http://127.0.0.1:{proxy.port}/v1"


def test_conforming_calls_pass_with_no_finding_and_the_key_reaches_the_upstream(
    upstream: tuple[Upstream, Served],
) -> None:
    fake, served = upstream
    with Proxy(served.url + "/v1") as proxy:
        client = _client(proxy)
        job = client.fine_tuning.jobs.retrieve("ftjob-1")
        paused = client.fine_tuning.jobs.pause("ftjob-1")
        page = client.fine_tuning.jobs.list()
        assert (job.id, paused.id, len(page.data)) == ("ftjob-1", "ftjob-1", 1)
        assert proxy.findings == []
        assert (proxy.calls, proxy.checked, proxy.passed_through) == (3, 3, 0)
    assert fake.authorizations == [f"Bearer {KEY}"] * 3


def test_a_malformed_body_is_forwarded_unchanged_and_is_a_finding(
    upstream: tuple[Upstream, Served],
) -> None:
    fake, served = upstream
    fake.malformed = 1.0
    with Proxy(served.url + "/v1") as proxy:
        raw = _client(proxy).fine_tuning.jobs.with_raw_response.retrieve("ftjob-1")
        assert raw.http_response.content == fake.served[0]  # the very bytes, cut short
        (finding,) = proxy.findings
    assert isinstance(finding, Finding)
    assert (finding.label, finding.status, finding.violation.keyword) == (
        "interaction[0]",
        200,
        "json",
    )
    assert finding.as_dict()["interaction"] == "interaction[0]"


def test_answers_outside_the_family_pass_through_unchanged_and_are_counted(
    upstream: tuple[Upstream, Served],
) -> None:
    _, served = upstream
    with Proxy(served.url + "/v1") as proxy, httpx.Client() as client:
        direct = client.get(served.url + "/v1/other/teapot")
        through = client.get(proxy.url + "/other/teapot")
        assert (through.status_code, through.content) == (418, b"short and stout")
        assert through.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert through.headers["x-one"] == "1"
        assert "keep-alive" not in through.headers  # hop-by-hop
        assert direct.headers["keep-alive"] == "timeout=5"
        with client.stream("GET", proxy.url + "/other/gzip") as zipped:
            raw = b"".join(zipped.iter_raw())
        assert raw == gzip.compress(b"hello " * 100, mtime=0)  # not inflated on the way
        big = client.get(proxy.url + "/other/big")
        assert big.content == b"z" * (3 << 20)
        moved = client.get(proxy.url + "/other/redirect")
        assert (moved.status_code, moved.headers["location"]) == (302, "https://elsewhere.example/")
        assert proxy.findings == []
        assert (proxy.calls, proxy.passed_through, proxy.checked) == (4, 4, 0)


def test_the_request_reaches_the_upstream_as_sent(upstream: tuple[Upstream, Served]) -> None:
    _, served = upstream
    with Proxy(served.url + "/v1") as proxy:
        sent = httpx.post(
            proxy.url + "/other/echo?x=1",
            content=b"payload bytes",
            headers={"X-Trace": "t1", "Connection": "keep-alive, X-Drop", "X-Drop": "gone"},
        )
    echoed = sent.json()
    assert echoed["body"] == "payload bytes"
    assert echoed["headers"]["x-trace"] == "t1"
    assert "x-drop" not in echoed["headers"]  # named by Connection: hop-by-hop
    assert echoed["headers"]["host"] == served.url.removeprefix("http://")


def test_an_unreachable_upstream_is_a_502_envelope_and_a_finding() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with Proxy(f"http://127.0.0.1:{port}/v1") as proxy:
            with pytest.raises(openai.APIStatusError) as raised:
                _client(proxy).fine_tuning.jobs.retrieve("ftjob-1")
            answer = raised.value.response
            assert answer.status_code == 502
            assert contract.is_valid(answer.json(), schema="ErrorResponse")
            assert answer.json()["error"]["code"] == "upstream_unreachable"
            (finding,) = proxy.findings
    assert finding.violation.keyword == "upstream" and finding.status is None
    assert KEY not in json.dumps(finding.as_dict())


def test_a_silent_upstream_is_a_502_timeout(upstream: tuple[Upstream, Served]) -> None:
    _, served = upstream
    with Proxy(served.url + "/v1", timeout=0.3) as proxy:
        answer = httpx.get(proxy.url + "/other/slow")
        assert (answer.status_code, answer.json()["error"]["code"]) == (502, "upstream_timeout")
        assert [f.violation.keyword for f in proxy.findings] == ["upstream"]
        assert proxy.upstream_errors == 1


@pytest.mark.parametrize(
    "upstream_url",
    ["http://api.openai.com/v1", "http://10.0.0.1:8080/v1", "ftp://127.0.0.1/v1", "not a url"],
)
def test_the_key_is_never_sent_over_plain_http_except_to_loopback(upstream_url: str) -> None:
    with pytest.raises(InsecureURLError):
        Proxy(upstream_url)


HEAD = b"GET /v1/fine_tuning/jobs/ftjob-1 HTTP/1.1\r\nHost: t\r\n"


@pytest.mark.parametrize(
    "raw",
    [
        HEAD + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        HEAD + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        HEAD + b"X-Huge: " + b"a" * 70000 + b"\r\n\r\n",
    ],
    ids=["space-before-colon", "two-lengths", "chunked-and-length", "huge-header"],
)
def test_hostile_requests_are_refused_with_the_envelope_and_never_forwarded(
    upstream: tuple[Upstream, Served], raw: bytes
) -> None:
    fake, served = upstream
    with Proxy(served.url + "/v1") as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert int(answer.split(b" ", 2)[1]) in (400, 431)
        envelope = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert contract.is_valid(envelope, schema="ErrorResponse")
        assert envelope["error"]["type"] == "proxy_error"
        assert fake.served == []  # nothing reached the upstream
        assert _client(proxy).fine_tuning.jobs.retrieve("ftjob-2").id == "ftjob-2"  # still serving


def test_a_body_past_the_limit_is_413_and_not_forwarded(upstream: tuple[Upstream, Served]) -> None:
    fake, served = upstream
    with Proxy(served.url + "/v1", max_body=1024) as proxy:
        refused = httpx.post(proxy.url + "/other/echo", content=b"x" * 2000)
        assert (refused.status_code, refused.json()["error"]["code"]) == (413, "request_too_large")
        assert fake.served == []
        assert httpx.post(proxy.url + "/other/echo", content=b"x" * 10).status_code == 200


def test_an_upstream_answer_past_the_limit_is_a_502_and_a_finding(
    upstream: tuple[Upstream, Served],
) -> None:
    _, served = upstream
    with Proxy(served.url + "/v1", max_response=100) as proxy:
        answer = httpx.get(proxy.url + "/fine_tuning/jobs/ftjob-1")
        assert (answer.status_code, answer.json()["error"]["code"]) == (502, "upstream_too_large")
        assert [f.violation.keyword for f in proxy.findings] == ["upstream"]


def test_the_har_holds_every_call_redacted_and_check_agrees(
    upstream: tuple[Upstream, Served], tmp_path: Path
) -> None:
    fake, served = upstream
    fake.malformed = 0.5
    record = tmp_path / "calls.har"
    with Proxy(served.url + "/v1", record=record) as proxy:
        client = _client(proxy)
        for n in range(6):
            with contextlib.suppress(ValueError):  # a cut body: the SDK cannot decode it
                client.fine_tuning.jobs.retrieve(f"ftjob-{n}")
        httpx.get(proxy.url + "/other/teapot", headers={"Cookie": "session=s3cr3tvalue"})
        # Each entry is written after its answer has gone: once the last is written, the
        # file is a whole document while the proxy still runs (read during a write, it
        # could be cut anywhere).
        proxy.wait()
        assert json.loads(record.read_text())["log"]["entries"]  # a whole document mid-run
        labels = {f.label for f in proxy.findings}
        in_memory = proxy.har
    text = record.read_text()
    document = json.loads(text)
    assert len(document["log"]["entries"]) == 7 == len(in_memory["log"]["entries"])
    assert KEY not in text and "s3cr3tvalue" not in text
    assert KEY not in json.dumps(in_memory)
    calls = list(har.calls(document, str(record)))
    assert [c.status for c in calls] == [200] * 6 + [418]
    failing = {
        name for name, broken in zip([c.name for c in calls], fake.broken, strict=False) if broken
    }
    assert labels == failing and labels  # one finding per cut body, on the same interaction


def test_the_seam_plugs_request_and_session_checks_in(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    class Session:
        def __init__(self, profile: Any) -> None:
            self.profile = profile

        def see(self, item: Any) -> list[contract.Violation]:
            seen.append(item)
            return [contract.Violation("", "session", "contradicts interaction[0]")]

    def seen_type(*fields: Any) -> tuple[Any, ...]:
        return fields

    module = types.ModuleType("contract.checks.sessions")
    module.Session, module.Seen = Session, seen_type  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "contract.checks.sessions", module)
    made = _proxy_checks.checks(None, "off", requests=False, sessions=True)
    assert len(made) == 2
    assert len(_proxy_checks.checks(None, "off", requests=False, sessions=False)) == 1
    interaction = contract.recordings.Interaction(
        source="p",
        body=b'{"a": 1}',
        status=200,
        headers=[("content-type", "application/json")],
        method="GET",
        url="https://x/v1/fine_tuning/jobs?after=ftjob-9",
        name="interaction[4]",
    )
    found = list(made[1](_proxy_checks.Exchange("interaction[4]", interaction, b"", None)))
    assert [v.keyword for v in found] == ["session"]
    assert seen == [("interaction[4]", "listPaginatedFineTuningJobs", 200, {"a": 1}, "ftjob-9")]


def test_the_seam_plugs_the_request_check_in_with_the_run_s_modes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[dict[str, Any]] = []

    def assess_request(operation: Any, **given: Any) -> Any:
        asked.append({"operation": operation, **given})
        found = (contract.Violation("/suffix", "maxLength", "too long"),)
        return types.SimpleNamespace(violations=found)

    module = types.ModuleType("contract.checks.requests")
    module.assess_request = assess_request  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "contract.checks.requests", module)
    assert len(_proxy_checks.checks(None, "off", requests=False, sessions=False)) == 1
    made = _proxy_checks.checks("observed", "warn", requests=True, sessions=False)
    assert len(made) == 2
    interaction = contract.recordings.Interaction(
        source="p",
        body=b"{}",
        status=200,
        headers=[("content-type", "application/json")],
        method="POST",
        url="https://x/v1/fine_tuning/jobs",
        name="interaction[0]",
    )
    exchange = _proxy_checks.Exchange("interaction[0]", interaction, b'{"a": 1}', "text/json")
    assert [v.keyword for v in made[1](exchange)] == ["maxLength"]
    [call] = asked
    assert call["operation"].operation_id == "createFineTuningJob"
    assert (call["method"], call["body"], call["content_type"]) == (
        "POST",
        b'{"a": 1}',
        "text/json",
    )
    assert (call["profile"], call["strict"]) == ("observed", "warn")
