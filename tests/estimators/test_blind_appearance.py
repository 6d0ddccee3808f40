"""Issue 11, "Day-to-day drift": the blind estimate of a real grasp does not change when
another day's camera shows the same grasp brighter (gain x1.25), with another contrast (black
level -15, gamma 1.25) or shifted by 3 px.

Every frame (no-contact frames included) is changed alike; force, width and time stamps stay as
recorded. The grasp: ``orange_ball_softest_3`` of ../shared/data (calibration
``wedge-reference-v4``), whose imprint is measured ("compact imprint growing with load") but
sits just under the class rule's curved-imprint gate, so the contact mask's area matters to its
class. Before the contact threshold followed each grasp's own no-contact contrast
(``contact_reference_contrast``), 15 grey levels darker grew its mask from 22 to 30 % of the
pad and its class to ``irregular``. Figures over all 27 real grasps and 12 changes:
benchmarks/bench_appearance_drift.py, BENCHMARKS.md "Blind: appearance drift on the real
grasps (issue 11)".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tactile.estimators.blind import BlindEstimator
from tactile.io.sources import iter_grasps
from tactile.types import Grasp

PROFILE = "wedge-reference-v4"
GRASP = "orange_ball_softest_3"


def _gain(g: float) -> Callable[[np.ndarray], np.ndarray]:
    lut = np.clip(np.rint(np.arange(256) * g), 0, 255).astype(np.uint8)
    return lambda img: lut[img]


def _offset(o: float) -> Callable[[np.ndarray], np.ndarray]:
    lut = np.clip(np.arange(256) + o, 0, 255).astype(np.uint8)
    return lambda img: lut[img]


def _gamma(g: float) -> Callable[[np.ndarray], np.ndarray]:
    lut = np.clip(np.rint(255.0 * (np.arange(256) / 255.0) ** g), 0, 255).astype(np.uint8)
    return lambda img: lut[img]


def _jpeg(quality: int) -> Callable[[np.ndarray], np.ndarray]:
    def apply(img: np.ndarray) -> np.ndarray:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)

    return apply


def _shift(dx: float, dy: float) -> Callable[[np.ndarray], np.ndarray]:
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return lambda img: cv2.warpAffine(
        img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REPLICATE
    )


@pytest.fixture(scope="module")
def grasp(reference_grasps_dir: Path) -> Grasp:
    ((_, load),) = list(iter_grasps(reference_grasps_dir, grasp_ids=[GRASP]))
    g = load()
    assert g.reference_frame is None  # the reference is chosen from the grasp's own frames
    return g


def _outcome(grasp: Grasp, change: Callable[[np.ndarray], np.ndarray] | None) -> dict:
    if change is not None:
        grasp = dataclasses.replace(grasp, frames=np.stack([change(f) for f in grasp.frames]))
    e = BlindEstimator().estimate(grasp, calibration=PROFILE)
    geometry = e.details["geometry"]
    return {
        "log10_e": math.log10(e.modulus_pa),
        "flags": sorted(str(f) for f in e.flags),
        "lower_bound_only": e.lower_bound_only,
        "shape_class": geometry["shape_class"],
        "pad_fill_peak": geometry["pad_fill_peak"],
        "pad_fill_early": geometry["pad_fill_early"],
    }


@pytest.fixture(scope="module")
def baseline(grasp: Grasp) -> dict:
    base = _outcome(grasp, None)
    # the imprint is seen (a fifth of the pad at the peak) and the class is not decided
    assert 0.1 < base["pad_fill_peak"] < 0.45
    assert base["shape_class"] == "unknown"
    return base


@pytest.mark.parametrize(
    "name, change",
    [
        ("gain1.25", _gain(1.25)),
        ("offset-15", _offset(-15)),
        ("gamma1.25", _gamma(1.25)),
        ("shift_x3", _shift(3, 0)),
        ("shift_y3", _shift(0, 3)),
    ],
)
def test_blind_estimate_invariant_to_gain_contrast_and_camera_shift(
    grasp: Grasp, baseline: dict, name: str, change: Callable[[np.ndarray], np.ndarray]
) -> None:
    out = _outcome(grasp, change)
    assert out["log10_e"] == pytest.approx(baseline["log10_e"], abs=0.02), name
    for key in ("flags", "lower_bound_only", "shape_class"):
        assert out[key] == baseline[key], (name, key)
    # the contact mask itself: its area at the peak and early moves by under 3 % of the pad
    assert out["pad_fill_peak"] == pytest.approx(baseline["pad_fill_peak"], abs=0.03), name
    assert out["pad_fill_early"] == pytest.approx(baseline["pad_fill_early"], abs=0.03), name


@pytest.mark.xfail(
    strict=True,
    reason="known (BENCHMARKS.md, issue 11): a JPEG re-encode at quality 60 adds block noise "
    "the threshold counts as contact: the mask grows from 21 to 30 % of the pad, past the "
    "curved-imprint gate: class unknown -> irregular, E -0.1 dex",
)
def test_blind_class_invariant_to_a_jpeg_re_encode(grasp: Grasp, baseline: dict) -> None:
    out = _outcome(grasp, _jpeg(60))
    assert out["shape_class"] == baseline["shape_class"]


def test_the_threshold_follows_the_grasps_contrast(grasp: Grasp) -> None:
    # without the calibration's reference contrast, 15 grey levels darker moves the mask
    from tactile.sensor import get_calibration

    plain = dataclasses.replace(get_calibration(PROFILE), contact_reference_contrast=None)
    darker = dataclasses.replace(grasp, frames=np.stack([_offset(-15)(f) for f in grasp.frames]))
    fills = [
        BlindEstimator().estimate(g, calibration=plain).details["geometry"]["pad_fill_peak"]
        for g in (grasp, darker)
    ]
    assert fills[1] - fills[0] > 0.05
