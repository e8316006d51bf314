"""The conforming-line shortcut (``check_paths(count_conforming=True)``) never disagrees
with the full check: a line it counts is one the full check finds valid with nothing
else to say, and a run that counts gives the same summary and the same failures. A run
that lists every line gives a line the shortcut proves the full check's very result."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.engine import Conforming, Notice, Tally, check_file, check_paths
from contract.engine._lane import Observing, Proven, lane, proven_result
from contract.engine.results import Result
from contract.generate import sampler
from contract.profiles import coerce
from contract.recordings import payloads
from contract.strictjson import JSONSyntaxError, decode
from contract.validation import is_valid
from tests.helpers import minimal_job

PROFILES = ["published", "observed", "azure"]

_ERROR = {"error": {"message": "No such job", "type": "invalid_request_error", "param": None,
                    "code": "not_found"}}


def _texts(seed: int) -> list[bytes]:
    """Lines of every kind a capture holds, written in several ways."""
    rng = random.Random(seed)
    jobs: list[Any] = [*islice(sampler.conforming(seed=seed), 6)]
    jobs += [*islice(sampler.conforming(seed=seed, profile="observed"), 6)]
    jobs += [m.payload for m in islice(sampler.nonconforming(seed=seed), 6)]
    jobs += [_ERROR, {"object": "list", "data": jobs[:2], "has_more": False}, [1], "job", None]
    texts: list[bytes] = []
    for job in jobs:
        texts.append(json.dumps(job).encode())
        spaced = rng.choice([(",", ":"), (", ", ": "), (" ,\t", " :  ")])
        texts.append(json.dumps(job, ensure_ascii=False, separators=spaced).encode())
    base = json.dumps(minimal_job(seed=42))
    assert '"object"' in base and '"seed": 42' in base
    texts += [
        # a repeated name, plain and escaped
        base.replace('"object"', '"object": "fine_tuning.job", "object"', 1).encode(),
        base.replace('"object"', '"obj\\u0065ct": "x", "object"', 1).encode(),
        base.replace('"seed": 42', '"seed": 123456789012345678901234567890').encode(),
        base.replace('"seed": 42', '"seed": NaN').encode(),
        base.replace('"seed": 42', '"seed": 1e400').encode(),
        base.replace('"fine_tuning.job"', '"fine_tuning\\u002ejob"').encode(),
        b"\xef\xbb\xbf" + base.encode(),
        base.encode()[:-3],
        b"not json",
    ]
    return texts


def _full(text: bytes, schema: str | None, profile: str, fail_api_errors: bool) -> Result:
    line = payloads.line("f", 7, text)
    return Result.of(line, schema, fail_api_errors, profile=profile, deviations=True)


def _fields(result: Result) -> dict[str, Any]:
    """Every field of ``result``, those equality leaves out too."""
    return dict(vars(result))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    profile=st.sampled_from(PROFILES),
    schema=st.sampled_from([None, "FineTuningJob"]),
    fail_api_errors=st.booleans(),
)
def test_a_counted_line_is_one_the_full_check_finds_valid_with_nothing_to_say(
    seed: int, profile: str, schema: str | None, fail_api_errors: bool
) -> None:
    quick = lane(schema, profile)
    assert quick is not None
    amended = bool(coerce(profile).amendments)
    for text in _texts(seed):
        full = _full(text, schema, profile, fail_api_errors)
        counted = quick(text)
        if isinstance(counted, Proven):
            assert full.valid and not full.warnings and not full.needed, text
            assert full.api_error is None and full.jobs == counted.jobs
            # Listed, it is the full check's result, field for field.
            listed = proven_result("f", 7, counted, fail_api_errors)
            assert _fields(listed) == _fields(full), text
            continue
        # Not counted: the line as the lane decoded it, which the full check takes as is
        # (test_counting_gives_the_same_summary_and_failures compares the results).
        if counted is not None:
            again = decode(text)  # (compared as JSON text: NaN is not NaN)
            assert counted.problems == again.problems
            assert json.dumps(counted.value) == json.dumps(again.value)
        else:
            with pytest.raises(JSONSyntaxError):
                decode(text)
        if full.valid and not full.needed:
            # The shortcut may pass a valid line on only where an amendment was needed
            # jointly with another (neither alone shows as needed).
            assert amended and not is_valid(json.loads(text), schema or "FineTuningJob"), text


def test_nothing_is_counted_when_the_report_has_more_to_say() -> None:
    assert lane(strict="warn") is None
    assert lane(strict="fail") is None
    # With traffic coverage the lane also counts what each payload exercised
    # (tests/test_fast_paths.py compares its coverage with the full check's).
    assert isinstance(lane(observe=True), Observing)


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JSON Lines of every kind, more than one chunk long, in a shuffled order."""
    path = tmp_path_factory.mktemp("lane") / "capture.jsonl"
    rng = random.Random(5)
    lines = [t for seed in range(8) for t in _texts(seed)]
    lines += [json.dumps(j).encode() for j in islice(sampler.conforming(seed=9), 2050)]
    rng.shuffle(lines)
    lines[10:10] = [b"", b"   "]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _run(path: Path, full: bool = False, **options: Any) -> tuple[Tally, list[Result], int]:
    """A check of ``path``: with ``full``, each line checked in full (:func:`check_file`)."""
    tally = Tally()
    results: list[Result] = []
    counted = 0
    check = check_file(path, deviations=True, **options) if full else None
    for event in check or check_paths([path], deviations=True, **options):
        tally.add(event)
        if isinstance(event, Result):
            results.append(event)
        elif isinstance(event, Conforming):
            counted += event.payloads
        else:
            assert isinstance(event, Notice)
    return tally, results, counted


@pytest.fixture(scope="module")
def checked_each(capture: Path) -> Callable[[str], tuple[Tally, list[Result], int]]:
    """The capture checked in full, one result per line, under a profile (each profile once)."""
    runs: dict[str, tuple[Tally, list[Result], int]] = {}

    def under(profile: str) -> tuple[Tally, list[Result], int]:
        if profile not in runs:
            runs[profile] = _run(capture, full=True, profile=profile)
        return runs[profile]

    return under


@pytest.mark.parametrize(
    ("jobs", "profile", "count"),
    [
        *((1, profile, True) for profile in PROFILES),
        (2, "observed", True),
        *((1, profile, False) for profile in PROFILES),
        (2, "azure", False),
    ],
)
def test_counting_or_listing_gives_the_full_checks_summary_and_failures(
    capture: Path,
    checked_each: Callable[[str], tuple[Tally, list[Result], int]],
    profile: str,
    jobs: int,
    count: bool,
) -> None:
    each, every_result, _ = checked_each(profile)
    tally, results, counted = _run(capture, profile=profile, jobs=jobs, count_conforming=count)
    assert tally.summary == each.summary
    assert tally.errors == each.errors
    if not count:  # every line listed: each with the full check's result, field for field
        assert counted == 0 and tally.notes == each.notes
        assert [_fields(r) for r in results] == [_fields(r) for r in every_result]
        return
    assert [r for r in results if not r.valid] == [r for r in every_result if not r.valid]
    assert [r.source for r in results if not r.valid] == [
        r.source for r in every_result if not r.valid
    ]
    # Conforming lines that needed no amendment are counted, not handed over one by one.
    assert counted > 0.9 * len([r for r in every_result if r.valid and not r.needed])
    assert counted + len([r for r in results if r.valid]) == each.summary.valid


@pytest.fixture(scope="module")
def each(capture: Path) -> Tally:
    """The capture checked one result per line (the published profile)."""
    return _run(capture)[0]


@pytest.mark.parametrize(
    ("options", "each_listed"),
    [
        ((), False),
        (("--coverage",), False),
        (("--format", "github"), False),
        (("-v",), True),
        (("--format", "jsonl"), True),
    ],
)
def test_the_command_line_lists_every_line_wherever_its_report_does(
    capture: Path,
    each: Tally,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    each_listed: bool,
) -> None:
    from contract.cli import main

    main(["check", *options, str(capture)])
    out = capsys.readouterr().out
    listed = {int(n) for n in re.findall(rf"{re.escape(capture.name)}:(\d+)", out)}
    assert len(listed) == (each.summary.checked if each_listed else each.summary.invalid)
    if options in ((), ("-v",), ("--coverage",)):
        assert each.summary.line() in out


def test_junit_has_a_testcase_for_every_line(
    capture: Path, each: Tally, capsys: pytest.CaptureFixture[str]
) -> None:
    from contract.cli import main

    main(["check", "--format", "junit", str(capture)])
    assert capsys.readouterr().out.count("<testcase ") == each.summary.checked


def test_counts_come_before_each_failure_only_for_a_reader_that_may_stop(
    tmp_path: Path,
) -> None:
    good = [json.dumps(job).encode() for job in islice(sampler.conforming(seed=2), 6)]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([*good[:3], b"[]", *good[3:5], b"{}", good[5]]) + b"\n")

    def shape(may_stop: bool) -> list[Any]:
        events = check_paths([path], count_conforming=True, may_stop=may_stop)
        return [e.payloads if isinstance(e, Conforming) else e.source for e in events]

    # A reader that may stop at a failure has the count of every line before it ...
    assert shape(True) == [3, f"{path}:4", 2, f"{path}:7", 1]
    # ... one that reads to the end gets the failures, and the counts together.
    assert shape(False) == [f"{path}:4", f"{path}:7", 6]
