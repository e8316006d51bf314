"""Amendments: the built-in catalogue, the overlay, deviation lines, usage accounting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from contract import profiles, validation
from contract import schema as registry
from contract.checks.deviations import DEVIATION, Usage, assess, explain_deviations
from contract.generate import strategies
from contract.schema import catalogue
from contract.schema._paths import schema_dir
from contract.schema.amendments import AmendmentError
from contract.violations import Violation
from tests.helpers import DELETE, changed, minimal_job

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OBSERVED = profiles.resolve("observed")
AZURE = profiles.resolve("azure")
PUBLISHED = profiles.resolve()
#: created_at values on either side of the legacy amendments' cut-offs.
OLD, NEW = 1693894540, 1756781454  # 2023-09-05, 2025-09-02

# For each built-in amendment, a minimal job showing its deviation (and nothing else).
SHOWN: dict[str, dict[str, Any]] = {
    "error-empty-object": minimal_job(error={}),
    "error-null-fields": minimal_job(error={"code": None, "message": None, "param": None}),
    "status-paused": minimal_job(status="paused"),
    "status-pausing": minimal_job(status="pausing"),
    "status-resuming": minimal_job(status="resuming"),
    "status-created-legacy": minimal_job(status="created", created_at=OLD, seed=1),
    "seed-absent-legacy": changed(minimal_job(created_at=OLD), "/seed", DELETE),
    "error-absent-legacy": changed(minimal_job(created_at=OLD), "/error", DELETE),
    "hyperparameters-absent-non-supervised": minimal_job(
        hyperparameters=None, method={"type": "dpo", "dpo": {}}
    ),
    "docs-example-fields-absent": changed(minimal_job(), "/finished_at", DELETE),
    "azure-status-pending": minimal_job(status="pending"),
    "azure-hyperparameters-minus-one": minimal_job(hyperparameters={"n_epochs": -1}),
    "azure-organization-null": minimal_job(organization_id=None),
    "azure-result-files-null": minimal_job(result_files=None),
    "azure-method-null": minimal_job(method=None),
    "azure-absent-when-null": changed(minimal_job(id="ftjob-real"), "/fine_tuned_model", DELETE),
    "azure-error-envelope-no-type": {"error": {"code": "404", "message": "Resource not found"}},
    "event-data-null": {
        "object": "fine_tuning.job.event",
        "id": "ftevent-1",
        "created_at": 1692901133,
        "level": "info",
        "message": "Created fine-tune",
        "data": None,
    },
}
#: The type each shown payload is (a job when not listed).
SCHEMA_OF = {
    "azure-error-envelope-no-type": "ErrorResponse",
    "event-data-null": "FineTuningJobEvent",
}
#: Amendments about an operation's HTTP status rather than a body (see test_checker).
STATUS_ONLY = {"azure-create-201"}


def _lines(found: list[Violation]) -> list[str]:
    return [str(v) for v in found]


def test_the_catalogue_is_data_that_fits_its_own_schema() -> None:
    from jsonschema import Draft202012Validator

    folder = schema_dir() / "amendments"
    schema = json.loads((folder / "config.schema.json").read_text())
    data = json.loads((folder / "catalogue.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    assert set(data["amendments"]) == set(SHOWN) | STATUS_ONLY
    assert list(data["profiles"]) == ["published", "observed", "azure"]
    assert data["profiles"]["published"]["amendments"] == []


def test_every_amendment_has_evidence_a_date_and_a_scope_that_exists() -> None:
    for amendment in catalogue.builtin().amendments.values():
        assert amendment.description and amendment.message
        assert len(amendment.first_seen) == 10 and amendment.first_seen[4] == "-"
        for location in amendment.scope:
            name, _, pointer = location.partition("#")
            if name.startswith("operations/"):
                node: Any = json.loads((schema_dir() / name).read_text())
            else:
                node = registry.document(name.removesuffix(".json"))
            for part in pointer.split("/")[1:]:
                node = node[part]
            assert isinstance(node, dict), location
        for evidence in amendment.evidence:
            assert evidence.startswith(("https://", "../shared/realworld/")), evidence


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")
def test_evidence_files_exist_in_the_corpus() -> None:
    for amendment in catalogue.builtin().amendments.values():
        for evidence in amendment.evidence:
            if evidence.startswith("../shared/"):
                assert (ROOT / evidence).is_file(), f"{amendment.name}: {evidence}"


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_each_amendment_accepts_its_deviation_and_is_named_when_off(name: str) -> None:
    payload = SHOWN[name]
    schema = SCHEMA_OF.get(name, "FineTuningJob")
    assert not validation.is_valid(payload, schema)
    holder = profiles.resolve(amend=[name])
    for check in (validation.fast_validator, validation.reference_validator):
        assert not check(schema).is_valid(payload)
        assert check(schema, holder).is_valid(payload), check
    raw = validation.violations_of(payload, schema)
    folded, used = explain_deviations(payload, raw, schema)
    assert used == (name,)
    assert {v.keyword for v in folded} == {DEVIATION}
    assert {v.amendment for v in folded} == {name}
    assert all(f"(known deviation {name}; accepted by " in v.message for v in folded)


def test_the_issue_line_replaces_three_required_lines() -> None:
    payload = minimal_job(error={})
    assert len(validation.violations_of(payload)) == 3
    assert _lines(assess(payload).violations) == [
        "/error: {} is an empty object; the contract allows null or an object with code, "
        "message and param (known deviation error-empty-object; accepted by profile observed)"
    ]


def test_deviation_lines_for_several_missing_properties_and_an_amendment_in_no_profile() -> None:
    payload = json.loads(
        (ROOT / "tests" / "data" / "upstream" / "pause_response_example.json").read_text()
    )
    assert _lines(assess(payload).violations) == [
        '<root>: required properties "error", "finished_at", "hyperparameters", "trained_tokens", '
        '"seed" are missing; OpenAI\'s own examples of pause, resume and cancel leave these out '
        "(known deviation docs-example-fields-absent; accepted by no profile; "
        "switch it on by name)",
        '/status: "paused" is not one of "validating_files", "queued", "running", "succeeded", '
        '"failed", "cancelled"; a paused job reports "paused" (the lifecycle: pausing, paused, '
        "resuming) (known deviation status-paused; accepted by profiles observed, azure)",
    ]
    with_docs = profiles.resolve("observed", amend=["docs-example-fields-absent"])
    assert assess(payload, profile=with_docs).violations == ()


def test_a_real_break_next_to_a_deviation_keeps_its_own_line() -> None:
    payload = minimal_job(error={}, hyperparameters={"n_epochs": 51})
    assert _lines(assess(payload).violations) == [
        "/error: {} is an empty object; the contract allows null or an object with code, "
        "message and param (known deviation error-empty-object; accepted by profile observed)",
        "/hyperparameters/n_epochs: 51 is greater than the maximum of 50",
    ]
    assert _lines(assess(payload, profile=OBSERVED).violations) == [
        "/hyperparameters/n_epochs: 51 is greater than the maximum of 50"
    ]


def test_an_error_object_with_a_wrong_field_is_no_empty_object() -> None:
    # error-empty-object would not make this pass: the lines stay as they are.
    payload = minimal_job(error={"code": 5})
    raw = validation.violations_of(payload)
    assert assess(payload).violations == tuple(raw)
    assert not validation.is_valid(payload, profile=OBSERVED)


@pytest.mark.parametrize(
    ("payload", "line"),
    [
        (
            changed(minimal_job(created_at=NEW, id="ftjob-real"), "/seed", DELETE),
            '<root>: required property "seed" is missing',
        ),
        (
            # Not legacy: only Azure's way of leaving a null out would accept it.
            changed(minimal_job(created_at=NEW, id="ftjob-real"), "/error", DELETE),
            '<root>: required property "error" is missing; Azure OpenAI leaves out a property '
            "whose value is null (known deviation azure-absent-when-null; accepted by profile "
            "azure)",
        ),
        (
            minimal_job(status="created", created_at=NEW),
            '/status: "created" is not one of "validating_files", "queued", "running", '
            '"succeeded", "failed", "cancelled", "paused", "pausing", "resuming"',
        ),
        (
            minimal_job(hyperparameters=None, method={"type": "supervised"}),
            "/hyperparameters: null is not of type object",
        ),
    ],
)
def test_conditional_amendments_hold_only_where_their_condition_does(
    payload: dict[str, Any], line: str
) -> None:
    assert _lines(assess(payload, profile=OBSERVED).violations) == [line]


def test_usage_counts_what_traffic_needed_and_what_went_stale() -> None:
    usage = Usage(OBSERVED)
    jobs = [
        minimal_job(error={}),
        minimal_job(error={}, status="paused"),
        changed(minimal_job(created_at=OLD), "/seed", DELETE),
        minimal_job(status="pending"),
        minimal_job(),
    ]
    for job in jobs:
        usage.add(assess(job, profile=OBSERVED))
    assert usage.lines(stale=True) == [
        "amendments needed (profile observed): error-empty-object (2), seed-absent-legacy (1), "
        "status-paused (1)",
        "stale amendments (enabled, needed by nothing): error-absent-legacy, error-null-fields, "
        "event-data-null, hyperparameters-absent-non-supervised, status-created-legacy, "
        "status-pausing, status-resuming",
        "known deviations outside the profile: azure-status-pending (1)",
    ]
    assert usage.as_dict() == {
        "profile": "observed",
        "payloads": 5,
        "needed": {"error-empty-object": 2, "seed-absent-legacy": 1, "status-paused": 1},
        "stale": [
            "error-absent-legacy",
            "error-null-fields",
            "event-data-null",
            "hyperparameters-absent-non-supervised",
            "status-created-legacy",
            "status-pausing",
            "status-resuming",
        ],
        "deviations": {"azure-status-pending": 1},
    }
    other = Usage(OBSERVED)
    other.add(assess(minimal_job(error={}), profile=OBSERVED))
    usage.merge(other)
    assert usage.needed["error-empty-object"] == 3 and usage.payloads == 6


def test_nothing_checked_is_nothing_stale() -> None:
    assert Usage(OBSERVED).stale() == () and Usage(OBSERVED).lines(stale=True) == []


def test_stale_amendments_are_said_only_when_asked() -> None:
    usage = Usage(OBSERVED)
    usage.add(assess(minimal_job(error={}), profile=OBSERVED))
    assert "status-paused" in usage.stale()  # known, and in the JSON summary
    assert usage.as_dict()["stale"] == list(usage.stale())
    assert not any(line.startswith("stale") for line in usage.lines())
    assert any(line.startswith("stale amendments") for line in usage.lines(stale=True))


def test_the_overlay_is_in_memory_under_the_same_ids() -> None:
    on_disk = {
        p.stem: json.loads(p.read_text())
        for p in schema_dir().glob("*.json")
        if p.name not in registry.NOT_SCHEMAS
    }
    amended = registry.documents(OBSERVED)
    assert validation.is_valid(minimal_job(error={}), profile=OBSERVED)
    assert dict(registry.documents()) == on_disk
    assert {n: d["$id"] for n, d in amended.items()} == {n: d["$id"] for n, d in on_disk.items()}
    assert amended["FineTuningJob"] != on_disk["FineTuningJob"]
    assert amended["Metadata"] is registry.documents()["Metadata"]  # untouched: shared


def test_equal_profiles_share_their_compiled_validators() -> None:
    same = profiles.resolve("published", amend=list(OBSERVED.names))
    assert same == OBSERVED and hash(same) == hash(OBSERVED)
    assert validation.fast_validator("FineTuningJob", same) is validation.fast_validator(
        "FineTuningJob", OBSERVED
    )
    assert validation.fast_validator("FineTuningJob", PUBLISHED) is validation.fast_validator(
        "FineTuningJob"
    )


def test_unknown_properties_are_allowed_and_listed_in_strict_mode() -> None:
    payload = minimal_job(
        usage_metrics=None,
        error={"code": "x", "message": "y", "param": None, "hint": 1},
        metadata={"anything": "goes"},
        method={"type": "supervised", "supervised": {"extra": True}},
    )
    assert validation.is_valid(payload)
    warned = assess(payload, strict="warn")
    assert warned.valid
    assert [(v.path, v.keyword) for v in warned.warnings] == [
        ("/error/hint", "unknown-property"),
        ("/method/supervised/extra", "unknown-property"),
        ("/usage_metrics", "unknown-property"),
    ]
    assert warned.warnings[2].message == (
        'unknown property "usage_metrics": the contract does not name it '
        "(allowed; listed in strict mode)"
    )
    failed = assess(payload, strict="fail")
    assert not failed.valid and failed.warnings == ()
    assert [v.path for v in failed.violations] == [v.path for v in warned.warnings]
    assert assess(payload).warnings == ()


def test_violation_stays_backwards_compatible() -> None:
    plain = Violation("/a", "type", "m", "X.json#/type")
    assert plain.amendment == "" and "amendment" not in plain.as_dict()
    named = Violation("/a", DEVIATION, "m", "X.json#", "error-empty-object")
    assert named.as_dict()["amendment"] == "error-empty-object"


def test_an_amendment_that_cannot_apply_says_where() -> None:
    data = {
        "amendments": {
            "bad": {
                "description": "d",
                "evidence": ["https://example.com"],
                "first-seen": "2026-01-01",
                "scope": "FineTuningJob.json#/properties/model",
                "change": {"enum-add": ["x"]},
            }
        }
    }
    with pytest.raises(AmendmentError, match=r"^f\.json: amendments\.bad: amendment 'bad', "):
        catalogue.parse(data, "f.json", catalogue.builtin())


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(strategies.conforming())
def test_amendments_only_widen(job: dict[str, Any]) -> None:
    # Whatever the published contract accepts, every profile accepts, in both validators.
    for profile in (OBSERVED, AZURE, profiles.resolve(amend=["docs-example-fields-absent"])):
        assert validation.fast_validator("FineTuningJob", profile).is_valid(job)
        assert validation.reference_validator("FineTuningJob", profile).is_valid(job)


def test_two_conditional_absences_of_one_property_combine_as_either_condition() -> None:
    """A property two conditional amendments let be absent is required unless either holds."""
    from contract import profiles, validation
    from tests.helpers import minimal_job

    both = profiles.resolve("observed", amend=("docs-example-fields-absent",))
    legacy = minimal_job(id="ftjob-xyz", created_at=1650000000)  # 2022: before both cut-offs
    del legacy["error"], legacy["seed"]
    recent = minimal_job(id="ftjob-xyz", created_at=1750000000)  # 2025: neither condition
    del recent["seed"]
    for profile in (profiles.resolve("observed"), both):
        assert validation.is_valid(legacy, "FineTuningJob", profile)
        assert validation.reference_validator("FineTuningJob", profile).is_valid(legacy)
        assert not validation.is_valid(recent, "FineTuningJob", profile)
        assert not validation.reference_validator("FineTuningJob", profile).is_valid(recent)


# -- the two changes not read at one place: absent-where-nullable and status-add ----------------


def test_absent_where_nullable_follows_the_published_documents_not_a_list() -> None:
    """A required property may be left out exactly where the published document lets its
    value be null, in the job and in every document the job reaches (its error object)."""
    only = profiles.resolve(amend=["azure-absent-when-null"])
    job = minimal_job(error={"code": "c", "message": "m", "param": None})
    for name in registry.document("FineTuningJob")["required"]:
        nulled = validation.is_valid(changed(job, f"/{name}", None))
        left_out = changed(job, f"/{name}", DELETE)
        assert validation.is_valid(left_out, profile=only) == nulled, name
        assert validation.reference_validator("FineTuningJob", only).is_valid(left_out) == nulled
    for name in registry.document("FineTuningJobError")["required"]:
        nulled = validation.is_valid(changed(job, f"/error/{name}", None))
        left_out = changed(job, f"/error/{name}", DELETE)
        assert validation.is_valid(left_out, profile=only) == nulled, name


def _custom(name: str, scope: Any, change: dict[str, Any], **more: Any) -> dict[str, Any]:
    spec = {
        "description": "d",
        "evidence": ["https://example.com"],
        "first-seen": "2026-01-01",
        "scope": scope,
        "change": change,
        **more,
    }
    return {"amendments": {name: spec}}


@pytest.mark.parametrize(
    ("scope", "change", "more", "message"),
    [
        (
            "FineTuningJob.json#/properties/error",
            {"absent-where-nullable": True},
            {},
            "absent-where-nullable needs a document's root",
        ),
        (
            "FineTuningJob.json#",
            {"absent-where-nullable": True, "nullable": True},
            {},
            "absent-where-nullable cannot be combined",
        ),
        (
            "FineTuningJob.json#",
            {"absent-where-nullable": True},
            {"when": {"required": ["id"]}},
            "absent-where-nullable cannot have when",
        ),
        (
            "FineTuningJob.json#/properties/status",
            {"status-add": [201]},
            {},
            "status-add needs an operation's responses",
        ),
        (
            "operations/archiveFineTuningJob.json#/responses",
            {"status-add": [201]},
            {},
            "no operation archiveFineTuningJob; known: cancelFineTuningJob",
        ),
        (
            "operations/createFineTuningJob.json#/responses",
            {"status-add": [200]},
            {},
            "status 200 is already documented",
        ),
    ],
)
def test_a_special_change_used_wrongly_says_where(
    scope: str, change: dict[str, Any], more: dict[str, Any], message: str
) -> None:
    with pytest.raises(AmendmentError, match=r"^f\.json: amendments\.x: .*" + message):
        catalogue.parse(_custom("x", scope, change, **more), "f.json", catalogue.builtin())


def test_a_users_status_amendment_is_read_by_the_checks() -> None:
    data = _custom(
        "accepted-202", "operations/cancelFineTuningJob.json#/responses", {"status-add": [202]}
    )
    data["profiles"] = {"ours": {"extends": "observed", "amendments": ["accepted-202"]}}
    ours = catalogue.parse(data, "f.json", catalogue.builtin())
    assert not PUBLISHED.catalogue.amendments.get("accepted-202")  # built-in knows nothing
    from contract.checks import assess_response
    from contract.schema.amendments import Profile

    chosen = Profile("ours", tuple(ours.amendment(n) for n in ours.members("ours")), ours)
    body = json.dumps(minimal_job())
    result = assess_response(
        202,
        {"Content-Type": "application/json"},
        body,
        "ftjob-abc123",
        operation="cancel",
        profile=chosen,
    )
    assert result.valid and result.needed == ("accepted-202",)
    # The schemas are untouched by it.
    assert (
        registry.documents(chosen)["FineTuningJob"] == registry.documents(OBSERVED)["FineTuningJob"]
    )


@pytest.mark.parametrize(("allow", "absent"), [("a-allow", "b-absent"), ("b-allow", "a-absent")])
def test_a_conditional_change_and_a_conditional_absence_of_one_property_combine(
    tmp_path: Path, allow: str, absent: str
) -> None:
    # Whichever is applied first, each holds exactly where its own `when` holds.
    path = tmp_path / "both.toml"
    common = 'evidence = ["https://example.com/x"]\nfirst-seen = "2026-01-01"\n'
    common += 'scope = "FineTuningJob.json#/properties/trained_tokens"\n'
    path.write_text(
        f'[amendments.{allow}]\ndescription = "n/a when cancelled"\n{common}'
        'change = { allow = { const = "n/a" } }\n'
        'when = { required = ["status"], properties = { status = { const = "cancelled" } } }\n'
        f'[amendments.{absent}]\ndescription = "absent when failed"\n{common}'
        "change = { absent = true }\n"
        'when = { required = ["status"], properties = { status = { const = "failed" } } }\n'
        f'[profiles.both]\nextends = "published"\namendments = ["{allow}", "{absent}"]\n'
    )
    both = profiles.resolve("both", config=path)
    no_tokens = changed(minimal_job(status="failed"), "/trained_tokens", DELETE)
    assert validation.is_valid(minimal_job(status="cancelled", trained_tokens="n/a"), profile=both)
    assert validation.is_valid(no_tokens, profile=both)
    assert not validation.is_valid(minimal_job(status="failed", trained_tokens="n/a"), profile=both)
    running = changed(minimal_job(status="running"), "/trained_tokens", DELETE)
    assert not validation.is_valid(running, profile=both)
