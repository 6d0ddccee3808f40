"""`tactile calibrate ...` end to end through the real CLI dispatcher."""

import json
import sys
from pathlib import Path

import cv2
import pytest

from tactile.cli.main import main
from tactile.sensor import SensorCalibration

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "processing"))
from proc_synth import lit_gel, press, to_u8


def test_geometry_writes_a_versioned_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "rig.json"
    corners = ["46", "87", "439", "121", "52", "425", "446", "368"]
    rc = main(
        ["calibrate", "geometry", "--corners", *corners, "--pad-size-mm", "35", "25.5",
         "--warp-size-px", "400", "300", "--crop-px", "25", "--id", "rig-v2",
         "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["mm_per_px_x"] == pytest.approx(0.0875)
    cal = SensorCalibration.load(out)
    assert cal.calibration_id == "rig-v2" and cal.mm_per_px_y == pytest.approx(0.085)


def test_depth_from_image_pair(tmp_path: Path, capsys) -> None:
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=5.0)
    cv2.imwrite(str(tmp_path / "press.png"), frame)
    cv2.imwrite(str(tmp_path / "ref.png"), to_u8(base))
    out = tmp_path / "sim-depth.json"
    rc = main(
        ["calibrate", "depth", str(tmp_path / "press.png"), "--reference-image",
         str(tmp_path / "ref.png"), "--calibration", "sim-wedge-v1", "--ball-radius-mm", "10",
         "--id", "sim-depth", "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["contact_radius_mm"] == pytest.approx(5.0, rel=0.1)
    assert SensorCalibration.load(out).gradient_matrix is not None


def test_depth_from_the_real_golf_ball(reference_grasps_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "wedge.json"
    rc = main(
        ["calibrate", "depth", str(reference_grasps_dir / "golf_ball_1.avi"),
         "--ball-radius-mm", "21.335", "--model", "cap", "--contact-radius-from-mask",
         "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert 7.0 < summary["contact_radius_mm"] < 13.0
    assert summary["cap_depth_mm"] < 5.0
    cal = SensorCalibration.load(out)
    assert cal.contact_method == "intensity" and cal.contact_reference_contrast is None
    # asked for, the unloaded gel's shading contrast is recorded for a profile that had none
    # (v1), so later grasps' contact thresholds follow the camera's contrast (2023-12-06: ~30)
    rec = tmp_path / "wedge-contrast.json"
    rc = main(
        ["calibrate", "depth", str(reference_grasps_dir / "golf_ball_1.avi"),
         "--ball-radius-mm", "21.335", "--model", "cap", "--contact-radius-from-mask",
         "--record-contrast", "--out", str(rec)]
    )  # fmt: skip
    assert rc == 0
    cal = SensorCalibration.load(rec)
    assert cal.contact_reference_contrast is not None
    assert 25.0 < cal.contact_reference_contrast < 35.0
    assert "contact_reference_contrast" in cal.provenance["depth_fit"]


def test_depth_keeps_the_contrast_a_profile_already_records(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    """The threshold of wedge-reference-v4 was set at its recorded contrast (28.07): a depth fit
    on top of it on another day keeps that contrast, so the threshold keeps its meaning."""
    out = tmp_path / "v4-depth.json"
    rc = main(
        ["calibrate", "depth", str(reference_grasps_dir / "golf_ball_1.avi"),
         "--calibration", "wedge-reference-v4", "--ball-radius-mm", "21.335", "--model", "cap",
         "--contact-radius-from-mask", "--record-contrast", "--out", str(out)]
    )  # fmt: skip
    assert rc == 0
    cal = SensorCalibration.load(out)
    assert cal.contact_reference_contrast == pytest.approx(28.07)
    assert "contact_reference_contrast" not in cal.provenance["depth_fit"]


def test_missing_reference_image_is_one_line_error(tmp_path: Path, capsys) -> None:
    img = tmp_path / "p.png"
    cv2.imwrite(str(img), to_u8(lit_gel()))
    rc = main(["calibrate", "depth", str(img), "--ball-radius-mm", "10"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "--reference-image" in err and "fix:" in err


def test_show(capsys) -> None:
    assert main(["calibrate", "show", "wedge-reference-v1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["calibration_id"] == "wedge-reference-v1"
    assert data["roi_px"] == [70, 25, 375, 275]


def test_gel_from_a_grasp_file(tmp_path: Path, capsys) -> None:
    from tactile.io import GraspWriter
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    path = tmp_path / "calib_objects.h5"
    with GraspWriter(path) as writer:
        for i, e in enumerate((5e4, 2e5, 8e5)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=e, name=f"ball{i}")
            writer.append(simulate_grasp(obj, SimGraspConfig(), seed=i))
    out = tmp_path / "gel.json"
    rc = main(
        ["calibrate", "gel", str(path), "--calibration", "sim-wedge-v1", "--id", "sim-gel",
         "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert 8e4 < summary["gel_modulus_pa"] < 5e5
    assert len(summary["grasps"]) >= 2
    assert SensorCalibration.load(out).provenance["gel_fit"]["estimator"] == "hertz"
