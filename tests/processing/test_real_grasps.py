"""The 15 real GelSight Wedge grasps (../shared/data): loading phase, area, depth."""

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from tactile.processing import extract_features
from tactile.sensor import WEDGE_REFERENCE_V3
from tactile.types import GraspFeatures


@pytest.fixture(scope="module")
def real_features(reference_grasps_dir: Path) -> dict[str, GraspFeatures]:
    from tactile.io import load_reference_grasp

    out = {}
    for avi in sorted(reference_grasps_dir.glob("*.avi")):
        grasp = load_reference_grasp(avi)
        assert grasp.meta.calibration_id == "wedge-reference-v4"  # v3 plus the rig: same processing
        out[avi.stem] = extract_features(grasp, WEDGE_REFERENCE_V3)
    return out


def _at_force(f: GraspFeatures, values: np.ndarray, force_n: float) -> float:
    load = f.loading
    force = np.maximum.accumulate(f.force_n[load])  # monotone for interpolation
    return float(np.interp(force_n, force, values[load]))


def test_loading_phase_found_in_each(real_features: dict[str, GraspFeatures]) -> None:
    assert len(real_features) == 15
    for name, f in real_features.items():
        assert f.peak_index - f.contact_index >= 8, name
        assert f.force_n[f.peak_index] > 15.0, name
        assert len(f.sampled_indices) == 5, name


def test_area_grows_with_force(real_features: dict[str, GraspFeatures]) -> None:
    rhos = {}
    for name, f in real_features.items():
        load = f.loading
        rhos[name] = spearmanr(f.force_n[load], f.contact_area_mm2[load])[0]
    # every imprint grows with force; the clear ones (golf ball, foam brick) monotonically.
    # The soft green ball's intensity mask is threshold-sensitive: decoding its MJPG frames with
    # libjpeg instead of FFmpeg (<= 1 grey level on average) moves green_ball_softer_1 from
    # rho 0.88 to 0.73 (docs/hdf5-schema.md, "Frames as JPEG").
    for name, rho in rhos.items():
        assert rho > (0.95 if name.startswith(("golf", "foam")) else 0.7), (name, rho)
    assert np.median(list(rhos.values())) > 0.95


def test_golf_ball_has_largest_depth_at_equal_force(
    real_features: dict[str, GraspFeatures],
) -> None:
    depth = {}
    for name, f in real_features.items():
        assert f.depth_mm is not None
        depth[name] = _at_force(f, f.depth_mm, 12.0)
    golf = [d for n, d in depth.items() if n.startswith("golf")]
    others = [d for n, d in depth.items() if not n.startswith("golf")]
    assert min(golf) > 1.5 * max(others)


@pytest.mark.xfail(
    strict=True,
    reason="at 15 N the orange ball's contact (Hertz: a ~ 13-19 mm) covers the processed pad "
    "(inscribed radius 10.6 mm), so no edge is left to see, and all three orange grasps start "
    "in contact (their reference frame is already pressed): its area is underestimated "
    "(64-96 mm^2; see docs/processing.md)",
)
def test_orange_ball_has_largest_area_at_equal_force(
    real_features: dict[str, GraspFeatures],
) -> None:
    area = {n: _at_force(f, f.contact_area_mm2, 15.0) for n, f in real_features.items()}
    orange = [a for n, a in area.items() if n.startswith("orange")]
    others = [a for n, a in area.items() if not n.startswith("orange")]
    assert min(orange) > max(others)
