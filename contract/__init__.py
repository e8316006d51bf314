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

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "DEFAULT_SCHEMA": "contract.registry",
    "assess_response": "contract.response",
    "assess_body": "contract.response",
    "schema_names": "contract.registry",
    "check_body": "contract.response",
    "check_response": "contract.response",
    "is_valid": "contract.validation",
    "iter_violations": "contract.validation",
    "validate": "contract.validation",
    "ContractViolation": "contract.violations",
    "Violation": "contract.violations",
    "Contract": "contract.checker",
    "httpx_hook": "contract.hooks",
    "ContractServer": "contract.server",
}
_SUBMODULES = (
    "strategies",
    "constraints",
    "fuzz",
    "recordings",
    "live",
    "operations",
    "sampler",
    "profiles",
    "checking",
)

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
    from contract import (
        checking,
        constraints,
        fuzz,
        live,
        operations,
        profiles,
        recordings,
        strategies,
    )
    from contract.checker import Contract
    from contract.hooks import httpx_hook
    from contract.registry import DEFAULT_SCHEMA, schema_names
    from contract.response import assess_body, assess_response, check_body, check_response
    from contract.server import ContractServer
    from contract.validation import is_valid, iter_violations, validate
    from contract.violations import ContractViolation, Violation


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"contract.{name}")
    else:
        raise AttributeError(f"module 'contract' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
