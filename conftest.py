"""Test-suite settings shared by every test directory."""

from __future__ import annotations

import os

# httpx imports httpcore only when a transport is first made. Made first inside an in-process
# pytester run, httpcore would leave sys.modules with that run's snapshot and come back as new
# classes, which httpx's exception mapping no longer recognises: import it once, here.
import httpcore  # noqa: F401
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
