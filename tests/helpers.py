"""Small helpers shared by the test modules."""

from __future__ import annotations

import copy
from typing import Any

import contract

DELETE = object()


def minimal_job(**changes: Any) -> dict[str, Any]:
    """The smallest FineTuningJob that conforms: every required property, nothing else."""
    job: dict[str, Any] = {
        "id": "ftjob-abc123",
        "created_at": 1721764800,
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": {},
        "model": "gpt-4o-mini-2024-07-18",
        "object": "fine_tuning.job",
        "organization_id": "org-123",
        "result_files": [],
        "status": "running",
        "trained_tokens": None,
        "training_file": "file-abc123",
        "validation_file": None,
        "seed": 7,
    }
    job.update(changes)
    return job


def changed(document: Any, pointer: str, value: Any) -> Any:
    """A deep copy of ``document`` with ``pointer`` set to ``value`` (deleted for DELETE)."""
    result = copy.deepcopy(document)
    if pointer == "":
        return copy.deepcopy(value)
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = result
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = copy.deepcopy(value)
    return result


def reported(payload: Any, schema: str = "FineTuningJob") -> set[tuple[str, str]]:
    """The (path, keyword) pairs the validator reports."""
    return {(v.path, v.keyword) for v in contract.iter_violations(payload, schema=schema)}
