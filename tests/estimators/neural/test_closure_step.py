"""The closure's width-step term: a reading interpolated between regular encoder updates counts
5/8 of the step in sigma_c (tactile.estimators.neural.limits.closure_sigma_mm), a stair-stepped
one the whole step; the bound still holds on simulated grasps of every shape and material."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import TactileError
from tactile.estimators.neural.limits import (
    INTERPOLATED_STEP_SHARE,
    RIGID_CLOSURE_REL_SD,
    closure_sigma_mm,
    physics_limits,
)
from tactile.estimators.neural.rig import rigid_closure_mm
from tactile.processing.loading import destair, destair_interpolates, find_loading_phase
from tactile.sensor import SensorCalibration
from tactile.sim.contact import GelModel, contact_curve, flat_area_mm2
from tactile.sim.grasp import SimGraspConfig
from tactile.sim.gripper import encoder_width_mm, plan_motion, relaxation_factor
from tactile.sim.objects import SimObject
from tactile.sim.rigs import apply_rig, draw_rig
from tactile.sim.sensors import frame_times, noisy_force, noisy_width

SHAPES = {
    "sphere": {"radius_mm": 15.0},
    "cylinder": {"radius_mm": 8.0, "length_mm": 40.0},
    "cylinder_end": {"radius_mm": 10.0, "length_mm": 25.0},
    "box": {"size_mm": (30.0, 25.0, 18.0)},
    "ellipsoid": {"size_mm": (25.0, 15.0, 12.0)},
}
#: log10 E ranges and foam-ness of the simulator's material families
MATERIALS = {
    "foam": (4.0, 6.5, True),
    "gel": (4.0, 5.5, False),
    "rubber": (5.5, 7.0, False),
    "plastic": (8.5, 9.5, False),
    "hard": (10.0, 11.0, False),
}


def test_a_regular_encoder_is_interpolated_and_a_skipping_one_is_not() -> None:
    t = np.arange(60) / 30.0
    true = np.where(t < 0.5, 60.0, np.maximum(60.0 - 20.0 * (t - 0.5), 40.0))  # rest, close, stop
    steps = true[(np.arange(60) // 3) * 3]  # a fresh reading every 3 frames
    assert destair_interpolates(steps, 20, 40)
    skipping = steps.copy()
    skipping[24:33] = skipping[24]  # no update for 9 frames while the gripper moves
    assert not destair_interpolates(skipping, 20, 40)
    assert destair_interpolates(true + 0.001 * np.arange(60), 20, 40)  # fresh on every frame
    assert not destair_interpolates(np.full(60, 50.0), 20, 40)


@settings(max_examples=40, deadline=None)
@given(
    step=st.floats(0.0, 5.0),
    sd=st.floats(0.0, 3.0),
    scale=st.floats(0.2, 3.0),
    force=st.floats(1.0, 30.0),
)
def test_the_interpolated_sigma_keeps_the_steps_quantisation(
    step: float, sd: float, scale: float, force: float
) -> None:
    """sigma_c never drops below the sd of a closure read from two readings each rounded to the
    step (step / sqrt(6)), nor twice it below the interpolation's worst case (5/4 of a step),
    and never exceeds the stair-stepped reading's."""
    rig = SensorCalibration(
        "rig-test",
        0.1,
        0.1,
        2e5,
        rigid_press_closure_mm=tuple(scale * c for c in (1.0, 1.8, 2.4, 2.9, 3.3)),
        rigid_press_size_mm=42.67,
        rigid_press_closure_sd_mm=sd,
        width_step_mm=step,
    )
    rigid = float(rigid_closure_mm(rig, np.array([force]))[0])
    rest = sd**2 + (RIGID_CLOSURE_REL_SD * rigid) ** 2
    interpolated = closure_sigma_mm(rig, force, interpolated=True)
    stepped = closure_sigma_mm(rig, force)
    assert interpolated >= math.sqrt(step**2 / 6.0 + rest) - 1e-12
    assert 2.0 * interpolated >= 1.25 * step - 1e-12
    assert interpolated <= stepped
    assert 1.0 / math.sqrt(6.0) <= INTERPOLATED_STEP_SHARE


def _grasp(obj: SimObject, cfg: SimGraspConfig, seed: int) -> dict[str, object]:
    """Signals of one simulated grasp, without frames (as the simulator makes them), read as the
    estimators read them; with the encoder's reading had it updated on every frame."""
    gel = GelModel.from_calibration(cfg.calibration)
    pad = cfg.calibration.pad_size_mm or (35.0, 25.5)
    curve = contact_curve(obj, gel, pad_x_mm=pad[0], pad_y_mm=pad[1])
    rng = np.random.default_rng(seed)
    motion = plan_motion(obj.size_z_mm, curve, cfg.gripper, cfg.fps, cfg.max_frames)
    t_s, keep = frame_times(motion.t_s.size, cfg.fps, cfg.noise, rng)
    width = motion.width_mm[keep]
    relax = relaxation_factor(
        motion.t_s[keep], motion.stop_time_s, cfg.relaxation_fraction, cfg.relaxation_time_s
    )
    delta = np.maximum((obj.size_z_mm - width) / 2.0, 0.0)
    force = curve.at(delta)["force_n"] * relax
    drift = cfg.noise.motion_force_n_per_mm * (width[0] - width)
    force_read = noisy_force(force + drift, t_s, cfg.noise, rng)
    encoder = encoder_width_mm(width, force, cfg.gripper)
    state = rng.bit_generator.state
    read = noisy_width(encoder, t_s, cfg.noise, rng)
    rng.bit_generator.state = state
    every_frame = noisy_width(encoder, t_s, replace(cfg.noise, width_update_period_s=0.0), rng)
    phase = find_loading_phase(force_read, read)
    c, p = phase.contact_index, phase.peak_index
    w = destair(read, t_s)
    state_at = curve.at(float(delta[p]))
    sx, sy = float(state_at["semi_x_mm"]), float(state_at["semi_y_mm"])
    if curve.kind == "flat":
        area = flat_area_mm2(obj, pad[0], pad[1])
    else:
        area = (math.pi if curve.kind == "point" else 4.0) * sx * sy
    return {
        "force_n": float(force_read[p]),
        "area_mm2": area,
        "size_mm": float(w[c]),
        "closure_mm": float(w[c] - w[p]),
        "every_frame_closure_mm": float(every_frame[c] - every_frame[p]),
        "interpolated": destair_interpolates(read, c, p),
    }


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from(sorted(SHAPES)),
    material=st.sampled_from(sorted(MATERIALS)),
    position=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**20),
)
def test_the_bound_holds_on_simulated_grasps_of_every_family(
    shape: str, material: str, position: float, seed: int
) -> None:
    """On random simulated rigs (their calibration from simulated golf-ball presses, as the
    random-rig files have it): the interpolated reading under-reads the closure by less than
    2 sigma_c's step share, and the physics lower bound stays below the true E."""
    lo, hi, foam = MATERIALS[material]
    obj = SimObject(shape=shape, modulus_pa=10 ** (lo + (hi - lo) * position),
                    poisson=0.3 if foam else 0.49, foam=foam, **SHAPES[shape])  # type: ignore[arg-type]  # fmt: skip
    cfg = apply_rig(SimGraspConfig.wedge_raw(), draw_rig(np.random.default_rng(seed)))
    rig = cfg.rig_calibration
    assert rig is not None
    try:
        g = _grasp(obj, cfg, seed)
    except TactileError:  # no loading phase
        return
    if not g["interpolated"]:
        return
    step = float(rig.width_step_mm or 0.0)
    under = float(g["every_frame_closure_mm"]) - float(g["closure_mm"])  # type: ignore[arg-type]
    assert under <= 2.0 * INTERPOLATED_STEP_SHARE * step + 0.05  # + the encoder's noise
    lim = physics_limits(
        force_n=float(g["force_n"]),  # type: ignore[arg-type]
        contact_area_mm2=float(g["area_mm2"]),  # type: ignore[arg-type]
        size_mm=float(g["size_mm"]),  # type: ignore[arg-type]
        closure_mm=max(float(g["closure_mm"]), 0.0),  # type: ignore[arg-type]
        calibration=rig,
        closure_interpolated=True,
    )
    assert lim.lower_bound_pa is not None
    assert lim.lower_bound_pa <= obj.modulus_pa * 1.0001
