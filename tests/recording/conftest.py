"""Recording test fixtures: simulated rigs and fast grasp settings."""

from __future__ import annotations

import pytest

from tactile.hardware.sim_world import SimRigs


@pytest.fixture
def rigs() -> SimRigs:
    """The simulated rigs of one test (no global registry: nothing to reset between tests)."""
    return SimRigs()
