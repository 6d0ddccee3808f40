"""Geometry from the grasp alone: width reconstruction, contact width, size and shape class."""

from __future__ import annotations

import numpy as np
import pytest

from tactile.estimators.blind import geometry_of
from tactile.processing.features import extract_features
from tactile.processing.grasp_geometry import (
    PLAUSIBLE_SHAPES,
    Imprint,
    classify_imprint,
    classify_shape,
    contact_width,
    imprint_frames,
    infer_geometry,
    measure_imprint,
    reconstruct_width_mm,
)
from tactile.sensor import SensorCalibration, get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import GraspFeatures


def test_reconstruct_width_interpolates_between_fresh_samples() -> None:
    held = np.array([50.0, 50.0, 50.0, 47.0, 47.0, 47.0, 44.0, 44.0])
    out = reconstruct_width_mm(held)
    assert out[0] == 50.0 and out[3] == 47.0 and out[6] == 44.0
    np.testing.assert_allclose(out[1:3], [49.0, 48.0])
    np.testing.assert_allclose(reconstruct_width_mm(np.full(5, 3.0)), 3.0)


def _sphere_press(size_mm: float, k: float = 0.5, creep_n: float = 0.0) -> tuple[np.ndarray, ...]:
    """A synthetic press: free closing at 1 mm/frame, Hertz-like rise from size_mm, a hold."""
    w = np.r_[np.linspace(size_mm + 30, size_mm - 10, 41), np.full(10, size_mm - 10)]
    f = k * np.maximum(size_mm - w, 0.0) ** 1.5
    # force sensor creep while closing (2023-12-16: ~3 N over ~30 mm), then a constant offset
    f += creep_n * np.clip((size_mm + 30 - w) / 30.0, 0.0, 1.0)
    return f, w


def test_contact_width_of_a_clean_press() -> None:
    f, w = _sphere_press(40.0)
    cw = contact_width(f, w)
    assert cw.width_mm == pytest.approx(40.0, abs=1.0)
    assert not cw.starts_in_contact


def test_contact_width_ignores_force_creep_before_contact() -> None:
    # as on the rig: 3 N of creep, 24 N at the hold
    f, w = _sphere_press(40.0, k=0.76, creep_n=3.0)
    cw = contact_width(f, w)
    assert cw.width_mm == pytest.approx(40.0, abs=2.0)
    assert cw.estimates_mm["force_onset"] > 45.0  # the threshold alone is fooled by the creep
    # creep of a fifth of the peak force: off by more, but the uncertainty says so
    f, w = _sphere_press(40.0, k=0.5, creep_n=3.0)
    cw = contact_width(f, w)
    assert abs(cw.width_mm - 40.0) <= 1.5 * cw.sd_mm


def test_a_recording_that_starts_in_contact_is_extrapolated_and_widened() -> None:
    f, w = _sphere_press(40.0)
    start = int(np.argmax(f > 1.0))
    cw = contact_width(f[start:], w[start:])
    assert cw.starts_in_contact
    assert cw.width_mm == pytest.approx(40.0, abs=2.5)
    assert cw.sd_mm > contact_width(f, w).sd_mm


def test_a_record_starting_on_a_straight_rise_reads_the_same_contact_at_any_gain() -> None:
    # every frame already on a straight (flat-face) rise: every exponent-1 hinge wider than the
    # first frame is the same line, and rounding used to pick one anywhere in the 10 mm beyond
    # it (a force gain of 0.95 moved a real foam brick's contact by 8.6 mm); the tie goes to the
    # narrowest: the contact at the first frame (BENCHMARKS.md, signal drift)
    w = np.r_[np.linspace(51.0, 33.0, 40), np.full(8, 33.0)]
    f = 0.05 + 0.9 * (51.2 - w)
    readings = {
        (gain, tare): contact_width(gain * f + tare, w).estimates_mm["hinge_1"]
        for gain in (0.9, 0.95, 1.0, 1.05, 1.1)
        for tare in (-0.1, 0.0, 0.1)
    }
    assert set(readings.values()) == {readings[1.0, 0.0]}
    assert 51.0 < readings[1.0, 0.0] <= 51.05


def test_shape_class_needs_clear_imprint_evidence() -> None:
    assert classify_shape(None, None)[0] == "unknown"
    assert classify_shape(0.95, 0.9)[0] == "flat"
    assert classify_shape(0.3, 0.05)[0] == "sphere"
    assert classify_shape(0.02, 0.0)[0] == "unknown"  # a flat face shows almost nothing
    assert classify_shape(0.7, 0.5)[0] == "unknown"


@pytest.mark.parametrize(
    ("obj", "size_mm"),
    [
        (SimObject(shape="sphere", radius_mm=20, modulus_pa=1e6, name="ball"), 40.0),
        (SimObject(shape="cylinder", radius_mm=10, length_mm=60, modulus_pa=1e6, name="rod"), 20.0),
        (SimObject(shape="box", size_mm=(60, 60, 40), modulus_pa=5e5, name="brick"), 40.0),
        (SimObject(shape="sphere", radius_mm=15, modulus_pa=2e5, name="ball2"), 30.0),
    ],
)
def test_size_recovered_on_simulated_objects(obj: SimObject, size_mm: float) -> None:
    grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=3)
    geo = infer_geometry(grasp.force_n, grasp.width_mm)
    assert geo.size_mm == pytest.approx(size_mm, abs=3.0)
    assert geo.radius_mm == pytest.approx(size_mm / 2.0, abs=1.5)
    assert abs(geo.size_mm - size_mm) <= 3.0 * geo.size_sd_mm
    assert geo.hold_force_n > 10.0 and geo.closure_mm > 0.0


def _imprint(**kw: object) -> Imprint:
    base = {
        "fill_early": 0.1,
        "fill_peak": 0.3,
        "axes_early_mm": (10.0, 9.0),
        "axes_peak_mm": (18.0, 16.0),
        "span_peak": (0.5, 0.6),
        "span_peak_mm": (17.0, 15.0),
        "force_early_n": 4.0,
        "force_peak_n": 20.0,
    }
    return Imprint(**{**base, **kw})  # type: ignore[arg-type]


def test_imprint_classes() -> None:
    assert classify_imprint(None)[0] == "unknown"
    assert classify_imprint(_imprint())[0] == "sphere"
    assert classify_imprint(_imprint(fill_early=0.85, fill_peak=0.9))[0] == "flat"
    strip = {"span_peak": (1.0, 0.4), "axes_peak_mm": (40.0, 10.0), "axes_early_mm": (40.0, 6.0)}
    assert classify_imprint(_imprint(**strip))[0] == "cylinder"
    # a flat face's edge: a thin line across the pad that does not widen with the load
    edge = {**strip, "axes_early_mm": (40.0, 10.0), "fill_early": 0.3}
    assert classify_imprint(_imprint(**edge))[0] != "cylinder"
    assert classify_imprint(_imprint(axes_peak_mm=(24.0, 12.0)))[0] == "irregular"
    # a patch that does not grow with the force is not a curved surface
    assert classify_imprint(_imprint(fill_early=0.29))[0] == "unknown"
    # real Wedge balls: the brightened patch fills and spans the imaged pad
    real = {"fill_early": 0.45, "fill_peak": 0.72, "span_peak": (0.9, 1.0)}
    assert classify_imprint(_imprint(**real))[0] == "unknown"
    assert PLAUSIBLE_SHAPES["unknown"] == ("sphere", "cylinder", "flat")


def test_the_imprint_is_judged_at_its_two_frames_an_empty_patch_included() -> None:
    """The early imprint is the frame at a fifth of the peak force even when nothing shows
    there (area 0, no patch shape): not the first later frame where a few pixels of noise
    (here 0.7 mm², too small for a shape) or the contact's sudden appearance show. Judged
    from a later frame, a patch that appears late read as growing like F^4.8 ('irregular', a
    decade off on a soft gel box, issue 11); an empty early patch is no evidence of growth."""
    force = np.linspace(0.0, 20.0, 11)
    area = np.array([0, 0, 0, 0, 0, 0, 0, 0.7, 0, 40.0, 120.0])
    patch = np.full((11, 4), np.nan)
    patch[9] = (8.0, 7.0, 7.5, 7.0)
    patch[10] = (14.0, 11.0, 13.0, 11.0)
    pad, extent = 650.0, (30.0, 21.0)
    assert imprint_frames(force, area) == (2, 10)  # 4 N: the first frame at 20 % of 20 N
    im = measure_imprint(force, area, patch, pad, extent)
    assert im is not None and im.fill_early == 0.0 and im.axes_early_mm == (0.0, 0.0)
    assert im.growth_exponent == 0.0 and classify_imprint(im)[0] == "unknown"
    # the frames given (GraspFeatures.imprint_indices) are the ones used
    given = measure_imprint(force, area, patch, pad, extent, frames=(9, 10))
    assert given is not None and given.fill_early == pytest.approx(40.0 / pad)
    assert given.force_early_n == pytest.approx(18.0)
    # a frame without a measured area cannot be one of them
    unmeasured = area.copy()
    unmeasured[2] = np.nan
    assert imprint_frames(force, unmeasured, (2, 10)) is None
    assert imprint_frames(force, unmeasured) == (3, 10)


def _features(obj: SimObject, seed: int = 1) -> tuple[GraspFeatures, SensorCalibration]:
    grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=seed)
    cal = get_calibration(grasp.meta.calibration_id)
    return extract_features(grasp, cal, max_image_frames=4), cal


@pytest.mark.parametrize(
    ("obj", "shape", "size_mm", "radius_mm"),
    [
        (SimObject(shape="sphere", radius_mm=15, modulus_pa=1e9, name="steel"), "sphere", 30, 15),
        (SimObject(shape="sphere", radius_mm=8, modulus_pa=1e6, name="rubber"), "sphere", 16, 8),
        (
            SimObject(shape="cylinder", radius_mm=12.5, length_mm=60, modulus_pa=1e9, name="rod"),
            "cylinder",
            25,
            12.5,
        ),
        (
            SimObject(shape="cylinder", radius_mm=12.5, length_mm=60, modulus_pa=1e5, name="r2"),
            "cylinder",
            25,
            12.5,
        ),
    ],
)
def test_shape_size_and_curvature_recovered_from_a_simulated_grasp(
    obj: SimObject, shape: str, size_mm: float, radius_mm: float
) -> None:
    feats, cal = _features(obj)
    geo = geometry_of(feats, cal)
    assert geo.shape_class == shape
    assert geo.plausible_shapes == (shape,)
    assert abs(geo.size_mm - size_mm) <= max(3.0, 2.0 * geo.size_sd_mm)
    assert geo.radius_from_imprint_mm is not None and geo.radius_from_imprint_sd_mm is not None
    # a² ≈ κRδ with κ in 1..2 (thick to thin gel): the reported sd spans it
    assert abs(geo.radius_from_imprint_mm - radius_mm) <= 2.0 * geo.radius_from_imprint_sd_mm
    if shape == "cylinder":
        assert geo.contact_length_mm is not None and geo.contact_length_mm > 30.0


def test_a_brick_over_the_pad_is_never_taken_for_a_curved_object() -> None:
    for modulus in (1e4, 1e5, 1e9):
        obj = SimObject(shape="box", size_mm=(60, 60, 40), modulus_pa=modulus, name="brick")
        feats, cal = _features(obj)
        geo = geometry_of(feats, cal)
        assert "flat" in geo.plausible_shapes
        assert geo.size_mm == pytest.approx(40.0, abs=3.0)
