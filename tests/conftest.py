"""Shared fixtures: where the real data lives, and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI (.ci/run sets CI=1) draws the property tests' examples deterministically, so a red CI is
# reproducible and a rare draw cannot fail one run and not the next; local runs keep exploring
# at random (a slip property held its 60 random draws by chance until one run drew a noise
# it could not meet: tests/processing/test_slip.py)
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TACTILE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` next to the repository (read-only real grasps and labels)."""
    if not (SHARED_DATA / "reference_grasps").is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (set TACTILE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference_grasps_dir(shared_data: Path) -> Path:
    return shared_data / "reference_grasps"
