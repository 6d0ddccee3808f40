"""given44: a checked given-geometry bound is floored at the calibration's gel only where blind's
squeeze over the object's size is below :data:`~tactile.estimators.auto.GEL_FLOOR_MAX_SQUEEZE`
(:func:`tactile.estimators.auto.checked_by_blind`; benchmarks/results/given44_prereg.md).

A soft foam or gel under a rig gel stiffer than calibrated reads, with its shape given, as not
resolvable; blind too reads only a weak bound. The gel floor then claimed "stiffer than the
gel" for an object softer than it (f3341: 4 such objects, 8 false hertz/mdr bounds); their
squeeze closed by 0.80-1.07 of their size, a rigid object's by less but for a few small ones.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

import tactile.estimators.auto as auto
from tactile.estimators.auto import checked_by_blind
from tactile.sensor import get_calibration
from tactile.types import Flag, ModulusEstimate

CAL = get_calibration("wedge-reference-v3")
GEL = CAL.gel_modulus_pa


def _blind_bound(squeeze: float | None) -> ModulusEstimate:
    details: dict[str, Any] = {"foam_bound_pa": GEL / 20}
    if squeeze is not None:
        details["sphere_approach_over_radius"] = squeeze
        details["cylinder_approach_over_radius"] = squeeze
    return ModulusEstimate(
        GEL / 20, (GEL / 20, math.inf), (GEL / 20, math.inf), "blind",
        frozenset({Flag.UNRESOLVED}), True, details,
    )  # fmt: skip


def _given_bound() -> ModulusEstimate:
    return ModulusEstimate(
        7 * GEL, (8 * GEL, math.inf), (7 * GEL, math.inf), "hertz",
        frozenset({Flag.STIFFER_THAN_GEL}), True, {"note": "given"},
    )  # fmt: skip


@pytest.fixture
def blind_reads(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Blind's answer on the grasp, set per test (the check calls blind on the features)."""
    answer: list[ModulusEstimate] = []

    class Blind:
        def estimate_features(self, *_: Any, **__: Any) -> ModulusEstimate:
            return answer[0]

    monkeypatch.setattr(auto, "BlindEstimator", Blind)
    return answer


def _check(blind_reads: list[ModulusEstimate], squeeze: float | None) -> ModulusEstimate:
    blind_reads[:] = [_blind_bound(squeeze)]
    return checked_by_blind(_given_bound(), None, meta=None, calibration=CAL, flat=False)  # type: ignore[arg-type]


@pytest.mark.parametrize("squeeze", [0.8, 0.97, 1.07])
def test_a_squeeze_through_most_of_the_object_is_not_floored_at_the_gel(
    blind_reads: list[ModulusEstimate], squeeze: float
) -> None:
    """A soft object squashed flat: the bound falls to blind's, no "stiffer than the gel"
    (the parent answered the gel, flagged)."""
    est = _check(blind_reads, squeeze)
    assert est.lower_bound_only and est.modulus_pa == pytest.approx(GEL / 20)
    assert est.details["blind_cap_pa"] == est.modulus_pa == est.interval_95_pa[0]
    assert est.details["given_bound_pa"] == pytest.approx(7 * GEL)
    assert Flag.UNRESOLVED in est.flags and Flag.STIFFER_THAN_GEL not in est.flags
    assert "of the object's size" in est.details["note"]


@pytest.mark.parametrize("squeeze", [0.2, 0.63, 0.79, None])
def test_a_shallow_squeeze_keeps_the_gel_floor(
    blind_reads: list[ModulusEstimate], squeeze: float | None
) -> None:
    """A rigid object sunk into the gel (or no squeeze read): capped at the gel, flagged."""
    est = _check(blind_reads, squeeze)
    assert est.modulus_pa == pytest.approx(GEL) == est.details["blind_cap_pa"]
    assert Flag.STIFFER_THAN_GEL in est.flags and Flag.UNRESOLVED not in est.flags


def test_the_squeeze_is_the_larger_of_blinds_readings() -> None:
    assert auto.GEL_FLOOR_MAX_SQUEEZE == 0.8
    est = dataclasses.replace(
        _blind_bound(None), details={"sphere_approach_over_radius": 0.3,
                                     "cylinder_approach_over_radius": 0.9}
    )  # fmt: skip
    assert auto.squeeze_over_size(est) == pytest.approx(0.9)
    assert auto.squeeze_over_size(_blind_bound(None)) == 0.0


def test_f3341s_soft_foam_ellipsoid_is_not_claimed_stiffer_than_the_gel() -> None:
    """f3341's ``foam_ellipsoid_0009`` (a 13.2 kPa foam, its rig's gel 565 kPa against the
    calibration's 54.7 kPa): hertz bounds it at 394 kPa (given radius), blind reads only a
    2.3 kPa bound, the squeeze closed by 0.97 of its size; the parent answered the gel's
    54.7 kPa flagged "stiffer than the gel" (false), named or through ``auto``."""
    from tactile.estimators import get_estimator
    from tactile.recording.synthetic import dataset_configs
    from tactile.sim import simulate_grasp
    from tactile.sim.dataset import plan_dataset
    from tactile.sim.rigs import RigRanges

    configs = dataset_configs(("realistic",), camera="wedge-raw", random_rig=True)
    plan = plan_dataset(
        n_objects=10, grasps_per_object=1, seed=3341, population="independent",
        config=configs, rig=RigRanges(),
    )  # fmt: skip
    obj, cfg, seed, grasp_id, scale = plan.jobs[9]
    assert obj.name == "foam_ellipsoid_0009"
    gripper = dataclasses.replace(cfg.gripper, force_target_n=cfg.gripper.force_target_n * scale)
    grasp = simulate_grasp(obj, dataclasses.replace(cfg, gripper=gripper), seed, grasp_id=grasp_id)
    for name in ("hertz", "auto"):
        est = get_estimator(name).estimate(grasp)
        assert est.details["given_bound_pa"] > 10 * obj.modulus_pa  # the linear bound: false
        assert est.lower_bound_only and est.modulus_pa <= obj.modulus_pa
        assert Flag.STIFFER_THAN_GEL not in est.flags
