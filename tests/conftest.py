"""Shared fixtures: where the real data lives, and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
