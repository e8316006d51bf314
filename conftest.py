"""Test-suite settings shared by every test directory."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs on every commit: it must be reproducible and must not flake on a
# slow machine, so the "ci" profile is derandomized and has no deadline.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
