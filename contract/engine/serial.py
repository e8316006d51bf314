"""Checking many recordings: the engine behind ``finetune-contract check``, without output.

:func:`check_paths` walks the paths it is given and yields, in input order,
one :class:`~contract.engine.results.Result` per checked response or payload and a
:class:`Notice` for everything else worth saying (a file skipped, a file in
which nothing was checked, a file that cannot be read). It never stops at a
bad file: every readable one is checked. :class:`Tally` keeps the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from contract.config import Strict
from contract.engine.results import Notice, Result, plural
from contract.profiles import ProfileLike
from contract.recordings import Interaction, NotARecording, RecordingError, expand, read


def check_file(
    file: Path | str,
    *,
    label: str | None = None,
    named: bool = True,
    schema: str | None = None,
    fail_api_errors: bool = False,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
    observe: bool = False,
    requests: bool = True,
) -> Iterator[Result | Notice]:
    """Every result of one recording file (``-``: standard input), then a closing notice.

    ``named`` says the user named the file (a plain non-recording is then an
    error) rather than a directory walk finding it (then it is skipped with a note).
    ``profile``, ``strict`` and ``deviations``: see :func:`contract.checks.assess_body`;
    ``observe`` keeps what each response exercised (traffic coverage, :mod:`contract.traffic`);
    ``requests`` also checks each recorded request (:mod:`contract.checks.requests`).
    """
    label = label or str(file)

    def result(interaction: Interaction) -> Result:
        return Result.of(
            interaction,
            schema,
            fail_api_errors,
            profile=profile,
            strict=strict,
            deviations=deviations,
            observe=observe,
            requests=requests,
        )

    found = read(file, include_other=True, label=label)
    yield from events_of(found, label, named, result, skip_foreign=schema is None)


def events_of(
    interactions: Iterator[Interaction],
    label: str,
    named: bool,
    result: Callable[[Interaction], Result],
    *,
    skip_foreign: bool = True,
) -> Iterator[Result | Notice]:
    """The results of one file's interactions (``result`` checks one), then a closing notice.

    A file that cannot be read is an error notice; one that is plainly not a
    recording is an error when ``named``, a note when a directory walk found it;
    so is a JSON document that is no fine-tuning payload (``package.json``)
    when ``skip_foreign`` (no ``--schema`` was given). A response whose body
    the recorder cut or did not capture is a note, not a verdict.
    """
    checked = skipped = 0
    try:
        for interaction in interactions:
            if not interaction.to_check:
                skipped += 1
                continue
            if interaction.foreign and skip_foreign and not named:
                yield Notice("note", f"skipped {label}: {interaction.foreign}")
                return
            if interaction.unchecked:
                yield Notice("note", f"{interaction.source}: {interaction.unchecked}")
                continue
            checked += 1
            yield result(interaction)
    except NotARecording as exc:
        yield Notice("error" if named else "note", str(exc) if named else f"skipped {exc}")
    except RecordingError as exc:
        yield Notice("error", str(exc))
    note = ""
    if checked == 0 and skipped:
        note = (
            f"{label}: no fine-tuning jobs call to check "
            f"({plural(skipped, 'other recorded interaction')} skipped)"
        )
    yield Notice("note", note, skipped)


def files_of(paths: Iterable[str | Path]) -> Iterator[tuple[Path | str, bool] | Notice]:
    """Each recording file behind ``paths`` with whether it was named; errors as notices."""
    for path in paths:
        try:
            found = list(expand([path]))
        except RecordingError as exc:
            yield Notice("error", str(exc))
            continue
        named = str(path) == "-" or not Path(path).is_dir()
        for file in found:
            yield file, named


__all__ = ["check_file", "events_of", "files_of"]
