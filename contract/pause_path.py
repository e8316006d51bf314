"""The pause operation's request matching, kept for the modules that still import it.

New code uses :mod:`contract.operations`, which covers every jobs operation.
"""

from __future__ import annotations

from contract import operations


def method() -> str:
    """The pause operation's HTTP method (``POST``)."""
    return operations.pause().method


def template() -> str:
    """The pause operation's path template."""
    return operations.pause().path


def path_parameters(http_method: str | None, url: str | None) -> dict[str, str] | None:
    """The percent-decoded path parameters of a pause request; None for any other request."""
    return operations.pause().path_parameters(http_method, url)


def job_id(http_method: str | None, url: str | None) -> str | None:
    """The job id a pause request names, or None when the request is not a pause call."""
    return (path_parameters(http_method, url) or {}).get("fine_tuning_job_id")


def is_pause(http_method: str | None, url: str | None) -> bool:
    """Whether ``http_method url`` is a call of the pause operation."""
    return path_parameters(http_method, url) is not None


def url_for(base_url: str, job: str) -> str:
    """The pause URL for ``job`` under ``base_url`` (the id percent-encoded)."""
    return operations.pause().url_for(base_url, job)


__all__ = ["is_pause", "job_id", "method", "path_parameters", "template", "url_for"]
