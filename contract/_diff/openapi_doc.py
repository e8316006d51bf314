"""Reading a published OpenAPI document (3.0 or 3.1, YAML or JSON) for ``diff``.

Loads it, finds the jobs operations (those of our contract by operation id,
and any other under ``/fine_tuning/jobs`` whose response is a schema we
have), resolves its internal ``$ref``s, and turns its schemas into JSON
Schema 2020-12 for checking its examples (``nullable: true`` becomes a null
alternative; a boolean ``exclusiveMinimum``/``exclusiveMaximum``, the
OpenAPI 3.0 form, becomes the numeric bound it means).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contract._core import jsonpointer

#: Largest document read (the whole published OpenAPI document is a few MB).
MAX_BYTES = 64 * 1024 * 1024

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: The path every jobs operation lives under.
JOBS_PATH = "/fine_tuning/jobs"
_COMPONENT = "#/components/schemas/"


class OpenAPIError(Exception):
    """The document cannot be read or is not an OpenAPI document; one line."""


@dataclass(frozen=True)
class UpstreamOperation:
    """One operation of the published document."""

    operation_id: str
    method: str
    path: str
    spec: Mapping[str, Any]
    where: str


@dataclass(frozen=True)
class Document:
    """A loaded OpenAPI document."""

    source: str
    data: Mapping[str, Any]
    version: str

    def resolve(self, ref: str, where: str) -> Any:
        """The target of an internal ``$ref`` (``#/…``); :class:`OpenAPIError` otherwise."""
        if not ref.startswith("#"):
            raise OpenAPIError(f"{self.source}: {where}: external $ref {ref!r} is not supported")
        node: Any = self.data
        for part in jsonpointer.split(ref[1:]):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise OpenAPIError(f"{self.source}: {where}: $ref {ref!r} points nowhere")
        return node

    @staticmethod
    def component_name(ref: str) -> str | None:
        """``FineTuningJob`` for ``#/components/schemas/FineTuningJob``, else None."""
        if ref.startswith(_COMPONENT) and "/" not in ref[len(_COMPONENT) :]:
            return ref[len(_COMPONENT) :]
        return None

    def components(self) -> Mapping[str, Any]:
        found = self.data.get("components", {})
        schemas = found.get("schemas", {}) if isinstance(found, Mapping) else {}
        return schemas if isinstance(schemas, Mapping) else {}

    def operations(self) -> Iterator[UpstreamOperation]:
        """Every operation under the jobs path."""
        for path, item in self.data["paths"].items():
            if not isinstance(path, str) or not isinstance(item, Mapping):
                continue
            if path != JOBS_PATH and not path.startswith(JOBS_PATH + "/"):
                continue
            for method in HTTP_METHODS:
                spec = item.get(method)
                if isinstance(spec, Mapping):
                    operation_id = str(spec.get("operationId") or f"{method.upper()} {path}")
                    where = f"paths.{path}.{method}"
                    yield UpstreamOperation(operation_id, method.upper(), path, spec, where)


def _parse(path: Path, raw: bytes) -> Any:
    text = raw.decode("utf-8-sig")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise OpenAPIError(
                f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
            ) from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise OpenAPIError(f"{path}{place}: not valid YAML: {problem}") from None


def load(path: str | Path) -> Document:
    """Read an OpenAPI document; :class:`OpenAPIError` (file and place) when it cannot be used."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise OpenAPIError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise OpenAPIError(f"{file}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = _parse(file, raw)
    except UnicodeDecodeError as exc:
        raise OpenAPIError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise OpenAPIError(f"{file}: nested too deeply") from None
    if not isinstance(data, Mapping):
        raise OpenAPIError(f"{file}: not an OpenAPI document (the top level is not an object)")
    version = data.get("openapi")
    if version is None:
        version = "3.1 (assumed: no openapi field)"
    elif not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise OpenAPIError(f"{file}: openapi: {version!r} is not OpenAPI 3.0 or 3.1")
    if not isinstance(data.get("paths"), Mapping):
        raise OpenAPIError(f"{file}: paths: missing or not an object")
    return Document(str(file), data, version)


# -- OpenAPI schema -> JSON Schema 2020-12 (for validating the document's examples) --------

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


def as_json_schema(schema: Any) -> Any:
    """An OpenAPI schema object as JSON Schema 2020-12 (a converted copy)."""
    if not isinstance(schema, Mapping):
        return copy.deepcopy(schema)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: as_json_schema(v) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [as_json_schema(v) for v in value]
        elif key in _SCHEMA_ONE:
            out[key] = as_json_schema(value)
        elif key != "nullable":
            out[key] = copy.deepcopy(value)
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.pop(exclusive) if isinstance(out.get(exclusive), bool) else None
        if flag and bound in out:
            out[exclusive] = out.pop(bound)
    if schema.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def as_json_schema_document(document: Document) -> dict[str, Any]:
    """The document with every component schema converted (other parts as they are)."""
    data = dict(document.data)
    components = dict(data.get("components") or {})
    components["schemas"] = {k: as_json_schema(v) for k, v in document.components().items()}
    data["components"] = components
    return data
