"""Physics limits from the rig calibration, the OOD score, and refusing a grasp without contact."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import NoContactError
from tactile.estimators.neural.estimator import _grasp_limits, check_visible_contact
from tactile.estimators.neural.inputs import GraspInputs
from tactile.estimators.neural.limits import physics_limits
from tactile.estimators.neural.ood import OodReference
from tactile.estimators.neural.rig import rigid_closure_mm
from tactile.sensor import RIGID_PRESS_FORCES_N, SensorCalibration
from tactile.sim.contact import GelModel, contact_curve, flat_area_mm2
from tactile.sim.objects import SimObject
from tactile.sim.rigs import rigid_press_closure_mm
from tactile.types import GraspFeatures


def _rig(curve: np.ndarray, width_step_mm: float, thickness_mm: float) -> SensorCalibration:
    """A calibration with this rigid-press curve (what ``tactile calibrate rig`` writes)."""
    return SensorCalibration(
        "rig-test",
        0.1,
        0.1,
        2e5,
        gel_thickness_mm=thickness_mm,
        rigid_press_closure_mm=tuple(float(v) for v in curve),
        rigid_press_size_mm=42.67,
        width_step_mm=width_step_mm,
    )


SHAPES = {
    "sphere": {"radius_mm": 20.0},
    "cylinder": {"radius_mm": 10.0, "length_mm": 60.0},
    "cylinder_end": {"radius_mm": 12.0, "length_mm": 30.0},
    "box": {"size_mm": (40.0, 30.0, 25.0)},
    "ellipsoid": {"size_mm": (25.0, 15.0, 12.0)},
}


@settings(max_examples=60, deadline=None)
@given(
    shape=st.sampled_from(sorted(SHAPES)),
    log_e=st.floats(3.8, 11.3),
    gel_pa=st.floats(1.5e5, 6e5),
    thickness=st.floats(1.5, 4.0),
    compliance=st.floats(0.0, 0.25),
    force=st.floats(8.0, 26.0),
    foam=st.booleans(),
)
def test_the_physics_lower_bound_holds_for_every_shape_and_material(
    shape: str,
    log_e: float,
    gel_pa: float,
    thickness: float,
    compliance: float,
    force: float,
    foam: bool,
) -> None:
    """The bound from the measured closure beyond a rigid press never exceeds the true E."""
    gel = GelModel(gel_pa, 0.48, thickness)
    obj = SimObject(shape=shape, modulus_pa=10**log_e, poisson=0.3 if foam else 0.49,
                    foam=foam, **SHAPES[shape])  # type: ignore[arg-type]  # fmt: skip
    curve = contact_curve(obj, gel, pad_x_mm=35.0, pad_y_mm=25.5)
    if curve.max_force_n < force:
        return  # the gripper would stop on the object's lock-up first
    delta = float(curve.delta_for_force(force))
    state = curve.at(delta)
    sx, sy = float(state["semi_x_mm"]), float(state["semi_y_mm"])
    if curve.kind == "flat":  # the true contact area, as the image measures it
        area = flat_area_mm2(obj, 35.0, 25.5)
    else:
        area = (math.pi if curve.kind == "point" else 4.0) * sx * sy
    closure = 2 * delta + compliance * force
    rig = _rig(rigid_press_closure_mm(gel, compliance), 0.05, thickness)
    lim = physics_limits(
        force_n=force,
        contact_area_mm2=area,
        size_mm=obj.size_z_mm,
        closure_mm=closure,
        calibration=rig,
    )
    assert lim.lower_bound_pa is not None
    assert lim.lower_bound_pa <= obj.modulus_pa * 1.0001


def test_a_rigid_ball_is_unresolved_and_a_soft_one_is_not() -> None:
    gel = GelModel(2.5e5, 0.48, 3.0)
    rig = _rig(rigid_press_closure_mm(gel, 0.05), 0.1, 3.0)
    common = {"force_n": 20.0, "contact_area_mm2": 300.0, "size_mm": 42.0, "calibration": rig}
    at_20 = float(rigid_closure_mm(rig, np.array([20.0]))[0])
    rigid = physics_limits(closure_mm=at_20, **common)
    soft = physics_limits(closure_mm=at_20 + 8.0, **common)
    assert rigid.unresolved and not soft.unresolved
    assert soft.lower_bound_pa is not None and rigid.lower_bound_pa is not None
    assert soft.lower_bound_pa < rigid.lower_bound_pa < rigid.resolvable_limit_pa * 1.0001
    unknown = physics_limits(closure_mm=5.0, **{**common, "calibration": None})
    assert unknown.lower_bound_pa is None and unknown.resolvable_limit_pa > 0
    assert len(RIGID_PRESS_FORCES_N) == 5


def _arrays(n: int, shift: float, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "force": rng.normal(shift, 1.0, (n, 6, 4)).astype(np.float32),
        "width": rng.normal(shift, 1.0, (n, 8, 4)).astype(np.float32),
        "geometry": rng.normal(shift, 1.0, (n, 13)).astype(np.float32),
    }


def test_ood_score_is_about_one_inside_and_large_outside() -> None:
    ref = OodReference.fit(_arrays(300, 0.0, 0), _arrays(60, 0.0, 1), n_ref=200)
    inside = ref.scores(_arrays(100, 0.0, 2))
    outside = ref.scores(_arrays(20, 6.0, 3))
    assert np.median(inside) < 1.0 and np.mean(inside > 1.0) < 0.2
    assert np.all(outside > 3.0)
    again = OodReference.from_dict(ref.to_dict())
    assert again is not None
    np.testing.assert_allclose(again.scores(_arrays(5, 0.0, 4)), ref.scores(_arrays(5, 0.0, 4)),
                               rtol=1e-2)  # fmt: skip
    assert OodReference.from_dict(None) is None


def test_a_frozen_camera_is_refused_with_the_reason() -> None:
    t = np.linspace(0.0, 1.0, 20)
    force = 10.0 * np.clip((t - 0.2) / 0.8, 0.0, 1.0) ** 1.5
    feats = GraspFeatures(
        grasp_id="g0",
        t_s=t,
        force_n=force,
        width_mm=60.0 - force / 5.0,
        contact_area_mm2=np.pi * (force / 10.0 * 8.0) ** 2,
        contact_index=4,
        peak_index=19,
        reference_index=0,
    )
    check_visible_contact(feats)  # a visible contact passes
    frozen = replace(feats, contact_area_mm2=np.zeros_like(force))
    with pytest.raises(NoContactError, match="camera shows no contact"):
        check_visible_contact(frozen)


def test_an_unseen_contact_is_bounded_with_the_pads_area() -> None:
    """A face covering the pad shows no edge: the image may see a few mm² of a ~650 mm²
    contact (a simulated 36 x 35 mm foam box: 1.5 % of the pad, its hybrid bound 0.5 dex above
    E). The bound then also assumes the pad's area (a larger contact gives a smaller bound) and
    keeps the smaller one; the resolvable limit stays the measured area's."""
    gel = GelModel(2.5e5, 0.48, 3.0)
    rig = _rig(rigid_press_closure_mm(gel, 0.05), 0.1, 3.0)
    force, size = 14.4, 15.0
    closure = float(rigid_closure_mm(rig, np.array([force]))[0])

    def inputs(area_mm2: float) -> GraspInputs:
        f = np.zeros((6, 3), np.float32)
        f[0, -1], f[1, -1] = np.log1p(force), np.log1p(area_mm2)
        w = np.zeros((8, 3), np.float32)
        w[0, -1] = closure
        geometry = np.zeros(13, np.float32)
        geometry[0] = np.log(size)
        return GraspInputs(np.zeros((3, 4, 4), np.float32), f, w, np.zeros(4, np.float32), geometry)

    seen = _grasp_limits(inputs(8.0), rig, None)
    unseen = _grasp_limits(inputs(8.0), rig, 650.0)
    pad = physics_limits(
        force_n=force, contact_area_mm2=650.0, size_mm=size, closure_mm=closure, calibration=rig
    )
    assert seen.lower_bound_pa is not None and unseen.lower_bound_pa is not None
    assert unseen.lower_bound_pa == pytest.approx(pad.lower_bound_pa, rel=1e-5)
    assert unseen.lower_bound_pa < seen.lower_bound_pa / 10
    assert unseen.resolvable_limit_pa == seen.resolvable_limit_pa
    # a pad no larger than the imaged contact changes nothing
    assert _grasp_limits(inputs(700.0), rig, 650.0) == _grasp_limits(inputs(700.0), rig, None)
