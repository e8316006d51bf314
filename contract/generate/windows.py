"""What both generators share: the Hypothesis strategies and the direct sampler.

Nothing here imports Hypothesis. The only numbers written here are the
"realistic" windows used where the schema leaves a side open (plausible
timestamps and identifiers) and the int64 / exact-float limits that keep
values JSON-safe; every bound of the contract is read from the schema nodes.
"""

from __future__ import annotations

from contract.schema.tree import Node

#: JSON-safe integer range used where the schema leaves a side open (int64).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: Integers up to this size are exactly representable as floats.
EXACT_FLOAT_INT = 2**53
#: Plausible Unix timestamps (2020-09-13 .. 2030-03-17) for ``format: unixtime``.
REALISTIC_TIME = (1_600_000_000, 1_900_000_000)
#: Plausible window for open-ended integers and numbers in realistic mode.
REALISTIC_INT = (0, 2**31 - 1)
REALISTIC_FLOAT = (0.0, 1000.0)
#: Integers with no schema bound at all, in realistic mode (wrong-type values, any-JSON).
SMALL_INT = (-1000, 1000)

#: Base models a realistic job names.
BASE_MODELS = (
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-2025-04-14",
    "o4-mini-2025-04-16",
    "gpt-3.5-turbo-0125",
)
#: Unknown properties real responses have been seen to carry.
REALISTIC_EXTRA_KEYS = ("user_provided_suffix", "usage_metrics", "shared_with_openai", "eval_id")
#: Identifier prefixes by the property name a plain string sits under (realistic mode).
ID_PREFIXES = {
    "id": "ftjob-",
    "training_file": "file-",
    "validation_file": "file-",
    "result_files": "file-",
    "organization_id": "org-",
}
#: Longest random tail of a realistic identifier.
ID_TAIL = 24

#: One draw in RARE_ODDS takes the rare case: a size limit exactly (strings, arrays,
#: objects), or an integer written as ``7.0``. Often enough to reach it in a few hundred
#: examples, rare enough to keep payloads small and varied.
RARE_ODDS = 16

#: In a minimal context, how many entries beyond its minimum a container that holds a
#: chosen entry may have, so the chosen one's position varies.
SIBLINGS = 2

#: The hinted strings as one fixed readable value each (for the deterministic corpus).
HINT_EXAMPLES: dict[str, str] = {
    "id": "ftjob-abc123",
    "training_file": "file-abc123",
    "validation_file": "file-def456",
    "result_files": "file-ghi789",
    "organization_id": "org-abc123",
    "model": BASE_MODELS[0],
    "fine_tuned_model": f"ft:{BASE_MODELS[0]}:my-org::abc12345",
}

_ORDER = {"null": 0, "boolean": 1, "integer": 2, "number": 3, "string": 4, "array": 5, "object": 6}


def type_order(name: str) -> int:
    """Rank of a JSON Schema type name, simplest first (null, boolean, ... object)."""
    return _ORDER[name]


def simplicity(node: Node) -> int:
    """A rough rank of how simple a node's values are (lower shrinks better)."""
    if node.has_const:
        return 0 if node.const is None else 1
    if node.enum is not None:
        return 1
    if node.types is not None:
        return min(_ORDER[t] for t in node.types) + 1
    if node.branches:
        return min(simplicity(b) for b in node.branches)
    return 8


def ordered_branches(node: Node) -> list[tuple[int, Node]]:
    """The node's branches with their index, simplest first (stable)."""
    return sorted(enumerate(node.branches), key=lambda pair: (simplicity(pair[1]), pair[0]))


def integer_range(node: Node, realistic: bool) -> tuple[int, int]:
    """The integers a generator draws for ``node``: its bounds, int64 where open.

    In realistic mode the range is narrowed to a plausible window (timestamps for
    ``format: unixtime``) when the window meets the bounds.
    """
    low, high = node.integer_bounds()
    low = INT_MIN if low is None else low
    high = INT_MAX if high is None else high
    if realistic:
        window = REALISTIC_TIME if node.format == "unixtime" else REALISTIC_INT
        wlow, whigh = max(low, window[0]), min(high, window[1])
        if wlow <= whigh:
            return wlow, whigh
    return low, high


def minimal_integer(node: Node, realistic: bool = True) -> int:
    """A simple integer within the node's bounds (a plausible timestamp for unixtime)."""
    low, high = node.integer_bounds()
    target = REALISTIC_TIME[0] if (realistic and node.format == "unixtime") else 0
    if low is not None:
        target = max(target, low)
    if high is not None:
        target = min(target, high)
    return target
