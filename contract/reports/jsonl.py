"""``--format jsonl``: JSON Lines, streamed: one result per line as it is checked, then a summary.

Each result line is the object ``--format json`` puts in ``results``; the last
line is ``{"summary": {...}}`` (with ``"errors"`` and ``"coverage"`` as in
``--format json``). Every line is flushed as it is written, so a consumer can
read results while the run goes on, and nothing is kept in memory.
"""

from __future__ import annotations

from typing import TextIO

from contract.engine.results import Result
from contract.reports._base import Format, Options, Run
from contract.reports._clean import json_text, machine_cleaner
from contract.reports.json import ending


class JSONLinesWriter:
    """Writes and flushes one line per result."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out = out
        self.clean = machine_cleaner()  # (the configured keys, looked up once for the run)

    def result(self, result: Result) -> None:
        self.out.write(json_text(result.as_dict(self.clean)) + "\n")
        self.out.flush()

    def finish(self, run: Run) -> None:
        self.out.write(json_text(ending(run)) + "\n")
        self.out.flush()


FORMAT = Format(
    "jsonl", "JSON Lines: one result per line as it comes, then a summary line", JSONLinesWriter
)

__all__ = ["FORMAT", "JSONLinesWriter"]
