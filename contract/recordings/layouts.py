"""The registry of recorder layouts: one module per recorder family, one line each here.

A file is read by the first layout whose ``detect`` accepts its decoded
document (JSON or YAML), whatever its suffix. To read a new layout, write a
module defining ``LAYOUT = Layout(name, detect, calls)`` (see
:class:`contract.recordings.Layout`) and add it to :data:`LAYOUTS`.
"""

from __future__ import annotations

from typing import Any

from contract.recordings import go_vcr, har, nock, ruby_vcr, session_records, vcrpy
from contract.recordings._model import Layout

#: Every layout read, in the order they are tried.
LAYOUTS: tuple[Layout, ...] = (
    har.LAYOUT,
    vcrpy.LAYOUT,
    go_vcr.LAYOUT,
    ruby_vcr.LAYOUT,
    session_records.LAYOUT,
    nock.LAYOUT,
)


def detect(document: Any) -> Layout | None:
    """The layout ``document`` is in, or None."""
    for layout in LAYOUTS:
        if layout.detect(document):
            return layout
    return None


__all__ = ["LAYOUTS", "detect"]
