"""Raw camera view through the Wedge mirror (frames as the reference rig's camera records them)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import cv2
import numpy as np
import pytest

from tactile.errors import ConfigError
from tactile.sensor import SIM_WEDGE, WEDGE_REFERENCE, get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp_truth
from tactile.sim.render import Optics, background_image


def _unwarp(frame: np.ndarray) -> np.ndarray:
    src = np.asarray(WEDGE_REFERENCE.corners_px, dtype=np.float32)
    w, h = WEDGE_REFERENCE.warp_size_px or (0, 0)
    dst = np.array([[0, 0], [w, 0], [0, h], [w, h]], dtype=np.float32)
    return cv2.warpPerspective(frame, cv2.getPerspectiveTransform(src, dst), (w, h))


def test_raw_frames_warp_back_onto_the_rendered_pad() -> None:
    cfg = SimGraspConfig.wedge_raw(noise=SimGraspConfig.clean().noise, offset_jitter_mm=0.0)
    ball = SimObject(radius_mm=15.0, modulus_pa=2e9, name="hard")
    grasp, truth = simulate_grasp_truth(ball, cfg, seed=0)
    assert grasp.frames.shape[1:] == (480, 640, 3)
    # the simulated rig's own profile: the reference rig's geometry, the simulator's gel
    assert grasp.meta.calibration_id == "sim-wedge-raw-v1"
    sim_rig = get_calibration("sim-wedge-raw-v1")
    assert replace(sim_rig, calibration_id=WEDGE_REFERENCE.calibration_id) == replace(
        WEDGE_REFERENCE,
        gel_max_strain=sim_rig.gel_max_strain,
        sensor_model=sim_rig.sensor_model,
        notes=sim_rig.notes,
    )
    assert truth.contact_masks.shape[1:] == (300, 400)  # pad coordinates
    assert grasp.reference_frame is not None
    pad = _unwarp(grasp.reference_frame).astype(float)
    expected = background_image(Optics(), (300, 400))
    inner = (slice(10, -10), slice(10, -10))
    assert np.abs(pad[inner] - expected[inner]).mean() < 3.0
    # the contact appears where the truth says, once warped back
    k = truth.peak_index
    diff = np.abs(_unwarp(grasp.frames[k]).astype(int) - pad.astype(int)).max(axis=-1)
    seen = diff > WEDGE_REFERENCE.contact_threshold
    mask = truth.contact_masks[k]
    assert seen[mask].mean() > 0.5 and seen[~mask].mean() < seen[mask].mean()


def test_raw_camera_needs_pad_corners() -> None:
    cfg = SimGraspConfig.clean(calibration=SIM_WEDGE, raw_camera=True)
    with pytest.raises(ConfigError, match="corners"):
        simulate_grasp_truth(SimObject(), cfg, seed=0)


def test_load_moves_the_whole_raw_view() -> None:
    from tactile.sim.camera import RawCamera

    camera = RawCamera(WEDGE_REFERENCE, (480, 640))
    pad = background_image(Optics(), camera.pad_size_hw)
    still = camera.project(pad)
    moved = camera.project(pad, (-2.0, 0.0))  # two pixels to the left
    np.testing.assert_allclose(moved[:, 100:-100], still[:, 102:-98], atol=0.5)
    assert np.abs(moved - still).max() > 20  # the pad's outline against the housing shows


def test_wedge_raw_preset_moves_the_view_with_the_force() -> None:
    from tactile.sim.camera import WEDGE_RAW_SHIFT_PX_PER_N

    cfg = SimGraspConfig.wedge_raw()
    assert cfg.raw_shift_px_per_n == WEDGE_RAW_SHIFT_PX_PER_N and cfg.preset == "wedge-raw"
    assert WEDGE_RAW_SHIFT_PX_PER_N[0] * 23.0 == pytest.approx(-0.29, abs=0.05)  # measured


def test_wedge_raw_frames_are_mjpg_compressed_with_the_real_table() -> None:
    from tactile.sim.sensors import WEDGE_MJPEG_QTABLE, SensorNoise, jpeg_round_trip

    assert SimGraspConfig.wedge_raw().noise.jpeg_qtable == WEDGE_MJPEG_QTABLE
    assert SimGraspConfig.realistic().noise.jpeg_qtable == ()  # pad frames: no codec
    clean_raw = SimGraspConfig.wedge_raw(noise=SensorNoise.clean())
    assert clean_raw.noise.jpeg_qtable == ()
    rng = np.random.default_rng(0)
    frame = np.clip(rng.normal(120, 3, (64, 96, 3)), 0, 255).astype(np.uint8)
    out = jpeg_round_trip(frame, WEDGE_MJPEG_QTABLE)
    assert out.shape == frame.shape and out.dtype == np.uint8
    change = np.abs(out.astype(int) - frame.astype(int))
    assert 0 < change.mean() < 4  # lossy, but at the real camera's fine quantisation
    assert np.std(out.astype(float)) < np.std(frame.astype(float))  # it smooths noise


def test_wedge_raw_noise_matches_the_real_frame_to_frame_noise() -> None:
    cfg = SimGraspConfig.wedge_raw(offset_jitter_mm=0.0)
    grasp = simulate_grasp_truth(SimObject(radius_mm=25.0, modulus_pa=2e5), cfg, seed=0)[0]
    pads = [_unwarp(f).astype(float)[25:-25, 25:-25] for f in grasp.frames[:4]]
    sigma = np.mean([np.std(b - a) / np.sqrt(2) for a, b in itertools.pairwise(pads)])
    assert 0.55 < sigma < 0.8  # real no-contact frames: 0.58-0.75 grey levels
