"""Names the plugin's parts share: report property keys, limits, the API key as a secret."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


#: Keyword on every item that checks a recorded or live response (survives xdist's transfer).
ITEM_KEYWORD = "contract_interaction"
#: ``user_properties`` key holding an item's verdict: valid, invalid, api-error, unreadable.
VERDICT = "contract_verdict"
#: ``user_properties`` key holding how many jobs the checked body held.
JOBS = "contract_jobs"
#: ``user_properties`` key holding what the body exercised (``--contract-coverage``).
OBSERVED = "contract_observed"
#: ``user_properties`` keys: the profile's amendments the body needed, the known deviations
#: outside the profile it showed, and its unknown properties (strict mode).
NEEDED, DEVIATIONS, UNKNOWN = "contract_needed", "contract_deviations", "contract_unknown"
#: ``user_properties`` key holding the recorded request's verdict (valid, invalid), if checked.
REQUEST = "contract_request"
_MAX_WARNINGS = 20
_WORKER_OUTPUT = "finetune_contract_collection"
#: ``user_properties`` key of a file item: the sums of the responses it checked and the other
#: calls it skipped (:meth:`contract.plugin._properties.Counts.as_data`), one value for the file.
BATCH = "contract_batch"
#: ``user_properties`` key: what the baseline did with the response's findings
#: (``{"seen": [fingerprints], "expired": [entries], "accepted": n}``).
BASELINE = "contract_baseline"
_MAX_FAILURES_SHOWN = 20


def _secrets() -> tuple[str, ...]:
    """The API key from the environment, as a :class:`~contract.redact.Secret` (masked repr)."""
    from contract.redact import secret

    key = secret(os.environ.get("OPENAI_API_KEY"))
    return (key,) if key else ()
