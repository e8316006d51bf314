"""``--format json``: one JSON document, complete once the run is over.

``{"results": [...], "summary": {...}}``, plus ``"errors"`` when some input
could not be read and ``"coverage"`` with ``--coverage``. Each result is
:meth:`contract.engine.results.Result.as_dict`; the summary is
:meth:`contract.engine.results.Summary.as_dict` (with ``"stopped"`` after
``--fail-fast`` stopped the run, and any extra summary fields).

The document is written as the results come, each as soon as it is checked, so no
result is held however long the run: the text is the one ``json.dumps(document,
indent=2)`` gives the whole document.
"""

from __future__ import annotations

from typing import Any, TextIO

from contract.engine.results import Result
from contract.reports._base import Format, Options, Run
from contract.reports._clean import for_machine, json_item, json_text, machine_cleaner


def ending(run: Run) -> dict[str, Any]:
    """The summary, errors and coverage of a run, as the JSON formats write them."""
    document: dict[str, Any] = {"summary": run.summary.as_dict()}
    if run.errors:
        document["errors"] = [for_machine(e) for e in run.errors]
    if run.coverage is not None:
        document["coverage"] = run.coverage.as_dict()
    return document


#: How ``json.dumps(..., indent=2)`` starts the document (its ``results`` first).
_HEAD = '{\n  "results": ['


class JSONWriter:
    """Writes the document's head and each result as it comes, then its end."""

    def __init__(self, out: TextIO, options: Options) -> None:
        self.out = out
        self.results = 0
        self.clean = machine_cleaner()  # (the configured keys, looked up once for the run)

    def result(self, result: Result) -> None:
        item = json_item(result.as_dict(self.clean), 2)  # (document, results, item)
        self.out.write(f"{_HEAD if not self.results else ','}{item}")
        self.results += 1

    def finish(self, run: Run) -> None:
        rest = json_text(ending(run), indent=2).removeprefix("{")  # (its members, and "}")
        self.out.write(f"{_HEAD}]," if not self.results else "\n  ],")
        self.out.write(rest + "\n")
        self.out.flush()


FORMAT = Format("json", "one JSON document: results, summary, errors", JSONWriter)

__all__ = ["FORMAT", "JSONWriter", "ending"]
