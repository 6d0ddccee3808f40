"""Collection sessions end to end: store, resume, rejects, and device faults mid-session."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rec_helpers import FAST, rig

from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.robotiq_emulator import RobotiqEmulator, emulator_of
from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspReader
from tactile.recording import (
    SessionAbortedError,
    SessionConfig,
    SessionInterruptedError,
    run_session,
)
from tactile.types import Grasp


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


def _ctrl_c_while_saving(monkeypatch: pytest.MonkeyPatch, presses: int) -> list[str]:
    """Make the first grasp's save press Ctrl-C ``presses`` times (real SIGINTs to this
    process) mid-write, with its temporary file open; returns the ids whose save was hit."""
    import signal

    from tactile.io import store

    real = store.write_grasp
    hit: list[str] = []

    def write_grasp(f: Any, grasp: Grasp, **kw: Any) -> None:
        if not hit:
            hit.append(grasp.grasp_id)
            for _ in range(presses):
                signal.raise_signal(signal.SIGINT)
        real(f, grasp, **kw)

    monkeypatch.setattr(store, "write_grasp", write_grasp)
    return hit


def test_ctrl_c_while_an_accepted_grasp_is_saved_does_not_lose_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """newuser42: a KeyboardInterrupt during ``writer.append`` deleted the half-written file of
    an accepted grasp (0 of 3 safe). Now the save finishes, then the session aborts."""
    hit = _ctrl_c_while_saving(monkeypatch, presses=1)  # Python's handler: KeyboardInterrupt
    cfg = config(tmp_path, rig("h"), n=3)
    with pytest.raises(SessionInterruptedError) as info:
        run_session(cfg, progress=False)
    assert hit == ["ball_001"]
    assert "1 of 3 accepted grasps are safe" in str(info.value)
    assert info.value.summary.accepted == ["ball_001"]
    reader = GraspReader(cfg.output)
    assert reader.ids() == ["ball_001"] and reader.read("ball_001").n_frames > 10


def test_ctrl_c_during_the_release_accepts_the_grasp(tmp_path: Path) -> None:
    """newuser42: a complete squeeze stopped in its release went to the rejects as interrupted;
    now it is accepted (marked), and the session stops there as after any Ctrl-C."""
    import threading

    from tactile.recording import LiveFrame

    stop = threading.Event()

    def ctrl_c_in_release(live: LiveFrame) -> bool:
        if live.phase == "release":
            stop.set()
        return False

    cfg = config(tmp_path, rig("rel"), n=3)
    with pytest.raises(SessionInterruptedError, match="1 of 3 grasps are safe") as info:
        run_session(cfg, progress=False, on_frame=ctrl_c_in_release, stop_event=stop)
    assert info.value.summary.accepted == ["ball_001"]
    assert info.value.summary.grasps[0]["reason"].startswith("Ctrl-C in the release")
    reader = GraspReader(cfg.output)
    assert reader.ids() == ["ball_001"]
    assert reader.metadata("ball_001").extra["interrupted_in_release"] is True
    assert not cfg.rejects_path.exists()


def test_a_second_ctrl_c_early_in_the_release_waits_until_the_grasp_is_saved(
    tmp_path: Path,
) -> None:
    """review53: Ctrl-C at a grasp's first release frame, a second one soon after (in the
    release, stream.stop() or the grasp's assembly): the KeyboardInterrupt escaped the recorder
    and the complete grasp was lost (0 of 3 safe). From the end of the hold it is held: the
    release is finished, the grasp saved, then the interrupt goes on."""
    import signal
    import threading

    from tactile.recording import LiveFrame

    stop = threading.Event()
    sent: list[str] = []

    def ctrl_c_twice(live: LiveFrame) -> bool:
        if live.phase == "release" and not sent:
            sent.append(live.grasp_id)
            stop.set()  # the first Ctrl-C (the CLI's handler sets the flag)
            signal.raise_signal(signal.SIGINT)  # the second: Python's KeyboardInterrupt
        return False

    cfg = config(tmp_path, rig("r2"), n=3)
    out = io.StringIO()
    with pytest.raises(SessionInterruptedError, match="1 of 3 accepted grasps are safe"):
        run_session(cfg, progress=False, out=out, on_frame=ctrl_c_twice, stop_event=stop)
    assert sent == ["ball_001"] and "(saving ball_001 first)" in out.getvalue()
    reader = GraspReader(cfg.output)
    assert reader.ids() == ["ball_001"]
    assert reader.metadata("ball_001").extra["interrupted_in_release"] is True
    assert not cfg.rejects_path.exists()


def test_ctrl_c_in_the_release_of_the_last_grasp_completes_the_session(tmp_path: Path) -> None:
    """Nothing is left to resume: the session ends as complete (the CLI exits 0), the grasp's
    row notes the Ctrl-C (review53 3; docs/hardware.md)."""
    import threading

    from tactile.recording import LiveFrame

    stop = threading.Event()

    def ctrl_c_in_release(live: LiveFrame) -> bool:
        if live.phase == "release":
            stop.set()
        return False

    cfg = config(tmp_path, rig("last"), n=1)
    summary = run_session(cfg, progress=False, on_frame=ctrl_c_in_release, stop_event=stop)
    assert summary.complete and summary.accepted == ["ball_001"]
    assert summary.grasps[0]["reason"].startswith("Ctrl-C in the release")


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
