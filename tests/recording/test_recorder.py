"""The recorder: synchronised streams, safety limits, and keeping data on errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from rec_helpers import FAST, rig

from tactile.errors import SafetyLimitError
from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
from tactile.hardware.robotiq_emulator import get_emulator
from tactile.hardware.sim_world import get_world
from tactile.recording import GraspAbortedError, Recorder, RecorderConfig
from tactile.types import Grasp, GraspMetadata

META = GraspMetadata(object_id="ball")


def record(urls: dict[str, str], config: RecorderConfig = FAST, activate: bool = True) -> Grasp:
    with (
        open_gripper(urls["gripper"]) as g,
        open_tactile_sensor(urls["tactile"]) as c,
        open_force_sensor(urls["force"]) as f,
    ):
        if activate:
            g.activate()
        return Recorder(g, c, f, config).record("g1", META)


def test_one_grasp_is_synchronised_and_complete() -> None:
    grasp = record(rig("a"), dataclasses.replace(FAST, close_speed=0.3))
    assert grasp.n_frames > 20 and grasp.frames.shape[1:] == (48, 64, 3)
    assert np.all(np.diff(grasp.t_s) > 0)
    peak = int(np.argmax(grasp.force_n))
    assert grasp.force_n[peak] == pytest.approx(10.0, abs=2.5)  # held at the target force
    assert grasp.width_mm[0] == pytest.approx(85.0, abs=0.5)
    assert grasp.width_mm[peak] < 50.0 - 1.0  # squeezing the 50 mm ball
    assert grasp.width_mm[-1] > 80.0  # released
    assert grasp.reference_frame is not None
    assert np.array_equal(grasp.reference_frame, grasp.frames[0])
    assert grasp.meta.extra["stopped_by"] == "target_force"
    assert grasp.meta.devices["gripper"].startswith("robotiq-sim://")
    diff = np.abs(grasp.frames[peak].astype(float) - grasp.frames[0].astype(float)).mean()
    assert diff > 1.0  # the imprint is in the frame at peak force


@pytest.mark.parametrize("modulus_pa", [3e4, 2e5, 1e9])
def test_force_limit_never_exceeded_in_simulation(modulus_pa: float) -> None:
    """The true contact force (not just the samples) stays within max_force_n."""
    config = dataclasses.replace(FAST, max_force_n=25.0, target_force_n=24.0, hold_s=0.0)
    grasp = record(rig("m", modulus_pa=modulus_pa), config)
    world = get_world("m")
    assert world is not None
    assert 20.0 <= world.peak_force_n <= 25.0  # the gripper's force setting caps it
    assert grasp.force_n.max() <= 25.0 + 0.2  # (plus gauge noise)


def test_software_force_trip_opens_gripper_and_keeps_frames() -> None:
    # a gripper that cannot limit its force below 100 N and a slow 5 Hz gauge: the force jumps
    # past the limit between two readings, the force thread trips and opens the gripper.
    urls = rig("t", modulus_pa=1e9)
    urls["gripper"] = "sim://?rig=t&min_force_n=100&max_force_n=200"
    urls["force"] = "sim://?rig=t&rate_hz=5"  # the jump is also "rejected" as a spike
    config = dataclasses.replace(FAST, max_force_n=20.0, target_force_n=15.0, close_speed=1.0)
    with pytest.raises(GraspAbortedError, match=r"exceeded the limit 20\.0 N") as info:
        record(urls, config)
    err = info.value
    assert isinstance(err.cause, SafetyLimitError)
    assert err.gripper_opened and err.partial is not None and err.partial.n_frames >= 2
    assert "aborted" in err.partial.meta.extra


def test_closing_time_limit() -> None:
    config = dataclasses.replace(FAST, close_speed=0.01, max_closing_s=0.1)
    with pytest.raises(GraspAbortedError, match=r"closing took longer than 0\.1 s") as info:
        record(rig("c"), config)
    emu = get_emulator("c")
    assert emu is not None and emu.commands[-1].position == 0  # commanded open
    assert info.value.gripper_opened


def test_gripper_fault_mid_grasp_opens_and_keeps_data() -> None:
    urls = rig("f")
    urls["gripper"] += "&fail=fault&fault_code=0x0E"
    with pytest.raises(GraspAbortedError, match="0x0E") as info:
        record(urls)
    emu = get_emulator("f")
    assert emu is not None
    assert emu.commands[-1].position == 0 and emu.commands[-1].action & 0x08  # goto open
    assert emu.gFLT == 0  # the fault was cleared by reset + reactivation
    assert info.value.partial is not None and info.value.partial.n_frames > 2


def test_no_object_is_recorded_as_such() -> None:
    config = dataclasses.replace(FAST, close_to_mm=60.0)  # stops short of the 50 mm ball
    grasp = record(rig("n"), config)
    assert grasp.meta.extra["stopped_by"] == "closed_without_contact"
    assert grasp.force_n.max() < 0.5


def test_streams_are_synchronised_at_frame_times() -> None:
    """Force and width interpolated to each frame agree with the physics at that opening."""
    urls = rig("y", modulus_pa=1e5)
    urls["gripper"] = "sim://?rig=y"  # no position quantisation, unlike the Robotiq counts
    urls["force"] = "sim://?rig=y&rate_hz=500"
    config = dataclasses.replace(FAST, close_speed=0.2, target_force_n=15.0, hold_s=0.0)
    grasp = record(urls, config)
    world = get_world("y")
    assert world is not None
    loading = grasp.force_n > 1.0
    assert loading.sum() >= 5
    physics = np.array([world.contact_force_n(w) for w in grasp.width_mm[loading]])
    error = np.abs(grasp.force_n[loading] - physics)
    assert float(np.median(error)) < 0.2 and float(np.percentile(error, 90)) < 0.75
