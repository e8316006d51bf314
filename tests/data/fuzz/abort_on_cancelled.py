"""Test parser: accepts every payload, but aborts (SIGABRT) on a job whose status is "cancelled".

Both protocols: one payload on stdin (oneshot), or ``--jsonl``.
"""

import json
import os
import sys


def verdict(text: str) -> None:
    try:
        job = json.loads(text)
    except ValueError:
        return
    if isinstance(job, dict) and job.get("status") == "cancelled":
        os.abort()


if "--jsonl" in sys.argv:
    for line in sys.stdin:
        verdict(line)
        print('{"ok": true}', flush=True)
else:
    verdict(sys.stdin.read())
