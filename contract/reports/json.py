"""``--format json``: one JSON document once the run is over.

``{"results": [...], "summary": {...}}``, plus ``"errors"`` when some input
could not be read and ``"coverage"`` with ``--coverage``. Each result is
:meth:`contract.engine.results.Result.as_dict`; the summary is
:meth:`contract.engine.results.Summary.as_dict` (with ``"stopped"`` after
``--fail-fast`` stopped the run, and any extra summary fields).
"""

from __future__ import annotations

from typing import Any, TextIO

from contract.engine.results import Result
from contract.reports._base import Format, Options, Run
from contract.reports._clean import for_machine, json_text, machine_cleaner


def ending(run: Run) -> dict[str, Any]:
    """The summary, errors and coverage of a run, as the JSON formats write them."""
    document: dict[str, Any] = {"summary": run.summary.as_dict()}
    if run.errors:
        document["errors"] = [for_machine(e) for e in run.errors]
    if run.coverage is not None:
        document["coverage"] = run.coverage.as_dict()
    return document


class JSONWriter:
    """Keeps each result's (small) dictionary and writes the document at the end."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out = out
        self.results: list[dict[str, object]] = []
        self.clean = machine_cleaner()  # (the configured keys, looked up once for the run)

    def result(self, result: Result) -> None:
        self.results.append(result.as_dict(self.clean))

    def finish(self, run: Run) -> None:
        document = {"results": self.results, **ending(run)}
        self.out.write(json_text(document, indent=2) + "\n")
        self.out.flush()


FORMAT = Format("json", "one JSON document: results, summary, errors", JSONWriter)

__all__ = ["FORMAT", "JSONWriter", "ending"]
