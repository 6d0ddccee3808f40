"""The produce decision's estimator (``tactile.decisions.estimator``)."""

from __future__ import annotations

import pytest

import tactile.estimators.auto as auto
from tactile.decisions import ProduceEstimator
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.gripper import GripperProfile

CFG = SimGraspConfig(
    size_hw=(60, 80),
    gripper=GripperProfile(force_target_n=8.0, open_gap_mm=2.0, hold_s=0.2, close_speed_mm_s=5.0),
)


def test_its_sphere_hertz_is_not_checked_by_blind(monkeypatch: pytest.MonkeyPatch) -> None:
    """named43 checks a named given-geometry estimator with blind (``check_bounds=True``); the
    produce decision's sphere Hertz must not move with it (``check_bounds=False``)."""

    def checked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the produce decision's Hertz was checked by blind")

    monkeypatch.setattr(auto, "check_given_geometry", checked)
    grasp = simulate_grasp(SimObject(radius_mm=25.0, modulus_pa=3e5, name="fruit"), CFG, 5)
    est = ProduceEstimator().estimate(grasp)
    assert est.estimator == "produce" and "e_star_pa" in est.details
