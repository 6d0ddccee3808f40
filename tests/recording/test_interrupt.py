"""Ctrl-C through a real SIGINT to a running ``tactile collect``, repeated at varied moments.

Issue 13 saw the interrupt swallowed 3 times out of 10 (the session went on and exited 0). Now
every SIGINT must end the session with exit code 130, the gripper opened, every accepted grasp
intact, the partial grasp kept (when one was in progress) and the resume command printed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tactile.io import GraspReader

#: a generous bound (ten collect processes take 70 s on 2 loaded cores);
#: pytest-timeout's default 300 s is meant for hangs, not for a busy machine
pytestmark = pytest.mark.timeout(900)

URLS = [
    "--gripper", "robotiq-sim://?rig=int&activation_s=0&radius_mm=25",
    "--tactile", "sim://?rig=int&fps=60&height_px=48&width_px=64",
    "--force", "sim://?rig=int&rate_hz=200",
    "--close-speed", "1.0", "--target-force-n", "10", "--hold-s", "0.05", "--no-progress",
]  # fmt: skip


def _stored(out: Path) -> int:
    try:
        return len(GraspReader(out).ids())
    except Exception:  # not written yet, or being published
        return 0


@pytest.mark.slow
def test_sigint_always_stops_collect_cleanly_ten_times(tmp_path: Path) -> None:
    rng = random.Random(14)
    out = tmp_path / "s.h5"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    outcomes = []
    for attempt in range(10):
        before = _stored(out)
        cmd = [sys.executable, "-m", "tactile.cli.main", "collect", "ball", "-n", "100",
               "-o", str(out), *URLS, "--append"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        pending = tmp_path / ".s.h5.pending"  # exists while a session writes (gone after it)
        try:
            deadline = time.monotonic() + 120
            while not pending.is_dir() and proc.poll() is None:  # devices ready, recording
                assert time.monotonic() < deadline, "collect never started recording"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.2, 2.5))  # somewhere in a grasp (or between two)
            proc.send_signal(signal.SIGINT)
            _stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        text = stderr.decode()
        assert proc.returncode == 130, f"attempt {attempt}: exit {proc.returncode}\n{text}"
        assert "the gripper was commanded open" in text, text
        assert "resume with: tactile collect ball" in text and "--append" in text, text
        assert not pending.exists()  # consolidated
        ids = GraspReader(out).ids() if out.exists() else []  # readable, nothing lost
        assert len(ids) >= before and ids == [f"ball_{k:03d}" for k in range(1, len(ids) + 1)]
        outcomes.append("partial" if "partial grasp is kept" in text else "between")
    rejects = GraspReader(tmp_path / "s_rejects.h5")
    reasons = [rejects.metadata(r).extra["reject_reason"] for r in rejects.ids()]
    assert reasons.count("interrupted by the user") == outcomes.count("partial") >= 1


@pytest.mark.slow
def test_a_second_sigint_aborts_cleanly_and_still_says_how_to_resume(tmp_path: Path) -> None:
    """Issue 13: a second Ctrl-C soon after the first was often swallowed ("Exception ignored
    in: WeakValueDictionary ... KeyboardInterrupt" on the terminal), or aborted without the
    summary and the resume line. Two real SIGINTs, 1 to 60 ms apart, at varied moments."""
    rng = random.Random(13)
    out = tmp_path / "s.h5"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    aborted = opened = 0
    for attempt, gap_s in enumerate((0.001, 0.005, 0.02, 0.04, 0.06)):
        before = _stored(out)
        cmd = [sys.executable, "-m", "tactile.cli.main", "collect", "ball", "-n", "100",
               "-o", str(out), *URLS, "--append"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        pending = tmp_path / ".s.h5.pending"
        try:
            deadline = time.monotonic() + 120
            while not pending.is_dir() and proc.poll() is None:
                assert time.monotonic() < deadline, "collect never started recording"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.2, 2.0))
            proc.send_signal(signal.SIGINT)
            time.sleep(gap_s)
            proc.send_signal(signal.SIGINT)
            second = time.monotonic()
            _stdout, stderr = proc.communicate(timeout=60)
            took = time.monotonic() - second
        finally:
            if proc.poll() is None:
                proc.kill()
        text = stderr.decode()
        # 130; or killed by the second SIGINT when it came after the session had ended (and
        # the handler was gone): everything was printed by then
        assert proc.returncode in (130, -signal.SIGINT), f"attempt {attempt}: {text}"
        assert "Traceback" not in text and "Exception ignored" not in text, text
        # (not said again when the abort came after the first press had opened it and the
        # devices were closing)
        assert "could NOT be commanded open" not in text, text
        opened += "the gripper was commanded open" in text
        assert "resume with: tactile collect ball" in text and "--append" in text, text
        assert took < 20.0, f"the abort took {took:.1f} s"
        ids = GraspReader(out).ids() if (out.exists() or pending.exists()) else []
        assert len(ids) >= before and ids == [f"ball_{k:03d}" for k in range(1, len(ids) + 1)]
        aborted += "aborted at the second Ctrl-C" in text
    assert aborted >= 2  # most second presses land while the session is still stopping
    assert opened >= 4
