"""A flat foam box a little stiffer than the gel, its face covering the pad, on the default
3 mm gel: never flagged with a bound above its modulus.

Found in ``tactile simulate --population loguniform --seed 23`` (object ``foam_box_0043``:
288 kPa, 36.6 x 28.2 x 14.1 mm, realistic preset, 23 N), flagged "> 328 kPa" before the fix:
the flat hypothesis took the gel as a half-space punch over the pad (2 x 2.6 mm at 23 N) while
the 3 mm gel bottoms on its window (the simulator's gel sank 1.83 mm per pad), so the object
was left too little of the closure. The flat hypothesis now bottoms the gel as the sphere's does
(``gel_max_strain``). BENCHMARKS.md "Blind: the flat bound on a 3 mm gel".
"""

from __future__ import annotations

import dataclasses

import pytest

from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.gripper import GripperProfile

GEL_PA = SimGraspConfig().calibration.gel_modulus_pa  # 200 kPa, 3 mm thick


@pytest.mark.parametrize("ratio", [1.2, 1.44, 2.0])
def test_a_flat_foam_box_a_little_stiffer_than_the_gel_gets_no_false_bound(ratio: float) -> None:
    modulus = ratio * GEL_PA
    obj = SimObject(
        shape="box", size_mm=(36.6, 28.2, 14.1), modulus_pa=modulus, poisson=0.2, foam=True,
        name="foam_box",
    )  # fmt: skip
    config = SimGraspConfig.realistic(gripper=GripperProfile(force_target_n=23.2))
    assert config.calibration.gel_thickness_mm == 3.0
    for seed in range(3):
        grasp = simulate_grasp(obj, config=config, seed=seed)
        grasp = dataclasses.replace(grasp, meta=blind_metadata(grasp.meta))
        est = BlindEstimator().estimate(grasp)
        if est.lower_bound_only:
            assert est.modulus_pa <= modulus, (
                f"seed {seed}: {modulus:.3g} Pa flagged '> {est.modulus_pa:.3g} Pa'"
            )
        else:
            assert est.interval_95_pa[0] <= modulus <= est.interval_95_pa[1]
