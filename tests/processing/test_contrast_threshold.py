"""The contact threshold follows each grasp's own no-contact contrast (issue 11, "Day-to-day
drift"): :func:`~tactile.processing.contact.shading_contrast` and the calibration's
``contact_reference_contrast``."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from proc_synth import lit_gel, press, to_u8

from tactile.errors import CalibrationError
from tactile.processing import build_pad_warp
from tactile.processing.contact import shading_contrast
from tactile.processing.features import (
    CONTRAST_SCALE_BOUNDS,
    FrameSource,
    _contrast_scaled,
    extract_features,
)
from tactile.sensor import SIM_WEDGE, SensorCalibration, get_calibration
from tactile.types import Grasp, GraspMetadata

WARP = build_pad_warp(SIM_WEDGE, (240, 320), scale=0.5)
#: the simulated sensor finding contact by its colour change (as the real Wedge profile does)
INTENSITY = dataclasses.replace(SIM_WEDGE, contact_method="intensity")


def _lut(fn) -> np.ndarray:
    return np.clip(np.rint(fn(np.arange(256.0))), 0, 255).astype(np.uint8)


def test_shading_contrast_follows_gamma_and_black_level_not_gain() -> None:
    ref = WARP.apply(to_u8(lit_gel()))
    c = shading_contrast(ref, sigma_px=3.0)
    assert c > 10.0
    gain = _lut(lambda x: 1.25 * x)
    gamma = _lut(lambda x: 255.0 * (x / 255.0) ** 1.25)
    darker = _lut(lambda x: x - 15.0)
    assert shading_contrast(gain[ref], sigma_px=3.0) == pytest.approx(c, rel=0.02)
    assert shading_contrast(gamma[ref], sigma_px=3.0) == pytest.approx(1.25 * c, rel=0.02)
    # x - 15 scales log-intensity spreads by ~ mean(x / (x - 15)) over these 80-150 levels
    assert 1.08 < shading_contrast(darker[ref], sigma_px=3.0) / c < 1.2
    assert shading_contrast(np.full_like(ref, 120), sigma_px=3.0) == 0.0


def test_gamma_leaves_the_mask_alone_with_a_reference_contrast() -> None:
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=5.0)
    ref = to_u8(base)
    frames = np.stack([ref, ref, ref, to_u8(frame), to_u8(frame)])
    force = np.array([0.0, 0.0, 0.0, 5.0, 10.0])
    meta = GraspMetadata(object_id="ball")
    grasp = Grasp("g", frames, np.arange(5) * 0.1, force, np.array([40.0, 40, 39, 38, 37]), meta)
    gamma = _lut(lambda x: 255.0 * (x / 255.0) ** 1.25)
    darker = dataclasses.replace(grasp, frames=gamma[frames])
    c = shading_contrast(WARP.apply(ref), sigma_px=2.0 / math.sqrt(WARP.px_area_mm2))

    def peak_area(g: Grasp, cal: SensorCalibration) -> float:
        f = extract_features(g, cal, scale=0.5)
        return float(np.nanmax(f.contact_area_mm2))

    plain = dataclasses.replace(INTENSITY, contact_threshold=6.0)
    scaled = dataclasses.replace(plain, contact_reference_contrast=c)
    a0, a1 = peak_area(grasp, scaled), peak_area(darker, scaled)
    assert a0 > 0 and a1 == pytest.approx(a0, rel=0.05)
    # the same calibration without it sees a larger patch on the contrastier frames
    assert peak_area(darker, plain) > 1.1 * peak_area(grasp, plain)
    assert peak_area(grasp, plain) == pytest.approx(a0, rel=0.02)  # its own contrast: x 1


def test_contrast_scale_is_bounded_and_noted() -> None:
    ref = to_u8(lit_gel())
    c = shading_contrast(WARP.apply(ref), sigma_px=2.0 / math.sqrt(WARP.px_area_mm2))
    meta = GraspMetadata(object_id="x")
    grasp = Grasp("g", np.stack([ref] * 3), np.arange(3.0), np.zeros(3), np.ones(3), meta)
    from tactile.io.reader import GraspSignals

    signals = GraspSignals("g", meta, grasp.t_s, grasp.force_n, grasp.width_mm, (240, 320), 3)
    frames = FrameSource.of(grasp)
    assert _contrast_scaled(INTENSITY, signals, frames, 2, INTENSITY, WARP) == (INTENSITY, None)
    for ratio, scale in ((1.0, 1.0), (10.0, CONTRAST_SCALE_BOUNDS[0]), (0.1, 2.0)):
        cal = dataclasses.replace(INTENSITY, contact_reference_contrast=c * ratio)
        out, note = _contrast_scaled(cal, signals, frames, 2, cal, WARP)
        assert out.contact_threshold == pytest.approx(SIM_WEDGE.contact_threshold * scale)
        assert note is not None and "frame 0" in note
        assert ("at its bound" in note) == (scale != 1.0)
        assert "starts in contact" not in note
    # a grasp that starts in contact: the scale is read off a pressed frame, and says so
    cal = dataclasses.replace(INTENSITY, contact_reference_contrast=c)
    _, note = _contrast_scaled(cal, signals, frames, 0, cal, WARP)
    assert note is not None and "frame 0" in note and "starts in contact" in note


def test_the_field_is_checked_and_round_trips(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="contact_reference_contrast"):
        dataclasses.replace(SIM_WEDGE, contact_reference_contrast=-1.0)
    cal = dataclasses.replace(SIM_WEDGE, contact_reference_contrast=28.07)
    path = cal.save(tmp_path / "c.json")
    assert SensorCalibration.load(path) == cal
    assert json.loads(path.read_text())["contact_reference_contrast"] == 28.07
    assert get_calibration("wedge-reference-v4").contact_reference_contrast == 28.07
    assert SIM_WEDGE.contact_reference_contrast is None  # the simulated sensors: as before
