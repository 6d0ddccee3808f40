"""Whole grasps: the open-close-open cycle, metadata, determinism, sensor imperfections."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage
from sim_helpers import SMALL_CAL, SMALL_HW

from tactile.errors import ConfigError
from tactile.sensor import WEDGE_REFERENCE_V3, get_calibration
from tactile.sim import (
    GelModel,
    SensorNoise,
    SimGraspConfig,
    SimObject,
    preset_config,
    sample_population,
    simulate_grasp,
    simulate_grasp_truth,
)
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.types import Grasp

BALL = SimObject(radius_mm=20.0, modulus_pa=1e6, name="ball")


def test_cycle_closes_to_the_force_target_and_reopens(clean_config: SimGraspConfig) -> None:
    grasp, truth = simulate_grasp_truth(BALL, clean_config, seed=0)
    assert isinstance(grasp, Grasp)
    size = BALL.size_z_mm
    open_w = size + clean_config.gripper.open_gap_mm
    assert grasp.width_mm[0] == pytest.approx(open_w)
    assert grasp.width_mm[-1] == pytest.approx(open_w)
    assert grasp.force_n[0] == 0 and grasp.force_n[-1] == 0
    assert grasp.force_n.max() == pytest.approx(clean_config.gripper.force_target_n, rel=1e-3)
    # width at first contact is the object size; closure is twice the approach
    c = truth.contact_index
    assert grasp.width_mm[c - 1] >= size > grasp.width_mm[c]
    closure = np.maximum(size - grasp.width_mm, 0.0)
    np.testing.assert_allclose(closure, 2 * truth.delta_mm, atol=1e-9)
    assert {"approach", "loading", "hold", "unloading", "open"} <= set(truth.phase_names())
    assert np.all(np.diff(grasp.t_s) > 0)
    assert grasp.t_s[1] - grasp.t_s[0] == pytest.approx(1 / 30)


@pytest.mark.parametrize("thin_layer", [False, True], ids=["half-space", "thin-layer"])
def test_contact_is_visible_above_threshold_inside_and_quiet_outside(
    clean_config: SimGraspConfig, thin_layer: bool
) -> None:
    stiff = SimObject(radius_mm=15.0, modulus_pa=5e9, name="hard")
    gel_model = "thin-layer" if thin_layer else "half-space"
    cfg = replace(clean_config, calibration=replace(clean_config.calibration, gel_model=gel_model))
    grasp, truth = simulate_grasp_truth(stiff, cfg, seed=0)
    assert grasp.reference_frame is not None
    k = truth.peak_index
    diff = np.abs(grasp.frames[k].astype(int) - grasp.reference_frame.astype(int)).max(axis=-1)
    mask = truth.contact_masks[k]
    thr = cfg.calibration.contact_threshold
    assert (diff[mask] > thr).mean() > 0.5  # the flat centre of a cap shows little
    # Hertz depresses the surface just outside the contact too (u(a) = delta/2), so a halo
    # about one gel thickness wide is visible; beyond it the pad stays quiet
    dist_mm = ndimage.distance_transform_edt(~mask) * cfg.calibration.mm_per_px_x
    far = dist_mm > 2 * cfg.calibration.gel_thickness_mm
    assert (diff[far] > thr).mean() < 0.3
    if thin_layer:
        assert (diff[~mask] > thr).mean() < 0.35
    before = truth.contact_index - 1
    assert np.array_equal(grasp.frames[before], grasp.reference_frame)  # clean: no change


def test_truth_more_force_more_area_during_loading(clean_config: SimGraspConfig) -> None:
    _, truth = simulate_grasp_truth(BALL, clean_config, seed=0)
    load = slice(truth.contact_index, truth.peak_index + 1)
    assert np.all(np.diff(truth.force_n[load]) > 0)
    assert np.all(np.diff(truth.contact_area_mm2[load]) >= 0)
    assert truth.contact_area_mm2[truth.peak_index] > 0


def test_metadata_labels_and_json_scalars(clean_config: SimGraspConfig) -> None:
    grasp = simulate_grasp(BALL, clean_config, seed=3)
    meta = grasp.meta
    assert meta.label_modulus_pa == BALL.modulus_pa
    assert meta.shape == "sphere" and meta.radius_mm == 20.0 and meta.source == "sim"
    assert meta.calibration_id == clean_config.calibration.calibration_id
    assert meta.devices["gripper"].startswith("sim://")
    assert meta.extra["true_gel_modulus_pa"] == clean_config.calibration.gel_modulus_pa
    for value in meta.extra.values():
        assert isinstance(value, str | int | float | bool)
    json.dumps(meta.extra)


def test_the_simulated_sensor_is_described_by_its_calibration_alone() -> None:
    # the profile a simulated grasp names is the gel the simulator used: the estimators need
    # no simulator setting from the metadata
    for cfg in (SimGraspConfig(), SimGraspConfig.wedge_raw()):
        gel = GelModel.from_calibration(get_calibration(cfg.calibration.calibration_id))
        assert gel == GelModel.from_calibration(cfg.calibration)
        assert gel.max_strain == GEL_MAX_STRAIN
    thin = preset_config("thin-layer", (240, 320))
    assert get_calibration(thin.calibration.calibration_id).gel_model == "thin-layer"
    grasp = simulate_grasp(BALL, SimGraspConfig.clean(calibration=SMALL_CAL, size_hw=SMALL_HW))
    side_channels = {"sim_gel_max_strain", "sim_thin_layer", "gel_thickness_mm"}
    assert not side_channels & set(grasp.meta.extra)


def test_a_calibration_without_gel_bottoming_cannot_drive_the_simulator() -> None:
    with pytest.raises(ConfigError, match="gel_max_strain"):
        simulate_grasp(BALL, SimGraspConfig.clean(calibration=WEDGE_REFERENCE_V3))


def test_same_seed_same_grasp_other_seed_differs(noisy_config: SimGraspConfig) -> None:
    a = simulate_grasp(BALL, noisy_config, seed=5)
    b = simulate_grasp(BALL, noisy_config, seed=5)
    c = simulate_grasp(BALL, noisy_config, seed=6)
    assert np.array_equal(a.frames, b.frames)
    assert np.array_equal(a.force_n, b.force_n) and np.array_equal(a.width_mm, b.width_mm)
    assert not np.array_equal(a.force_n, c.force_n)


def test_sensor_imperfections(noisy_config: SimGraspConfig) -> None:
    noise = replace(SensorNoise(), force_spike_probability=0.2, frame_drop_probability=0.2)
    cfg = replace(noisy_config, noise=noise)
    grasp, truth = simulate_grasp_truth(BALL, cfg, seed=1)
    assert np.any(grasp.force_n == noise.force_spike_n)
    dt = np.diff(grasp.t_s)
    assert dt.max() > 1.5 / cfg.fps  # dropped frames leave gaps
    held = np.mean(np.diff(grasp.width_mm) == 0)
    assert held > 0.3  # stair-stepped encoder readings
    assert np.abs(grasp.frames.astype(int) - grasp.frames[0].astype(int)).max() > 0
    assert truth.force_n.size == grasp.n_frames


def test_stiff_object_stops_on_gel_and_soft_one_deforms(clean_config: SimGraspConfig) -> None:
    _, soft = simulate_grasp_truth(replace(BALL, modulus_pa=3e4), clean_config, seed=0)
    _, hard = simulate_grasp_truth(replace(BALL, modulus_pa=2e11), clean_config, seed=0)
    k_s, k_h = soft.peak_index, hard.peak_index
    assert soft.object_def_mm[k_s] > soft.gel_depth_mm[k_s]
    assert hard.object_def_mm[k_h] < 1e-4 * hard.gel_depth_mm[k_h]
    assert soft.gel_depth_mm[k_s] < hard.gel_depth_mm[k_h]  # softer: shallower imprint


@pytest.mark.parametrize(
    "obj",
    [
        SimObject(shape="cylinder", radius_mm=6.0, length_mm=25.0, modulus_pa=2e9),
        SimObject(shape="cylinder_end", radius_mm=5.0, length_mm=20.0, modulus_pa=2e9),
        SimObject(shape="box", size_mm=(15.0, 10.0, 20.0), modulus_pa=1e5, foam=True),
        SimObject(shape="ellipsoid", size_mm=(15.0, 9.0, 8.0), modulus_pa=1e6),
    ],
    ids=lambda o: o.shape,
)
def test_every_shape_simulates(obj: SimObject, noisy_config: SimGraspConfig) -> None:
    grasp, truth = simulate_grasp_truth(
        obj,
        SimGraspConfig.realistic(
            calibration=noisy_config.calibration, size_hw=noisy_config.size_hw
        ),
        seed=2,
    )
    assert grasp.frames.dtype == np.uint8 and grasp.frames.shape[1:] == (120, 160, 3)
    assert truth.contact_area_mm2.max() > 0
    assert grasp.meta.extra["contact_kind"] in ("line", "flat", "point")


def test_compliant_fingers_make_the_encoder_overstate_the_closure(
    clean_config: SimGraspConfig,
) -> None:
    k = 10.0  # N/mm per finger
    gripper = replace(clean_config.gripper, finger_stiffness_n_per_mm=k)
    grasp, truth = simulate_grasp_truth(BALL, replace(clean_config, gripper=gripper), seed=0)
    np.testing.assert_allclose(grasp.width_mm, truth.width_mm - 2 * truth.force_n / k)
    p = truth.peak_index
    assert grasp.width_mm[p] < truth.width_mm[p] - 3.0  # 20 N -> 4 mm extra "closure"
    assert grasp.meta.extra["sim_finger_stiffness_n_per_mm"] == k


def test_force_relaxes_during_the_hold(clean_config: SimGraspConfig) -> None:
    cfg = replace(clean_config, relaxation_fraction=0.05, relaxation_time_s=0.2)
    grasp, truth = simulate_grasp_truth(BALL, cfg, seed=0)
    hold = np.flatnonzero(np.array(truth.phase_names()) == "hold")
    f = grasp.force_n[hold]
    assert np.all(np.diff(f) < 0)  # width constant, force decays
    assert f[-1] == pytest.approx(0.95 * cfg.gripper.force_target_n, rel=0.02)
    assert np.all(np.diff(truth.width_mm[hold]) == 0)


@pytest.mark.parametrize("population", ["reference", "loguniform"])
def test_population_sweep_simulates_sane_grasps(population: str) -> None:
    cal = replace(SMALL_CAL, mm_per_px_x=SMALL_CAL.mm_per_px_x * 2.5)
    cal = replace(cal, mm_per_px_y=SMALL_CAL.mm_per_px_y * 2.5)
    for i, obj in enumerate(sample_population(15, population, seed=11)):
        gel_model = "thin-layer" if i % 2 == 1 else "half-space"
        cfg = SimGraspConfig.realistic(
            calibration=replace(cal, gel_model=gel_model), size_hw=(48, 64)
        )
        grasp, truth = simulate_grasp_truth(obj, cfg, seed=i)
        assert truth.force_n.max() > 0 and truth.contact_index > 0
        load = slice(truth.contact_index, truth.peak_index + 1)
        assert np.all(np.diff(truth.force_n[load]) >= -1e-9)
        assert np.isfinite(grasp.force_n).all() and np.isfinite(grasp.width_mm).all()


def test_small_soft_object_reaches_the_target_in_lockup(clean_config: SimGraspConfig) -> None:
    pea = SimObject(radius_mm=8.0, modulus_pa=1e4, name="pea")
    grasp, truth = simulate_grasp_truth(pea, clean_config, seed=0)
    assert truth.stopped_by == "lockup"
    assert grasp.force_n.max() == pytest.approx(clean_config.gripper.force_target_n, rel=1e-3)
    assert grasp.width_mm.min() > 0.04 * pea.size_z_mm - 1e-6


def test_saturation_of_gauge_and_camera(clean_config: SimGraspConfig) -> None:
    noise = replace(SensorNoise.clean(), force_max_n=15.0, image_gain=1.8)
    grasp, truth = simulate_grasp_truth(BALL, replace(clean_config, noise=noise), seed=0)
    assert grasp.force_n.max() == 15.0 < truth.force_n.max()
    assert (grasp.frames == 255).mean() > 0.05  # bright regions clip at 255


@settings(max_examples=12, deadline=None)
@given(index=st.integers(0, 399), population=st.sampled_from(["reference", "loguniform"]))
def test_rendered_gel_depth_never_exceeds_the_gel_thickness(index: int, population: str) -> None:
    # the truth and every depth map the images are rendered from, texture included
    obj = sample_population(400, population, seed=5)[index]
    cal = replace(SMALL_CAL, mm_per_px_x=SMALL_CAL.mm_per_px_x * 2.5)
    cal = replace(cal, mm_per_px_y=SMALL_CAL.mm_per_px_y * 2.5)
    cfg = SimGraspConfig.realistic(calibration=cal, size_hw=(48, 64))
    _, truth = simulate_grasp_truth(obj, cfg, seed=index, keep_depth_maps=True)
    assert truth.depth_maps is not None
    h = cal.gel_thickness_mm
    assert truth.gel_depth_mm.max() <= h and truth.depth_maps.max() <= h
    assert truth.depth_maps.max() > 0


def test_width_offset_shifts_every_encoder_reading(clean_config: SimGraspConfig) -> None:
    gripper = replace(clean_config.gripper, width_offset_mm=2.4)
    grasp, truth = simulate_grasp_truth(BALL, replace(clean_config, gripper=gripper), seed=0)
    np.testing.assert_allclose(grasp.width_mm, truth.width_mm + 2.4)
    assert grasp.width_mm[truth.contact_index - 1] >= BALL.size_z_mm + 2.4


def test_force_zero_drifts_like_a_random_walk_and_frames_jitter() -> None:
    from tactile.sim.sensors import frame_times, noisy_force

    noise = replace(SensorNoise.clean(), force_drift_sd_n_per_sqrt_s=0.05)
    t = np.arange(3000) / 30.0  # 100 s at rest
    runs = np.array(
        [noisy_force(np.zeros_like(t), t, noise, np.random.default_rng(s)) for s in range(40)]
    )
    # random walk: the spread grows like sqrt(t) (0.05 N/sqrt(s) -> 0.5 N after 100 s)
    assert runs[:, 30].std() < 0.1 < 0.3 < runs[:, -1].std() < 0.8
    jitter = replace(SensorNoise.clean(), frame_jitter_sd_s=0.002)
    ts, keep = frame_times(300, 30.0, jitter, np.random.default_rng(0))
    dev = ts - keep / 30.0
    assert 0.001 < dev.std() < 0.003 and np.all(np.diff(ts) > 0)


def test_both_fingers_take_the_same_approach(clean_config: SimGraspConfig) -> None:
    # the other finger carries the same gel against the same object: the closure is twice the
    # approach of one finger, i.e. twice (gel indentation + object deformation at one side)
    _, truth = simulate_grasp_truth(BALL, clean_config, seed=0)
    closure = np.maximum(BALL.size_z_mm - truth.width_mm, 0.0)
    np.testing.assert_allclose(closure, 2 * (truth.gel_depth_mm + truth.object_def_mm), atol=1e-9)


def test_compliant_fingers_let_the_gap_lag_the_motor(clean_config: SimGraspConfig) -> None:
    k = 10.0  # N/mm per finger
    gripper = replace(clean_config.gripper, finger_stiffness_n_per_mm=k)
    grasp, truth = simulate_grasp_truth(BALL, replace(clean_config, gripper=gripper), seed=0)
    closing = np.flatnonzero(np.isin(truth.phase_names(), ["approach", "loading"]))[1:]
    closing = closing[grasp.t_s[closing] > gripper.rest_before_s + 0.04]
    step = gripper.close_speed_mm_s / clean_config.fps
    # the motor (encoder) closes at constant speed; the gap slows as the force builds up
    np.testing.assert_allclose(np.diff(grasp.width_mm[closing]), -step, atol=1e-6)
    gap_steps = -np.diff(truth.width_mm[closing])
    loading = truth.force_n[closing][1:] > 5.0
    assert np.all(gap_steps[loading] < 0.8 * step)
    assert truth.force_n.max() == pytest.approx(gripper.force_target_n, rel=1e-3)


def test_the_cli_states_the_simulator_presets() -> None:
    from tactile.cli.simulate_cmd import PRESETS as CLI_PRESETS
    from tactile.sim import PRESETS

    assert CLI_PRESETS == PRESETS
    with pytest.raises(ConfigError, match="unknown simulator preset"):
        preset_config("realstic", (240, 320))
