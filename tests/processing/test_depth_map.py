import itertools

import numpy as np
import pytest
from proc_synth import lit_gel, press, to_u8

from tactile.calibration.depth_fit import calibrate_depth
from tactile.errors import CalibrationError, InvalidGraspError
from tactile.processing import (
    build_pad_warp,
    contact_mask,
    depth_map_mm,
    fit_cap_radius_mm,
    integrate_slopes,
    signed_difference,
)
from tactile.sensor import SIM_WEDGE

WARP = build_pad_warp(SIM_WEDGE, (240, 320), scale=0.5)
KW = {"mm_per_px_x": WARP.mm_per_px_x, "mm_per_px_y": WARP.mm_per_px_y}


def test_integrate_slopes_recovers_a_smooth_surface() -> None:
    yy, xx = np.mgrid[0:64, 0:80].astype(np.float32)
    z = np.exp(-((xx - 40) ** 2 + (yy - 30) ** 2) / 200.0)
    gy, gx = np.gradient(z)
    rec = integrate_slopes(gx, gy)
    err = (rec - rec.mean()) - (z - z.mean())
    assert np.abs(err).max() < 0.02 * z.max()


def test_integrate_rejects_odd_or_mismatched_maps() -> None:
    with pytest.raises(InvalidGraspError, match="even"):
        integrate_slopes(np.zeros((5, 6)), np.zeros((5, 6)))
    with pytest.raises(InvalidGraspError, match="equal"):
        integrate_slopes(np.zeros((4, 6)), np.zeros((6, 4)))


@pytest.fixture(scope="module")
def calibrated():
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=6.0, ball_radius_mm=10.0)
    return calibrate_depth(frame, to_u8(base), SIM_WEDGE, ball_radius_mm=10.0), base


def _depth(cal, frame: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    img, ref = WARP.apply(frame), WARP.apply(to_u8(base))
    diff = signed_difference(img, ref)
    d = depth_map_mm(
        diff, gradient_matrix=cal.gradient_matrix, depth_scale=cal.depth_scale_mm_per_unit, **KW
    )
    return d, contact_mask(img, ref, threshold=cal.contact_threshold)


def test_ball_press_gives_a_cap_of_the_ball_radius(calibrated) -> None:
    cal, base = calibrated
    for radius_mm, a_mm in ((10.0, 5.0), (15.0, 6.0)):
        frame, _ = press(base, contact_radius_mm=a_mm, ball_radius_mm=radius_mm, seed=5)
        d, mask = _depth(cal, frame, base)
        fitted, _ = fit_cap_radius_mm(d, mask, **KW)
        assert fitted == pytest.approx(radius_mm, rel=0.2)


def test_deeper_press_gives_larger_depth_and_right_scale(calibrated) -> None:
    cal, base = calibrated
    peaks, truths = [], []
    for a_mm in (3.5, 4.5, 5.5, 6.5):
        frame, truth = press(base, contact_radius_mm=a_mm, seed=9)
        d, _ = _depth(cal, frame, base)
        peaks.append(float(d.max()))
        truths.append(float(truth.max()))
    assert all(b > a for a, b in itertools.pairwise(peaks))
    assert peaks[-1] == pytest.approx(truths[-1], rel=0.25)


def test_depth_needs_a_2x3_matrix() -> None:
    with pytest.raises(CalibrationError, match="2x3"):
        depth_map_mm(np.zeros((4, 4, 3), np.int16), gradient_matrix=[[1, 2]], **KW)
