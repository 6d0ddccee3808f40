"""Small, fast simulator settings for tests."""

from __future__ import annotations

import pytest
from sim_helpers import SMALL_CAL, SMALL_HW

from tactile.sim import SimGraspConfig


@pytest.fixture
def clean_config() -> SimGraspConfig:
    return SimGraspConfig.clean(calibration=SMALL_CAL, size_hw=SMALL_HW)


@pytest.fixture
def noisy_config() -> SimGraspConfig:
    return SimGraspConfig(calibration=SMALL_CAL, size_hw=SMALL_HW)
