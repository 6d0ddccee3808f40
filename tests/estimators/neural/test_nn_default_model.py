"""The shipped models/default: loads safely by name and behaves physically on simulated balls."""

from __future__ import annotations

import math

import pytest

from tactile.errors import ModelFileError
from tactile.estimators.neural.estimator import model_path, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import Flag, ModulusEstimate


@pytest.fixture(scope="module")
def default_present() -> None:
    try:
        model_path("default")
    except ModelFileError:  # a checkout without models/ skips these tests
        pytest.skip("models/default is not present")


def test_default_model_loads_with_its_limit_and_calibration(default_present: None) -> None:
    loaded = resolve_model("default")
    assert loaded.info["stiff_limit_pa"] > 1e5
    assert 0.5 <= loaded.sigma_scale <= 5.0
    assert loaded.metrics["val"]["n_objects"] > 50


def test_default_model_separates_soft_from_beyond_resolvable(default_present: None) -> None:
    est = get_estimator("neural")

    def ball(modulus_pa: float) -> ModulusEstimate:
        obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus_pa, name="ball")
        return est.estimate(simulate_grasp(obj, config=SimGraspConfig(), seed=3))

    soft = ball(3e4)
    steel = ball(2e11)
    assert not soft.lower_bound_only
    assert abs(math.log10(soft.modulus_pa) - math.log10(3e4)) < 1.0
    assert soft.interval_95_pa[0] < 3e4 < soft.interval_95_pa[1]
    assert steel.lower_bound_only and Flag.STIFFER_THAN_GEL in steel.flags
    assert steel.modulus_pa <= 2e11 and steel.interval_95_pa[1] == math.inf
    assert steel.modulus_pa > soft.modulus_pa
