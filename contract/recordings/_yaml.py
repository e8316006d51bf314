"""Loading YAML recordings safely: no Python objects, bounded aliases, one-line errors."""

from __future__ import annotations

from functools import cache
from typing import Any

from contract.recordings._model import RecordingError


@cache
def _safe_loader() -> Any:
    """The safe loader, also reading Ruby's ``!binary`` tag (Ruby VCR's compressed bodies)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("SafeLoader", (base,), {})
    loader.add_constructor("!binary", base.construct_yaml_binary)
    return loader


def load(data: bytes, label: str) -> Any:
    """The YAML document in ``data``, loaded with a safe loader; RecordingError otherwise."""
    import yaml

    loader = _safe_loader()
    try:
        return yaml.load(data, Loader=loader)  # a safe loader: no Python tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        if "python/" in str(problem) or "python/" in str(exc):
            reason = (
                "holds Python object tags (as pre-1.0 vcrpy cassettes do), which safe loading "
                "refuses; re-record it, or migrate it with vcrpy's migration script"
            )
        else:
            reason = f"is not readable YAML ({problem}{where})"
        raise RecordingError(label, reason) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Explicit tags whose text does not parse (!!int x, !!timestamp 2020-13-45).
        raise RecordingError(
            label, f"is not readable YAML (a tagged value does not parse: {exc})"
        ) from None


__all__ = ["load"]
