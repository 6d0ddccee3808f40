"""Independent review of issue 11 (``blind``): reproductions of bugs found, marked xfail.

Each test states the done-when criterion it breaks. They are ``strict`` xfails: when the
estimator is fixed they pass and pytest reports XPASS as a failure, so the mark must then be
removed. Found and measured by the verify-blind review, 2026-12-04 (docs: BENCHMARKS.md,
"Blind: independent review"). Fixed by the blindfix branch (BENCHMARKS.md "Blind: after the
review's fixes"): the small soft objects (now passing tests) and the 68 % interval; the
lagging-width flag by the lagrig branch (the width lag estimated per grasp, BENCHMARKS.md
"Blind: the width lag and the motion force"); the tiny soft foam cylinder's false bound by the
softbound branch (BENCHMARKS.md "Blind: bounds for densifying foams"); the JPEG class flip is
still an xfail.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from blind_helpers import blind, blind_estimate_as_stored

from tactile.estimators.blind import BlindEstimator
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.rigs import RigDraw, apply_rig

GEL_PA = SimGraspConfig().calibration.gel_modulus_pa  # 200 kPa


@pytest.mark.parametrize(
    ("shape", "radius_mm", "modulus_pa"),
    [("sphere", 5.0, 2.5e4), ("cylinder", 6.0, 1.0e4)],
)
def test_a_small_soft_object_is_not_flagged_with_a_false_bound(
    shape: str, radius_mm: float, modulus_pa: float
) -> None:
    """Done-when: false bounds <= 1 %, no soft object flagged. Default simulator, exact
    calibration, rigid fingers. Measured before the fix: sphere 10 mm 25 kPa -> '> 40-45 kPa'
    (seeds 0-3); cylinder 12 mm 10 kPa -> '> 22-23 kPa' (seeds 0-3): the hinge fits read the
    contact 3-4 mm late. Fixed by testing the bound from the first detectable force rise."""
    assert modulus_pa <= GEL_PA / 8
    kw = {"length_mm": 40.0} if shape == "cylinder" else {}
    obj = SimObject(shape=shape, radius_mm=radius_mm, modulus_pa=modulus_pa, name="soft", **kw)
    for seed in range(2):
        grasp = blind(simulate_grasp(obj, config=SimGraspConfig(), seed=seed))
        est = BlindEstimator().estimate(grasp)
        assert not est.lower_bound_only, f"flagged stiff with a bound of {est.modulus_pa:.3g} Pa"
        assert abs(math.log10(est.modulus_pa / modulus_pa)) <= 1.0


def _rig(latency_s: float, rig_mm_per_n: float) -> SimGraspConfig:
    """simnet's randomised rig (``tactile simulate --rig random``) with everything nominal but
    the width reading's latency and the rig compliance; the rig is calibrated the way the
    simulator (and a user, ``tactile calibrate rig``) does, on golf-ball presses, and every
    grasp carries that calibration."""
    draw = RigDraw(
        gel_modulus_pa=2e5, gel_thickness_mm=3.0, gel_max_strain=0.9,
        rig_compliance_mm_per_n=rig_mm_per_n, width_offset_mm=1.0, width_update_period_s=0.1,
        width_resolution_mm=0.05, width_latency_s=latency_s, motion_force_n_per_mm=0.0,
        close_speed_mm_s=20.0, force_target_n=20.0, image_gain=1.0, ambient_scale=1.0,
        raw_shift_scale=1.0, contact_texture_scale=1.0, pose_offset_px=(0.0, 0.0),
        offset_jitter_mm=3.0,
    )  # fmt: skip
    return apply_rig(SimGraspConfig.realistic(), draw)


@pytest.mark.parametrize(
    ("shape", "size_mm", "rig_mm_per_n"),
    [("cylinder", 15.0, 0.3), ("box", 14.0, 0.1)],
)
def test_a_steel_object_on_a_rig_whose_width_lags_keeps_an_interval_open_upwards(
    shape: str, size_mm: float, rig_mm_per_n: float
) -> None:
    """The conservative half of the fix for the lagging width reading (the flag itself is
    still missed, the xfail below): the width reading keeps closing ~6 mm after the force
    reached its target, so the closure may be the lag, and the point estimate's interval is
    open upwards (``may_be_stiffer_than_gel``): no claim that the steel is soft."""
    if shape == "cylinder":
        obj = SimObject(
            shape="cylinder", radius_mm=size_mm / 2, length_mm=40, modulus_pa=2e11,
            poisson=0.3, name="steel",
        )  # fmt: skip
    else:
        obj = SimObject(
            shape="box", size_mm=(20, 20, size_mm), modulus_pa=2e11, poisson=0.3, name="steel"
        )
    est = BlindEstimator().estimate(
        blind(simulate_grasp(obj, config=_rig(0.3, rig_mm_per_n), seed=1))
    )
    assert est.lower_bound_only or (
        est.interval_95_pa[1] == math.inf and est.details.get("may_be_stiffer_than_gel")
    )


@pytest.mark.parametrize(
    ("shape", "size_mm", "rig_mm_per_n"),
    [("cylinder", 15.0, 0.3), ("box", 14.0, 0.1)],
)
def test_a_steel_object_on_a_rig_whose_width_lags_is_flagged(
    shape: str, size_mm: float, rig_mm_per_n: float
) -> None:
    """Done-when: no rigid object unflagged. Measured (seed 1) before the width lag was
    estimated (``tactile.processing.grasp_signals``): steel cylinder 15 mm on a 0.3 mm/N rig
    -> 21.7 kPa; steel box 14 mm on a 0.1 mm/N rig -> 67 kPa, both unflagged (a strict xfail
    until the lag branch). The width is now read on the force's clock, in the grasp and in
    the rig's golf-ball presses alike, and both are flagged."""
    if shape == "cylinder":
        obj = SimObject(
            shape="cylinder", radius_mm=size_mm / 2, length_mm=40, modulus_pa=2e11,
            poisson=0.3, name="steel",
        )  # fmt: skip
    else:
        obj = SimObject(
            shape="box", size_mm=(20, 20, size_mm), modulus_pa=2e11, poisson=0.3, name="steel"
        )
    grasp = blind(simulate_grasp(obj, config=_rig(0.3, rig_mm_per_n), seed=1))
    assert grasp.meta.calibration is not None  # the rig's own calibration is used
    est = BlindEstimator().estimate(grasp)
    assert est.lower_bound_only, f"a steel object read as a point estimate {est.modulus_pa:.3g} Pa"
    assert est.modulus_pa <= 2e11


@pytest.mark.xfail(
    strict=True,
    reason="the imprint class flips with the JPEG frames every grasp file stores (tactile "
    "simulate's and tactile import's default): 'unknown' from raw frames, a clear 'sphere' "
    "from the stored JPEG frames, which drops the cylinder and flat hypotheses; a 20 kPa "
    "foam cylinder then reads 1.12 MPa (+1.75 dex) unflagged, 56.5 kPa from raw frames. Two "
    "fixes tried by blindfix (a curved class needs F^0.25; an imprint larger than a ball of "
    "the read size can print is not a sphere) each turned rigid spheres 'unknown' on the "
    "stress benchmark and were reverted",
)
def test_a_short_foam_cylinder_stored_as_jpeg_reads_within_a_decade(tmp_path: Path) -> None:
    """Done-when: >= 95 % of point estimates within a decade. Object 28 of `tactile simulate
    --population loguniform --seed 23 --objects 60 --grasps 1` (realistic preset), its grasp
    seed and force target as the dataset draws them. The imprint grows like F^0.13 from raw
    frames ('unknown') and F^0.18 from the JPEG ones (a clear 'sphere' at the F^0.15 rule,
    which drops the cylinder and flat hypotheses: 1.12 MPa)."""
    foam = SimObject(
        shape="cylinder", radius_mm=9.6016423204929, length_mm=12.868217819850583,
        modulus_pa=19953.504047666167, poisson=0.2, foam=True, densification_strain=0.7,
        roughness_mm=0.03, material="foam", name="foam_cylinder_0028",
    )  # fmt: skip
    cfg = SimGraspConfig.realistic()
    cfg = dataclasses.replace(
        cfg, gripper=dataclasses.replace(cfg.gripper, force_target_n=16.114743254782624)
    )
    grasp = simulate_grasp(foam, cfg, 465055463, grasp_id="fc28")
    raw = BlindEstimator().estimate(blind(grasp))
    assert abs(math.log10(raw.modulus_pa / foam.modulus_pa)) <= 1.0  # from raw frames: fine
    est = blind_estimate_as_stored(grasp, tmp_path)
    assert not est.lower_bound_only
    assert abs(math.log10(est.modulus_pa / foam.modulus_pa)) <= 1.0, (
        f"{est.modulus_pa:.3g} Pa, class {est.details['geometry']['shape_class']}"
    )


def test_a_flagged_objects_68_interval_is_not_absurd() -> None:
    """Review item: flagged objects printed 68 % intervals like "[7.5e+05 GPa, inf]" (the 68th
    percentile of the compliance was unresolved and divided by 1e-15). The lower end is now
    the 16th percentile of E, or the bound itself when that draw is unresolved too."""
    for modulus in (2e11, 2e9):
        bolt = SimObject(
            shape="cylinder", radius_mm=5.0, length_mm=40, modulus_pa=modulus, poisson=0.3,
            name="bolt",
        )  # fmt: skip
        est = BlindEstimator().estimate(blind(simulate_grasp(bolt, SimGraspConfig(), seed=0)))
        assert est.lower_bound_only
        lo68, hi68 = est.interval_68_pa
        assert est.interval_95_pa[0] <= lo68 < 1e12 and hi68 == math.inf


@pytest.mark.parametrize("latency_s", [0.0, 0.29])
def test_a_tiny_soft_foam_cylinder_is_not_flagged_with_a_false_bound(
    latency_s: float, tmp_path: Path
) -> None:
    """Done-when: false bounds <= 1 %. Object 21 of `tactile simulate --population independent
    --rig random --seed 31 --objects 40 --grasps 1` (found by the lagrig branch's hold-out
    populations, BENCHMARKS.md "Blind: the width lag and the motion force"), its rig as drawn
    but for the width latency, its grasp seed and force target as the dataset draws them.
    Was a strict xfail: flagged with a bound of ~3.7e4 Pa, 0.76 dex above its modulus (the gel
    takes nearly all the closure under so small an object and the foam has densified by the
    hold). Fixed by the densifying-foam bound (``foam_bound_pa``, BENCHMARKS.md "Blind: bounds
    for densifying foams")."""
    foam = SimObject(
        shape="cylinder", radius_mm=3.4666014390105535, length_mm=18.360327527738843,
        modulus_pa=6406.590216253778, poisson=0.29619215276185507, foam=True,
        densification_strain=0.604152142536625, roughness_mm=0.0495764215865364,
        material="foam", name="foam_cylinder_0021",
    )  # fmt: skip
    draw = RigDraw(
        gel_modulus_pa=156464.86183252, gel_thickness_mm=2.803313450609828,
        gel_max_strain=0.8346448208635444, rig_compliance_mm_per_n=0.006904527378558756,
        width_offset_mm=0.18003153710180753, width_update_period_s=0.09768768685082836,
        width_resolution_mm=0.015312910152543952, width_latency_s=latency_s,
        motion_force_n_per_mm=0.0, close_speed_mm_s=15.025399197866392,
        force_target_n=18.51129777064849, image_gain=0.9234385151026316,
        ambient_scale=0.8633274744186318, raw_shift_scale=1.3965082804461386,
        contact_texture_scale=0.8866833570437727, pose_offset_px=(0.876, 0.314),
        offset_jitter_mm=3.0,
    )  # fmt: skip
    cfg = apply_rig(SimGraspConfig.realistic(), draw)
    cfg = dataclasses.replace(
        cfg,
        gripper=dataclasses.replace(
            cfg.gripper, force_target_n=18.51129777064849 * 0.8518390085604849
        ),
    )
    grasp = simulate_grasp(foam, cfg, 580451848, grasp_id="fc21")
    est = blind_estimate_as_stored(grasp, tmp_path)
    assert not (est.lower_bound_only and est.modulus_pa > foam.modulus_pa), (
        f"flagged with a bound of {est.modulus_pa:.3g} Pa"
    )
