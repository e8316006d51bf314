"""Coherent jobs: fields that agree with the job's status and method.

The contract alone lets a ``queued`` job carry a ``fine_tuned_model`` and an
``error``; client code often relies on the agreement real jobs show. With
``coherent=True`` both generators pass each drawn FineTuningJob, and each
object shaped like FineTuneMethod, through :func:`cohere`, which only moves
values between those the schema allows (a nullable property set to null, or
to a value drawn from its non-null alternative), so the payload still conforms.

The rules are facts about the API's behaviour, not bounds of the contract:

* ``validating_files``, ``queued``: no ``error``, ``fine_tuned_model``,
  ``finished_at`` or ``trained_tokens``; no result files yet;
* ``running``: none of those four either;
* ``succeeded``: ``finished_at``, ``fine_tuned_model``, ``trained_tokens`` and
  at least one result file; no ``error``;
* ``failed``: an ``error`` object, no ``fine_tuned_model``;
* ``cancelled``: no ``error``, no ``fine_tuned_model``;
* any status: ``created_at`` is the earliest of ``created_at``,
  ``finished_at`` and ``estimated_finish``;
* a method (an object whose ``type`` enum names its other keys) holds the key
  its ``type`` names and no other method's key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from contract.schema.tree import Node

#: The schema document whose objects are jobs.
JOB: Final = "FineTuningJob"

NULL, SET, EMPTY, NONEMPTY = "null", "set", "empty", "non-empty"
_QUIET = {"error": NULL, "fine_tuned_model": NULL, "finished_at": NULL, "trained_tokens": NULL}

#: What each status implies for other properties (a property not named may be anything).
STATUS_RULES: Final[dict[str, dict[str, str]]] = {
    "validating_files": {**_QUIET, "result_files": EMPTY},
    "queued": {**_QUIET, "result_files": EMPTY},
    "running": dict(_QUIET),
    "succeeded": {
        "error": NULL,
        "fine_tuned_model": SET,
        "finished_at": SET,
        "trained_tokens": SET,
        "result_files": NONEMPTY,
    },
    "failed": {"error": SET, "fine_tuned_model": NULL},
    "cancelled": {"error": NULL, "fine_tuned_model": NULL},
}
#: Timestamps that never precede ``created_at``.
LATER_TIMES: Final = ("finished_at", "estimated_finish")

#: Draws a conforming value of a node; the string is the property name it sits under.
Fill = Callable[[Node, str], Any]


def applies(node: Node) -> bool:
    """Whether :func:`cohere` changes values of this node (a job, or a method)."""
    return _is_job(node) or bool(_method_keys(node))


def cohere(value: Any, node: Node, fill: Fill) -> Any:
    """``value`` (conforming to ``node``) made coherent, drawing new parts with ``fill``."""
    if not isinstance(value, dict):
        return value
    if _is_job(node):
        return _cohere_job(value, node, fill)
    keys = _method_keys(node)
    if keys:
        return _cohere_method(value, node, keys, fill)
    return value


def _is_job(node: Node) -> bool:
    return node.doc == JOB and node.pointer == "" and "status" in node.properties


def _method_keys(node: Node) -> tuple[str, ...]:
    """The other properties named by the values of the node's ``type`` enum (optional ones:
    an event's ``type`` ``message`` does not name its required ``message``)."""
    tag = node.properties.get("type")
    if tag is None or tag.enum is None:
        return ()
    return tuple(
        v
        for v in tag.enum
        if isinstance(v, str) and v in node.properties and v not in node.required
    )


def _non_null(node: Node, hint: str, fill: Fill) -> Any:
    """A non-null value of a nullable node: drawn from its first non-null alternative."""
    for branch in node.branches:
        if "null" not in branch.kinds:
            return fill(branch, hint)
    for _ in range(64):
        value = fill(node, hint)
        if value is not None:
            return value
    raise ValueError(f"{node.location}: no non-null value could be drawn")  # pragma: no cover


def _cohere_job(job: dict[str, Any], node: Node, fill: Fill) -> dict[str, Any]:
    job = dict(job)
    status = job.get("status")
    rules = STATUS_RULES.get(status, {}) if isinstance(status, str) else {}
    for prop, rule in rules.items():
        child = node.properties.get(prop)
        if child is None or (prop not in job and prop not in node.required):
            continue
        current = job.get(prop)
        if rule == NULL and "null" in child.kinds:
            job[prop] = None
        elif rule == SET and current is None:
            job[prop] = _non_null(child, prop, fill)
        elif rule == EMPTY and isinstance(current, list) and not child.min_items:
            job[prop] = []
        elif rule == NONEMPTY and current == [] and _can_grow(child):
            assert child.items is not None
            job[prop] = [fill(child.items, prop)]
    _order_times(job)
    return job


def _can_grow(node: Node) -> bool:
    return node.items is not None and node.max_items != 0


def _order_times(job: dict[str, Any]) -> None:
    """Swap timestamps so that ``created_at`` is the earliest one set."""
    created = job.get("created_at")
    if not _is_number(created):
        return
    for prop in LATER_TIMES:
        later = job.get(prop)
        if _is_number(later) and later < created:  # type: ignore[operator]
            job["created_at"], job[prop] = later, created
            created = later


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _cohere_method(
    method: dict[str, Any], node: Node, keys: tuple[str, ...], fill: Fill
) -> dict[str, Any]:
    named = method.get("type")
    result = {k: v for k, v in method.items() if k not in keys or k == named}
    if isinstance(named, str) and named in keys and named not in result:
        result[named] = fill(node.properties[named], named)
    return result
