"""Simulated devices share one rig; replay keeps the recorded timing."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tactile.errors import ConfigError
from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
from tactile.hardware.sim_gripper import SimGripper
from tactile.hardware.sim_world import SimRigs

RIG = "rig=s&radius_mm=20&modulus_pa=1e5"


def _local_change(image: np.ndarray, reference: np.ndarray) -> float:
    """Largest change of a 7x7-pixel neighbourhood's mean (pixel noise averages out)."""
    diff = cv2.blur(image.astype(np.float32) - reference, (7, 7))
    return float(np.abs(diff).mean(axis=2).max())


def test_gripper_force_and_camera_share_one_world(rigs: SimRigs) -> None:
    with (
        open_gripper(f"sim://?{RIG}", rigs=rigs) as g,
        open_force_sensor(f"sim://?{RIG}&rate_hz=1000", rigs=rigs) as f,
        open_tactile_sensor(f"sim://?{RIG}&fps=500&height_px=120&width_px=160", rigs=rigs) as cam,
    ):
        open_frame = cam.read().image.astype(np.float32)
        noise_only = _local_change(cam.read().image, open_frame)
        assert abs(f.read().force_n) < 0.2
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        st = g.wait_until_stopped(3.0)
        assert st.in_contact and st.width_mm < 40.0
        force = float(np.median([f.read().force_n for _ in range(5)]))
        assert force == pytest.approx(20.0, abs=0.2)  # the 2F-85 minimum grip force
        pressed = _local_change(cam.read().image, open_frame)
        assert pressed > 3.0 * noise_only  # the imprint shows above the pixel noise
        world = rigs.get("s")
        assert world is not None and world.peak_force_n <= 20.0 + 1e-6


def test_glitches_are_flagged_and_drops_reported() -> None:
    with open_force_sensor("sim://?rig=q&rate_hz=1000&glitch_every=4") as f:
        samples = [f.read() for _ in range(12)]
    assert sum(s.rejected for s in samples) == 3
    assert all(s.force_n > -1.0 for s in samples)  # the -70 N spikes never get through
    with open_tactile_sensor("sim://?rig=q&fps=500&height_px=24&width_px=32&drop_every=3") as c:
        frames = [c.read() for _ in range(4)]
    assert [fr.dropped_before for fr in frames] == [0, 0, 1, 0]  # every 3rd produced is lost


def test_replay_keeps_recorded_timing(replay_file: Path) -> None:
    with open_tactile_sensor(f"replay://{replay_file}#g0") as cam:
        frames = [cam.read() for _ in range(8)]
    # 8 frames recorded 10 ms apart are never delivered faster than recorded (a lower bound
    # only: a loaded machine may deliver them later, which says nothing about replay)
    assert frames[-1].t_s - frames[0].t_s >= 0.07 - 1e-3
    assert [fr.index for fr in frames] == list(range(8))
    with open_force_sensor(f"replay://{replay_file}?speed=0") as f:
        forces = [f.read().force_n for _ in range(8)]
    assert forces == pytest.approx(list(np.linspace(0.0, 7.0, 8)))


def test_a_capped_world_clock_moves_the_fingers_at_most_one_step_over_a_stall(
    rigs: SimRigs,
) -> None:
    """With ``max_step_s`` a host that stalls finds the fingers moved by at most one step."""
    with open_gripper("sim://?rig=c&radius_mm=20&modulus_pa=1e5&max_step_s=0.02", rigs=rigs) as g:
        world = rigs.get("c")
        assert world is not None
        start_mm = g.state().width_mm
        g.move_to_mm(0.0, speed=0.5, force=0.0)
        t0 = world.now()
        time.sleep(0.3)  # the host stalls for 15 steps
        moved_mm = start_mm - g.state().width_mm
        assert world.now() - t0 <= 0.02 * 3 + 1e-9  # ~one step per interaction, not 0.3 s
        assert isinstance(g, SimGripper)
        assert 0.0 < moved_mm <= g.speed_mm_s(0.5) * 0.02 * 3 + 1e-6  # wall time: 0.3 s of motion


def test_a_negative_clock_step_is_refused_with_a_hint(rigs: SimRigs) -> None:
    with pytest.raises(ConfigError, match="max_step_s"):
        open_gripper("sim://?rig=d&max_step_s=-1", rigs=rigs)


def test_sim_gauge_filter_range_shifts_with_the_rest_level() -> None:
    """review51: a gauge not zeroed reading -8 N at rest is below the filter's min_n (-5 N): its
    readings were clipped to -5 N and flagged. shift_filter moves the range; a tare undoes it."""
    with open_force_sensor("sim://?rig=shift&offset_n=-8&rate_hz=1000", rigs=SimRigs()) as f:
        clipped = f.read()
        assert clipped.rejected and clipped.force_n == pytest.approx(-5.0)
        f.shift_filter(-8.0)
        assert (f.filter.min_n, f.filter.max_n) == (-13.0, 492.0)
        kept = [f.read() for _ in range(5)]
        assert not any(s.rejected for s in kept)
        assert kept[-1].force_n == pytest.approx(-8.0, abs=0.1)
        f.tare()
        assert (f.filter.min_n, f.filter.max_n) == (-5.0, 500.0)
