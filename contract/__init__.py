"""Contract testing for the fine-tuning API's pause operation.

The contract is the set of JSON Schema documents under ``schemas/``; this
package validates payloads and responses against them::

    import contract
    contract.validate(payload)                    # raises contract.ContractViolation
    list(contract.iter_violations(payload))       # every violation
    contract.is_valid(payload, schema="Metadata") # bool, fast path
    contract.check_response(200, headers, body, job_id="ftjob-abc123")
"""

from __future__ import annotations

from contract.registry import DEFAULT_SCHEMA, schema_names
from contract.response import check_body, check_response
from contract.validation import is_valid, iter_violations, validate
from contract.violations import ContractViolation, Violation

__all__ = [
    "DEFAULT_SCHEMA",
    "ContractViolation",
    "Violation",
    "check_body",
    "check_response",
    "is_valid",
    "iter_violations",
    "schema_names",
    "validate",
]

__version__ = "0.1.0"
