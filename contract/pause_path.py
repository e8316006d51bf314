"""Recognising the pause operation's requests, from the operation document alone.

The method and the path template (``/fine_tuning/jobs/{fine_tuning_job_id}/pause``)
come from ``schemas/operations/pauseFineTuningJob.json``; nothing here repeats
them. A request matches when its method is the operation's and its URL path
*ends* with the template, so any base URL prefix (``/v1``, a proxy's
``/openai/v1``) is accepted. Path parameters are percent-decoded.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import quote, unquote, urlsplit

from contract import registry as _registry

_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def method() -> str:
    """The operation's HTTP method (``POST``)."""
    return str(_registry.operation()["method"]).upper()


def template() -> str:
    """The operation's path template, as the operation document writes it."""
    return str(_registry.operation()["path"])


@cache
def _pattern() -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for found in _PARAMETER.finditer(template()):
        parts.append(re.escape(template()[position : found.start()]))
        parts.append(f"(?P<{found.group(1)}>[^/]+)")
        position = found.end()
    parts.append(re.escape(template()[position:]))
    # The template starts with "/": anything before it is a base path prefix.
    return re.compile("(?:.*)" + "".join(parts) + r"\Z", re.DOTALL)


def _path_of(url: str) -> str:
    """The path of an absolute URL, or of a bare path (query and fragment dropped)."""
    return urlsplit(url).path if "://" in url else url.partition("?")[0].partition("#")[0]


def path_parameters(http_method: str | None, url: str | None) -> dict[str, str] | None:
    """The percent-decoded path parameters of a pause request; None for any other request."""
    if not http_method or url is None or http_method.upper() != method():
        return None
    found = _pattern().match(_path_of(str(url)))
    if found is None:
        return None
    return {name: unquote(value) for name, value in found.groupdict().items()}


def job_id(http_method: str | None, url: str | None) -> str | None:
    """The job id a pause request names, or None when the request is not a pause call."""
    parameters = path_parameters(http_method, url)
    if parameters is None:
        return None
    ((_, value),) = parameters.items()
    return value


def is_pause(http_method: str | None, url: str | None) -> bool:
    """Whether ``http_method url`` is a call of the pause operation."""
    return path_parameters(http_method, url) is not None


def url_for(base_url: str, job: str) -> str:
    """The pause URL for ``job`` under ``base_url`` (the id percent-encoded)."""
    (name,) = _PARAMETER.findall(template())
    path = template().replace("{" + name + "}", quote(job, safe=""))
    return base_url.rstrip("/") + path


__all__ = ["is_pause", "job_id", "method", "path_parameters", "template", "url_for"]
