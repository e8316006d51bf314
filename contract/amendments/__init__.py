"""Amendments: named, documented changes to the contract, applied as overlays.

``model`` holds the values (:class:`Amendment`, :class:`Catalogue`,
:class:`Profile`), ``catalogue`` the built-in catalogue (data in
``schemas/amendments/``), ``deviations`` the explanation of failures an
amendment would accept and the usage accounting, ``strict`` the listing of
unknown properties. Profiles are resolved by :mod:`contract.profiles`.
"""

from __future__ import annotations

from contract.amendments.model import Amendment, AmendmentError, Catalogue, Profile

__all__ = ["Amendment", "AmendmentError", "Catalogue", "Profile"]
