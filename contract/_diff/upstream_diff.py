"""``diff``: the published OpenAPI document against our contract, and its own examples.

:func:`compare` returns a :class:`DiffReport`: the operations (added,
removed, changed; their parameters and responses), every schema reachable
from the jobs operations compared with ours (see :mod:`contract._diff.schema_diff`),
the places that differ only by one of our documented fixes, and the
document's own example responses checked against the document's own schemas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import referencing
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing.jsonschema import DRAFT202012

from contract import schema as _registry
from contract._diff.openapi_doc import (
    Document,
    OpenAPIError,
    UpstreamOperation,
    as_json_schema_document,
)
from contract._diff.schema_diff import FIXES, Comparison, Difference, Fix, Ours, Upstream
from contract.redact import redact
from contract.schema import operations as _operations
from contract.validation._explain import pointer

_UPSTREAM_URI = "urn:finetune-contract:upstream-openapi"
_JSON = "application/json"
_MAX_PROBLEMS = 10
#: Top-level keys under which the trimmed reference document keeps upstream examples.
_KEPT_SUFFIX = "_example_from_upstream_docs"


@dataclass(frozen=True)
class Example:
    """One example of the document, and why it does not conform (empty: it does)."""

    where: str
    problems: tuple[str, ...]

    @property
    def conforms(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "conforms": self.conforms, "problems": list(self.problems)}


@dataclass
class DiffReport:
    """Everything ``diff`` found."""

    source: str
    version: str
    differences: list[Difference] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)
    #: Component examples of other APIs left unchecked (``diff`` without ``--all``).
    examples_skipped: int = 0

    @property
    def exit_status(self) -> int:
        """0: nothing but documented fixes differs; 1: something else does."""
        return 1 if self.differences else 0

    def as_dict(self) -> dict[str, Any]:
        failing = [e for e in self.examples if not e.conforms]
        return {
            "source": self.source,
            "openapi": self.version,
            "differences": [d.as_dict() for d in self.differences],
            "fixes": [f.as_dict() for f in self.fixes],
            "examples": [e.as_dict() for e in self.examples],
            "not_compared": self.not_compared,
            "summary": {
                "differences": len(self.differences),
                "fixes": len({f.number for f in self.fixes}),
                "fix_places": len(self.fixes),
                "examples": len(self.examples),
                "examples_not_conforming": len(failing),
                "examples_of_other_apis_skipped": self.examples_skipped,
            },
        }

    def lines(self) -> list[str]:
        """The text report: one line per difference, per fix, per non-conforming example."""
        out = [str(d) for d in self.differences]
        for number in sorted({f.number for f in self.fixes}):
            places = list(dict.fromkeys(f.where for f in self.fixes if f.number == number))
            shown = ", ".join(places[:3]) + (", …" if len(places) > 3 else "")
            count = f"{len(places)} place{'s' if len(places) != 1 else ''}"
            out.append(f"documented fix {number} ({FIXES[number]}): {count}: {shown}")
        for example in self.examples:
            if not example.conforms:
                out.append(
                    f"example does not conform: {example.where}: " + "; ".join(example.problems)
                )
        summary = self.as_dict()["summary"]
        count = summary["differences"]
        out.append(
            f"diff: {count} difference{'s' if count != 1 else ''}, "
            f"{summary['fixes']} documented fixes ({summary['fix_places']} places), "
            f"{summary['examples_not_conforming']} of {summary['examples']} examples do not conform"
            + (
                f" ({self.examples_skipped} example{'s' if self.examples_skipped != 1 else ''}"
                " of other APIs not checked; --all checks them)"
                if self.examples_skipped
                else ""
            )
        )
        return out


# -- operations -------------------------------------------------------------------------


def _json_schema(document: Document, response: Any, where: str) -> Any:
    if isinstance(response, Mapping) and "$ref" in response:
        response = document.resolve(str(response["$ref"]), where)
    content = response.get("content", {}) if isinstance(response, Mapping) else {}
    media = content.get(_JSON) if isinstance(content, Mapping) else None
    return media.get("schema") if isinstance(media, Mapping) else None


def _answers_with_ours(document: Document, operation: UpstreamOperation) -> bool:
    names = set(_registry.schema_names())
    for status, response in (operation.spec.get("responses") or {}).items():
        schema = _json_schema(document, response, f"{operation.where}.responses.{status}")
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if isinstance(ref, str) and Document.component_name(ref) in names:
            return True
    return False


def _parameters(document: Document, operation: UpstreamOperation) -> dict[tuple[str, str], Any]:
    item = document.data["paths"].get(operation.path, {})
    found: dict[tuple[str, str], Any] = {}
    for spec in [*(item.get("parameters") or ()), *(operation.spec.get("parameters") or ())]:
        if isinstance(spec, Mapping) and "$ref" in spec:
            spec = document.resolve(str(spec["$ref"]), f"{operation.where}.parameters")
        if isinstance(spec, Mapping) and "name" in spec:
            found[(str(spec.get("in")), str(spec["name"]))] = spec
    return found


def _compare_parameters(
    document: Document, ours: _operations.Operation, theirs: UpstreamOperation, out: Comparison
) -> None:
    mine = {(str(p["in"]), str(p["name"])): p for p in ours.document.get("parameters", ())}
    upstream = _parameters(document, theirs)
    where = ours.operation_id
    for key in upstream:
        if key not in mine:
            out.differ("parameter added", where, f"{key[0]} parameter {key[1]!r}")
    for key in mine:
        if key not in upstream:
            out.differ("parameter removed", where, f"{key[0]} parameter {key[1]!r}")
    for key, spec in upstream.items():
        if key not in mine:
            continue
        if bool(spec.get("required", False)) != bool(mine[key].get("required", False)):
            out.differ("parameter changed", where, f"{key[1]!r}: required differs")
        schema = spec.get("schema") if isinstance(spec.get("schema"), Mapping) else {}
        kind, our_kind = schema.get("type"), mine[key].get("type")
        if kind is not None and kind != our_kind:
            out.differ(
                "parameter changed",
                where,
                f"{key[1]!r}: type {our_kind} (ours) -> {kind} (upstream)",
            )
        declared = mine[key].get("schema")
        own: Mapping[str, Any] = declared if isinstance(declared, Mapping) else {}
        for bound in _PARAMETER_BOUNDS:
            if bound in _ENCODED and schema.get(bound) is None and own.get(bound) is not None:
                detail = f"{key[1]!r}: {bound} {_shown(own.get(bound))} encoded"
                out.fixes.append(Fix(8, where, detail))
            elif own.get(bound) != schema.get(bound):
                out.differ(
                    "parameter changed",
                    where,
                    f"{key[1]!r}: {bound} {_shown(own.get(bound))} (ours) -> "
                    f"{_shown(schema.get(bound))} (upstream)",
                )


#: The keywords of a parameter's schema compared with upstream (its type is compared above).
_PARAMETER_BOUNDS = ("default", "minimum", "maximum", "minLength", "maxLength", "enum")


#: Bounds a parameter's prose states (or a request needs) that upstream leaves out: fix 8.
_ENCODED = ("minimum", "maximum", "minLength")


def _shown(value: Any) -> str:
    return "none" if value is None else json.dumps(value)


def _compare_operation(
    document: Document, ours: _operations.Operation, theirs: UpstreamOperation, out: Comparison
) -> None:
    where = ours.operation_id
    if (ours.method, ours.path) != (theirs.method, theirs.path):
        out.differ(
            "operation changed",
            where,
            f"{ours.method} {ours.path} (ours) -> {theirs.method} {theirs.path} (upstream)",
        )
    _compare_parameters(document, ours, theirs, out)
    responses = {str(k): v for k, v in (theirs.spec.get("responses") or {}).items()}
    status = str(ours.status)
    for code in responses:
        if code != status:
            out.differ("response added", where, f"status {code}")
    if status not in responses:
        out.differ("response removed", where, f"status {status}")
        return
    schema = _json_schema(document, responses[status], f"{theirs.where}.responses.{status}")
    if schema is None:
        out.differ("response changed", where, f"status {status} has no {_JSON} body upstream")
        return
    uri = _registry.uri_of(ours.schema)
    out.compare((schema, ""), ({"$ref": uri}, uri), ours.schema)


def _compare_operations(document: Document, out: Comparison, report: DiffReport) -> None:
    ours = {op.operation_id: op for op in _operations.operations()}
    found: dict[str, UpstreamOperation] = {}
    for operation in document.operations():
        if operation.operation_id in ours:
            found[operation.operation_id] = operation
        elif _answers_with_ours(document, operation):
            out.differ(
                "operation added",
                operation.operation_id,
                f"{operation.method} {operation.path}",
            )
        else:
            report.not_compared.append(
                f"{operation.method} {operation.path} ({operation.operation_id})"
            )
    for operation_id in sorted(ours):
        op = ours[operation_id]
        if operation_id not in found:
            out.differ("operation removed", operation_id, f"{op.method} {op.path}")
            continue
        _compare_operation(document, op, found[operation_id], out)
    components = document.components()
    for name in sorted({op.error_schema for op in ours.values()}):
        if name in components:
            uri = _registry.uri_of(name)
            out.compare(({"$ref": f"#/components/schemas/{name}"}, ""), ({"$ref": uri}, uri), name)


# -- the document's own examples ----------------------------------------------------------


def _decoded(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return value, None
    try:
        return json.loads(value), None
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _family(document: Document) -> set[str]:
    """The components the jobs operations reach (by ``$ref``, transitively): the jobs family."""
    ours = {op.operation_id for op in _operations.operations()}
    found: set[str] = set()
    pending: list[Any] = [op.spec for op in document.operations() if op.operation_id in ours]
    components = document.components()
    while pending:
        value = pending.pop()
        if isinstance(value, Mapping):
            ref = value.get("$ref")
            name = Document.component_name(ref) if isinstance(ref, str) else None
            if name is not None and name not in found:
                found.add(name)
                pending.append(components.get(name))
            pending.extend(v for k, v in value.items() if k != "x-oaiMeta")
        elif isinstance(value, list):
            pending.extend(value)
    return found


def _examples(document: Document, family: set[str] | None) -> Iterator[tuple[str, Any, str]]:
    """(where, example, component the example must conform to).

    ``family``: the components whose own examples are checked (None: every component).
    """
    ours = {op.operation_id for op in _operations.operations()}
    for operation in document.operations():
        if operation.operation_id not in ours:
            continue
        responses = operation.spec.get("responses") or {}
        schema = _json_schema(document, responses.get("200") or responses.get(200), operation.where)
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        component = Document.component_name(ref) if isinstance(ref, str) else None
        meta = operation.spec.get("x-oaiMeta")
        examples = meta.get("examples") if isinstance(meta, Mapping) else None
        listed = examples if isinstance(examples, list) else [examples] if examples else []
        for index, entry in enumerate(listed):
            if isinstance(entry, Mapping) and "response" in entry and component:
                title = entry.get("title") or (str(index + 1) if len(listed) > 1 else "")
                label = f"{operation.operation_id} response example" + (
                    f" {title!r}" if title else ""
                )
                yield label, entry["response"], component
    for name, schema in document.components().items():
        if family is not None and name not in family:
            continue
        meta = schema.get("x-oaiMeta") if isinstance(schema, Mapping) else None
        if isinstance(meta, Mapping) and "example" in meta:
            yield f"{name} object example", meta["example"], str(name)
    for key, value in document.data.items():
        if not (isinstance(key, str) and key.endswith(_KEPT_SUFFIX)):
            continue
        stem = key[: -len(_KEPT_SUFFIX)]
        if stem.endswith("_response"):
            verb = stem[: -len("_response")]
            for operation_id in sorted(ours):
                if _snake(operation_id).startswith(verb + "_"):
                    yield (
                        f"{operation_id} response example ({key})",
                        value,
                        _operations.get(operation_id).schema,
                    )
        elif stem.endswith("_object"):
            for name in document.components():
                if _snake(str(name)) == stem[: -len("_object")]:
                    yield f"{name} object example ({key})", value, str(name)


def _problem(error: ValidationError) -> str:
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            error = deepest
    where = pointer(error.absolute_path) or "<root>"
    message = redact(error.message)  # before the cut: a credential across it is masked whole
    message = message if len(message) <= 120 else message[:119] + "…"
    return f"{where}: {message}"


def _skipped(document: Document, family: set[str]) -> int:
    """How many component examples lie outside the family."""
    return sum(
        1
        for name, schema in document.components().items()
        if name not in family
        and isinstance(schema, Mapping)
        and isinstance(schema.get("x-oaiMeta"), Mapping)
        and "example" in schema["x-oaiMeta"]
    )


def _check_examples(document: Document, report: DiffReport, everything: bool = False) -> None:
    converted = as_json_schema_document(document)
    resource = DRAFT202012.create_resource(converted)
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        _UPSTREAM_URI, resource
    )
    family = None if everything else _family(document)
    if family is not None:
        report.examples_skipped = _skipped(document, family)
    for where, value, component in _examples(document, family):
        payload, problem = _decoded(value)
        if problem is not None:
            report.examples.append(Example(where, (problem,)))
            continue
        if component not in document.components():
            continue
        target = {"$ref": f"{_UPSTREAM_URI}#/components/schemas/{component}"}
        validator = Draft202012Validator(target, registry=registry)
        try:
            errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
        except referencing.exceptions.Unresolvable as exc:
            raise OpenAPIError(f"{document.source}: {where}: unresolvable $ref {exc}") from None
        problems = [_problem(e) for e in errors]
        if len(problems) > _MAX_PROBLEMS:
            problems = [*problems[:_MAX_PROBLEMS], f"and {len(problems) - _MAX_PROBLEMS} more"]
        report.examples.append(Example(where, tuple(problems)))


def compare(document: Document, everything: bool = False) -> DiffReport:
    """Compare ``document`` with our contract; :class:`OpenAPIError` for unusable input.

    The document's own examples are checked for the jobs family (the components the jobs
    operations reach); ``everything`` checks every component's example too.
    """
    report = DiffReport(document.source, document.version)
    comparison = Comparison(Upstream(document), Ours())
    try:
        _compare_operations(document, comparison, report)
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise OpenAPIError(
            f"{document.source}: unexpected structure ({type(exc).__name__}: {exc})"
        ) from None
    report.differences = list(dict.fromkeys(comparison.differences))
    report.fixes = list(dict.fromkeys(comparison.fixes))
    _check_examples(document, report, everything)
    return report
