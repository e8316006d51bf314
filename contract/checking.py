"""Checking many recordings: the engine behind ``finetune-contract check``, without output.

:func:`check_paths` walks the paths it is given and yields, in input order,
one :class:`~contract.report.Result` per checked response or payload and a
:class:`Notice` for everything else worth saying (a file skipped, a file in
which nothing was checked, a file that cannot be read). It never stops at a
bad file: every readable one is checked. :class:`Tally` keeps the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from contract.amendments.deviations import Usage
from contract.config import Strict
from contract.profiles import ProfileLike
from contract.recordings import Interaction, NotARecording, RecordingError, expand, read
from contract.report import Result, Summary, plural


@dataclass(frozen=True)
class Notice:
    """Something said about a file rather than a response: a note, or an error (exit 2)."""

    kind: Literal["note", "error"]
    text: str
    #: Recorded calls of other APIs the file held (counted as skipped).
    skipped: int = 0


@dataclass(frozen=True)
class Conforming:
    """Payloads proven to conform, counted rather than given one :class:`Result` each.

    Only when asked for (``count_conforming``): a report that lists failures
    alone has nothing else to say of them.
    """

    payloads: int
    jobs: int


#: What a run yields: results, counted conforming payloads, notices.
Event = Result | Conforming | Notice


@dataclass
class Tally:
    """What a run found: the summary counts, notes and errors, in order.

    ``usage``, when given, counts the amendments the checked bodies needed.
    """

    summary: Summary = field(default_factory=Summary)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    usage: Usage | None = None

    def add(self, event: Event) -> None:
        if isinstance(event, Result):
            self.summary.add(event)
            if self.usage is not None and event.api_error is None:
                self.usage.add(event)
            return
        if isinstance(event, Conforming):
            self.summary.checked += event.payloads
            self.summary.valid += event.payloads
            self.summary.jobs += event.jobs
            if self.usage is not None:
                self.usage.payloads += event.payloads
            return
        self.summary.skipped += event.skipped
        if event.kind == "error":
            self.errors.append(event.text)
        elif event.text:
            self.notes.append(event.text)

    @property
    def failed(self) -> bool:
        return self.summary.invalid > 0


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
) -> Iterator[Result | Notice]:
    """Every result of one recording file (``-``: standard input), then a closing notice.

    ``named`` says the user named the file (a plain non-recording is then an
    error) rather than a directory walk finding it (then it is skipped with a note).
    ``profile``, ``strict`` and ``deviations``: see :func:`contract.response.assess_body`;
    ``observe`` keeps what each response exercised (traffic coverage, :mod:`contract.traffic`).
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
        )

    yield from events_of(read(file, include_other=True, label=label), label, named, result)


def events_of(
    interactions: Iterator[Interaction],
    label: str,
    named: bool,
    result: Callable[[Interaction], Result],
) -> Iterator[Result | Notice]:
    """The results of one file's interactions (``result`` checks one), then a closing notice.

    A file that cannot be read is an error notice; one that is plainly not a
    recording is an error when ``named``, a note when a directory walk found it.
    """
    checked = skipped = 0
    try:
        for interaction in interactions:
            if not interaction.to_check:
                skipped += 1
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


def check_paths(
    paths: Iterable[str | Path],
    *,
    schema: str | None = None,
    fail_api_errors: bool = False,
    label_of: dict[str, str] | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
    deviations: bool = False,
    observe: bool = False,
    jobs: int = 1,
    count_conforming: bool = False,
) -> Iterator[Event]:
    """Results and notices for every recording behind ``paths``, in input order.

    With ``jobs`` above 1, ``jobs`` worker processes check the files (JSON Lines
    in chunks of lines): the same results, in the same order.
    ``count_conforming`` gives the JSON Lines payloads proven to conform as
    :class:`Conforming` counts instead of one valid :class:`Result` each (much
    faster; for reports that list only failures). The summary is the same.

    ``label_of`` maps a file's path to the name reports use for it; the other
    options are :func:`check_file`'s.
    """
    if jobs > 1 or count_conforming:
        from contract._bulk.work import Options, plan, serial

        more = {"profile": profile, "strict": strict, "deviations": deviations, "observe": observe}
        options = Options(schema, fail_api_errors, more, count_conforming)
        if jobs == 1:
            yield from serial(plan(paths, options, label_of=label_of, stream=True), options)
            return
        work = plan(paths, options, label_of=label_of)
        from contract._bulk.parallel import in_processes

        yield from in_processes(work, options, jobs)
        return
    for item in files_of(paths):
        if isinstance(item, Notice):
            yield item
            continue
        file, named = item
        label = (label_of or {}).get(str(file), str(file))
        yield from check_file(
            file,
            label=label,
            named=named,
            schema=schema,
            fail_api_errors=fail_api_errors,
            profile=profile,
            strict=strict,
            deviations=deviations,
            observe=observe,
        )


__all__ = ["Conforming", "Event", "Notice", "Tally", "check_file", "check_paths", "files_of"]
