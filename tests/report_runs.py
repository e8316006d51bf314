"""Running ``finetune-contract check`` in-process for the report-format tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract.cli import main
from contract.schema._paths import example_recordings_dir

#: The real-world corpus (read-only); tests using it skip when it is absent.
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "realworld"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the real-world corpus {CORPUS} is absent"
)
PAYLOADS = Path(__file__).resolve().parent / "data" / "payloads"
BUNDLED = example_recordings_dir()

#: Variables that change what check writes; cleared so the machine's settings do not leak in.
OUTPUT_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
    "FINETUNE_CONTRACT_FORMAT",
    "FINETUNE_CONTRACT_COLOR",
    "FINETUNE_CONTRACT_MAX_ANNOTATIONS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in OUTPUT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of one ``check`` run."""
    status = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def as_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> dict[str, Any]:
    """The ``--format json`` document of a run over ``args``."""
    _, out, _ = check(capsys, "--format", "json", *args)
    document: dict[str, Any] = json.loads(out)
    return document


def violation_count(document: dict[str, Any]) -> int:
    return sum(len(r["violations"]) for r in document["results"])


_DOCUMENTS: dict[str, dict[str, Any]] = {}


def json_of(target: Path, *options: str) -> dict[str, Any]:
    """The ``--format json`` document of a run over ``target``, computed once per session."""
    import contextlib
    import io

    key = " ".join([*options, str(target)])
    if key not in _DOCUMENTS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(["check", "--format", "json", "--color", "never", *options, str(target)])
        _DOCUMENTS[key] = json.loads(out.getvalue())
    return _DOCUMENTS[key]


def small_spools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The spools reports make from now on (``contract.reports._base.spool``), each
    rolled over to its file past 64 bytes: the list fills as they are made."""
    import tempfile

    from contract.reports import _base

    made: list[Any] = []
    spooled = tempfile.SpooledTemporaryFile

    def watched(*args: Any, **kwargs: Any) -> Any:
        found = spooled(*args, **kwargs)
        made.append(found)
        return found

    monkeypatch.setattr(_base, "SPOOL_BYTES", 64)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", watched)
    return made


_HOSTILE = ["", "line\nbreak", "\u202e bidi", "\u2028", "\udc80", "\x7f\x85", '"results-']
_HOSTILE.append("sk-proj-" + "k" * 32)


def hostile_text() -> Any:
    """Short texts a report must write safely: anything UTF-8, and line breaks, bidi and
    line separators, a lone surrogate, DEL and C1, a key, SARIF's marker's start."""
    from hypothesis import strategies as st

    return st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(_HOSTILE)


def results() -> Any:
    """Hypothesis strategy: results of every verdict, with hostile texts in every field a
    report writes (violations, warnings, an API error, a note)."""
    from hypothesis import strategies as st

    from contract.engine.results import Result
    from contract.violations import Violation

    text = hostile_text()
    violations = st.lists(
        st.builds(
            Violation,
            text,
            st.sampled_from(["type", "required", "deviation"]),
            text,
            amendment=st.sampled_from(["", "error-empty-object"]),
        ),
        max_size=3,
    ).map(tuple)
    return st.builds(
        Result,
        text,
        violations,
        st.none() | text,
        st.none() | text,
        st.integers(0, 3),
        text,
        st.booleans(),
        warnings=violations,
    )
