"""One contract per interface, run against every backend.

Real devices join when an environment variable names them: ``TACTILE_GRIPPER_URL``,
``TACTILE_CAMERA_URL``, ``TACTILE_FORCE_URL`` (e.g. ``/dev/ttyUSB0``, ``mjpeg://10.0.0.5:8080/
?action=stream``, ``socket://10.0.0.5:5000``); otherwise those cases are skipped.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hw_helpers import MjpegServer, synthetic_jpegs

from tactile.errors import DeviceNotConnectedError
from tactile.hardware import (
    ForceSensor,
    Gripper,
    TactileSensor,
    open_force_sensor,
    open_gripper,
    open_tactile_sensor,
)
from tactile.hardware.gauge_emulator import GaugeEmulator, LineServer
from tactile.hardware.pty_link import PtyLink
from tactile.hardware.robotiq_emulator import RobotiqEmulator
from tactile.hardware.sim_world import SimWorld
from tactile.sensor import SIM_WEDGE
from tactile.sim import SimObject

GRIPPERS = ["sim", "robotiq-sim", "robotiq-pty", "replay", "real"]
CAMERAS = ["sim", "replay", "opencv-file", "mjpeg", "real"]
FORCES = ["sim", "replay", "gauge-pty", "gauge-tcp", "real"]


def _real(var: str) -> str:
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"no real device: set {var} to run the contract on hardware")
    return url


@pytest.fixture(params=GRIPPERS)
def gripper_url(request: pytest.FixtureRequest, replay_file: Path) -> Iterator[str]:
    kind = request.param
    if kind == "robotiq-pty":
        emu = RobotiqEmulator(SimWorld(SimObject(radius_mm=20), SIM_WEDGE), activation_s=0.0)
        with PtyLink(on_bytes=emu.feed) as link:
            yield f"{link.port}?timeout_s=0.3&open_pos=3&closed_pos=230"  # calibrated
        return
    yield {
        "sim": "sim://?radius_mm=20",
        "robotiq-sim": "robotiq-sim://?radius_mm=20&activation_s=0&open_pos=3&closed_pos=230",
        "replay": f"replay://{replay_file}#g0?speed=0",
    }.get(kind) or _real("TACTILE_GRIPPER_URL")


@pytest.fixture(params=CAMERAS)
def camera_url(request: pytest.FixtureRequest, replay_file: Path, small_avi: Path) -> Iterator[str]:
    kind = request.param
    if kind == "mjpeg":
        server = MjpegServer(synthetic_jpegs(), fps=100)
        yield server.url
        server.close()
        return
    yield {
        "sim": "sim://?fps=200&height_px=24&width_px=32",
        "replay": f"replay://{replay_file}?speed=0",
        "opencv-file": str(small_avi),
    }.get(kind) or _real("TACTILE_CAMERA_URL")


@pytest.fixture(params=FORCES)
def force_url(request: pytest.FixtureRequest, replay_file: Path) -> Iterator[str]:
    kind = request.param
    emu = GaugeEmulator(lambda: 1.25, rate_hz=500)
    if kind == "gauge-pty":
        with PtyLink(produce=emu.next_line, period_s=0.001) as link:
            yield f"{link.port}?timeout_s=0.5"
        return
    if kind == "gauge-tcp":
        with LineServer(emu) as server:
            yield server.url
        return
    yield {
        "sim": "sim://?rate_hz=500",
        "replay": f"replay://{replay_file}?speed=0",
    }.get(kind) or _real("TACTILE_FORCE_URL")


def _check_guard(device: Gripper | TactileSensor | ForceSensor, call: str) -> None:
    with pytest.raises(DeviceNotConnectedError, match="connect"):
        getattr(device, call)()


class TestGripperContract:
    def test_guard_lifecycle_and_state(self, gripper_url: str) -> None:
        g = open_gripper(gripper_url)
        _check_guard(g, "state")
        with g:
            assert g.is_connected
            g.activate()
            states = [g.state() for _ in range(3)]
            for st in states:
                assert math.isfinite(st.width_mm) and 0.0 <= st.width_mm <= g.max_width_mm + 1e-6
            assert all(b.t_s > a.t_s for a, b in itertools.pairwise(states))
        assert not g.is_connected
        _check_guard(g, "state")

    def test_close_on_object_then_open(self, gripper_url: str) -> None:
        if gripper_url.startswith("replay://"):
            pytest.skip("a replayed gripper cannot move")
        with open_gripper(gripper_url) as g:
            g.activate()
            g.move_to_mm(0.0, speed=1.0, force=0.0)
            st = g.wait_until_stopped(5.0)
            assert st.in_contact and st.width_mm < g.max_width_mm
            g.open()
            st = g.wait_until_stopped(5.0)
            assert not st.in_contact and st.width_mm == pytest.approx(g.max_width_mm, abs=0.5)

    def test_hold_stops_the_fingers(self, gripper_url: str) -> None:
        if gripper_url.startswith("replay://"):
            pytest.skip("a replayed gripper cannot move")
        with open_gripper(gripper_url) as g:
            g.activate()
            g.move_to_mm(g.max_width_mm * 0.9, speed=1.0)  # a short, unobstructed move
            g.wait_until_stopped(5.0)
            g.move_to_mm(g.max_width_mm * 0.1, speed=0.0)  # slowest closing
            g.hold()
            held = g.state()
            time.sleep(0.05)
            later = g.state()
            assert not held.moving and not later.moving
            assert later.width_mm == pytest.approx(held.width_mm, abs=0.5)  # stays where held
            g.open()
            g.wait_until_stopped(5.0)


class TestTactileContract:
    def test_frames(self, camera_url: str) -> None:
        cam = open_tactile_sensor(camera_url)
        _check_guard(cam, "read")
        with cam:
            frames = [cam.read() for _ in range(4)]
        for f in frames:
            assert f.image.dtype == np.uint8 and f.image.ndim == 3 and f.image.shape[2] == 3
            assert f.dropped_before >= 0
        assert len({f.image.shape for f in frames}) == 1
        assert all(b.t_s >= a.t_s and b.index > a.index for a, b in itertools.pairwise(frames))
        _check_guard(cam, "read")


class TestForceContract:
    def test_readings_and_tare(self, force_url: str) -> None:
        sensor = open_force_sensor(force_url)
        _check_guard(sensor, "read")
        with sensor:
            samples = [sensor.read() for _ in range(5)]
            assert all(math.isfinite(s.force_n) for s in samples)
            assert all(b.t_s >= a.t_s for a, b in itertools.pairwise(samples))
            if not force_url.startswith("replay://"):
                sensor.tare(5)
                after = [sensor.read().force_n for _ in range(5)]
                assert abs(float(np.median(after))) < 0.5
        _check_guard(sensor, "read")
