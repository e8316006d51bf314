"""Writing small HAR files and VCR cassettes for tests (the fixtures under data/ are static)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import minimal_job

DATA = Path(__file__).resolve().parent / "data" / "recordings"
#: The fake API key written into the fixtures; no output may ever contain it.
FIXTURE_KEY = "sk-proj-FIXTUREKEYdoNotUse0123456789"
API = "https://api.openai.com/v1"


def pause_url(job_id: str, base: str = API) -> str:
    return f"{base}/fine_tuning/jobs/{job_id}/pause"


def body(**changes: Any) -> str:
    return json.dumps(minimal_job(**changes))


def har_entry(
    method: str,
    url: str,
    status: int = 200,
    text: str | None = None,
    *,
    base64_body: bool = False,
    headers: dict[str, str] | None = None,
    request_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": -1, "mimeType": "application/json"}
    if text is not None:
        content["text"] = base64.b64encode(text.encode()).decode() if base64_body else text
        if base64_body:
            content["encoding"] = "base64"
    response_headers = {"Content-Type": "application/json"} if headers is None else headers
    sent = {"Authorization": f"Bearer {FIXTURE_KEY}", **(request_headers or {})}
    return {
        "startedDateTime": "2025-03-01T12:00:00.000Z",
        "time": 1,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in sent.items()],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in response_headers.items()],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }


def write_har(path: Path, entries: list[dict[str, Any]]) -> Path:
    document = {
        "log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}
    }
    path.write_text(json.dumps(document, indent=1))
    return path


def vcr_interaction(
    method: str,
    uri: str,
    status: int = 200,
    text: str | bytes | None = None,
    *,
    encoding: str | None = None,
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    response_headers = {"Content-Type": ["application/json"]} if headers is None else dict(headers)
    string: Any = text
    if encoding == "gzip":
        response_headers["Content-Encoding"] = ["gzip"]
        string = gzip.compress(text.encode() if isinstance(text, str) else (text or b""), mtime=0)
    return {
        "request": {
            "body": None,
            "headers": {"Authorization": [f"Bearer {FIXTURE_KEY}"]},
            "method": method,
            "uri": uri,
        },
        "response": {
            "body": {"string": string},
            "headers": response_headers,
            "status": {"code": status, "message": "OK"},
        },
    }


def write_cassette(path: Path, interactions: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False))
    return path


def digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (or of ``root`` itself)."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# Builders for the other recorder layouts (tests/test_layouts.py). Each writes the
# layout the way its recorder does; ``body`` is the response body (text or bytes).


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


def ruby_vcr_interaction(
    method: str,
    uri: str,
    status: int | str = 200,
    body: str | bytes = "",
    *,
    base64_body: bool = False,
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A Ruby VCR / Betamax / Schemathesis interaction (``base64_string`` when asked)."""
    raw = body.encode() if isinstance(body, str) else body
    stored: dict[str, Any] = (
        {"encoding": "ASCII-8BIT", "base64_string": base64.encodebytes(raw).decode()}
        if base64_body
        else {"encoding": "UTF-8", "string": body}
    )
    return {
        "request": {
            "method": method.lower(),
            "uri": uri,
            "body": {"encoding": "US-ASCII", "string": ""},
            "headers": {"Authorization": [f"Bearer {FIXTURE_KEY}"]},
        },
        "response": {
            "status": {"code": status, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]} if headers is None else headers,
            "body": stored,
        },
        "recorded_at": "Mon, 03 Mar 2025 10:00:00 GMT",
    }


def write_http_interactions(path: Path, interactions: list[dict[str, Any]]) -> Path:
    """A Ruby VCR cassette (YAML) or, for a ``.json`` path, a Betamax cassette."""
    document = {"http_interactions": interactions, "recorded_with": "VCR 6.3.1"}
    if path.suffix == ".json":
        path.write_text(json.dumps(document))
    else:
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def go_vcr_interaction(
    method: str,
    url: str,
    status: int = 200,
    body: str | bytes = "",
    *,
    headers: dict[str, list[str]] | None = None,
    code: bool = True,
) -> dict[str, Any]:
    """A go-vcr interaction; without ``code`` only the ``status`` line holds the code."""
    response: dict[str, Any] = {
        "body": body,
        "headers": {"Content-Type": ["application/json"]} if headers is None else headers,
        "status": f"{status} OK",
    }
    if code:
        response["code"] = status
    return {
        "request": {
            "body": "",
            "form": {},
            "headers": {"Authorization": [f"Bearer {FIXTURE_KEY}"]},
            "url": url,
            "method": method,
        },
        "response": response,
    }


def write_go_vcr(path: Path, interactions: list[dict[str, Any]], version: int = 2) -> Path:
    path.write_text(yaml.safe_dump({"version": version, "interactions": interactions}))
    return path


def session_entry(
    method: str,
    uri: str,
    status: int = 200,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A test-proxy session record entry; ``body`` is the JSON value stored as ResponseBody."""
    return {
        "RequestUri": uri,
        "RequestMethod": method,
        "RequestHeaders": {"Authorization": "Sanitized"},
        "RequestBody": None,
        "StatusCode": status,
        "ResponseHeaders": {"Content-Type": "application/json"} if headers is None else headers,
        "ResponseBody": body,
    }


def write_session_record(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"Entries": entries, "Variables": {}}, ensure_ascii=False))
    return path


def nock_call(
    method: str,
    url: str,
    status: int | None = 200,
    response: Any = "",
    *,
    raw_headers: list[str] | None = None,
    binary: bool = False,
) -> dict[str, Any]:
    """A nock recorder object; ``url`` is split into nock's ``scope`` and ``path``."""
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    call: dict[str, Any] = {
        "scope": f"{scheme}://{host}:443",
        "method": method,
        "path": "/" + path,
        "body": "",
        "response": response,
        "rawHeaders": ["Content-Type", "application/json"] if raw_headers is None else raw_headers,
        "reqheaders": {"authorization": f"Bearer {FIXTURE_KEY}"},
        "responseIsBinary": binary,
    }
    if status is not None:
        call["status"] = status
    return call


def write_nock(path: Path, calls: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(calls, ensure_ascii=False))
    return path
