"""benchmarks/sim_twins.py: the simulator's twins against the real Wedge grasps (those tests are
skipped without ../shared/data), and the closed-form gel fits against the simulator."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from sim_twins import (
    DEFAULT_TWIN_RIG,
    GOLF_BALL_RADIUS_MM,
    SHORE_GEL_MODULUS_PA,
    TWINS,
    TwinRig,
    compare,
    fit_gel_modulus_pa,
    fit_gel_thickness_mm,
    twin_calibration,
)

from tactile.sim import GelModel, contact_curve
from tactile.sim.contact import GEL_MAX_STRAIN


@pytest.mark.parametrize("thickness_mm", [3.0, 10.0])
def test_gel_fits_recover_the_simulated_gel(thickness_mm: float) -> None:
    # the closed forms the twins are tuned with must invert the simulator's own forward model
    # (Hertz with the gel bottoming out): a golf ball pressed to 25 N into a gel of known
    # modulus and thickness gives back both
    golf = TWINS["golf_ball"]
    gel = GelModel.from_calibration(twin_calibration(SHORE_GEL_MODULUS_PA, thickness_mm))
    curve = contact_curve(golf, gel, pad_x_mm=35.0, pad_y_mm=25.5)
    closure_mm = 2.0 * float(curve.delta_for_force(25.0))
    args = (golf.radius_mm, 25.0, closure_mm, gel.poisson)
    assert fit_gel_thickness_mm(*args, SHORE_GEL_MODULUS_PA) == pytest.approx(
        thickness_mm, rel=0.02
    )
    assert fit_gel_modulus_pa(*args, thickness_mm) == pytest.approx(SHORE_GEL_MODULUS_PA, rel=0.01)
    # a half-space fit of the same press reads the bottomed-out gel as stiffer
    assert fit_gel_modulus_pa(*args) > 1.05 * SHORE_GEL_MODULUS_PA


def test_golf_ball_twin_matches_the_real_grasp(reference_grasps_dir: Path) -> None:
    cmp = compare(reference_grasps_dir / "golf_ball_1.avi")
    row = cmp.row()
    assert row["sim_force_n"] == pytest.approx(row["real_force_n"], rel=0.05)
    assert row["sim_closure_mm"] == pytest.approx(row["real_closure_mm"], rel=0.25)
    # areas come from the (evolving) processing pipeline on both: same order of magnitude
    assert 0.5 < row["sim_area_mm2"] / row["real_area_mm2"] < 2.0
    # the twin's gel (Shore modulus, fitted thickness) is what this grasp needs
    args = (GOLF_BALL_RADIUS_MM, row["real_force_n"], row["real_closure_mm"], 0.48)
    thickness = fit_gel_thickness_mm(*args, SHORE_GEL_MODULUS_PA)
    assert thickness == pytest.approx(DEFAULT_TWIN_RIG.gel_thickness_mm, rel=0.25)
    assert cmp.truth.gel_depth_mm.max() <= GEL_MAX_STRAIN * DEFAULT_TWIN_RIG.gel_thickness_mm


def test_a_3mm_gel_cannot_close_like_the_real_golf_ball(reference_grasps_dir: Path) -> None:
    # the calibration's 3 mm gel bottoms out at 2.7 mm per finger: with rigid fingers the twin
    # falls far short of the real closure (why the twins assume a thicker gel)
    thin = TwinRig(gel_modulus_pa=SHORE_GEL_MODULUS_PA, gel_thickness_mm=3.0)
    row = compare(reference_grasps_dir / "golf_ball_1.avi", rig=thin).row()
    assert row["sim_force_n"] == pytest.approx(row["real_force_n"], rel=0.05)
    assert row["sim_closure_mm"] < 2 * GEL_MAX_STRAIN * 3.0 + 0.3 < 0.7 * row["real_closure_mm"]


def test_raw_view_moves_under_load_like_the_real_wedge(reference_grasps_dir: Path) -> None:
    import cv2
    import numpy as np

    def shift_x(frames_ref: np.ndarray, frame_peak: np.ndarray) -> float:
        a, b = (np.float32(f).mean(axis=-1) for f in (frames_ref, frame_peak))
        return float(cv2.phaseCorrelate(a, b, cv2.createHanningWindow(a.shape[::-1], 5))[0][0])

    cmp = compare(reference_grasps_dir / "purple_ball_hardest_1.avi")
    k_real, k_sim = cmp.real_features.peak_index, cmp.sim_features.peak_index
    real = shift_x(cmp.real.frames[0], cmp.real.frames[k_real])
    sim = shift_x(cmp.sim.frames[0], cmp.sim.frames[k_sim])
    assert real < -0.15 and sim < -0.15  # both views move left by a fraction of a pixel
    assert sim == pytest.approx(real, abs=0.15)
