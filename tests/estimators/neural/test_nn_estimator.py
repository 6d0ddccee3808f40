"""The neural/hybrid estimators end to end on a synthetic grasp, and the interval logic."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import disk_grasp

from tactile.errors import NoContactError
from tactile.estimators.neural.checkpoint import save_checkpoint
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator
from tactile.estimators.neural.inputs import Normalization, stack_inputs
from tactile.estimators.neural.model import create_model, model_config
from tactile.estimators.neural.predict import estimate_from_prediction
from tactile.estimators.registry import get_estimator
from tactile.types import Flag, ModulusEstimate


def test_two_sided_interval_from_the_predicted_gaussian() -> None:
    est = estimate_from_prediction(5.0, 0.25, estimator="neural", stiff_limit_pa=1e9)
    assert est.modulus_pa == pytest.approx(1e5)
    lo68, hi68 = est.interval_68_pa
    lo95, hi95 = est.interval_95_pa
    assert lo95 < lo68 < est.modulus_pa < hi68 < hi95
    assert math.log10(hi68 / lo68) == pytest.approx(2 * 0.994458 * 0.25)
    assert not est.lower_bound_only and Flag.STIFFER_THAN_GEL not in est.flags


def test_beyond_the_limit_only_a_lower_bound_is_reported() -> None:
    est = estimate_from_prediction(
        10.0, 0.5, estimator="neural", stiff_limit_pa=1e8, gel_modulus_pa=2e5
    )
    assert est.lower_bound_only and Flag.STIFFER_THAN_GEL in est.flags  # bound ~1e9 Pa
    # the flag says what the bound proves: against a gel stiffer than the bound, unresolved
    # (and without a gel to compare with too)
    for gel_pa in (1e10, None):
        weak = estimate_from_prediction(
            10.0, 0.5, estimator="neural", stiff_limit_pa=1e8, gel_modulus_pa=gel_pa
        )
        assert weak.lower_bound_only and weak.flags == {Flag.UNRESOLVED}
    assert est.interval_95_pa[1] == math.inf and est.interval_68_pa[1] == math.inf
    assert est.modulus_pa == est.interval_95_pa[0] < est.interval_68_pa[0] < 1e10


def test_hybrid_needs_the_analytical_estimate_to_agree() -> None:
    soft_ana = ModulusEstimate(1e6, (5e5, 2e6), (2e5, 5e6), "hertz")
    stiff_ana = ModulusEstimate(
        1e9,
        (1e8, math.inf),
        (1e7, math.inf),
        "hertz",
        flags=frozenset({Flag.STIFFER_THAN_GEL}),
        lower_bound_only=True,
    )

    def hybrid(analytical: ModulusEstimate) -> ModulusEstimate:
        return estimate_from_prediction(
            9.0,
            0.3,
            estimator="hybrid",
            analytical=analytical,
            stiff_limit_pa=1e8,
            require_agreement=True,
        )

    assert not hybrid(soft_ana).lower_bound_only
    assert hybrid(stiff_ana).lower_bound_only
    nominal = estimate_from_prediction(9.0, 0.3, estimator="neural", stiff_limit_pa=1e8)
    wider = estimate_from_prediction(
        9.0, 0.3, estimator="neural", stiff_limit_pa=1e8, lower_bound_z=3.0
    )
    assert nominal.lower_bound_only and wider.lower_bound_only
    assert wider.modulus_pa == pytest.approx(10 ** (9.0 - 0.9))
    assert wider.interval_68_pa[0] < nominal.interval_68_pa[0]
    assert wider.interval_68_pa[0] > wider.modulus_pa


@pytest.fixture
def tiny_ckpt(tmp_path: Path) -> Path:
    cfg = model_config("mt-tiny", analytical={"enabled": False})
    grasps = [disk_grasp(20, modulus_pa=e) for e in (1e4, 1e6, 1e8)]
    items = [
        prepare_grasp(g, cfg, calibration="sim-wedge-v1", analytical=None, features=f)[0]
        for g, f in grasps
    ]
    arrays = stack_inputs(items)
    norm = Normalization.fit(arrays, np.array([4.0, 6.0, 8.0]))
    return save_checkpoint(
        tmp_path / "tiny" / "model.pt",
        create_model(cfg).eval(),
        norm,
        info={"stiff_limit_pa": 1e30},
    )


def test_neural_estimator_from_a_checkpoint_and_the_registry(tiny_ckpt: Path) -> None:
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    est = NeuralEstimator(tiny_ckpt).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert est.estimator == "neural"
    assert est.interval_95_pa[0] <= est.modulus_pa < est.interval_95_pa[1]
    assert "log10_sigma" in est.details
    # the limits come from the rig's physics (here: no rig calibration, the uncalibrated sigma)
    assert est.details["resolvable_limit_pa"] > 0 and est.details["excess_closure_mm"] is None
    by_name = get_estimator("hybrid", model=tiny_ckpt)
    assert isinstance(by_name, HybridEstimator)
    again = by_name.estimate(grasp, feats, calibration="sim-wedge-v1")
    assert again.estimator == "hybrid" and again.details["source"]
    assert again.details["network_log10_mean"] == pytest.approx(est.details["network_log10_mean"])


def test_neural_and_hybrid_refuse_a_frozen_camera_with_the_reason(tiny_ckpt: Path) -> None:
    """Force present, but every frame is the reference frame: no visible contact (issue 13)."""
    grasp, _ = disk_grasp(20, modulus_pa=1e5)
    frozen = np.repeat(grasp.reference_frame[None], grasp.n_frames, axis=0)
    still = type(grasp)(
        grasp.grasp_id, frozen, grasp.t_s, grasp.force_n, grasp.width_mm, grasp.meta,
        reference_frame=grasp.reference_frame,
    )  # fmt: skip
    for name in ("neural", "hybrid"):
        with pytest.raises(NoContactError, match=r"image did not change at all.*frozen"):
            get_estimator(name, model=tiny_ckpt).estimate(still, calibration="sim-wedge-v1")


def test_the_hybrid_trusts_the_physics_as_much_as_validation_allows() -> None:
    """``analytical_sigma_scale`` (fitted on simulated validation grasps) widens the physics'
    own sigma before the precision weighting: an overconfident physics answer pulls less."""
    from tactile.estimators.neural.estimator import NetworkAnswer, _analytical_gaussian

    ana = ModulusEstimate(
        modulus_pa=1e5, interval_68_pa=(10**4.8, 10**5.2), interval_95_pa=(1e4, 1e6), estimator="a"
    )
    assert _analytical_gaussian(ana) == pytest.approx((5.0, 0.3))  # floored at 0.3 dex
    assert _analytical_gaussian(ana, 3.0)[1] == pytest.approx(0.2 / 0.994458 * 3.0)  # type: ignore[index]
    net = NetworkAnswer(mu=6.0, sigma=0.6, ood_score=0.5, sim_to_real_sd=0.0)

    class Scaled(HybridEstimator):
        def __init__(self, scale: float) -> None:  # no checkpoint needed for _combine
            self._scale = scale

        @property
        def analytical_sigma_scale(self) -> float:
            return self._scale

    trusting = Scaled(1.0)._combine(net, ana)
    wary = Scaled(3.0)._combine(net, ana)
    assert trusting[0] < wary[0] < 6.0  # the wary hybrid stays closer to the network
    assert wary[2]["network_weight"] > trusting[2]["network_weight"]  # type: ignore[operator]
