"""Kill a real ``tactile collect`` process mid-session, then resume it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tactile.cli.main import main
from tactile.io import GraspReader

URLS = [
    "--gripper", "robotiq-sim://?rig=kill&activation_s=0&radius_mm=25",
    "--tactile", "sim://?rig=kill&fps=60&height_px=48&width_px=64",
    "--force", "sim://?rig=kill&rate_hz=200",
    "--close-speed", "0.3", "--target-force-n", "10", "--hold-s", "0.05", "--no-progress",
]  # fmt: skip


def test_sigkill_mid_session_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "s.h5"
    cmd = [sys.executable, "-m", "tactile.cli.main", "collect", "ball", "-n", "3", "-o", str(out)]
    proc = subprocess.Popen([*cmd, *URLS], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if out.exists() or (tmp_path / ".s.h5.pending").is_dir():
                try:
                    if len(GraspReader(out).ids()) >= 1:
                        break
                except Exception:  # the first grasp is still being published
                    pass
            time.sleep(0.05)
        else:
            raise AssertionError("the collect process never stored a grasp")
        time.sleep(0.2)  # now it is in the middle of grasp 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    survivors = GraspReader(out).ids()
    assert survivors and survivors[0] == "ball_001"
    assert main(["collect", "ball", "-n", "3", "-o", str(out), *URLS, "--append"]) == 0
    reader = GraspReader(out)
    assert reader.ids() == ["ball_001", "ball_002", "ball_003"]
    assert all(reader.read(gid).n_frames > 10 for gid in reader.ids())
