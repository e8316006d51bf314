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
