"""``finetune-contract serve``: the fake jobs API on a loopback port, until told to stop."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from types import FrameType
from typing import Any

from contract.cli import EXIT_OK, UsageError
from contract.cli._profile import chosen_profile, profile_arguments


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve a stateful fake of the fine-tuning jobs API on a loopback port",
        description=(
            "Serve a stateful fake of the fine-tuning jobs API: create, list, retrieve, "
            "cancel, pause, resume, events and checkpoints, each job moving along the "
            "profile's life cycle on a clock. The first line of standard output is the base "
            "URL (http://HOST:PORT/v1), for any client (the openai SDKs: base_url). Any "
            "well-formed API key is accepted (none, or a malformed Authorization: 401). The "
            "published document has no pausing state, so under the default profile pause and "
            "resume answer 400; --profile observed (or azure) plays them as the real API does. "
            "A request header X-Fake-Fault: KIND asks for one fault."
        ),
        epilog=(
            "Serves until SIGINT or SIGTERM, then exits 0. Exit status 2: a bad option or "
            "an address that cannot be listened on (one line on standard error)."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", default="0", metavar="PORT", help="port (default: 0, any free port)"
    )
    parser.add_argument("--seed", default="0", metavar="N", help="seed of ids, losses, faults")
    parser.add_argument(
        "--speed",
        default="1",
        metavar="X",
        help="simulated seconds per real second (default: 1: a job trains for 10 minutes)",
    )
    parser.add_argument(
        "--faults",
        default="",
        metavar="SPEC",
        help="fault rates, e.g. 429=0.2,500=0.05,malformed=0.05 (kinds: 429, 500, 503, "
        "malformed, truncated, slow, drop)",
    )
    parser.add_argument(
        "--failure-rate",
        default="0",
        metavar="P",
        help="share of jobs that fail while running (default: 0)",
    )
    # The profile (whose API to play) is chosen as every subcommand chooses it.
    profile_arguments(parser, strict=False)
    parser.set_defaults(run=run)


def _number(text: str, name: str, *, whole: bool = False) -> float:
    try:
        value = float(int(text)) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise UsageError(f"--{name} must be {kind}, not {text[:40]!r}") from None
    if not math.isfinite(value):
        raise UsageError(f"--{name} must be a finite number, not {text[:40]!r}")
    return value


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from contract.testing.fake import Faults, FaultSpecError

    port = int(_number(args.port, "port", whole=True))
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, not {port}")
    speed = _number(args.speed, "speed")
    if speed <= 0:
        raise UsageError(f"--speed must be greater than 0, not {args.speed[:40]}")
    failure_rate = _number(args.failure_rate, "failure-rate")
    if not 0 <= failure_rate <= 1:
        raise UsageError(f"--failure-rate must be between 0 and 1, not {args.failure_rate[:40]}")
    seed = int(_number(args.seed, "seed", whole=True))
    profile, _ = chosen_profile(args)
    try:
        faults = Faults(args.faults, seed=seed)
    except FaultSpecError as error:
        raise UsageError(f"--faults: {error}") from None
    return {
        "profile": profile,
        "seed": seed,
        "speed": speed,
        "faults": faults,
        "failure_rate": failure_rate,
        "port": port,
    }


def run(args: argparse.Namespace) -> int:
    from contract.testing.fake import FakeJobsAPI

    options = _options(args)
    port = options.pop("port")
    fake = FakeJobsAPI(**options)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            url = fake.serve(args.host, port)
        except OSError as error:
            reason = error.strerror or str(error)
            raise UsageError(f"cannot listen on {args.host}:{port}: {reason}") from None
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        fake.close()
        for sig, handler in before.items():
            signal.signal(sig, handler)
    return EXIT_OK


__all__ = ["register", "run"]
