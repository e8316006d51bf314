"""Hypothesis strategies derived from the contract's schema documents.

``conforming(name)`` draws payloads that are valid against the named type;
``nonconforming(name)`` draws :class:`Mutant` objects: a payload that breaks
exactly one rule of the contract, with the label of that rule. Both take
``profile=`` (a name or a :class:`~contract.profiles.Profile`): payloads of
the contract as the profile's amendments amend it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract.generate import conditional as _conditional
from contract.generate.mutant import Context, Mutant, check_context, pointer
from contract.generate.strategies import _mutants as _mutations
from contract.generate.strategies import _values as _compile
from contract.profiles import ProfileLike
from contract.schema import DEFAULT_SCHEMA
from contract.schema import tree as _nodes
from contract.schema.tree import UnsupportedSchema
from contract.validation import overlay_of

__all__ = ["Context", "Mutant", "UnsupportedSchema", "conforming", "nonconforming"]


def conforming(
    name: str = DEFAULT_SCHEMA,
    *,
    realistic: bool = True,
    extra_properties: bool = False,
    coherent: bool = False,
    profile: ProfileLike = None,
) -> st.SearchStrategy[Any]:
    """Payloads valid against the type ``name`` (a dict for object types).

    Every enum value, every ``oneOf``/``anyOf`` branch, optional properties
    present and absent, and the size and numeric limits themselves are reachable.
    ``realistic`` draws plausible identifiers (``ftjob-…``, ``file-…``,
    ``org-…``), timestamps and readable text; ``realistic=False`` draws
    arbitrary Unicode strings and integers across the int64 range.
    ``extra_properties`` adds unknown properties to objects that allow them,
    as real responses carry. ``coherent`` makes every FineTuningJob agree
    with its status (a ``succeeded`` job has ``finished_at``,
    ``fine_tuned_model`` and ``trained_tokens``; a ``failed`` one an ``error``
    object; a ``queued`` one neither; ``created_at`` first) and every method
    hold only the key its ``type`` names; the default (False) draws anything
    the contract allows, which is what contract tests want. ``profile``
    (default: published) draws payloads valid under that profile, its
    amendments reached too (``"error": {}``, ``status: "paused"``, a job
    created before 2024-04-16 without ``seed`` under ``observed``), to check a
    client copes with what the API really sends. Raises
    :class:`UnsupportedSchema` at build time
    if the schema uses a keyword the generator does not handle, and
    :class:`ValueError` for an unknown type or profile name.
    """
    overlay = overlay_of(profile)
    node = _nodes.root(name, overlay)
    _conditional.rules(overlay)  # built now: a problem shows here, not at the first draw
    compiler = _compile.compiler(
        realistic=realistic, extra_properties=extra_properties, coherent=coherent, profile=overlay
    )
    return compiler.strategy(node)


def nonconforming(
    name: str = DEFAULT_SCHEMA,
    *,
    realistic: bool = True,
    context: Context = "minimal",
    profile: ProfileLike = None,
) -> st.SearchStrategy[Mutant]:
    """Payloads that break exactly one rule of ``name``, as labelled :class:`Mutant` objects.

    The rule broken is drawn keyword first (every kind of rule about equally
    often), then one constraint of that kind reachable from the type (see
    :func:`contract.generate.constraints.constraints`), then one of the places a payload
    reaches it. The rest of the payload is valid, so exactly one rule is broken;
    ``context`` says how much of it there is:

    * ``"minimal"`` (default): the smallest valid payload around the broken
      value. Objects carry their required properties only, and arrays and maps
      their minimum number of entries, except that those holding the broken
      value keep up to two others, so its position varies. Scalars are drawn as
      in :func:`conforming`. The violation is easy to spot even unshrunk (as in
      a ``generate --invalid`` corpus), and drawing is about twice as fast.
    * ``"full"``: drawn like :func:`conforming`, optional properties and long
      arrays included, for parsers whose checks might depend on what else the
      payload holds.

    Failures shrink towards small payloads. Every mutant is checked with the
    fast validator before it is yielded: it is invalid, with an error at or
    above its labelled ``path``. ``profile`` breaks the contract as the
    profile amends it: each mutant is invalid under the profile (what one of
    its amendments accepts is never yielded). Raises :class:`ValueError` for an
    unknown type name, context or profile name.
    """
    overlay = overlay_of(profile)
    _nodes.root(name, overlay)
    check_context(context)
    minimal = context == "minimal"
    leaves = _mutations.leaves(name, realistic=realistic, minimal=minimal, profile=overlay)
    return leaves.map(_as_mutant)


def _as_mutant(leaf: tuple[Any, tuple[str | int, ...], str, str]) -> Mutant:
    payload, path, keyword, description = leaf
    return Mutant(payload, pointer(path), keyword, description)
