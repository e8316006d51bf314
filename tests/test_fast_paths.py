"""Each speed-up of issue 22 gives what the plain path gives (fast against plain)."""

from __future__ import annotations

import json
import pickle
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields, replace
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.checks import header
from contract.recordings import Interaction
from contract.recordings._model import Call, from_call
from contract.redact import redact, redact_headers
from contract.schema import operations
from contract.strictjson import decode
from tests.recording_builders import FIXTURE_KEY

if TYPE_CHECKING:
    from contract.checks.deviations import _Touched
    from contract.schema.amendments import Amendment
    from contract.traffic._slots import Counter as SlotCounter

# URLs of jobs calls and of other APIs, some carrying credentials in every place a URL can.
_HOSTS = st.sampled_from(
    ["https://api.openai.com/v1", "http://localhost:4010/v1", f"https://u:{FIXTURE_KEY}@h/v1"]
)
_PATHS = st.sampled_from(
    [
        "/fine_tuning/jobs/{id}/pause",
        "/fine_tuning/jobs/{id}",
        "/fine_tuning/jobs",
        "/fine_tuning/jobs/{id}/cancel",
        "/models",
        "/files/{id}",
    ]
)
_IDS = st.one_of(st.sampled_from(["ftjob-abc123", "ftjob-%2F"]), st.text(max_size=12))
_QUERIES = st.sampled_from(
    [
        "",
        "?limit=20",
        f"?api_key={FIXTURE_KEY}",
        "?token=hunter2hunter2",
        "?after=ftjob-abc&limit=2",
        f"?after={FIXTURE_KEY}",
        "?after=a&after=b",
    ]
)
_NAMES = st.sampled_from(
    ["Authorization", "accept", "X-Api-Key", "user-agent", "x-note", "Content-Type", "content-type"]
)
_VALUES = st.one_of(
    st.sampled_from(
        [f"Bearer {FIXTURE_KEY}", "application/json", f"key={FIXTURE_KEY}", "text/plain"]
    ),
    st.text(max_size=20),
)


@st.composite
def calls(draw: st.DrawFn) -> Call:
    url = draw(_HOSTS) + draw(_PATHS).replace("{id}", draw(_IDS)) + draw(_QUERIES)
    headers = draw(st.lists(st.tuples(_NAMES, _VALUES), max_size=4))
    status = draw(st.sampled_from([200, 404, None]))
    return Call(
        "interaction[0]",
        draw(st.sampled_from(["GET", "POST"])),
        url,
        status,
        [("content-type", "application/json")],
        lambda: b"{}",
        headers,
    )


def _eager(label: str, call: Call) -> Interaction:
    """What from_call gave before redaction was deferred: every value redacted at once."""
    routed = operations.route(call.method, call.url)
    wanted = routed is not None and call.status is not None
    return Interaction(
        source=f"{label}::{call.name}",
        body=call.body() if wanted else b"",
        status=call.status,
        headers=call.headers,
        method=call.method,
        url=redact(call.url),
        job_id=routed.job_id if routed is not None else None,
        request_headers=redact_headers(call.request_headers),
        name=call.name,
        operation=routed.operation if routed is not None else None,
    )


@settings(max_examples=150, deadline=None)
@given(calls())
def test_redaction_when_read_gives_what_redaction_when_reading_gave(call: Call) -> None:
    lazy, eager = from_call("f.har", call), _eager("f.har", call)
    for item in fields(Interaction):
        assert getattr(lazy, item.name) == getattr(eager, item.name), item.name
    assert lazy.has_request == eager.has_request
    assert lazy.to_check == eager.to_check
    assert lazy == eager and eager == lazy
    assert repr(lazy) == repr(eager)
    assert FIXTURE_KEY not in repr(lazy) + str(lazy.url) + str(lazy.request_headers)
    shipped = pickle.dumps(lazy)
    assert FIXTURE_KEY.encode() not in shipped
    assert pickle.loads(shipped) == eager
    for name in ("content-type", "Authorization", "x-api-key", "accept", "x-note"):
        assert from_call("f.har", call).request_header(name) == header(
            eager.request_headers, name
        ), name
    assert from_call("f.har", call).assess_request() == eager.assess_request()


@settings(max_examples=150, deadline=None)
@given(calls())
def test_a_decoded_copy_is_the_interaction_with_its_body_decoded(call: Call) -> None:
    """``with_decoded`` (what the session check uses) gives what ``dataclasses.replace``
    gave, without reading the URL or the request headers again."""
    decoded = decode(b"{}")
    lazy, eager = from_call("f.har", call), _eager("f.har", call)
    held = dict(lazy.__dict__)
    twin = lazy.with_decoded(decoded)
    # Nothing was read to make it: it holds what the original held, the decoded body aside.
    assert lazy.__dict__ == held
    assert {k: v for k, v in twin.__dict__.items() if k != "decoded"} == {
        k: v for k, v in held.items() if k != "decoded"
    }
    assert twin.decoded is decoded and lazy.decoded is None
    assert twin == replace(eager, decoded=decoded)
    for item in fields(Interaction):
        assert getattr(twin, item.name) == getattr(replace(eager, decoded=decoded), item.name)
    assert FIXTURE_KEY not in repr(twin) + str(twin.url) + str(twin.request_headers)
    assert FIXTURE_KEY.encode() not in pickle.dumps(twin)
    assert twin.assess_request() == eager.assess_request()
    for name in ("after", "limit", "api_key", "token"):
        assert lazy.query_value(name) == eager.query_value(name), name
    fresh = from_call("f.har", call)
    fresh.query_value("after")
    # The common case (no cursor) reads the cursor without redacting the URL.
    assert ("_url_shown" in fresh.__dict__) == ("after=" in call.url or fresh.operation is None)
    plain = eager.with_decoded(decoded)
    assert type(plain) is Interaction and plain == replace(eager, decoded=decoded)


def _route_plainly(method: str | None, url: str | None) -> operations.Route | None:
    """Routing as it was: every operation asked in turn."""
    for op in operations.operations():
        parameters = op.path_parameters(method, url)
        if parameters is not None:
            return operations.Route(op, parameters.get("fine_tuning_job_id"))
    return None


_URL_PIECES = st.sampled_from(
    [
        "/v1",
        "/fine_tuning",
        "/jobs",
        "/pause",
        "/resume",
        "/cancel",
        "/events",
        "/checkpoints",
        "/ftjob-1",
        "/a%2Fb",
        "/",
        "?after=x",
        "#f",
        "//",
        "/openai",
        "http://h",
        "https://[::1",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(st.none(), st.sampled_from(["GET", "post", "POST", "PUT", "", "get"])),
    st.one_of(
        st.none(),
        st.lists(_URL_PIECES, max_size=7).map("".join),
        st.text(max_size=30),
    ),
)
def test_the_compiled_routing_table_routes_as_every_operation_in_turn(
    method: str | None, url: str | None
) -> None:
    assert operations.route(method, url) == _route_plainly(method, url)


_URL_CHARS = st.sampled_from(list("aZ09+.-:/?#[]@% \t\n\r\x00\x1féé"))


@settings(max_examples=400, deadline=None)
@given(
    st.text(_URL_CHARS, max_size=6),
    st.sampled_from(["https", "HTTP", "h+t.p-s", "1http", "", " http", "ht tp"]),
    st.text(_URL_CHARS, max_size=12),
    st.lists(_URL_PIECES, max_size=4).map("".join),
)
def test_a_urls_path_is_the_one_urlsplit_reads(
    before: str, scheme: str, authority: str, rest: str
) -> None:
    from urllib.parse import urlsplit

    for url in (f"{scheme}://{authority}{rest}", f"{before}{scheme}://{authority}{rest}"):
        try:
            expected: object = urlsplit(url).path
        except ValueError:
            expected = ValueError
        try:
            found: object = operations._path_of(url)
        except ValueError:
            found = ValueError
        assert found == expected, url


def test_routing_examples_reach_every_operation() -> None:
    # The property above only means something if its inputs reach operations.
    for op in operations.operations():
        url = op.url_for("https://api.openai.com/v1", "ftjob-1" if op.names_job else None)
        assert operations.route(op.method, url) == _route_plainly(op.method, url)
        assert operations.route(op.method, url) == operations.Route(
            op, "ftjob-1" if op.names_job else None
        )


# -- deviations: a body the published documents accept is not assessed further -----------

_PROFILES = ("published", "observed", "azure")


def _assess_plainly(payload: object, schema: str, profile: str, strict: str) -> tuple[object, ...]:
    """``deviations.assess`` as it was: validated under the profile, then every finding."""
    from contract.checks.deviations import explain_deviations, needed
    from contract.checks.unknown import unknown_properties
    from contract.profiles import coerce
    from contract.validation import violations_of

    chosen = coerce(profile)
    found = violations_of(payload, schema, chosen)
    used: tuple[str, ...] = ()
    if found:
        found, used = explain_deviations(payload, found, schema, chosen)
    unknown = unknown_properties(payload, schema, chosen) if strict != "off" else []
    if strict == "fail":
        found, unknown = [*found, *unknown], []
    return tuple(found), tuple(unknown), needed(payload, schema, chosen), used


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32),
    st.booleans(),
    st.sampled_from(_PROFILES),
    st.sampled_from(["off", "warn", "fail"]),
)
def test_assessing_only_what_the_published_documents_reject_changes_nothing(
    seed: int, mutant: bool, profile: str, strict: str
) -> None:
    from contract.checks.deviations import assess
    from contract.generate import sampler

    if mutant:
        payload = next(sampler.nonconforming(seed=seed)).payload
    else:
        payload = next(sampler.conforming(seed=seed, coherent=True))
        # Deviations the observed API shows, which only amended profiles accept.
        payload = dict(payload, status="paused") if seed % 3 == 0 else payload
        payload = dict(payload, error={}) if seed % 5 == 0 else payload
    found = assess(payload, "FineTuningJob", profile, strict=strict)  # type: ignore[arg-type]
    plain = _assess_plainly(payload, "FineTuningJob", profile, strict)
    assert (found.violations, found.warnings, found.needed, found.deviations) == plain


def test_the_property_above_meets_needed_amendments_and_deviations() -> None:
    from contract.checks.deviations import assess
    from contract.generate import sampler

    payload = dict(next(sampler.conforming(seed=3, coherent=True)), status="paused")
    assert _assess_plainly(payload, "FineTuningJob", "observed", "off")[2] == ("status-paused",)
    assert assess(payload, "FineTuningJob", "observed").needed == ("status-paused",)
    assert assess(payload, "FineTuningJob", "published").deviations == ("status-paused",)


def _may_apply_plainly(amendment: Amendment, touched: _Touched) -> bool:
    """The cheap look at one amendment, as it was before amendments were indexed by name."""
    from contract.checks.deviations import _reach
    from contract.schema._overlay import STATUS_ADD

    if STATUS_ADD in amendment.change:
        return False
    names, changes, at_place, absent = _reach(amendment)
    if names is None:
        return True
    if changes and not names.isdisjoint(touched.last if at_place else touched.anywhere):
        return True
    return absent and (touched.unread or not names.isdisjoint(touched.missing))


@cache
def _amended_names() -> list[str]:
    from contract.checks.deviations import _reach
    from contract.profiles import coerce

    found = {"status", "error", "method", "data", "nothing-of-it"}
    for amendment in coerce("published").catalogue.amendments.values():
        found |= _reach(amendment)[0] or set()
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(
    profile=st.sampled_from(_PROFILES),
    last=st.frozensets(st.sampled_from(_amended_names())),
    deeper=st.frozensets(st.sampled_from(_amended_names())),
    missing=st.frozensets(st.sampled_from(_amended_names())),
    unread=st.booleans(),
)
def test_amendments_looked_up_by_name_are_those_looked_at_one_by_one(
    profile: str,
    last: frozenset[str],
    deeper: frozenset[str],
    missing: frozenset[str],
    unread: bool,
) -> None:
    from contract.checks.deviations import _candidates, _Touched
    from contract.profiles import coerce

    chosen = coerce(profile)
    touched = _Touched(last, last | deeper, missing, unread)
    plain = [
        amendment
        for amendment in chosen.catalogue.amendments.values()
        if not chosen.holds(amendment.name) and _may_apply_plainly(amendment, touched)
    ]
    assert _candidates(chosen, touched) == plain


# -- traffic coverage: counted in the compiled tree's slots ---------------------------------


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["job", "mutant", "observed", "page"]))
def test_counting_in_slots_gives_the_facts_of_the_plain_walk(seed: int, kind: str) -> None:
    from collections import Counter as Facts

    from contract.generate import sampler
    from contract.traffic._slots import Counter
    from contract.traffic._walk import facts

    if kind == "mutant":
        payloads = [m.payload for m in islice(sampler.nonconforming(seed=seed), 3)]
    elif kind == "observed":
        payloads = list(islice(sampler.conforming(seed=seed, profile="observed"), 3))
    else:
        payloads = list(islice(sampler.conforming(seed=seed, coherent=True), 3))
    if kind == "page":  # a page's jobs, and a page itself walked as a job (all outside)
        payloads.append({"object": "list", "data": payloads[:2], "has_more": False})
    for counter in (Counter.of("FineTuningJob"), _nested_counter()):
        counts, named = counter.empty()
        expected: Facts[tuple[str, str, str]] = Facts()
        for payload in payloads:
            one, one_named = counter.empty()
            counter.add(payload, one, one_named)
            assert counter.facts(one, one_named) == facts(payload, "FineTuningJob")
            counter.add(payload, counts, named)
            expected.update(facts(payload, "FineTuningJob"))
        assert counter.facts(counts, named) == expected


@cache
def _nested_counter() -> SlotCounter:
    """A counter whose source nests at most 3 levels and 1 loop deep in one function (the
    places below get functions of their own, as places nested too deep for Python do)."""
    from unittest import mock

    from contract.traffic import _slots

    with mock.patch.object(_slots, "_MOST_INDENT", 3), mock.patch.object(_slots, "_MOST_LOOPS", 1):
        counter = _slots.Counter("FineTuningJob")
    assert counter.source.count("\ndef ") > 10
    return counter


def _coverage(
    path: Path,
    count: bool,
    jobs: int = 1,
    may_stop: bool = True,
    full: bool = False,
    stop: bool = False,
) -> dict[str, object]:
    """The coverage of a check of ``path`` (``full``: every line checked in full, one
    result each, by :func:`contract.engine.check_file`; ``stop``: read up to the first
    failure only, as ``--fail-fast`` does)."""
    from contract.engine import Conforming, Result, check_file, check_paths
    from contract.traffic import TrafficCoverage

    coverage = TrafficCoverage()
    options: dict[str, Any] = {"observe": True, "deviations": True}
    if full:
        events = check_file(path, **options)
    else:
        events = check_paths(
            [path], count_conforming=count, jobs=jobs, may_stop=may_stop, **options
        )
    for event in events:
        if isinstance(event, Result):
            coverage.add(event.observed)
            if stop and event.failed:
                break
        elif isinstance(event, Conforming):
            assert not full and (count or event.payloads == 0)
            coverage.add(event.observed, event.payloads)
    return coverage.as_dict()


def test_coverage_of_counted_lines_is_the_coverage_of_checked_lines(tmp_path: Path) -> None:
    from tests.test_lane import _texts

    lines = [t for seed in range(6) for t in _texts(seed)]
    lines += [json.dumps(j).encode() for j in islice(_sampled(), 2100)]  # over a chunk
    random.Random(3).shuffle(lines)
    path = tmp_path / "capture.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    plain = _coverage(path, count=False, full=True)
    assert plain["responses"] == len([t for t in lines if t.strip()])
    # Counted, or listed one result each (proven lines' coverage handed over as counts).
    for count in (True, False):
        assert _coverage(path, count=count) == plain
        assert _coverage(path, count=count, jobs=2) == plain
        # Handed over once per chunk (serially: once per file) when the reader never stops.
        assert _coverage(path, count=count, may_stop=False) == plain
        assert _coverage(path, count=count, jobs=2, may_stop=False) == plain
    # A reader that stops at the first failure has the coverage of every line before it.
    stopped = _coverage(path, count=False, full=True, stop=True)
    assert stopped["responses"] < plain["responses"]
    for count in (True, False):
        assert _coverage(path, count=count, stop=True) == stopped
        assert _coverage(path, count=count, jobs=2, stop=True) == stopped


def _sampled() -> Iterator[object]:
    from contract.generate import sampler

    return sampler.conforming(seed=11, coherent=True)


# -- HAR headers: strings taken as they are -------------------------------------------------


def _headers_plainly(message: dict[str, object], where: str) -> list[tuple[str, str]]:
    """``har._headers`` as it was: every name and value through ``str``."""
    from contract.recordings import RecordingError

    found = message.get("headers", [])
    if not isinstance(found, list):
        raise RecordingError(where, "headers is not a list")
    pairs: list[tuple[str, str]] = []
    for item in found:
        if not isinstance(item, dict) or "name" not in item or "value" not in item:
            raise RecordingError(where, "a header is not a {name, value} object")
        values = item["value"] if isinstance(item["value"], list) else [item["value"]]
        pairs.extend((str(item["name"]), str(value)) for value in values)
    return pairs


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
_HEADER_ITEMS = st.one_of(
    st.fixed_dictionaries({"name": _SCALARS, "value": _SCALARS | st.lists(_SCALARS)}),
    st.dictionaries(st.sampled_from(["name", "value", "comment"]), _SCALARS, max_size=3),
    _SCALARS,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_HEADER_ITEMS, max_size=6), _SCALARS))
def test_har_headers_read_as_every_header_through_str(headers: object) -> None:
    from contract.recordings import RecordingError
    from contract.recordings.har import _headers

    message = {"headers": headers}
    try:
        expected: object = _headers_plainly(message, "f.har::interaction[0]")
    except RecordingError as exc:
        expected = str(exc)
    try:
        got: object = _headers(message, "f.har::interaction[0]")
    except RecordingError as exc:
        got = str(exc)
    assert got == expected


def _observation_plainly(payload: object, schema: str | None) -> tuple[object, ...]:
    """What one payload showed, walked plainly (the objects of any type, places prefixed)."""
    from collections import Counter as Facts

    from contract import schema as registry
    from contract.traffic import items_of
    from contract.traffic._walk import facts

    kind, objects = items_of(payload, schema)
    if kind is None or not objects:
        return (0, (), ())
    prefix = "" if kind == registry.DEFAULT_SCHEMA else f"{kind}:"
    total: Facts[tuple[str, str, str]] = Facts()
    for item in objects:
        for (fact, place, value), count in facts(item, kind).items():
            total[(fact, prefix + place, value)] += count
    if kind == registry.DEFAULT_SCHEMA:
        return (len(objects), tuple(sorted(total.items())), ())
    return (0, tuple(sorted(total.items())), ((kind, len(objects)),))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32))
def test_a_tally_of_pages_of_every_type_is_the_sum_of_plain_walks(seed: int) -> None:
    from contract.generate import sampler
    from contract.schema import operations
    from contract.traffic import Tally

    payloads: list[tuple[object, str | None]] = []
    for op in operations.operations():
        if op.item_schema is None:
            continue
        items = list(islice(sampler.conforming(op.item_schema, seed=seed), 3))
        page = next(sampler.conforming(op.schema, seed=seed))
        if isinstance(page, dict):
            for key, value in page.items():
                if isinstance(value, list):
                    page = {**page, key: items}
        payloads += [(page, op.schema), (page, None), (items[0], None), (items[1], op.item_schema)]
    tally = Tally()
    jobs, total, kinds = 0, Counter(), Counter()
    for payload, schema in payloads:
        one = Tally()
        one.add(payload, schema)
        got = one.observation()
        expected = _observation_plainly(payload, schema)
        assert (got.jobs, got.facts, got.items) == expected
        tally.add(payload, schema)
        jobs += expected[0]
        total.update(dict(expected[1]))  # type: ignore[arg-type]
        kinds.update(dict(expected[2]))  # type: ignore[arg-type]
    summed = tally.observation()
    assert summed.jobs == jobs
    assert dict(summed.facts) == dict(total) and dict(summed.items) == dict(kinds)
    assert any(kind != "FineTuningJob" for kind in kinds)  # other types were reached


# -- coverage handed over as counts ---------------------------------------------------------


@settings(max_examples=30)
@given(st.integers(0, 60), st.integers(0, 10_000))
def test_counts_handed_over_and_absorbed_are_the_counts_of_one_tally(cut: int, seed: int) -> None:
    # The lane hands its counts over in pieces (and across processes, pickled); added up
    # slot by slot they must name the same facts as one tally over every payload.
    from contract.generate import sampler
    from contract.traffic import Tally, TrafficCoverage

    payloads = list(islice(sampler.conforming(seed=seed, coherent=True), 60))
    pages = [{"object": "list", "data": payloads[:3], "has_more": False}]
    whole = Tally()
    for payload in [*payloads, *pages]:
        whole.add(payload)
    first, second = Tally(), Tally()
    for payload in payloads[:cut]:
        first.add(payload)
    for payload in [*payloads[cut:], *pages]:
        second.add(payload)
    joined = Tally()
    for part in (first, second):
        joined.absorb(pickle.loads(pickle.dumps(part.counts())))
    assert joined.observation() == whole.observation()
    coverage = TrafficCoverage()
    coverage.add(first.counts(), cut)
    coverage.add(second.counts(), len(payloads) - cut + 1)
    expected = TrafficCoverage()
    expected.add(whole.observation(), len(payloads) + 1)
    assert coverage.as_dict() == expected.as_dict()


def _parameters() -> list[tuple[object, object]]:
    from contract.checks import requests

    return [
        (op, parameter)
        for op in operations.operations()
        for parameter in requests._parameters(op)
        if parameter.style != "deepObject"
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_parameters()),
    st.one_of(
        st.text(),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F)),
        st.sampled_from(["ftjob-abc123", "a\n", "a\x1c", "a\x85", "{id}", "a b", "", "x/y"]),
        st.integers(),
        st.integers(min_value=-5, max_value=150),
        st.none(),
        st.booleans(),
        st.floats(allow_nan=False),
    ),
)
def test_a_parameter_jsonschema_rs_accepts_is_one_jsonschema_accepts(
    pair: tuple[object, object], value: object
) -> None:
    """The request check's fast pass (jsonschema-rs) never accepts what jsonschema rejects."""
    from contract.checks import requests

    op, parameter = pair
    reference = list(requests._validator(op, parameter.name).iter_errors(value))  # type: ignore[attr-defined]
    if requests._surely_valid(parameter, op, value):  # type: ignore[arg-type]
        assert reference == []
    assert (requests._schema_failures(parameter, op, value) == []) == (reference == [])  # type: ignore[arg-type]
