"""Gel modulus from presses of a rigid sphere (`tactile calibrate gel --rigid-sphere-radius-mm`)."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from tactile.calibration.gel_rigid import fit_gel_rigid_sphere
from tactile.cli.main import main
from tactile.errors import CalibrationError
from tactile.processing import extract_features
from tactile.sensor import (
    SIM_WEDGE,
    WEDGE_REFERENCE_V2,
    WEDGE_REFERENCE_V3,
    SensorCalibration,
    get_calibration,
)
from tactile.types import GraspFeatures

HALF_SPACE = dataclasses.replace(SIM_WEDGE, gel_thickness_mm=30.0)


@pytest.fixture(scope="module")
def steel_presses() -> list[GraspFeatures]:
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    ball = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=1e10, name="steel")
    # a gel thick enough to stay a half-space at the 5.5 mm press (a 3 mm gel bottoms out on its
    # window, which the effective modulus then absorbs)
    config = SimGraspConfig(calibration=HALF_SPACE)
    grasps = [simulate_grasp(ball, config, seed=s) for s in range(3)]
    return [extract_features(g, SIM_WEDGE, with_depth=False) for g in grasps]


def test_rigid_sphere_recovers_the_simulated_gel(steel_presses: list[GraspFeatures]) -> None:
    start = dataclasses.replace(HALF_SPACE, gel_modulus_pa=1e6)  # a wrong prior changes nothing
    fit = fit_gel_rigid_sphere(steel_presses, start, radius_mm=20.0)
    assert fit.gel_modulus_pa == pytest.approx(SIM_WEDGE.gel_modulus_pa, rel=0.05)
    assert len(fit.grasp_ids) == 3 and fit.loo_log10_rms < 0.02
    assert fit.gel_modulus_log10_sd >= fit.loo_log10_rms
    cal = fit.apply(start, "sim-rigid")
    assert cal.calibration_id == "sim-rigid" and cal.provenance["gel_fit"]["radius_mm"] == 20.0
    assert "true by construction" in cal.notes


def test_wrong_radius_moves_the_gel(steel_presses: list[GraspFeatures]) -> None:
    # a ball bigger than it is means more approach at the hold: a softer effective gel
    big = fit_gel_rigid_sphere(steel_presses, HALF_SPACE, radius_mm=21.0).gel_modulus_pa
    assert big < 0.8 * SIM_WEDGE.gel_modulus_pa


def test_press_without_a_hold_is_skipped_with_a_reason(
    steel_presses: list[GraspFeatures],
) -> None:
    f = steel_presses[0]
    ramp = dataclasses.replace(f, width_mm=np.full_like(f.width_mm, 60.0))  # never compressed
    fit = fit_gel_rigid_sphere([ramp, *steel_presses[1:]], HALF_SPACE, radius_mm=20.0)
    assert len(fit.grasp_ids) == 2 and "hold" in fit.skipped[0]
    with pytest.raises(CalibrationError, match="no press"):
        fit_gel_rigid_sphere([ramp], HALF_SPACE, radius_mm=20.0)
    with pytest.raises(CalibrationError, match="must be positive"):
        fit_gel_rigid_sphere(steel_presses, HALF_SPACE, radius_mm=0.0)


@pytest.mark.parametrize(
    ("cal_id", "extra_args"),
    [("wedge-reference-v2", []), ("wedge-reference-v3", ["--gel-model", "thin-layer"])],
)
def test_cli_reproduces_the_shipped_profiles(
    cal_id: str,
    extra_args: list[str],
    reference_grasps_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "rig.json"
    golf = [str(reference_grasps_dir / f"golf_ball_{i}.avi") for i in (1, 2, 3)]
    rc = main(
        ["calibrate", "gel", *golf, "--rigid-sphere-radius-mm", "21.335", *extra_args,
         "--calibration", "wedge-reference-v1", "--id", cal_id, "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["grasps"] == ["golf_ball_1", "golf_ball_2", "golf_ball_3"]
    assert SensorCalibration.load(out) == get_calibration(cal_id)
    assert get_calibration(cal_id) in (WEDGE_REFERENCE_V2, WEDGE_REFERENCE_V3)


def test_onset_width_bias_is_measured_and_used(steel_presses: list[GraspFeatures]) -> None:
    from tactile.estimators import HertzEstimator
    from tactile.types import GraspMetadata

    fit = fit_gel_rigid_sphere(steel_presses, HALF_SPACE, radius_mm=20.0)
    assert fit.onset_width_bias_mm is not None and fit.onset_width_sd_mm is not None
    assert fit.onset_width_sd_mm >= 0.5
    cal = fit.apply(HALF_SPACE, "sim-rigid")
    assert cal.onset_width_bias_mm == fit.onset_width_bias_mm
    meta = GraspMetadata(object_id="ball", shape="sphere")  # radius unknown: read at onset
    plain = HertzEstimator().estimate_features(steel_presses[0], meta=meta, calibration=HALF_SPACE)
    lagged = dataclasses.replace(cal, onset_width_bias_mm=2.0)
    fixed = HertzEstimator().estimate_features(steel_presses[0], meta=meta, calibration=lagged)
    assert plain.details["radius_mm"] - fixed.details["radius_mm"] == pytest.approx(1.0)
    assert fixed.details["radius_source"] == "width at force onset"


def test_a_soft_ball_is_refused_as_a_rigid_sphere(
    reference_grasps_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        ["calibrate", "gel", str(reference_grasps_dir / "orange_ball_softest_1.avi"),
         "--rigid-sphere-radius-mm", "25", "--id", "x", "--out", str(tmp_path / "x.json")]
    )  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err
    assert "not rigid" in err and "fix:" in err


def test_shipped_profiles_are_never_overwritten(
    reference_grasps_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        ["calibrate", "gel", str(reference_grasps_dir / "golf_ball_1.avi"),
         "--rigid-sphere-radius-mm", "21.335", "--calibration", "wedge-reference-v1"]
    )  # fmt: skip
    assert rc == 2
    assert "versioned" in capsys.readouterr().err
    assert get_calibration("wedge-reference-v1").gel_modulus_pa == 2.0e5


def test_the_shipped_json_profile_is_never_overwritten(
    reference_grasps_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """v4 lives only as JSON (a fitted rig): --overwrite must not rewrite it (review24)."""
    before = get_calibration("wedge-reference-v4")
    rc = main(
        ["calibrate", "gel", str(reference_grasps_dir / "golf_ball_1.avi"),
         "--rigid-sphere-radius-mm", "21.335", "--calibration", "wedge-reference-v4",
         "--overwrite"]
    )  # fmt: skip
    assert rc == 2
    assert "versioned" in capsys.readouterr().err
    assert get_calibration("wedge-reference-v4") == before


def test_out_cannot_point_at_a_shipped_profile(tmp_path: Path, capsys) -> None:
    """--out at a shipped profile's file is refused whatever the id (docs36)."""
    from tactile.sensor import CALIBRATION_DIR

    before = get_calibration("wedge-reference-v4")
    rc = main(
        ["calibrate", "gel-measured", "--calibration", "wedge-reference-v3", "--id", "mine",
         "--thickness-mm", "3", "--coupon-modulus-pa", "2.5e5",
         "--out", str(CALIBRATION_DIR / "wedge-reference-v4.json"), "--overwrite"]
    )  # fmt: skip
    assert rc == 2
    assert "versioned" in capsys.readouterr().err
    assert get_calibration("wedge-reference-v4") == before
    # another path is fine
    out = tmp_path / "mine.json"
    rc = main(
        ["calibrate", "gel-measured", "--calibration", "wedge-reference-v3", "--id", "mine",
         "--thickness-mm", "3", "--coupon-modulus-pa", "2.5e5", "--out", str(out)]
    )  # fmt: skip
    assert rc == 0 and out.exists()
