"""``--format text``: colour and its precedence, ``-q``, ``--fail-fast``, escaping."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from contract.reports._color import use_color
from tests.report_runs import (
    BUNDLED,
    CORPUS,
    PAYLOADS,
    as_json,
    check,
    clean_env,
    json_of,
    violation_count,
)

__all__ = ["clean_env"]  # the fixture, imported for the tests below

ESC = "\x1b["


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("choice", "env", "tty", "expected"),
    [
        ("always", {"NO_COLOR": "1"}, False, True),  # the option wins over everything
        ("never", {"FORCE_COLOR": "1"}, True, False),
        ("auto", {}, True, True),  # a terminal
        ("auto", {}, False, False),  # a pipe or file
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty means unset (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR before FORCE
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"TERM": "dumb", "FORCE_COLOR": "3"}, False, True),
    ],
)
def test_colour_precedence(choice: str, env: dict[str, str], tty: bool, expected: bool) -> None:
    assert use_color(choice, _Stream(tty), env) is expected


def test_plain_text_is_unchanged_and_always_paints(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = PAYLOADS / "n_epochs_51.json"
    status, plain, _ = check(capsys, path)
    assert status == 1
    assert ESC not in plain
    assert plain.splitlines()[0] == (
        f"{path}:1: /hyperparameters/n_epochs: 51 is greater than the maximum of 50 [FC106]"
    )
    status, painted, _ = check(capsys, "--color", "always", path)
    assert status == 1 and ESC in painted
    # Without the escape sequences, the same words.
    assert re.sub(r"\x1b\[[0-9;]*m", "", painted) == plain


def test_environment_colours_only_under_auto(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    path = PAYLOADS / "n_epochs_51.json"
    clean_env.setenv("FORCE_COLOR", "1")
    assert ESC in check(capsys, path)[1]
    assert ESC not in check(capsys, "--color", "never", path)[1]
    clean_env.setenv("NO_COLOR", "1")
    assert ESC not in check(capsys, path)[1]
    assert ESC in check(capsys, "--color", "always", path)[1]


def test_quiet_prints_only_the_summary(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    status, out, _ = check(capsys, "-q", PAYLOADS)
    loud = check(capsys, PAYLOADS)[1].splitlines()
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "checked 5 payloads: 3 valid, 2 invalid"
    assert not any(line.startswith(str(PAYLOADS)) for line in lines)
    # Only the per-response lines go: the summary and what follows it stay.
    summary_at = loud.index(lines[0])
    assert loud[summary_at:] == lines and summary_at > 0


def test_fail_fast_stops_at_the_first_failing_response(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    valid = (PAYLOADS / "valid.json").read_text()
    bad = (PAYLOADS / "n_epochs_51.json").read_text()
    for name, text in (("a.json", valid), ("b.json", bad), ("c.json", bad)):
        (tmp_path / name).write_text(text)
    status, out, _ = check(capsys, "--fail-fast", tmp_path)
    assert status == 1
    lines = out.splitlines()
    assert [line for line in lines if "c.json" in line] == []
    assert any("b.json" in line for line in lines)
    assert "checked 2 payloads: 1 valid, 1 invalid" in lines[-1]
    assert lines[-1].endswith("stopped at the first failure (--fail-fast)")
    document = as_json(capsys, "--fail-fast", tmp_path)
    assert document["summary"]["stopped"] == "fail-fast"
    assert document["summary"]["checked"] == 2
    # Without it, everything is checked and nothing says it stopped.
    document = as_json(capsys, tmp_path)
    assert document["summary"]["checked"] == 3 and "stopped" not in document["summary"]


def test_input_controlled_text_is_escaped(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The file name is printed as given: its control and bidi characters must not act.
    path = tmp_path / "job\x1b[2J\u202eevil.json"
    path.write_text((PAYLOADS / "n_epochs_51.json").read_text())
    status, out, _ = check(capsys, path)
    assert status == 1
    assert "\x1b" not in out and "\u202e" not in out
    assert "job\\x1b[2J\\u202eevil.json:1: /hyperparameters/n_epochs" in out


@pytest.mark.parametrize("where", ["bundled", "corpus"])
def test_one_text_line_per_violation(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, where: str
) -> None:
    if where == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the real-world corpus {CORPUS} is absent")
    target = BUNDLED if where == "bundled" else CORPUS
    document = json_of(target)
    _, out, _ = check(capsys, target)
    lines = out.splitlines()
    summary_at = next(i for i, line in enumerate(lines) if line.startswith("checked "))
    violation_lines = [line for line in lines[:summary_at] if ": warning: " not in line]
    # One line per fault: the same fault in several jobs of one list page is one line.
    faults = {
        (
            r["source"],
            re.sub(r"\A/data/\d+(?=/|\Z)", "/data/*", v["path"]),
            v["keyword"],
            v["message"],
            v.get("amendment"),
        )
        for r in document["results"]
        for v in r["violations"]
    }
    assert len(violation_lines) == len(faults) <= violation_count(document)
    coded = re.compile(r" \[FC\d{3}\]( \(and \d+ more jobs?: .*\))?\Z")
    assert all(coded.search(line) for line in violation_lines)
    assert document["summary"]["checked"] > 0


def _page(jobs: int, broken: set[int]) -> dict[str, object]:
    from tests.helpers import minimal_job

    data = []
    for index in range(jobs):
        job = minimal_job(id=f"ftjob-{index}")
        if index in broken:
            job["seed"] = "x"  # one fault
        data.append(job)
    return {"object": "list", "data": data, "has_more": False}


def test_one_fault_in_many_jobs_of_a_page_is_one_line(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    path = tmp_path / "page.json"
    path.write_text(json.dumps(_page(19, set(range(19)))))
    status, out, _ = check(capsys, path)
    assert status == 1
    line, summary = out.splitlines()
    assert line == (
        f'{path}:1: /data/0/seed: "x" is not of type integer [FC101] '
        "(and 18 more jobs: /data/1, /data/2, /data/3, …)"
    )
    assert summary.startswith("checked 1 payload (19 jobs): 0 valid, 1 invalid")
    document = as_json(capsys, path)
    assert len(document["results"][0]["violations"]) == 19  # machines still get each one


def test_places_sort_as_numbers(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    page = _page(12, set())
    page["data"][2]["seed"] = "two"  # type: ignore[index]
    page["data"][10]["seed"] = "ten"  # type: ignore[index]
    page["data"][10]["model"] = 10  # type: ignore[index]
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    _, out, _ = check(capsys, path)
    places = [line.split(": ")[1] for line in out.splitlines()[:-1]]
    assert places == ["/data/2/seed", "/data/10/model", "/data/10/seed"]
