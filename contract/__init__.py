"""Contract testing for the fine-tuning API's pause operation.

The contract is the set of JSON Schema documents under ``schemas/``; this
package validates payloads and responses against them::

    import contract
    contract.validate(payload)                    # raises contract.ContractViolation
    list(contract.iter_violations(payload))       # every violation
    contract.is_valid(payload, schema="Metadata") # bool, fast path
    contract.check_response(200, headers, body, job_id="ftjob-abc123")

Names are imported on first use (PEP 562), so loading the pytest plugin,
which lives in this package, costs nothing until the toolkit is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "DEFAULT_SCHEMA": "contract.schema",
    "assess_response": "contract.checks",
    "assess_body": "contract.checks",
    "schema_names": "contract.schema",
    "check_body": "contract.checks",
    "check_response": "contract.checks",
    "is_valid": "contract.validation",
    "iter_violations": "contract.validation",
    "validate": "contract.validation",
    "ContractViolation": "contract.violations",
    "Violation": "contract.violations",
    "Contract": "contract.testing.contract",
    "httpx_hook": "contract.testing.contract",
    "ContractServer": "contract.testing.server",
}
# Public submodule name -> where it lives now.
_SUBMODULES = {
    "strategies": "contract.generate.strategies",
    "constraints": "contract.generate.constraints",
    "fuzz": "contract.fuzz",
    "recordings": "contract.recordings",
    "live": "contract.testing.live",
    "operations": "contract.schema.operations",
    "sampler": "contract.generate.sampler",
    "profiles": "contract.profiles",
    "checking": "contract.engine",
}

__all__ = [
    "DEFAULT_SCHEMA",
    "Contract",
    "ContractServer",
    "ContractViolation",
    "Violation",
    "assess_body",
    "assess_response",
    "check_body",
    "check_response",
    "checking",
    "constraints",
    "fuzz",
    "httpx_hook",
    "is_valid",
    "iter_violations",
    "live",
    "operations",
    "profiles",
    "recordings",
    "sampler",
    "schema_names",
    "strategies",
    "validate",
]

if TYPE_CHECKING:
    from contract import engine as checking
    from contract import fuzz, profiles, recordings
    from contract.checks import assess_body, assess_response, check_body, check_response
    from contract.generate import constraints, sampler, strategies
    from contract.schema import DEFAULT_SCHEMA, operations, schema_names
    from contract.testing import live
    from contract.testing.contract import Contract, httpx_hook
    from contract.testing.server import ContractServer
    from contract.validation import is_valid, iter_violations, validate
    from contract.violations import ContractViolation, Violation


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(_SUBMODULES[name])
    else:
        raise AttributeError(f"module 'contract' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
