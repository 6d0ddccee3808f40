"""``tactile collect`` from the command line, on the simulated rig."""

from __future__ import annotations

import io
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


def _collect(tmp_path: Path, *extra: str, n: int = 1, name: str = "s.h5") -> list[str]:
    return ["collect", "ball", "-n", str(n), "-o", str(tmp_path / name), *SIM, *extra]


def test_existing_output_is_refused_unless_append_or_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.h5"
    assert main(_collect(tmp_path)) == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main(_collect(tmp_path, n=2)) == 2  # would have resumed silently before
    err = capsys.readouterr().err
    assert "already holds 1 grasp(s)" in err and "--append" in err and "--overwrite" in err
    assert out.read_bytes() == before  # untouched
    assert main(_collect(tmp_path, "--append", n=2)) == 0
    assert GraspReader(out).ids() == ["ball_001", "ball_002"]
    assert main(_collect(tmp_path, "--overwrite", n=1)) == 0
    assert GraspReader(out).ids() == ["ball_001"]
    with pytest.raises(SystemExit):  # one or the other
        main(_collect(tmp_path, "--append", "--overwrite"))


def test_sim_keys_with_a_typo_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["collect", "ball", "-o", str(tmp_path / "x.h5"), "--profile", "sim",
                 "--sim", "modulus_p=5e4"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "unknown parameter 'modulus_p'" in err and "'modulus_pa'" in err
    assert not (tmp_path / "x.h5").exists()
    assert (
        main(
            [
                "collect",
                "ball",
                "-o",
                str(tmp_path / "y.h5"),
                "--sim",
                "fps=1",
                "--gripper",
                "/dev/ttyUSB9",
                "--tactile",
                "0",
                "--force",
                "/dev/ttyACM9",
            ]
        )
        == 2
    )
    assert "no device is simulated" in capsys.readouterr().err


def test_an_idle_rerun_cleans_what_a_killed_merge_left(tmp_path: Path) -> None:
    out = tmp_path / "s.h5"
    assert main(_collect(tmp_path)) == 0
    leftover = tmp_path / ".s.h5.tmp-4242"  # what SIGKILL during the final merge leaves
    leftover.write_bytes(b"\0" * 1_000_000)
    assert main(_collect(tmp_path, "--append")) == 0  # nothing to record: an idle rerun
    assert not leftover.exists()
    assert GraspReader(out).ids() == ["ball_001"]


def test_pause_between_grasps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n"))  # the operator presses Enter twice
    assert main(_collect(tmp_path, "--pause", n=2)) == 0
    err = capsys.readouterr().err
    assert err.count("press Enter") == 1  # between grasp 1 and 2, not before the first
    assert "1 of 2 grasps of ball done" in err
    assert main(_collect(tmp_path, "--pause-s", "0.01", n=2, name="t.h5")) == 0
    assert "pausing 0.01 s" in capsys.readouterr().err


def test_sim_profile_shows_the_pause_and_a_saved_rerun_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("rerun", reason="the preview extra (rerun-sdk) is not installed")
    rrd = tmp_path / "preview.rrd"
    code = main(
        ["collect", "ball", "-n", "2", "-o", str(tmp_path / "p.h5"), "--profile", "sim",
         "--no-progress", "--close-speed", "1.0", "--hold-s", "0", "--pause-s", "0.001",
         "--preview", f"rerun:{rrd}"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "1 of 2 grasps of ball done: pausing 0.001 s" in err
    # the frames' 240x320 images went to the preview (an empty recording is ~10 kB)
    assert rrd.stat().st_size > 200_000


def test_preview_that_cannot_start_fails_before_anything_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(_collect(tmp_path, "--preview", "opencv")) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "rerun:preview.rrd" in err
    assert not (tmp_path / "s.h5").exists()


def test_a_calibration_id_estimates_cannot_resolve_is_refused_before_anything_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: a profile naming an unknown calibration recorded every grasp, then every
    estimate failed "unknown calibration"."""
    from tactile.hardware.profiles import load_profile

    sim_toml = load_profile("sim").path
    assert sim_toml is not None
    text = sim_toml.read_text()
    assert 'calibration = "sim-wedge-v1"' in text
    profile = tmp_path / "mybench.toml"
    profile.write_text(text.replace('calibration = "sim-wedge-v1"', 'calibration = "my-gel-v9"'))
    out = tmp_path / "s.h5"
    assert main(["collect", "ball", "-n", "1", "-o", str(out), "--profile", str(profile)]) == 2
    err = capsys.readouterr().err
    assert "'my-gel-v9'" in err and "mybench.toml" in err and "nothing was recorded" in err
    assert "tactile calibrate" in err and "sim-wedge-v1" in err  # the fix, and the known ids
    assert not out.exists()
    # --calibration is checked the same way, and a known one overrides the profile's
    assert main(["collect", "ball", "-o", str(out), *SIM, "--calibration", "nope-v1"]) == 2
    assert "'nope-v1' (--calibration)" in capsys.readouterr().err
    assert not out.exists()


def test_rejects_of_a_resumed_session_take_the_next_free_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: a resumed session's rejects were named ball_reject_001x, _001xx, ..."""
    out = tmp_path / "s.h5"
    # the gripper stops short of the 25 mm ball: no contact, every attempt rejected
    argv = ["collect", "ball", "-n", "1", "-o", str(out), *SIM, "--close-to-mm", "80"]
    assert main([*argv, "--max-attempts", "2"]) == 1
    assert main([*argv, "--max-attempts", "1", "--append"]) == 1
    capsys.readouterr()
    assert main([*argv, "--max-attempts", "1", "--append", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["rejected"]
    assert [r["id"] for r in rows] == ["ball_reject_004"]
    rejects = tmp_path / "s_rejects.h5"
    assert GraspReader(rejects).ids() == [f"ball_reject_{k:03d}" for k in (1, 2, 3, 4)]


def test_json_stays_one_document_when_a_device_stops_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # review49: the summary, then main's error object, made stdout two JSON documents
    args = list(SIM)
    args[5] += "&silent_grasp=2&timeout_s=0.2"
    code = main(["collect", "ball", "-n", "3", "-o", str(tmp_path / "s.h5"), *args, "--json"])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 2 and summary["accepted"] == ["ball_001"] and not summary["complete"]
    assert "no reading" in captured.err


def test_collect_refuses_replay_devices_before_anything_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.h5"
    replay = "replay://" + str(tmp_path / "rec.h5")  # never opened: refused first
    argv = ["collect", "ball", "-o", str(out), "--profile", "sim"]
    assert main([*argv, "--force", replay + "?loop=1"]) == 2
    err = capsys.readouterr().err
    assert "cannot use replay:// devices (force replay://" in err and "--profile sim" in err
    assert main([*argv, "--gripper", replay, "--tactile", replay, "--force", replay]) == 2
    assert "gripper replay://" in capsys.readouterr().err
    assert not out.exists()


def test_collect_no_tare_warns_of_a_gauge_off_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = list(SIM)
    args[5] += "&offset_n=-3"  # the --force URL: a gauge reading -3 N at rest
    out = tmp_path / "nt.h5"
    code = main(["collect", "ball", "-n", "1", "-o", str(out), *args, "--no-tare", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "the gauge reads -3.00 N at rest; not tared (--no-tare)" in captured.err
    row = json.loads(captured.out)["grasps"][0]
    assert row["peak_force_n"] == pytest.approx(10.0, abs=2.5)  # above rest, not 7 N
    assert GraspReader(out).metadata("ball_001").extra["force_rest_n"] == pytest.approx(-3, abs=0.1)
