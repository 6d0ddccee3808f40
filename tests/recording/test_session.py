"""Collection sessions end to end: store, resume, rejects, and device faults mid-session."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pytest
from rec_helpers import FAST, rig

from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.robotiq_emulator import RobotiqEmulator, emulator_of
from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspReader
from tactile.recording import SessionAbortedError, SessionConfig, run_session


def last_command_opens(emu: RobotiqEmulator | None) -> bool:
    """The emulator's last command opened the fingers (a goto open or the automatic release)."""
    assert emu is not None
    last = emu.commands[-1]
    return last.position <= 3 or last.action == rp.RACT | rp.RATR | rp.RARD


def config(tmp_path: Path, urls: dict[str, str], n: int = 3, **kw: object) -> SessionConfig:
    return SessionConfig(
        object_id="ball",
        n_grasps=n,
        output=tmp_path / "session.h5",
        gripper_url=urls["gripper"],
        camera_url=urls["tactile"],
        force_url=urls["force"],
        label_modulus_pa=2e5,
        shape="sphere",
        radius_mm=25.0,
        calibration_id="sim-wedge-v1",
        recorder=FAST,
        **kw,  # type: ignore[arg-type]
    )


def test_session_end_to_end_then_resume_and_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, rig("e"), n=2)
    summary = run_session(cfg, progress=False)
    assert summary.complete and summary.accepted == ["ball_001", "ball_002"]
    reader = GraspReader(cfg.output)
    assert reader.ids() == ["ball_001", "ball_002"]
    g = reader.read("ball_001")
    assert g.meta.object_id == "ball" and g.meta.label_modulus_pa == 2e5
    assert g.meta.source == "collect" and g.reference_frame is not None
    assert g.force_n.max() > 5.0 and np.ptp(g.width_mm) > 10.0
    assert not cfg.rejects_path.exists()  # nothing rejected, no rejects file
    # resume: asking for 3 records only the missing one, numbering continues
    again = run_session(dataclasses.replace(cfg, n_grasps=3, if_exists="append"), progress=False)
    assert again.already_present == 2 and again.accepted == ["ball_003"]
    assert GraspReader(cfg.output).ids() == ["ball_001", "ball_002", "ball_003"]
    # the file is what `tactile estimate` reads
    from tactile.cli.main import main

    capsys.readouterr()
    code = main(["estimate", str(cfg.output), "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]  # JSON Lines
    assert code == 0 and len(rows) == 3


def test_rejects_are_kept_with_their_reason(tmp_path: Path) -> None:
    recorder = dataclasses.replace(FAST, close_to_mm=60.0)  # never reaches the 50 mm ball
    cfg = config(tmp_path, rig("r"), n=1, max_attempts=2)
    summary = run_session(dataclasses.replace(cfg, recorder=recorder), progress=False)
    assert not summary.complete and summary.accepted == []
    assert len(summary.rejected) == 2
    assert all(r.startswith("no contact: peak force") for _, r in summary.rejected)
    rejects = GraspReader(cfg.rejects_path)
    assert len(rejects) == 2
    assert "no contact" in rejects.metadata(rejects.ids()[0]).extra["reject_reason"]
    assert GraspReader(cfg.output).ids() == []


@pytest.mark.parametrize(
    ("device", "fault", "message"),
    [
        ("gripper", "&fail=fault&fault_code=0x0E&fail_grasp=2", "overcurrent"),
        ("force", "&silent_grasp=2", "no reading for 0.2 s"),
        ("tactile", "&stop_grasp=2", "no frame for 0.2 s"),
    ],
)
def test_fault_in_grasp_k_keeps_earlier_grasps(
    tmp_path: Path, device: str, fault: str, message: str
) -> None:
    urls = rig("k")
    urls[device] += fault
    cfg = config(tmp_path, urls, n=3)
    rigs = SimRigs()
    with pytest.raises(SessionAbortedError) as info:
        run_session(cfg, progress=False, rigs=rigs)
    err = info.value
    assert message in str(err) and "gripper commanded open" in str(err)
    assert "1 of 3" in str(err) and err.hint is not None and "resume" in err.hint
    assert err.summary.accepted == ["ball_001"]
    reader = GraspReader(cfg.output)  # grasp 1 is intact and readable
    assert reader.ids() == ["ball_001"]
    assert reader.read("ball_001").n_frames > 10
    assert last_command_opens(emulator_of(rigs.get("k")))
    partial = GraspReader(cfg.rejects_path)  # the partial grasp 2 was kept too
    assert partial.metadata(partial.ids()[0]).extra["reject_reason"].startswith("aborted")


def test_an_untared_session_warns_and_reads_forces_above_the_gauges_rest(tmp_path: Path) -> None:
    """--no-tare on a gauge reading -3 N at rest: a warning; the grasps keep the raw readings and
    their rest level; the target, the summary and the validation read the force above it."""
    urls = rig("nt")
    urls["force"] += "&offset_n=-3"
    out = io.StringIO()
    rigs = SimRigs()
    summary = run_session(
        config(tmp_path, urls, n=1, tare=False), progress=False, out=out, rigs=rigs
    )
    assert "the gauge reads -3.00 N at rest; not tared (--no-tare)" in out.getvalue()
    assert summary.accepted == ["ball_001"]
    world = rigs.get("nt")
    assert world is not None and world.peak_force_n == pytest.approx(10.0, abs=2.5)
    assert summary.grasps[0]["peak_force_n"] == pytest.approx(world.peak_force_n, abs=0.5)
    g = GraspReader(tmp_path / "session.h5").read("ball_001")
    assert g.meta.extra["force_rest_n"] == pytest.approx(-3.0, abs=0.1)
    assert g.force_n[0] == pytest.approx(-3.0, abs=0.1)  # raw, as --no-tare promises
