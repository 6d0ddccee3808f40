import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from proc_synth import lit_gel, press, to_u8

from tactile.errors import InvalidGraspError, ProcessingError
from tactile.processing import (
    build_pad_warp,
    contact_area_mm2,
    contact_mask,
    saturated_fraction,
)
from tactile.processing.contact import check_not_black
from tactile.sensor import SIM_WEDGE

WARP = build_pad_warp(SIM_WEDGE, (240, 320), scale=0.5)


def _area(frame: np.ndarray, ref: np.ndarray, threshold: float = 12.0) -> float:
    m = contact_mask(WARP.apply(frame), WARP.apply(ref), threshold=threshold)
    return contact_area_mm2(m, mm_per_px_x=WARP.mm_per_px_x, mm_per_px_y=WARP.mm_per_px_y)


def test_magnitude_mask_covers_the_press() -> None:
    base = lit_gel()
    frame, depth = press(base, contact_radius_mm=5.0)
    area = _area(frame, to_u8(base))
    # the magnitude mask sees the whole deformed region: at least the contact disc,
    # at most where the gel is visibly indented
    assert math.pi * 5.0**2 <= area <= np.count_nonzero(depth > 0.05) * WARP.px_area_mm2 / 4


def test_deeper_press_gives_larger_area() -> None:
    base = lit_gel()
    ref = to_u8(base)
    areas = [_area(press(base, contact_radius_mm=a)[0], ref) for a in (3.0, 4.0, 5.0, 6.0, 7.0)]
    assert all(b > a for a, b in itertools.pairwise(areas))


def test_no_press_gives_no_area() -> None:
    base = lit_gel()
    other = to_u8(base + np.random.default_rng(7).normal(0, 1.0, base.shape))
    assert _area(other, to_u8(base)) == 0.0


@pytest.mark.parametrize(("gain", "offset", "tol"), [(0.85, 0, 0.03), (1.2, 0, 0.03), (1, 15, 0.1)])
def test_area_invariant_to_global_brightness_change(gain: float, offset: float, tol: float) -> None:
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=4.0)
    changed = to_u8(frame.astype(float) * gain + offset)
    a0 = _area(frame, to_u8(base))
    assert a0 > 20
    assert _area(changed, to_u8(base)) == pytest.approx(a0, rel=tol)


def test_dust_specks_are_ignored() -> None:
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=4.0)
    dusty = frame.copy()
    rng = np.random.default_rng(3)
    for y, x in zip(rng.integers(5, 60, 12), rng.integers(5, 300, 12), strict=False):
        dusty[y : y + 2, x : x + 2] = 0  # 2x2 px dark specks far from the press
    a0 = _area(frame, to_u8(base))
    assert _area(dusty, to_u8(base)) == pytest.approx(a0, rel=0.02)


def test_mask_shape_and_type_errors() -> None:
    img = np.zeros((10, 12, 3), np.uint8)
    with pytest.raises(InvalidGraspError, match="differ in shape"):
        contact_mask(img, np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(InvalidGraspError, match="uint8"):
        contact_mask(img.astype(np.float32), img.astype(np.float32))
    with pytest.raises(InvalidGraspError, match="threshold"):
        contact_mask(img, img, threshold=float("nan"))


def test_saturation_and_black_frames() -> None:
    img = np.full((20, 20, 3), 120, np.uint8)
    assert saturated_fraction(img) == 0.0
    img[:10] = 255
    assert saturated_fraction(img) == pytest.approx(0.5)
    with pytest.raises(ProcessingError, match="black"):
        check_not_black(np.zeros((20, 20, 3), np.uint8), what="frame 3")


@settings(max_examples=12, deadline=None)
@given(
    a_mm=st.floats(3.0, 6.0),
    cx=st.floats(110.0, 210.0),
    cy=st.floats(90.0, 150.0),
    gain=st.floats(0.7, 1.3),
)
def test_press_area_properties(a_mm: float, cx: float, cy: float, gain: float) -> None:
    """Anywhere on the pad: a deeper press covers more, and exposure does not matter."""
    base = lit_gel()
    ref = to_u8(base)
    shallow, _ = press(base, contact_radius_mm=a_mm, center_px=(cx, cy))
    deep, _ = press(base, contact_radius_mm=a_mm + 1.0, center_px=(cx, cy))
    a_shallow, a_deep = _area(shallow, ref), _area(deep, ref)
    assert a_deep > a_shallow > 0
    assert _area(to_u8(shallow.astype(float) * gain), ref) == pytest.approx(a_shallow, rel=0.05)
