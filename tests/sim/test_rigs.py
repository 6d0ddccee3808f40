"""The randomised rig, its rigid-press calibration and the independent material population."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from tactile.errors import ConfigError
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.catalog import FAMILIES, sample_population
from tactile.sim.contact import GelModel
from tactile.sim.heightmap import ridge_field
from tactile.sim.rigs import (
    CALIBRATION_FORCES_N,
    RigCalibration,
    RigRanges,
    apply_rig,
    draw_rig,
    measure_rig_calibration,
    press_signals,
    rigid_press_closure_mm,
)


def test_draws_stay_in_their_ranges() -> None:
    r = RigRanges()
    rng = np.random.default_rng(0)
    for _ in range(50):
        d = draw_rig(rng, r)
        assert r.gel_modulus_pa[0] <= d.gel_modulus_pa <= r.gel_modulus_pa[1]
        assert r.rig_compliance_mm_per_n[0] <= d.rig_compliance_mm_per_n
        assert d.rig_compliance_mm_per_n <= r.rig_compliance_mm_per_n[1]
        assert r.width_latency_s[0] <= d.width_latency_s <= r.width_latency_s[1]
        assert max(abs(v) for v in d.pose_offset_px) <= r.pose_offset_px


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ConfigError, match="gel_thickness_mm"):
        RigRanges(gel_thickness_mm=(4.0, 2.0))


def test_a_compliant_rig_closes_more_on_a_rigid_sphere() -> None:
    gel = GelModel(2.5e5, 0.48, 3.0)
    stiff = rigid_press_closure_mm(gel, 0.0)
    soft = rigid_press_closure_mm(gel, 0.1)
    assert np.all(np.diff(stiff) > 0)
    np.testing.assert_allclose(soft - stiff, 0.1 * np.asarray(CALIBRATION_FORCES_N), rtol=1e-9)
    assert stiff[-1] < 2 * 0.9 * 3.0 + 1e-6  # the gel bottoms out on both fingers


def test_the_measured_calibration_follows_the_true_closure_without_latency() -> None:
    cfg = SimGraspConfig.clean()
    draw = replace(draw_rig(np.random.default_rng(1)), width_latency_s=0.0, motion_force_n_per_mm=0)
    rig_cfg = apply_rig(cfg, draw)
    presses = [press_signals(rig_cfg, s) for s in range(3)]
    cal = measure_rig_calibration(presses, gel_thickness_mm=draw.gel_thickness_mm, source="t")
    gel = GelModel(draw.gel_modulus_pa, 0.48, draw.gel_thickness_mm)
    true = rigid_press_closure_mm(gel, draw.rig_compliance_mm_per_n)
    # measured from the loading phase's first contact (a force above 2 % of the rise), as the
    # network's inputs are: the first few tenths of a millimetre before it are not counted
    # (only forces the gripper reaches before its target count)
    reached = np.asarray(CALIBRATION_FORCES_N) < 0.9 * draw.force_target_n
    measured = np.asarray(cal.rigid_closure_mm)
    tol = 0.15 + 2 * draw.width_resolution_mm
    assert np.all(measured[reached] <= true[reached] + tol)
    assert np.all(measured[reached] >= true[reached] - 1.5 - tol)
    assert np.all(np.diff(measured) >= 0)


def test_latency_of_the_width_reading_changes_the_measured_calibration() -> None:
    cfg = SimGraspConfig.clean()
    base = replace(draw_rig(np.random.default_rng(2)), width_latency_s=0.0)
    laggy = replace(base, width_latency_s=0.3)
    a = apply_rig(cfg, base).rig["rig_calibration"]["rigid_closure_mm"]
    b = apply_rig(cfg, laggy).rig["rig_calibration"]["rigid_closure_mm"]
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) > 0.1


def test_a_rig_grasp_records_its_rig_and_calibration() -> None:
    cfg = replace(SimGraspConfig.clean(size_hw=(48, 64)), processing_calibration_id="sim-wedge-v1")
    draw = draw_rig(np.random.default_rng(3))
    grasp = simulate_grasp(SimObject(radius_mm=15.0, modulus_pa=1e5), apply_rig(cfg, draw), 0)
    extra = grasp.meta.extra
    assert extra["rig_gel_modulus_pa"] == pytest.approx(draw.gel_modulus_pa)
    assert extra["true_gel_modulus_pa"] == pytest.approx(draw.gel_modulus_pa)
    cal = RigCalibration.from_dict(extra["rig_calibration"])
    assert len(cal.rigid_closure_mm) == len(CALIBRATION_FORCES_N)
    assert grasp.meta.calibration_id == "sim-wedge-v1"


def test_calibration_closure_interpolates_and_extrapolates() -> None:
    cal = RigCalibration((1.0, 2.0, 3.0, 4.0, 5.0), 0.1, 3.0)
    c = cal.closure_at(np.array([0.0, 2.5, 7.5, 25.0, 30.0]))
    assert c[0] == 0.0 and 0 < c[1] < 1.0
    assert c[2] == pytest.approx(1.5) and c[3] == pytest.approx(5.0) and c[4] == pytest.approx(6.0)
    with pytest.raises(ConfigError):
        RigCalibration((1.0, 2.0), 0.1, 3.0)


def test_independent_population_does_not_tie_material_to_modulus() -> None:
    objs = sample_population(400, "independent", seed=4)
    soft = [o for o in objs if o.modulus_pa < 3.16e5]
    materials = {o.material for o in soft}
    assert {"foam", "gel"} <= materials  # below 316 kPa not every object is a foam
    share_foam = np.mean([o.foam for o in soft])
    assert 0.25 < share_foam < 0.75
    for o in objs:
        fam = FAMILIES[o.material]
        assert fam.log10_min - 1e-9 <= math.log10(o.modulus_pa) <= fam.log10_max + 1e-9
    assert any(o.ridge_pitch_mm > 0 for o in objs) and any(o.dimple_pitch_mm > 0 for o in objs)


def test_ridges_are_grooves_of_the_given_depth_and_pitch() -> None:
    field = ridge_field(np.random.default_rng(0), (100, 10), (0.1, 0.1), 2.0, 0.2)
    assert field.max() <= 0.0 and field.min() == pytest.approx(-0.2, abs=0.02)
    profile = field[:, 0]
    spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
    assert np.argmax(spectrum) == 5  # 10 mm of pad / 2 mm pitch
