"""Report formats of ``finetune-contract check``: one module per format, listed in :data:`FORMATS`.

::

    from contract.reports import FORMATS, Options, Run

    writer = FORMATS["sarif"].writer(sys.stdout, Options())
    for result in results:
        writer.result(result)
    writer.finish(Run(summary))

To add a format, write a module defining ``FORMAT = Format(name, description,
writer)`` (see :mod:`contract.reports._base`) and add it to :data:`FORMATS`.
"""

from __future__ import annotations

from contract.reports import github, json, jsonl, junit, sarif, text
from contract.reports._base import DEFAULT_MAX_ANNOTATIONS, Format, Options, Run, Writer

#: Every report format, by ``--format`` name; the first is the default.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        text.FORMAT,
        json.FORMAT,
        jsonl.FORMAT,
        junit.FORMAT,
        github.FORMAT,
        sarif.FORMAT,
    )
}

__all__ = ["DEFAULT_MAX_ANNOTATIONS", "FORMATS", "Format", "Options", "Run", "Writer"]
