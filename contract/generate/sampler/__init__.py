"""A direct sampler: payloads drawn from a seeded ``random.Random``, without Hypothesis.

The same compiled schema tree as :mod:`contract.generate.strategies`, the same knobs and
the same reach (every enum value and branch, null and absent, the bounds and
size limits themselves), at corpus speed: tens of thousands of payloads a
second, in constant memory::

    from itertools import islice
    from contract.generate import sampler

    for job in islice(sampler.conforming(seed=1), 1000):
        ...
    for mutant in islice(sampler.nonconforming(seed=1), 1000):
        mutant.payload, mutant.path, mutant.keyword, mutant.description

Both functions return endless iterators; the same seed and knobs give the same
payloads (with the same schema documents and package version). ``profile=``
draws the contract as a profile amends it, as in :mod:`contract.generate.strategies`. Use the
Hypothesis strategies inside property tests (they shrink); use the sampler for
corpora and fuzzing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from contract.generate import conditional as _conditional
from contract.generate.mutant import Context, Mutant, check_context
from contract.generate.sampler._mutants import mutant_sampler
from contract.generate.sampler._values import value_sampler
from contract.profiles import ProfileLike
from contract.schema import DEFAULT_SCHEMA
from contract.schema import tree as _nodes
from contract.validation import overlay_of

__all__ = ["Context", "Mutant", "conforming", "nonconforming"]


def _rng(seed: int | None) -> random.Random:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an integer or None, not {seed!r}")
    return random.Random(seed)


def conforming(
    name: str = DEFAULT_SCHEMA,
    *,
    seed: int | None = None,
    realistic: bool = True,
    extra_properties: bool = False,
    coherent: bool = False,
    profile: ProfileLike = None,
) -> Iterator[Any]:
    """Endless payloads valid against the type ``name``.

    ``realistic``/``extra_properties`` mean what they mean for
    :func:`contract.generate.strategies.conforming`. ``coherent`` makes every
    FineTuningJob agree with its status (a ``succeeded`` job has
    ``finished_at``, ``fine_tuned_model`` and ``trained_tokens``; a ``failed``
    one an ``error`` object; a ``queued`` one neither; timestamps in order)
    and every method hold only the key its ``type`` names; the default draws
    anything the contract allows. ``seed`` (an integer) fixes the draws; None
    draws a fresh sequence. ``profile`` (a name or a
    :class:`~contract.profiles.Profile`) draws payloads valid under it, its
    amendments reached too. Raises :class:`ValueError` for an unknown type or
    profile and :class:`contract.generate.strategies.UnsupportedSchema` for a schema the
    generators cannot handle, when called.
    """
    overlay = overlay_of(profile)
    node = _nodes.root(name, overlay)
    _conditional.rules(overlay)  # built now: a problem shows here, not at the first draw
    rng = _rng(seed)
    draw = value_sampler(
        realistic=realistic,
        extra_properties=extra_properties,
        coherent=coherent,
        profile=overlay,
    ).sampler(node)
    return _forever(draw, rng)


def _forever(draw: Any, rng: random.Random) -> Iterator[Any]:
    while True:
        yield draw(rng)


def nonconforming(
    name: str = DEFAULT_SCHEMA,
    *,
    seed: int | None = None,
    realistic: bool = True,
    context: Context = "minimal",
    profile: ProfileLike = None,
) -> Iterator[Mutant]:
    """Endless :class:`Mutant` objects: payloads that break exactly one rule of ``name``.

    Drawn like :func:`contract.generate.strategies.nonconforming` (the kind of rule
    first, every kind about as often; then a constraint and a place it applies)
    with the same labels; ``context`` is ``"minimal"`` or ``"full"`` as there.
    Each mutant is checked with the fast validator before it is yielded: invalid,
    with an error at or above its labelled ``path``; under ``profile``,
    invalid under that profile. Raises :class:`ValueError` for an unknown type,
    context or profile, when called.
    """
    overlay = overlay_of(profile)
    _nodes.root(name, overlay)
    check_context(context)
    rng = _rng(seed)
    minimal = context == "minimal"
    mutants = mutant_sampler(name, realistic=realistic, minimal=minimal, profile=overlay)
    return _mutants(mutants.draw, rng)


def _mutants(draw: Any, rng: random.Random) -> Iterator[Mutant]:
    while True:
        yield draw(rng)
