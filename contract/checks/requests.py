"""The request side of the contract: one recorded request checked against its operation.

What a client sends is checked as carefully as what the API answers:

- the **path id**: the job named in the path (percent-decoded) against the path
  parameter's schema (no spaces, slashes or braces: an unfilled template
  ``{fine_tuning_job_id}``, or ``None`` pasted in, is no id);
- the **query parameters** the operation documents (``limit`` from 1 to 100,
  ``after`` not empty, the ``metadata`` filter written ``metadata[KEY]=VALUE``
  or ``metadata=null``); other query parameters (Azure's ``api-version``) are
  not the contract's and are left alone;
- the **body**: create sends a JSON ``CreateFineTuningJobRequest``; pause,
  resume, cancel, retrieve and list send none (an empty body or ``{}`` is
  nothing). A property the schema marks ``deprecated`` (the top-level
  ``hyperparameters``) is a warning, not a violation.

Every parameter and body rule is read from the operation documents in
``schemas/operations/`` (their ``parameters[].schema`` and ``requestBody``).
A body the recording does not hold (``None``) is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from contract import schema as _registry
from contract.checks.deviations import assess as _assess_payload
from contract.config import Strict
from contract.profiles import ProfileLike
from contract.schema import operations as _operations
from contract.strictjson import Decoded, JSONSyntaxError, decode
from contract.validation import violations_of
from contract.validation._explain import show
from contract.violations import Violation

#: Keyword of a request finding the body's schema does not state: a body where none
#: is documented, or none where one is required.
BODY = "body"
#: Keyword of a warning about a deprecated property the request still sends.
DEPRECATED = "deprecated"

_INTEGER = re.compile(r"-?[0-9]+\Z")
_DEEP_OBJECT = re.compile(r"(?P<name>[^\[\]]+)\[(?P<key>[^\]]*)\]\Z")


@dataclass(frozen=True)
class RequestAssessment:
    """The verdict on one request: what breaks the contract, and what it only warns of."""

    violations: tuple[Violation, ...] = ()
    warnings: tuple[Violation, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class _Parameter:
    name: str
    where: str
    schema: Mapping[str, Any]
    style: str


@cache
def _parameters(op: _operations.Operation) -> tuple[_Parameter, ...]:
    found = []
    for item in op.document.get("parameters", ()):
        schema = item.get("schema") or {"type": item.get("type", "string")}
        found.append(_Parameter(item["name"], item["in"], schema, item.get("style", "form")))
    return tuple(found)


def _schema(op: _operations.Operation, name: str) -> dict[str, Any]:
    (parameter,) = (p for p in _parameters(op) if p.name == name)
    return dict(parameter.schema)


@cache
def _validator(op: _operations.Operation, name: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(op, name))


@cache
def _fast_validator(op: _operations.Operation, name: str) -> Any:
    return jsonschema_rs.validator_for(_schema(op, name), validate_formats=False)


def _surely_valid(parameter: _Parameter, op: _operations.Operation, value: Any) -> bool:
    """Whether jsonschema-rs accepts ``value`` where its verdict is jsonschema's.

    Its regular expressions are ECMA-262's, jsonschema's Python's: they part on a
    few characters (a line feed before ``$``, ``\\x1c``-``\\x1f`` and ``\\x85`` for ``\\s``),
    none of them printable ASCII. So a whole number, null, or a printable ASCII
    string (every id and cursor a client sends) is decided here; anything else,
    and every rejection, by jsonschema, whose errors word the findings.
    """
    if isinstance(value, str):
        if not (value.isascii() and value.isprintable()):
            return False
    elif not (value is None or (type(value) is int and -(2**63) <= value < 2**63)):
        return False
    return bool(_fast_validator(op, parameter.name).is_valid(value))


def request_body_of(op: _operations.Operation) -> tuple[str, str] | None:
    """The media type and schema name of the operation's request body; None when it takes none."""
    body = op.document.get("requestBody")
    if not body:
        return None
    return str(body["content_type"]), _registry.name_of(body["schema"]).removesuffix(".json")


def _where(parameter: _Parameter) -> str:
    return f"{{{parameter.name}}}" if parameter.where == "path" else f"?{parameter.name}"


def _wording(error: ValidationError, value: Any) -> str:
    """One sentence for a parameter's failure, in the words the body checks use."""
    keyword, bound = error.validator, error.validator_value
    instance: Any = error.instance
    shown = show(instance)
    if keyword == "minimum":
        return f"{shown} is less than the minimum of {bound}"
    if keyword == "maximum":
        return f"{shown} is more than the maximum of {bound}"
    if keyword == "minLength":
        return f"{shown} is shorter than {bound} character{'s' if bound != 1 else ''}"
    if keyword == "maxLength":
        return f"{shown} is {len(instance)} characters long, more than the maximum of {bound}"
    if keyword == "pattern":
        return f"{shown} is not an identifier (no spaces, slashes or braces)"
    if keyword == "maxProperties":
        return f"{len(instance)} pairs are more than the maximum of {bound}"
    return str(error.message)


def _schema_failures(
    parameter: _Parameter, op: _operations.Operation, value: Any
) -> list[Violation]:
    if _surely_valid(parameter, op, value):
        return []
    errors = sorted(_validator(op, parameter.name).iter_errors(value), key=lambda e: e.path)
    if not errors:
        return []
    # anyOf (metadata: pairs or null): say what is wrong with the pairs, not with both branches.
    flat: list[ValidationError] = []
    for error in errors:
        flat.extend(_leaves(error))
    place = _where(parameter)
    return [
        Violation(
            place + "".join(f"[{p}]" for p in error.path),
            str(error.validator),
            _wording(error, value),
            f"{op.operation_id}.json#/parameters/{parameter.name}",
        )
        for error in flat
    ]


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = [e for e in error.context if e.validator != "type"]
        if branches:
            yield from branches
            return
    yield error


def _query_violations(op: _operations.Operation, url: str) -> list[Violation]:
    # The query starts at the first "?" of any URL (a redacted host need not parse).
    query = url.partition("#")[0].partition("?")[2]
    pairs = parse_qsl(query, keep_blank_values=True)
    found: list[Violation] = []
    for parameter in _parameters(op):
        if parameter.where != "query":
            continue
        if parameter.style == "deepObject":
            found.extend(_deep_object(parameter, op, pairs))
            continue
        values = [value for name, value in pairs if name == parameter.name]
        if not values:
            continue
        place = _where(parameter)
        if len(values) > 1:
            message = f"given {len(values)} times; the operation reads one value"
            found.append(Violation(place, "repeated", message))
            continue
        value: Any = values[0]
        if parameter.schema.get("type") == "integer":
            if not _INTEGER.match(value):
                found.append(Violation(place, "type", f"{show(value)} is not a whole number"))
                continue
            value = int(value)
        found.extend(_schema_failures(parameter, op, value))
    return found


def _deep_object(
    parameter: _Parameter, op: _operations.Operation, pairs: list[tuple[str, str]]
) -> list[Violation]:
    """A ``deepObject`` filter: ``name[KEY]=VALUE`` pairs, or ``name=null`` for "none"."""
    place = _where(parameter)
    filters: dict[str, str] = {}
    plain: list[str] = []
    found: list[Violation] = []
    for name, value in pairs:
        if name == parameter.name:
            plain.append(value)
            continue
        match = _DEEP_OBJECT.match(name)
        if match is None or match["name"] != parameter.name:
            continue
        if match["key"] in filters:
            message = f"{show(match['key'])} is given more than once; each key filters once"
            found.append(Violation(f"{place}[{match['key']}]", "repeated", message))
        filters[match["key"]] = value
    if not plain and not filters:
        return found
    if plain:
        if plain != ["null"] or filters:
            shown = ", ".join(f"{parameter.name}={show(v)}" for v in plain)
            message = (
                f"{shown} is not a filter: write {parameter.name}[KEY]=VALUE for each pair, "
                f"or {parameter.name}=null alone for jobs without {parameter.name}"
            )
            found.append(Violation(place, "style", message))
            return found
        return found + _schema_failures(parameter, op, None)
    return found + _schema_failures(parameter, op, filters)


def _path_violations(op: _operations.Operation, method: str | None, url: str) -> list[Violation]:
    values = op.path_parameters(method or op.method, url) or {}
    found: list[Violation] = []
    for parameter in _parameters(op):
        if parameter.where == "path" and parameter.name in values:
            found.extend(_schema_failures(parameter, op, values[parameter.name]))
    return found


def _is_empty(body: bytes | str) -> bool:
    return not body.strip()


def _media_type(value: str) -> str:
    return value.partition(";")[0].strip().lower()


def _body_findings(
    op: _operations.Operation,
    body: bytes | str | None,
    content_type: str | None,
    profile: ProfileLike,
    strict: Strict,
) -> tuple[list[Violation], list[Violation]]:
    if body is None:
        return [], []  # the recording does not hold it: nothing to say
    documented = request_body_of(op)
    if documented is None:
        if _is_empty(body) or body.strip() in (b"{}", "{}"):
            return [], []
        size = len(body.encode() if isinstance(body, str) else body)
        message = f"{op.operation_id} takes no request body; the request sent {size} bytes"
        return [Violation("", BODY, message)], []
    media_type, schema = documented
    if _is_empty(body):
        message = f"no request body; {op.operation_id} sends a {schema} as {media_type}"
        return [Violation("", BODY, message)], []
    found: list[Violation] = []
    if content_type is not None and _media_type(content_type) != media_type:
        message = f"request Content-Type {show(content_type)} is not {media_type}"
        found.append(Violation("", "content-type", message))
    try:
        decoded: Decoded = decode(body)
    except JSONSyntaxError as exc:
        return [*found, Violation("", "json", f"request body {exc}")], []
    found.extend(
        Violation("", "json", f"request body is not interoperable JSON: {p}")
        for p in decoded.problems
    )
    payload = decoded.value
    if profile is None and strict == "off":
        found.extend(violations_of(payload, schema))
        warnings: list[Violation] = []
    else:
        checked = _assess_payload(payload, schema, profile, strict=strict)
        found.extend(checked.violations)
        warnings = list(checked.warnings)
    return found, [*_deprecated(payload, schema), *warnings]


@cache
def _deprecated_properties(schema: str) -> tuple[tuple[str, str], ...]:
    properties = _registry.document(schema).get("properties", {})
    return tuple(
        (name, str(rule.get("description", "")))
        for name, rule in properties.items()
        if isinstance(rule, dict) and rule.get("deprecated") is True
    )


def _deprecated(payload: Any, schema: str) -> list[Violation]:
    if not isinstance(payload, dict):
        return []
    return [
        Violation(
            f"/{name}",
            DEPRECATED,
            f"{name} is deprecated (still accepted): {description}"
            if description
            else f"{name} is deprecated (still accepted)",
            f"{schema}.json#/properties/{name}/deprecated",
        )
        for name, description in _deprecated_properties(schema)
        if name in payload
    ]


def assess_request(
    operation: str | _operations.Operation | None,
    *,
    method: str | None = None,
    url: str | None = None,
    body: bytes | str | None = None,
    content_type: str | None = None,
    profile: ProfileLike = None,
    strict: Strict = "off",
) -> RequestAssessment:
    """Check one request of ``operation`` (its id or verb; routed from ``method`` and ``url``
    when None): its path id and query parameters (from ``url``), and its ``body`` (None: not
    recorded, not checked) with the request's ``content_type``, if known.

    ``profile`` and ``strict`` are as for :func:`contract.checks.assess_body`.
    """
    if operation is None:
        routed = _operations.route(method, url)
        if routed is None:
            raise ValueError(f"{method} {url} is not a call of a jobs operation")
        op = routed.operation
    else:
        op = _operations.get(operation)
    violations: list[Violation] = []
    if url is not None:
        violations.extend(_path_violations(op, method, url))
        violations.extend(_query_violations(op, url))
    found, warnings = _body_findings(op, body, content_type, profile, strict)
    return RequestAssessment((*violations, *found), tuple(warnings))


def check_request(
    operation: str | _operations.Operation | None,
    *,
    method: str | None = None,
    url: str | None = None,
    body: bytes | str | None = None,
    content_type: str | None = None,
    profile: ProfileLike = None,
) -> list[Violation]:
    """Every violation of one request (warnings left out); see :func:`assess_request`."""
    found = assess_request(
        operation, method=method, url=url, body=body, content_type=content_type, profile=profile
    )
    return list(found.violations)


__all__ = [
    "BODY",
    "DEPRECATED",
    "RequestAssessment",
    "assess_request",
    "check_request",
    "request_body_of",
]
