"""Reading recorded responses: what a recording file holds, one interaction at a time.

Every reader yields :class:`Interaction` objects; a payload file has only a
body, an HTTP archive or cassette also carries method, URL, status and
headers. Readers never modify what they read.

Formats by suffix (:data:`READERS`): ``.json`` one payload, ``.jsonl`` /
``.ndjson`` one payload per line, ``.har`` HTTP Archive 1.2 (:mod:`contract._har`),
``.yaml`` / ``.yml`` VCR cassettes as vcrpy and pytest-recording write them
(:mod:`contract._cassette`). Archives and cassettes hold other calls too:
:func:`read` yields only the pause interactions unless asked for all.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from contract import pause_path
from contract.redact import redact, redact_headers
from contract.response import Headers, check_body, check_response
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.violations import Violation


class RecordingError(ValueError):
    """A recording that cannot be read; ``str()`` is one line naming file and place."""

    def __init__(self, source: str, reason: str) -> None:
        self.source, self.reason = source, reason
        super().__init__(f"{source}: {reason}")


@dataclass(frozen=True)
class Interaction:
    """One recorded response (with its request, when the recording has one).

    ``body`` is the raw body (bytes or str) so JSON problems are seen; for a
    payload file without HTTP context, ``status`` is None and only the body
    is checked.
    """

    source: str
    body: bytes | str = field(repr=False)
    status: int | None = None
    headers: Headers | None = None
    method: str | None = None
    url: str | None = None
    job_id: str | None = None
    request_headers: Headers | None = field(default=None, repr=False)
    #: Short name inside its file (``interaction[2]``, ``line[3]``): the pytest item name.
    name: str = field(default="", compare=False)
    #: The body as the reader already decoded it (payload files), so it is not parsed twice.
    decoded: Decoded | None = field(default=None, repr=False, compare=False)

    @property
    def has_request(self) -> bool:
        """Whether the recording holds the request (method and URL), not only a body."""
        return self.method is not None and self.url is not None

    @property
    def is_pause(self) -> bool:
        """Whether this is a pause call; a bare payload (no request recorded) counts as one."""
        return not self.has_request or pause_path.is_pause(self.method, self.url)

    def check(self, schema: str | None = None) -> list[Violation]:
        """Every violation of this interaction (empty when it conforms)."""
        if self.status is None:
            return check_body(self.body if self.decoded is None else self.decoded, schema)
        return check_response(self.status, self.headers, self.body, job_id=self.job_id)


Reader = Callable[[Path, str], Iterator[Interaction]]


def recorded_call(
    label: str,
    index: int,
    method: str,
    url: str,
    status: int,
    headers: Headers,
    body: Callable[[], bytes | str],
    request_headers: Headers,
) -> Interaction:
    """An interaction of an archive or cassette, named ``interaction[index]``.

    ``body`` is called only for pause calls, so an undecodable body of an
    unrelated call never stops a file from being read. Request headers are
    kept with credentials masked, the URL too (an ``api-key`` query parameter).
    """
    name = f"interaction[{index}]"
    job = pause_path.job_id(method, url)
    return Interaction(
        source=f"{label}::{name}",
        body=body() if job is not None else b"",
        status=status,
        headers=headers,
        method=method,
        url=redact(url),
        job_id=job,
        request_headers=redact_headers(request_headers),
        name=name,
    )


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise RecordingError(label, "is a directory") from None
    except OSError as exc:
        raise RecordingError(label, f"cannot be read ({exc.strerror or exc})") from None


def _decoded(data: bytes, label: str) -> Decoded:
    """``data`` decoded; RecordingError unless it is JSON at all (RFC problems go to the check)."""
    try:
        return decode(data)
    except JSONSyntaxError as exc:
        raise RecordingError(label, str(exc)) from None


def read_json(path: Path, label: str) -> Iterator[Interaction]:
    """A file holding one JSON payload."""
    data = _read_bytes(path, label)
    yield Interaction(source=f"{label}:1", body=data, name="payload", decoded=_decoded(data, label))


def read_jsonl(path: Path, label: str) -> Iterator[Interaction]:
    """A JSON Lines file: one payload per non-blank line."""
    data = _read_bytes(path, label)
    yield from _lines(data, label)


def _lines(data: bytes, label: str) -> Iterator[Interaction]:
    count = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        where = f"{label}:{number}"
        decoded = _decoded(line, where)
        count += 1
        yield Interaction(source=where, body=line, name=f"line[{number}]", decoded=decoded)
    if count == 0:
        raise RecordingError(label, "holds no payloads (every line is blank)")


def _deferred(module: str, function: str) -> Reader:
    """A reader living in ``module``, imported on first use (keeps YAML off the import path)."""

    def reader(path: Path, label: str) -> Iterator[Interaction]:
        read_file: Reader = getattr(importlib.import_module(module), function)
        return read_file(path, label)

    reader.__name__ = reader.__qualname__ = function
    reader.__doc__ = f"``{module}.{function}``"
    return reader


#: Readers by file suffix (lower case, with the dot).
READERS: dict[str, Reader] = {
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".har": _deferred("contract._har", "read_har"),
    ".yaml": _deferred("contract._cassette", "read_cassette"),
    ".yml": _deferred("contract._cassette", "read_cassette"),
}


def read_stdin(label: str = "<stdin>") -> Iterator[Interaction]:
    """Standard input: one JSON payload, or JSON Lines when it holds several."""
    data = sys.stdin.buffer.read()
    try:
        decoded = decode(data)
    except JSONSyntaxError as exc:
        if data.strip() and b"\n" in data.strip():
            yield from _lines(data, label)
            return
        raise RecordingError(label, str(exc)) from None
    yield Interaction(source=f"{label}:1", body=data, name="payload", decoded=decoded)


def expand(paths: Iterable[str | Path]) -> Iterator[Path | str]:
    """The recording files behind ``paths``: directories are walked, ``-`` is kept.

    Raises :class:`RecordingError` for a path that does not exist or a
    directory with no recordings in it.
    """
    for path in paths:
        if str(path) == "-":
            yield "-"
            continue
        path = Path(path)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in READERS
            )
            if not files:
                known = ", ".join(sorted(READERS))
                raise RecordingError(str(path), f"directory holds no recordings ({known})")
            yield from files
        elif path.exists():
            yield path
        else:
            raise RecordingError(str(path), "no such file or directory")


def read(
    path: str | Path, include_other: bool = False, label: str | None = None
) -> Iterator[Interaction]:
    """The pause interactions in one recording file (``-`` for standard input).

    The format follows the suffix; an unknown suffix is read as one JSON
    payload. Calls of other operations (in archives and cassettes) are left
    out unless ``include_other`` is true; :attr:`Interaction.is_pause` tells
    them apart. ``label`` names the file in sources and errors (default: the path).
    """
    if str(path) == "-":
        yield from read_stdin()
        return
    path = Path(path)
    reader = READERS.get(path.suffix.lower(), read_json)
    for interaction in reader(path, label or str(path)):
        if include_other or interaction.is_pause:
            yield interaction


__all__ = ["READERS", "Interaction", "RecordingError", "expand", "read", "read_stdin"]
