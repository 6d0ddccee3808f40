"""A rigid object on a rig whose gel is stiffer than the calibration's: no closed interval
(issue 11, "no rigid object unflagged"; BENCHMARKS.md "Blind: the rig fit's gel/rig split").

The rig fit (``fit_rig``) measures gel + rig together on the golf ball and splits them with the
calibration's gel model. Under ``wedge-reference-v3`` (a 55 kPa effective gel fitted with no rig
compliance) the gel takes 6.3 mm of the golf ball's ~7 mm at 19 N, so the fit reads 0.04 mm/N on
a rig of 0.27 mm/N whose 590 kPa gel takes 2.8 mm; on a rigid cylinder's flat end the missing
~4 mm of rig closure went to the object, and ``blind`` gave closed 95 % intervals up to
0.26-0.79 MPa for objects of 10^7-10^11 Pa. Both objects here are from the blind sets
(``tactile simulate --population independent --rig random --physics realistic --camera
wedge-raw``: ``hard_cylinder_0017`` of the validation set, ``hard_cylinder_end_0038`` of the 80
stiff objects, seed 9401), their rigs as drawn, their grasp seeds and force targets as the
dataset drew them; both reproduce the stored grasps' closures, and main gives them closed
intervals (up to 0.79 and 6.2 MPa; the second's imprint, re-encoded here, reads another shape
class than the stored grasp's).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from blind_helpers import blind_estimate_as_stored, grasp_on_drawn_rig

from tactile.estimators.blind import (
    _open_if_rig_split,
    reference_press_closure_mm,
)
from tactile.processing.rig_fit import rigid_sphere_gel_closure_mm
from tactile.sensor import get_calibration
from tactile.sim import SimObject
from tactile.sim.rigs import RigDraw
from tactile.types import ModulusEstimate

CYLINDER = SimObject(
    shape="cylinder", radius_mm=6.09374, length_mm=33.75023772854225,
    modulus_pa=164472822292.8307, poisson=0.3414970191550386, name="hard_cylinder_0017",
    material="hard",
)  # fmt: skip
CYLINDER_RIG = RigDraw(
    gel_modulus_pa=209318.01156690865, gel_thickness_mm=1.5133021046273665,
    gel_max_strain=0.9384296376745167, rig_compliance_mm_per_n=0.2692330197301293,
    width_offset_mm=0.8140168460422563, width_update_period_s=0.1414788125352309,
    width_resolution_mm=0.08375969581209768, width_latency_s=0.12941210562499092,
    motion_force_n_per_mm=0.03924752940394145, close_speed_mm_s=17.392514616713598,
    force_target_n=18.194346089892324, image_gain=1.08127994545818,
    ambient_scale=0.9545873048208295, raw_shift_scale=1.4728021496793837,
    contact_texture_scale=1.2218568604608926, pose_offset_px=(1.297, -0.0),
    offset_jitter_mm=3.0,
)  # fmt: skip
CYLINDER_END = SimObject(
    shape="cylinder_end", radius_mm=18.6994, length_mm=64.23305255965562,
    modulus_pa=1434480273.3049746, poisson=0.27929903516343524, name="hard_cylinder_end_0038",
    material="hard",
)  # fmt: skip
CYLINDER_END_RIG = RigDraw(
    gel_modulus_pa=232398.74990322167, gel_thickness_mm=1.7388690933355029,
    gel_max_strain=0.9478541006242149, rig_compliance_mm_per_n=0.2619043561131437,
    width_offset_mm=3.098419607429707, width_update_period_s=0.05842080895676713,
    width_resolution_mm=0.052525371123241314, width_latency_s=0.23570783629740727,
    motion_force_n_per_mm=0.0014183210289195449, close_speed_mm_s=22.544020099624923,
    force_target_n=20.07793426930065, image_gain=0.8661002551309255,
    ambient_scale=1.0022831451299834, raw_shift_scale=1.0647597664005386,
    contact_texture_scale=1.1956287126446472, pose_offset_px=(1.15, -1.224),
    offset_jitter_mm=3.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("obj", "draw", "seed", "force_n"),
    [
        # 164 GPa cylinder on its side, rig 0.27 mm/N read as 0.0004: main gave 31-790 kPa
        (CYLINDER, CYLINDER_RIG, 3245243587, 17.599808985946325),
        # 1.4 GPa cylinder's end, rig 0.26 mm/N read as 0.03: main gave 0.13-6.2 MPa
        (CYLINDER_END, CYLINDER_END_RIG, 1701277922, 18.64551185786203),
    ],
    ids=["hard_cylinder_0017", "hard_cylinder_end_0038"],
)
def test_a_rigid_object_on_a_stiff_gel_compliant_rig_has_no_closed_interval(
    obj: SimObject, draw: RigDraw, seed: int, force_n: float, tmp_path: Path
) -> None:
    cfg, grasp = grasp_on_drawn_rig(obj, draw, seed, force_n)
    # the fit splits the golf ball's closure with v3's soft gel: little rig compliance left
    assert cfg.rig_calibration.rig_compliance_mm_per_n < 0.1
    est = blind_estimate_as_stored(grasp, tmp_path)
    assert est.lower_bound_only or math.isinf(est.interval_95_pa[1]), (
        f"closed 95 % interval {est.interval_95_pa} for a {obj.modulus_pa:.3g} Pa object"
    )
    if not est.lower_bound_only:
        assert est.details["may_be_stiffer_than_gel"]


def test_reference_press_closure_is_the_fit_model_on_its_sphere() -> None:
    cal = dataclasses.replace(
        get_calibration("wedge-reference-v3"),
        rig_compliance_mm_per_n=0.05,
        rigid_press_size_mm=42.67,
    )
    want = rigid_sphere_gel_closure_mm(19.0, 42.67 / 2.0, cal) + 0.05 * 19.0
    assert reference_press_closure_mm(19.0, cal) == want
    # without a rig fit, the gel fit's sphere (v3: R = 21.335 mm) is the reference
    bare = dataclasses.replace(cal, rig_compliance_mm_per_n=0.0, rigid_press_size_mm=None)
    assert reference_press_closure_mm(19.0, bare) == rigid_sphere_gel_closure_mm(19.0, 21.335, bare)
    assert reference_press_closure_mm(19.0, dataclasses.replace(bare, provenance={})) is None


def _closed() -> ModulusEstimate:
    return ModulusEstimate(
        modulus_pa=1e5,
        interval_68_pa=(5e4, 2e5),
        interval_95_pa=(3e4, 4e5),
        estimator="blind",
        details={},
    )


def test_only_a_closure_a_rigid_object_could_show_opens_the_interval() -> None:
    cal = dataclasses.replace(get_calibration("wedge-reference-v3"), rigid_press_size_mm=42.67)
    ref = reference_press_closure_mm(19.0, cal)
    assert ref is not None
    rng = np.random.default_rng(0)
    within = _open_if_rig_split(_closed(), ref - 1.0 + 0.3 * rng.standard_normal(2000), 19.0, cal)
    assert within.interval_95_pa == (3e4, math.inf)
    assert within.interval_68_pa == (5e4, math.inf)
    assert within.modulus_pa == 1e5 and not within.lower_bound_only
    beyond = _open_if_rig_split(_closed(), ref + 3.0 + 0.3 * rng.standard_normal(2000), 19.0, cal)
    assert beyond == _closed()
