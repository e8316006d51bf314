"""``finetune-contract proxy``: a validating proxy between any client and the API."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from contract.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS, UsageError
from contract.cli._profile import (
    chosen_settings,
    profile_arguments,
    requests_argument,
    sessions_argument,
)
from contract.redact import for_terminal

_PROG = "finetune-contract proxy"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "proxy",
        help="forward calls to the API and check the fine-tuning jobs calls as they pass",
        description=(
            "Serve on HOST:PORT, forward every call to --upstream and every answer back "
            "unchanged (status, headers except hop-by-hop ones, body bytes), and check each "
            "call of a fine-tuning jobs operation as it passes: its response, its request "
            "(--no-requests) and the job's session so far (--no-sessions). The first line "
            "of standard output is the base URL to give a client (the upstream's path under "
            "http://HOST:PORT); each finding is printed on standard error as it happens. "
            "Calls of other operations pass through and are counted. The client's key goes "
            "to the upstream only, never over plain http:// except to loopback. Stop it with "
            "Ctrl-C (SIGINT) or SIGTERM."
        ),
        epilog="Exit status: 0 no finding, 1 any finding, 2 the proxy could not start.",
    )
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the API's base URL, e.g. https://api.openai.com/v1",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=0, help="port to serve on (default 0: any free port)"
    )
    parser.add_argument(
        "--record",
        metavar="FILE.har",
        default=None,
        help="write every call to this HAR 1.2 file as it goes (a valid file whenever the "
        "proxy stops; credentials masked and key shapes in bodies redacted)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default="text",
        help="how findings are printed on standard error: text (default) or jsonl",
    )
    requests_argument(parser)
    sessions_argument(parser)
    profile_arguments(parser)
    parser.set_defaults(run=run)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {value}")
    return value


class _Printer:
    """Writes findings and notes on standard error, one flushed line each."""

    def __init__(self, form: str) -> None:
        self.form = form
        self.lock = threading.Lock()

    def finding(self, finding: Any) -> None:
        from contract.testing.proxy import dumps

        line = dumps(finding) if self.form == "jsonl" else f"{_PROG}: {finding.line()}"
        self._write(line)

    def note(self, text: str) -> None:
        if self.form == "jsonl":
            import json

            self._write(json.dumps({"note": text}, ensure_ascii=False))
        else:
            self._write(f"{_PROG}: note: {text}")

    def _write(self, line: str) -> None:
        with self.lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    chosen = chosen_settings(args)
    profile, strict = chosen.profile, chosen.strict
    from contract.testing.live import InsecureURLError
    from contract.testing.proxy import Proxy

    printer = _Printer(args.format)
    try:
        proxy = Proxy(
            args.upstream,
            args.host,
            args.port,
            profile=profile,
            strict=strict,
            record=args.record,
            requests=chosen.requests,
            sessions=chosen.sessions,
            on_finding=printer.finding,
            on_note=printer.note,
        )
    except InsecureURLError as exc:
        raise UsageError(exc.message) from None
    except ValueError as exc:
        raise UsageError(f"--upstream: {exc}") from None
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            proxy.start()
        except OSError as exc:
            where = (
                args.record if _is_record_error(exc, args.record) else f"{args.host}:{args.port}"
            )
            detail = exc.strerror or str(exc)
            print(f"{_PROG}: error: {for_terminal(f'{where}: {detail}')}", file=sys.stderr)
            return EXIT_USAGE
        print(proxy.url, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        proxy.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    findings = len(proxy.findings)
    printer.note(
        f"{proxy.calls} calls: {proxy.checked} jobs calls checked, "
        f"{proxy.passed_through} other calls passed through, "
        f"{proxy.upstream_errors} upstream errors; {findings} findings"
        + (f"; recorded in {args.record}" if args.record else "")
    )
    return EXIT_VIOLATIONS if findings else EXIT_OK


def _is_record_error(error: OSError, record: str | None) -> bool:
    return (
        record is not None
        and error.filename is not None
        and os.fspath(error.filename) == os.fspath(record)
    )


__all__ = ["register", "run"]
