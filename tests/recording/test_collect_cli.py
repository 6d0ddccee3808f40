"""``tactile collect`` from the command line, on the simulated rig."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.io import GraspReader

SIM = [
    "--gripper", "robotiq-sim://?rig=cli&activation_s=0&radius_mm=25",
    "--tactile", "sim://?rig=cli&fps=60&height_px=48&width_px=64",
    "--force", "sim://?rig=cli&rate_hz=200",
    "--close-speed", "1.0", "--target-force-n", "10", "--hold-s", "0.05",
    "--no-progress",
]  # fmt: skip


def test_collect_writes_grasps_and_json_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.h5"
    code = main(["collect", "ball", "-n", "2", "-o", str(out), "--label-pa", "2e5", *SIM, "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["complete"] and summary["accepted"] == ["ball_001", "ball_002"]
    rows = summary["grasps"]
    assert [r["status"] for r in rows] == ["accepted", "accepted"]
    assert all(r["peak_force_n"] > 5.0 and 0.5 < r["squeeze_mm"] < 20.0 for r in rows)
    meta = GraspReader(out).metadata("ball_002")
    assert meta.label_modulus_pa == 2e5
    assert meta.calibration_id == "sim-wedge-v1"  # what the simulated camera renders at


def test_collect_reports_a_gripper_fault_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = list(SIM)
    args[1] += "&fail=fault&fault_code=0x0D&fail_grasp=2"
    code = main(["collect", "ball", "-n", "3", "-o", str(tmp_path / "s.h5"), *args])
    captured = capsys.readouterr()
    assert code == 2
    assert "1/3 grasps" in captured.out
    assert "0x0D" in captured.err and "activation fault" in captured.err
    assert "resume" in captured.err


def test_collect_without_devices_names_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "ball", "-o", "x.h5"]) == 2
    err = capsys.readouterr().err
    assert "no device URL for gripper" in err and "robotiq-2f85-wedge" in err


def test_collect_with_sim_profile_and_object_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.h5"
    code = main(
        ["collect", "foam", "-n", "1", "-o", str(out), "--profile", "sim", "--no-progress",
         "--sim", "modulus_pa=3e4&radius_mm=20", "--close-speed", "1.0", "--hold-s", "0",
         "--json"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    meta = GraspReader(out).metadata("foam_001")
    assert meta.calibration_id == "sim-wedge-v1" and meta.extra["profile"] == "sim"
    assert "modulus_pa=3e4" in meta.devices["gripper"]
