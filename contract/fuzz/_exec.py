"""Run a parser written in any language as an external process.

Two protocols (``finetune-contract fuzz --protocol``):

``oneshot``
    One process per payload. The payload (one JSON text and a newline) is
    written to standard input, which is then closed. Exit status 0 means
    accepted, any other status rejected; killed by a signal, or still running
    after the timeout, is a crash. Standard output is ignored.

``jsonl``
    One persistent process. Each payload is written as one line of compact
    JSON (UTF-8, ``\\n``-terminated; JSON escapes newlines inside strings).
    For each payload the process writes exactly one verdict line:
    ``{"ok": true}`` (accepted) or ``{"ok": false, "error": "why"}`` (rejected;
    ``error`` optional). No verdict line within the timeout, a line that is
    not such an object, or the process exiting is a crash; the process is then
    killed and a fresh one started for the next payload.

Every wait is bounded by the timeout; output is read in bounded amounts (what
a flooding process writes beyond the limits is discarded or ends the call);
each process runs in its own session, and its whole tree is killed once its
call is over: its process group and, on Linux, every descendant that left it
(:mod:`contract.fuzz._tree`), so nothing outlives a call or a ``fuzz`` run. What
the process says (its standard error, its ``error`` text) reaches a verdict only
redacted (credentials masked, also the values of secret-looking environment
variables) and escaped for a terminal: the verdict's one line quotes the line
that names the error (``TypeError: …``, not the ``Node.js v20`` a Node crash
ends with), and ``output`` keeps the whole standard error of the call (its last
:data:`MAX_OUTPUT` bytes).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol

from contract.fuzz._tree import MARK, kill_tree, new_mark, start_time
from contract.redact import clip, for_terminal

#: How the external protocols are named on the command line.
PROTOCOLS = ("oneshot", "jsonl")
ProtocolName = Literal["oneshot", "jsonl"]

#: Bytes of standard output / standard error kept per call; the rest is discarded.
MAX_OUTPUT = 64 * 1024
#: Longest verdict line accepted in the JSON Lines protocol.
MAX_LINE = 64 * 1024
_CHUNK = 64 * 1024

Outcome = Literal["accepted", "rejected", "crash", "hang"]


class ExecError(Exception):
    """The parser command cannot be used at all (not found, not executable...)."""


@dataclass(frozen=True)
class Verdict:
    """What the external parser did with one payload.

    ``outcome`` is ``accepted``, ``rejected``, ``crash`` (signal, protocol
    error, exited mid-stream) or ``hang`` (no answer within the timeout);
    ``detail`` says why in one line (exit status, signal, the parser's error);
    ``output`` is the call's whole standard error, redacted and escaped (bounded).
    """

    outcome: Outcome
    detail: str = ""
    output: str = ""


class ExternalParser(Protocol):
    """One protocol's runner: ``check`` one payload at a time, then ``close``."""

    def check(self, payload: bytes) -> Verdict: ...

    def close(self) -> None: ...


class _Child:
    """A parser process, with what finds its descendants: its start time and mark."""

    def __init__(self, argv: Sequence[str]) -> None:
        mark = new_mark()
        try:
            self.proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                bufsize=0,
                env={**os.environ, MARK: mark},
            )
        except FileNotFoundError:
            raise ExecError(f"command not found: {shown(argv[0], 300)}") from None
        except PermissionError:
            raise ExecError(f"command is not executable: {shown(argv[0], 300)}") from None
        except OSError as exc:
            raise ExecError(f"cannot run {shown(argv[0], 300)}: {exc.strerror or exc}") from None
        # Not reaped yet, so the pid is still the child's.
        self.mark, self.since = mark, start_time(self.proc.pid)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            assert pipe is not None
            os.set_blocking(pipe.fileno(), False)

    def kill(self) -> None:
        """Kill the process, its group and every descendant, close its pipes, reap it."""
        proc = self.proc
        kill_tree(proc.pid, self.since, self.mark, leader_alive=proc.returncode is None)
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILLed: returns at once
            proc.wait(timeout=10)


def _status_text(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    return f"exit status {returncode}"


#: Environment variable names whose values are treated as secrets: keys, tokens, passwords
#: however spelt (``DB_PASS``, ``PGPASS``, ``MYSQL_PWD``, ``PASSPHRASE``), private keys,
#: signatures and connection strings (``SENTRY_DSN``).
_SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASS|PWD|CRED|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE|DSN", re.IGNORECASE
)
#: The shell's working folders: named like a password variable, but paths.
_NOT_SECRET = frozenset({"PWD", "OLDPWD"})
#: Shorter values are too likely to occur by chance to be masked verbatim.
_SECRET_LENGTH = 8


def environment_secrets() -> tuple[str, ...]:
    """Values of environment variables named like credentials (``OPENAI_API_KEY``, ...)."""
    return tuple(
        value
        for name, value in os.environ.items()
        if _SECRET_NAME.search(name)
        and name.upper() not in _NOT_SECRET
        and len(value) >= _SECRET_LENGTH
    )


def shown(text: str, limit: int = 200) -> str:
    """Text a process wrote, for a verdict: redacted, escaped, then cut to ``limit``."""
    return clip(text.strip(), limit, environment_secrets(), squeeze=True) if text.strip() else ""


#: A line that names an error: ``TypeError: …``, ``panic: …``, ``Exception in thread …``.
_ERROR_LINE = re.compile(
    r"^\s*(?:[\w.$]*(?:Error|Exception|Panic|Failure)\b|panic:|fatal error:|Traceback\b)",
    re.IGNORECASE,
)


def _last_line(data: bytes | bytearray, limit: int = 200) -> str:
    """The line of ``data`` that says what went wrong: the last naming an error, else the last."""
    lines = [line for line in bytes(data).decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return ""
    named = [line for line in lines if _ERROR_LINE.match(line)]
    return shown((named or lines)[-1], limit)


def whole_output(data: bytes | bytearray) -> str:
    """Everything the process wrote on standard error (bounded), redacted and escaped."""
    text = bytes(data).decode("utf-8", "replace").strip("\n")
    if not text.strip():
        return ""
    secrets = environment_secrets()
    return "\n".join(for_terminal(line, secrets) for line in text.splitlines())


class _Pipes:
    """Non-blocking, bounded exchange with a child's stdin/stdout/stderr."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        self.proc = proc
        self.stdin_fd: int | None = proc.stdin.fileno()
        self.out_fd, self.err_fd = proc.stdout.fileno(), proc.stderr.fileno()
        self.out = bytearray()
        self.err = bytearray()
        self.out_eof = self.err_eof = False

    def close_stdin(self) -> None:
        if self.stdin_fd is not None:
            assert self.proc.stdin is not None
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            self.stdin_fd = None

    def exchange(
        self, data: bytes, deadline: float, *, until_line: bool, close_after: bool
    ) -> Literal["line", "eof", "timeout", "overflow"]:
        """Write ``data`` and read until a full line (``until_line``) or EOF on both outputs."""
        pending = memoryview(data)
        with selectors.DefaultSelector() as sel:
            if self.stdin_fd is not None and pending:
                sel.register(self.stdin_fd, selectors.EVENT_WRITE)
            elif close_after:
                self.close_stdin()
            if not self.out_eof:
                sel.register(self.out_fd, selectors.EVENT_READ)
            if not self.err_eof:
                sel.register(self.err_fd, selectors.EVENT_READ)
            while True:
                if until_line:
                    if b"\n" in self.out:
                        return "line"
                    if len(self.out) > MAX_LINE:
                        return "overflow"
                    if self.out_eof:
                        return "eof"
                elif self.out_eof and self.err_eof:
                    return "eof"
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                for key, _ in sel.select(remaining):
                    fd = key.fd
                    if fd == self.stdin_fd:
                        try:
                            written = os.write(fd, pending[:_CHUNK])
                            pending = pending[written:]
                        except BlockingIOError:
                            continue
                        except (BrokenPipeError, ConnectionResetError):
                            pending = pending[:0]
                        if not pending:
                            sel.unregister(fd)
                            if close_after:
                                self.close_stdin()
                    elif fd == self.out_fd:
                        chunk = self._read(fd)
                        if chunk is None:
                            continue
                        if not chunk:
                            self.out_eof = True
                            sel.unregister(fd)
                        elif len(self.out) <= MAX_OUTPUT:
                            self.out += chunk
                    elif fd == self.err_fd:
                        chunk = self._read(fd)
                        if chunk is None:
                            continue
                        if not chunk:
                            self.err_eof = True
                            sel.unregister(fd)
                        else:
                            self.err += chunk
                            if len(self.err) > MAX_OUTPUT:
                                del self.err[: len(self.err) - MAX_OUTPUT]

    @staticmethod
    def _read(fd: int) -> bytes | None:
        try:
            return os.read(fd, _CHUNK)
        except BlockingIOError:
            return None
        except OSError:
            return b""


class OneShotParser:
    """Protocol ``oneshot``: a fresh process per payload, verdict by exit status."""

    def __init__(self, argv: Sequence[str], timeout: float) -> None:
        self.argv, self.timeout = list(argv), timeout
        self.processes = 0

    def check(self, payload: bytes) -> Verdict:
        deadline = time.monotonic() + self.timeout
        child = _Child(self.argv)
        proc = child.proc
        self.processes += 1
        try:
            pipes = _Pipes(proc)
            state = pipes.exchange(payload + b"\n", deadline, until_line=False, close_after=True)
            if state == "timeout":
                return Verdict("hang", f"still running after {self.timeout:g}s (killed)")
            try:
                returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return Verdict(
                    "hang", f"closed its output but still running after {self.timeout:g}s (killed)"
                )
            said = _last_line(pipes.err)
            detail = _status_text(returncode) + (f": {said}" if said else "")
            if returncode == 0:
                return Verdict("accepted", detail)
            if returncode > 0:
                return Verdict("rejected", detail, whole_output(pipes.err))
            return Verdict("crash", detail, whole_output(pipes.err))
        finally:
            child.kill()

    def close(self) -> None:
        """Nothing persists between payloads."""

    def __enter__(self) -> OneShotParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JsonLinesParser:
    """Protocol ``jsonl``: one persistent process, one payload line in, one verdict line out."""

    def __init__(self, argv: Sequence[str], timeout: float) -> None:
        self.argv, self.timeout = list(argv), timeout
        self.processes = 0
        self._child: _Child | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._pipes: _Pipes | None = None

    def _start(self) -> _Pipes:
        if self._pipes is None:
            self._child = _Child(self.argv)
            self._proc = self._child.proc
            self.processes += 1
            self._pipes = _Pipes(self._proc)
        return self._pipes

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
        self._child, self._proc, self._pipes = None, None, None

    def check(self, payload: bytes) -> Verdict:
        if b"\n" in payload:
            raise ValueError("a JSON Lines payload must not contain a newline")
        pipes = self._start()
        assert self._proc is not None
        pipes.err.clear()  # what it writes from here on is about this payload
        deadline = time.monotonic() + self.timeout
        state = pipes.exchange(payload + b"\n", deadline, until_line=True, close_after=False)
        if state == "timeout":
            self._stop()
            return Verdict("hang", f"no verdict line within {self.timeout:g}s (killed)")
        if state == "overflow":
            self._stop()
            return Verdict("crash", f"verdict line longer than {MAX_LINE} bytes (killed)")
        if state == "eof":
            try:
                returncode = self._proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                how = f"exited ({_status_text(returncode)})"
            except subprocess.TimeoutExpired:
                how = "closed its standard output"
            said, output = _last_line(pipes.err), whole_output(pipes.err)
            self._stop()
            detail = f"{how} without a verdict" + (f": {said}" if said else "")
            return Verdict("crash", detail, output)
        line, _, rest = bytes(pipes.out).partition(b"\n")
        pipes.out = bytearray(rest)
        verdict = parse_verdict_line(line)
        if verdict.outcome == "crash":
            self._stop()
        elif rest.strip():
            self._stop()
            return Verdict("crash", "wrote more than one line for one payload (killed)")
        return verdict

    def close(self) -> None:
        """Close the process's input (it should exit), then kill and reap it."""
        if self._pipes is not None and self._proc is not None:
            self._pipes.close_stdin()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=min(self.timeout, 1.0))
        self._stop()

    def __enter__(self) -> JsonLinesParser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def parse_verdict_line(line: bytes) -> Verdict:
    """The verdict one JSON Lines answer carries (``crash`` when it is malformed)."""
    quoted = _last_line(line, 80)
    try:
        answer = json.loads(line)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        return Verdict(
            "crash",
            f"invalid verdict line {quoted!r} "
            '(expected {"ok": true} or {"ok": false, "error": "..."}) (killed)',
        )
    if answer["ok"]:
        return Verdict("accepted", "")
    error = answer.get("error")
    return Verdict("rejected", shown(error) if isinstance(error, str) else "")


def open_parser(argv: Sequence[str], protocol: ProtocolName, timeout: float) -> ExternalParser:
    """A runner for ``argv`` speaking ``protocol`` with a per-payload ``timeout`` in seconds."""
    if not argv:
        raise ExecError("empty command")
    if protocol == "oneshot":
        return OneShotParser(argv, timeout)
    if protocol == "jsonl":
        return JsonLinesParser(argv, timeout)
    raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
