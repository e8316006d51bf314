#!/usr/bin/env python3
"""A small client-side parser of pause responses: an example target for ``finetune-contract fuzz``.

It checks the fields a typical client reads (identity, status, timestamps,
hyperparameters, metadata, error) and ignores the rest, as real clients do.

    python3 parse_pause.py < response.json      # oneshot: exit 0 accepted, 1 rejected
    python3 parse_pause.py --jsonl               # one payload per line in, one verdict line out

Fuzz it:

    finetune-contract fuzz --exec "python3 examples/python/parse_pause.py" --mode tolerant
    finetune-contract fuzz --exec "python3 examples/python/parse_pause.py --jsonl" --protocol jsonl
"""

from __future__ import annotations

import json
import sys
from typing import Any

STATUSES = {"validating_files", "queued", "running", "succeeded", "failed", "cancelled"}


class Rejected(ValueError):
    """The payload is not a pause response this client can use."""


def _integer(value: Any) -> bool:
    # JSON has one number type: 7 and 7.0 are the same integer.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _setting(hp: dict[str, Any], key: str, low: float, high: float | None, integer: bool) -> None:
    if key not in hp or hp[key] == "auto":
        return
    value = hp[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"hyperparameters.{key}: not a number or 'auto'")
    if integer and not _integer(value):
        raise Rejected(f"hyperparameters.{key}: not an integer")
    if value < low or (not integer and value == low):
        raise Rejected(f"hyperparameters.{key}: {value} too small")
    if high is not None and value > high:
        raise Rejected(f"hyperparameters.{key}: {value} too large")


def parse(job: Any) -> dict[str, Any]:
    """The fields the client uses, or :class:`Rejected`."""
    if not isinstance(job, dict):
        raise Rejected("not a JSON object")
    for key in ("id", "model", "organization_id", "training_file"):
        if not isinstance(job.get(key), str):
            raise Rejected(f"{key}: missing or not a string")
    if job.get("object") != "fine_tuning.job":
        raise Rejected("object: not 'fine_tuning.job'")
    if job.get("status") not in STATUSES:
        raise Rejected(f"status: unknown {job.get('status')!r}")
    if not _integer(job.get("created_at")):
        raise Rejected("created_at: missing or not an integer")
    for key in ("finished_at", "estimated_finish"):
        if job.get(key) is not None and not _integer(job[key]):
            raise Rejected(f"{key}: not an integer or null")
    hp = job.get("hyperparameters")
    if not isinstance(hp, dict):
        raise Rejected("hyperparameters: missing or not an object")
    if hp.get("batch_size") is not None:
        _setting(hp, "batch_size", 1, 256, integer=True)
    _setting(hp, "n_epochs", 1, 50, integer=True)
    _setting(hp, "learning_rate_multiplier", 0, None, integer=False)
    metadata = job.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict) or len(metadata) > 16:
            raise Rejected("metadata: not an object of at most 16 pairs")
        for key, value in metadata.items():
            if len(key) > 64 or not isinstance(value, str) or len(value) > 512:
                raise Rejected(f"metadata: bad pair {key[:20]!r}")
    if "error" not in job:
        raise Rejected("error: missing (null when the job did not fail)")
    error = job["error"]
    if error is not None:
        if not isinstance(error, dict):
            raise Rejected("error: not an object or null")
        if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
            raise Rejected("error: code and message must be strings")
        if "param" not in error or not isinstance(error["param"], str | None):
            raise Rejected("error: param must be a string or null")
    return {"id": job["id"], "status": job["status"], "created_at": job["created_at"]}


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Rejected(f"not JSON: {exc}") from None


def main(argv: list[str]) -> int:
    if "--jsonl" in argv:
        for line in sys.stdin:
            try:
                parse(_decode(line))
                answer: dict[str, Any] = {"ok": True}
            except Rejected as exc:
                answer = {"ok": False, "error": str(exc)}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
        return 0
    try:
        parse(_decode(sys.stdin.read()))
    except Rejected as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
