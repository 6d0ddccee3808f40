"""Force and width on a common clock and zero (``tactile.processing.grasp_signals``): the width
reading's lag and the force that builds with the closing motion, recovered from simulated grasps
whose latency and motion force are known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tactile.processing.grasp_geometry import contact_width, hold_point
from tactile.processing.grasp_signals import (
    WidthLag,
    correct_signals,
    motion_baseline,
    width_lag_s,
)
from tactile.processing.loading import find_loading_phase
from tactile.processing.rig_fit import fit_rig
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.gripper import GripperProfile

STEEL = SimObject(shape="sphere", radius_mm=10, modulus_pa=2e11, poisson=0.3, name="steel")
SOFT = SimObject(shape="sphere", radius_mm=15, modulus_pa=3e4, name="soft")
D = 42.67  # a golf ball
FOAM_BOX = SimObject(
    shape="box", size_mm=(20, 20, 30), modulus_pa=1e4, poisson=0.2, foam=True, name="foam"
)


def _config(latency_s: float = 0.0, motion: float = 0.0, stiffness: float = 0.0):
    cfg = SimGraspConfig.realistic()
    noise = dataclasses.replace(cfg.noise, width_latency_s=latency_s, motion_force_n_per_mm=motion)
    gripper = dataclasses.replace(cfg.gripper, finger_stiffness_n_per_mm=stiffness)
    return dataclasses.replace(cfg, noise=noise, gripper=gripper)


@pytest.mark.parametrize("obj", [STEEL, SOFT], ids=["steel", "soft"])
@pytest.mark.parametrize("latency_s", [0.0, 0.15, 0.35])
def test_the_width_lag_recovers_the_simulated_latency(obj: SimObject, latency_s: float) -> None:
    for seed in range(2):
        g = simulate_grasp(obj, config=_config(latency_s, stiffness=10.0), seed=seed)
        lag = width_lag_s(g.t_s, g.force_n, g.width_mm)
        assert lag is not None
        # relaxation during the hold makes it err short, never long by more than ~a frame/3
        assert latency_s - 0.05 <= lag.lag_s <= latency_s + 0.015, (seed, lag)


def test_a_recording_without_release_has_no_lag_estimate() -> None:
    g = simulate_grasp(STEEL, config=_config(0.3), seed=0)
    peak = int(np.argmax(g.force_n))
    assert width_lag_s(g.t_s[: peak + 3], g.force_n[: peak + 3], g.width_mm[: peak + 3]) is None


def test_the_aligned_width_reads_the_contact_as_a_rig_without_lag_does() -> None:
    """A steel ball on a rig whose width lags 0.3 s: from the raw reading the contact width is
    read several mm too open (the approach is shown after the touch); from the aligned one it
    is where the same grasp without the lag reads it."""
    lagging = simulate_grasp(STEEL, config=_config(0.3, stiffness=10.0), seed=1)
    prompt = simulate_grasp(STEEL, config=_config(0.0, stiffness=10.0), seed=1)
    reference = contact_width(prompt.force_n, prompt.width_mm).width_mm
    raw = contact_width(lagging.force_n, lagging.width_mm).width_mm
    c = correct_signals(lagging.t_s, lagging.force_n, lagging.width_mm)
    aligned = contact_width(c.force_n, c.width_mm).width_mm
    assert raw - reference > 3.0
    assert abs(aligned - reference) < 0.6
    assert c.lag is not None and not np.allclose(c.width_mm, lagging.width_mm)


@pytest.mark.parametrize(
    ("obj", "raw_off_mm", "tolerance_mm"),
    [(STEEL, 1.0, 0.6), (SOFT, 5.0, 1.5)],
    ids=["steel", "soft"],
)
def test_the_motion_force_is_recovered_from_the_approach(
    obj: SimObject, raw_off_mm: float, tolerance_mm: float
) -> None:
    """0.1 N/mm over a 15 mm approach: the slope is recovered, and the contact width and hold
    force read from the corrected force are those of the same grasp without the motion force
    (a soft ball's first, tiny Hertz force enters the line and reads it up to ~1.4 mm late);
    from the raw force the contact is read where the motion began to load the sensor."""
    for seed in range(3):
        cfgs = [
            dataclasses.replace(_config(motion=m), gripper=GripperProfile(open_gap_mm=15.0))
            for m in (0.1, 0.0)
        ]
        g, g0 = (simulate_grasp(obj, config=cfg, seed=seed) for cfg in cfgs)
        c = correct_signals(g.t_s, g.force_n, g.width_mm)
        assert c.motion is not None
        assert c.motion.slope_n_per_mm == pytest.approx(0.1, rel=0.15)
        reference = contact_width(g0.force_n, g0.width_mm).width_mm
        raw = contact_width(g.force_n, g.width_mm).width_mm
        fixed = contact_width(c.force_n, c.width_mm).width_mm
        assert raw - reference > raw_off_mm
        assert abs(fixed - reference) < tolerance_mm, seed
        hold = hold_point(c.force_n, c.width_mm).force_n
        assert hold == pytest.approx(hold_point(g0.force_n, g0.width_mm).force_n, abs=0.5)


@pytest.mark.parametrize("obj", [SOFT, FOAM_BOX], ids=["soft_sphere", "foam_box"])
def test_no_motion_force_is_read_into_a_soft_objects_own_rise(obj: SimObject) -> None:
    """Without a motion force, a soft object's slow rise from its touch (a flat face's is
    straight) is not taken for one: the line bends at the touch, not at the motion's start."""
    for seed in range(3):
        g = simulate_grasp(obj, config=_config(), seed=seed)
        c = correct_signals(g.t_s, g.force_n, g.width_mm)
        assert c.motion is None or c.motion.slope_n_per_mm == 0.0, (seed, c.motion)


def test_a_recording_that_starts_loaded_has_no_motion_baseline() -> None:
    g = simulate_grasp(SOFT, config=_config(motion=0.1), seed=0)
    start = int(np.argmax(g.force_n >= 2.0))
    f, w = g.force_n[start:], g.width_mm[start:]
    assert motion_baseline(f, w) is None


def test_a_lagging_release_is_not_a_slip() -> None:
    """The release's opening shows only after the lag: without the frame times it was taken for
    a slip and the grasp cut at the hold (its unloading branch lost)."""
    g = simulate_grasp(STEEL, config=_config(0.35, stiffness=10.0), seed=0)
    assert find_loading_phase(g.force_n, g.width_mm).end_index is not None  # the old reading
    assert find_loading_phase(g.force_n, g.width_mm, t_s=g.t_s).end_index is None


def test_rigid_presses_on_a_lagging_rig_fit_its_compliance() -> None:
    """``tactile calibrate rig`` on a rig whose width lags 0.3 s and whose force builds with the
    motion: the rig compliance it fits is the simulated one (10 N/mm per finger: 0.2 mm/N),
    as on a rig without either fault (tests/processing/test_rig_fit.py)."""
    ball = SimObject(shape="sphere", radius_mm=D / 2, modulus_pa=1e11, poisson=0.3)
    cal = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)
    cfg = _config(0.3, motion=0.08, stiffness=10.0)
    clean = _config(stiffness=10.0)
    fit = fit_rig([simulate_grasp(ball, config=cfg, seed=s) for s in range(3)], cal, size_mm=D)
    ref = fit_rig([simulate_grasp(ball, config=clean, seed=s) for s in range(3)], cal, size_mm=D)
    assert fit.rig_compliance_mm_per_n == pytest.approx(ref.rig_compliance_mm_per_n, abs=0.03)
    assert abs(fit.contact_width_bias_mm - ref.contact_width_bias_mm) < 1.0


def test_the_loading_phase_hands_on_the_lag_it_measured() -> None:
    """The slip test's lag is kept with the arrays it was measured on, and the signal correction
    reads it instead of measuring it again: the same corrected signals either way."""
    g = simulate_grasp(STEEL, config=_config(0.3, motion=0.1, stiffness=10.0), seed=1)
    phase = find_loading_phase(g.force_n, g.width_mm, t_s=g.t_s)
    measured = phase.width_lag
    assert measured is not None and measured.lag is not None
    assert measured.force_n is phase.force_n
    assert measured.lag == width_lag_s(g.t_s, phase.force_n, g.width_mm)
    fresh = correct_signals(g.t_s, phase.force_n, g.width_mm, 0.01)
    handed = correct_signals(g.t_s, phase.force_n, g.width_mm, 0.01, measured_lag=measured)
    assert handed.lag == fresh.lag
    assert np.array_equal(handed.force_n, fresh.force_n)
    assert np.array_equal(handed.width_mm, fresh.width_mm)
    assert handed.motion == fresh.motion
    assert find_loading_phase(g.force_n, g.width_mm).width_lag is None  # no clock, no lag


def test_a_lag_measured_on_other_signals_is_measured_again() -> None:
    """A lag handed on is read only for the very arrays it was measured on; with other arrays
    (a grasp cut at a slip, a force the correction despikes further) the correction measures
    the lag of the signals it was given."""
    g = simulate_grasp(STEEL, config=_config(0.3, stiffness=10.0), seed=0)
    phase = find_loading_phase(g.force_n, g.width_mm, t_s=g.t_s)
    measured = phase.width_lag
    assert measured is not None and measured.lag is not None
    marked = dataclasses.replace(measured, lag=WidthLag(0.9, -1.0))  # tells reuse from re-measure
    assert marked.measured_on(g.t_s, phase.force_n, g.width_mm)
    assert correct_signals(g.t_s, phase.force_n, g.width_mm, measured_lag=marked).lag == (
        WidthLag(0.9, -1.0)
    )
    n = g.t_s.size - 5
    assert not marked.measured_on(g.t_s[:n], phase.force_n[:n], g.width_mm[:n])
    cut = correct_signals(g.t_s[:n], phase.force_n[:n], g.width_mm[:n], measured_lag=marked)
    assert cut.lag == correct_signals(g.t_s[:n], phase.force_n[:n], g.width_mm[:n]).lag
    spiked = phase.force_n.copy()
    spiked[len(spiked) // 2] = -70.0  # despiked inside the correction: not the measured force
    assert not marked.measured_on(g.t_s, spiked, g.width_mm)
    c = correct_signals(g.t_s, spiked, g.width_mm, measured_lag=marked)
    assert c.lag == correct_signals(g.t_s, spiked, g.width_mm).lag
    assert c.lag is not None and c.lag.lag_s < 0.5
