"""Recording test fixtures: fresh simulated rigs and fast grasp settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tactile.hardware.sim_world import reset_worlds


@pytest.fixture(autouse=True)
def _fresh_worlds() -> Iterator[None]:
    reset_worlds()
    yield
    reset_worlds()
