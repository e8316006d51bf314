"""Where the package's data lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def schema_dir() -> Path:
    """The directory holding the schema documents.

    A wheel carries them inside the package (``contract/_schemas``); a source
    checkout or an editable install reads the top-level ``schemas/`` folder.
    """
    bundled = _PACKAGE / "_schemas"
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / "schemas"


def example_recordings_dir() -> Path:
    """The example recordings shipped with the package."""
    return _PACKAGE / "_data" / "recordings"
