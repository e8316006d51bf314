"""What every worker process needs, made once in the fork server they start from.

:func:`contract.engine._parallel.in_processes` names this module to the
``forkserver`` start method, which imports it before it forks any worker:
each worker then starts with the engine's modules imported, the jobs
validator and the jobs coverage counter compiled, instead of importing and
compiling them itself (about 0.3 s of CPU a worker). Anything else a run
needs (another profile, another type) is still made by the worker that
first needs it.
"""

from __future__ import annotations

import contract.engine._work  # noqa: F401  (the module every unit of work runs in)
from contract import schema as _registry
from contract.traffic._slots import Counter
from contract.validation import fast_validator


def warm() -> None:
    """Compile what a worker checking jobs needs first (cached for the whole process)."""
    fast_validator(_registry.DEFAULT_SCHEMA)
    Counter.of(_registry.DEFAULT_SCHEMA).count  # noqa: B018  (compiled when first read)


warm()

__all__ = ["warm"]
