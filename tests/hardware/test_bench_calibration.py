"""Bench calibrations against the emulators: gripper width counts, load-cell scale, profiles."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tactile.cli.main import main
from tactile.hardware import open_force_sensor, open_gripper
from tactile.hardware.bench_calibration import (
    SimOperator,
    Step,
    calibrate_gauge,
    calibrate_gripper,
    simulated_world,
)
from tactile.hardware.gauge_emulator import GaugeEmulator
from tactile.hardware.profiles import load_profile
from tactile.hardware.pty_link import PtyLink
from tactile.hardware.robotiq import RobotiqGripper
from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspReader
from tactile.types import Flag

REPO_SIM = Path(__file__).resolve().parents[2] / "hardware" / "sim.toml"


def test_uncalibrated_2f85_reads_8_mm_closed_and_calibration_fixes_it() -> None:
    rigs = SimRigs()
    with open_gripper("robotiq-sim://?activation_s=0", rigs=rigs) as g:
        assert isinstance(g, RobotiqGripper) and not g.width_calibrated
        operator = SimOperator(simulated_world(g))
        g.activate()
        operator("", Step("empty"))
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        assert g.wait_until_stopped(5.0).width_mm == pytest.approx(8.33, abs=0.05)  # issue 14
        measured = calibrate_gripper(g, operator, open_mm=85.0, blocks_mm=[30.0])
        cal = measured.calibration
        assert (cal.open_position, cal.closed_position) == (3, 230)  # the unit's real counts
        g.set_width_calibration(cal)
        assert g.width_calibrated
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        assert g.wait_until_stopped(5.0).width_mm == pytest.approx(0.0, abs=0.4)
        g.open()
        assert g.wait_until_stopped(5.0).width_mm == pytest.approx(85.0, abs=0.4)
    ((block, reads),) = measured.block_checks
    assert block == 30.0 and 20.0 < reads < 30.0  # the gel pads compress under 20 N


def test_gauge_calibration_with_known_weights_on_a_pty() -> None:
    load = {"n": 0.0}
    emu = GaugeEmulator(lambda: load["n"], rate_hz=500, scale=0.0098, offset=812.0)

    def operator(text: str, step: Step) -> None:
        load["n"] = step.value if step.kind == "load" else 0.0

    link = PtyLink(produce=emu.next_line, period_s=0.001)
    with link, open_force_sensor(f"{link.port}?timeout_s=0.5") as gauge:
        cal = calibrate_gauge(gauge, operator, [0.5, 2.0], n_samples=9)
        gauge.set_conversion(scale=cal.scale, offset=cal.offset)
        load["n"] = 10.0
        readings = [gauge.read().force_n for _ in range(20)]
    assert cal.scale == pytest.approx(0.0098, rel=1e-3) and cal.offset == pytest.approx(812.0)
    assert cal.worst_residual_n < 0.01
    assert float(np.median(readings)) == pytest.approx(10.0, abs=0.02)


def test_calibrate_cli_writes_the_profile_and_collect_applies_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "rig.toml"
    shutil.copy(REPO_SIM, profile)
    text = profile.read_text()
    start = text.find("[gripper_calibration]")
    profile.write_text(text[:start] if start >= 0 else text)  # an uncalibrated copy
    assert load_profile(profile).width_calibration() is None
    assert main(["calibrate", "gripper", "--profile", str(profile), "--open-mm", "85",
                 "--yes"]) == 0  # fmt: skip
    assert "closed 230 counts" in capsys.readouterr().out
    assert main(["calibrate", "gauge", "--profile", str(profile), "--weights-kg", "1",
                 "--yes", "--samples", "5"]) == 0  # fmt: skip
    loaded = load_profile(profile)
    cal = loaded.width_calibration()
    assert cal is not None and (cal.open_position, cal.closed_position) == (3, 230)
    assert loaded.force_conversion() is not None
    assert "# A rig with no hardware" in profile.read_text()  # the rest of the file is kept
    out = tmp_path / "c.h5"
    args = ["collect", "ball", "-n", "1", "-o", str(out), "--profile", str(profile),
            "--no-progress", "--close-speed", "1", "--hold-s", "0"]  # fmt: skip
    assert main(args) == 0
    grasp = GraspReader(out).read("ball_001")
    assert grasp.meta.extra["width_calibrated"] is True
    assert grasp.width_mm[0] == pytest.approx(85.0, abs=0.4)  # not 86 mm: the unit's counts


def test_estimates_flag_a_grasp_of_an_uncalibrated_gripper(tmp_path: Path) -> None:
    from tactile.estimators import estimate_grasp

    out = tmp_path / "u.h5"
    args = ["collect", "ball", "-n", "1", "-o", str(out), "--no-progress",
            "--gripper", "robotiq-sim://?rig=u&activation_s=0&modulus_pa=1e5",
            "--tactile", "sim://?rig=u&height_px=120&width_px=160&fps=60",
            "--force", "sim://?rig=u&rate_hz=200", "--close-speed", "1", "--hold-s", "0.1",
            "--calibration", "sim-wedge-v1",
            "--shape", "sphere"]  # fmt: skip  # hertz refuses a grasp without geometry (named42)
    assert main(args) == 0
    grasp = GraspReader(out).read("ball_001")
    assert grasp.meta.extra["width_calibrated"] is False
    assert Flag.WIDTH_UNCALIBRATED in estimate_grasp(grasp, "hertz").flags


def test_calibrate_gripper_refuses_a_replay_gripper_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay = "replay://" + str(tmp_path / "rec.h5")  # never opened: refused first
    argv = ["calibrate", "gripper", "--profile", str(REPO_SIM), "--gripper", replay, "--yes",
            "--open-mm", "85"]  # fmt: skip
    assert main([*argv, "--dry-run"]) == 2  # was: a wait of 15 s, then a misleading message
    err = capsys.readouterr().err
    assert "tactile calibrate gripper moves the gripper" in err
    assert f"cannot use replay:// devices (gripper {replay})" in err
