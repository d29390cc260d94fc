"""Test-suite configuration shared by tests/, doctests in src/ and the docs pages."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# "ci": deterministic and bounded, so the whole suite stays within minutes on 2 cores.
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# "dev": the default locally; random, a little wider.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
