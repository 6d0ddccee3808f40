"""The shipped models/default: loads safely by name, knows its training distribution, and on
grasps simulated like its training data (raw Wedge camera, a random rig) behaves physically."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from tactile.errors import EstimatorError, ModelFileError
from tactile.estimators.neural.estimator import model_path, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.grasp import as_wedge_raw
from tactile.sim.rigs import RigRanges, apply_rig, draw_rig
from tactile.types import ModulusEstimate, bound_flag


@pytest.fixture(scope="module")
def default_present() -> None:
    try:
        model_path("default")
    except ModelFileError:  # a checkout without models/ skips these tests
        pytest.skip("models/default is not present")


def test_default_model_loads_with_its_ood_reference_and_no_run_limit(
    default_present: None,
) -> None:
    loaded = resolve_model("default")
    assert loaded.config.name == "mt-rig" and not loaded.config.analytical.enabled
    assert loaded.info["stiff_limit_pa"] is None  # limits come from the rig's physics
    assert len(loaded.info["ood"]["reference"]) >= 100
    assert 0.3 <= loaded.sigma_scale <= 5.0


def _raw_grasp(modulus_pa: float, seed: int) -> object:
    cfg = replace(
        as_wedge_raw(SimGraspConfig.realistic()), processing_calibration_id="wedge-reference-v3"
    )
    draw = replace(draw_rig(np.random.default_rng(seed), RigRanges()), motion_force_n_per_mm=0.0)
    obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=modulus_pa, name="ball")
    return simulate_grasp(obj, apply_rig(cfg, draw), seed=seed)


@pytest.mark.slow
def test_default_model_separates_soft_from_rigid_on_its_pipeline(default_present: None) -> None:
    est = get_estimator("neural")
    soft: ModulusEstimate = est.estimate(_raw_grasp(3e4, 3))  # type: ignore[arg-type]
    steel: ModulusEstimate = est.estimate(_raw_grasp(2e11, 3))  # type: ignore[arg-type]
    assert not soft.lower_bound_only
    assert abs(math.log10(soft.modulus_pa) - math.log10(3e4)) < 1.0
    assert soft.details["ood_score"] < 3.0
    assert steel.lower_bound_only  # only a bound; the flag says what it proves (v3's gel)
    gel_pa = get_calibration("wedge-reference-v3").gel_modulus_pa
    assert bound_flag(steel.modulus_pa, gel_pa) in steel.flags
    assert steel.modulus_pa <= 2e11 and steel.interval_95_pa[1] == math.inf


@pytest.mark.slow
def test_the_rig_comes_from_the_grasps_calibration_with_no_flag(default_present: None) -> None:
    """One rig calibration: a simulated grasp's own (``tactile calibrate rig`` on its rig),
    a calibration given by the caller, or none (a calibration without a rigid-press curve: the
    network, trained only on rigs calibrated with one, refuses with the fix and the hybrid
    answers with the physics; issue 12)."""
    grasp = _raw_grasp(3e5, 5)
    est = get_estimator("neural")
    own: ModulusEstimate = est.estimate(grasp)  # type: ignore[arg-type]
    assert own.details["rig_calibration"] == grasp.meta.calibration_id  # type: ignore[attr-defined]
    assert str(own.details["rig_calibration"]).startswith("wedge-reference-v3+simrig-")
    real_rig: ModulusEstimate = est.estimate(grasp, calibration="wedge-reference-v4")  # type: ignore[arg-type]
    assert real_rig.details["rig_calibration"] == "wedge-reference-v4"
    with pytest.raises(
        EstimatorError,
        match=r"no rigid-press curve.*drop --calibration.*wedge-reference-v4 has one.*"
        r"--calibration wedge-reference-v3 --id NEW",
    ):
        est.estimate(grasp, calibration="wedge-reference-v3")  # type: ignore[arg-type]
    hybrid = get_estimator("hybrid")
    none: ModulusEstimate = hybrid.estimate(grasp, calibration="wedge-reference-v3")  # type: ignore[arg-type]
    assert none.details["source"] == "analytical (network out of distribution)"
    assert none.details["ood_score"] == math.inf
    assert "no rigid-press curve" in str(none.details["ood_reason"])
