"""The Franka Hand backend against a fake ``franky`` module with the binding's interface.

The fake implements exactly the names the backend may use - ``Gripper(fci_hostname)``,
``grasp_async(width, speed, force, epsilon_inner, epsilon_outer)``, ``move_async(width,
speed)``, ``stop()``, ``homing()``, ``width``, ``is_grasped``, ``max_width`` - in franky's units
(m, m/s, N), with fingers moving in a simulated rig, so a whole grasp runs through the recorder.
"""

from __future__ import annotations

import sys
import types
from typing import Any, ClassVar

import pytest

from tactile.errors import DeviceError
from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
from tactile.hardware.base import ObjectStatus, now_s
from tactile.hardware.fingers import FingerMotion
from tactile.hardware.franka import FrankaHandGripper
from tactile.hardware.sim_world import SimRigs, WorldConfig
from tactile.recording import Recorder, RecorderConfig
from tactile.types import GraspMetadata

FAST = RecorderConfig(
    max_force_n=30.0, target_force_n=10.0, close_speed=1.0, pre_s=0.03, hold_s=0.05,
    release_s=0.5, max_closing_s=10.0,
)  # fmt: skip


class FakeFuture:
    def __init__(self, fingers: FingerMotion) -> None:
        self.fingers = fingers

    def wait(self, timeout: float) -> bool:
        self.fingers.advance(now_s())
        return not self.fingers.moving


class FakeGripper:
    """franky.Gripper's Python surface, over simulated fingers."""

    instances: ClassVar[list[FakeGripper]] = []
    world: Any = None

    def __init__(self, fci_hostname: str) -> None:
        self.host = fci_hostname
        self.homed = 0
        self.max_width = 0.0  # not homed after power-up
        self.fingers = FingerMotion(80.0, self.world.contact_force_n, self.world.set_width_mm)
        self.world.attach(self.fingers.advance)
        self.calls: list[tuple[Any, ...]] = []
        FakeGripper.instances.append(self)

    def homing(self) -> bool:
        self.calls.append(("homing",))
        self.homed += 1
        self.max_width = 0.08
        return True

    def grasp_async(
        self, width: float, speed: float, force: float, epsilon_inner: float = 0.005,
        epsilon_outer: float = 0.005,
    ) -> FakeFuture:  # fmt: skip
        self.calls.append(("grasp", width, speed, force))
        self.fingers.command(width * 1000, speed * 1000, force, now_s())
        return FakeFuture(self.fingers)

    def move_async(self, width: float, speed: float) -> FakeFuture:
        self.calls.append(("move", width, speed))
        self.fingers.command(width * 1000, speed * 1000, float("inf"), now_s())
        return FakeFuture(self.fingers)

    def stop(self) -> bool:
        self.calls.append(("stop",))
        self.fingers.stop(now_s())
        return True

    @property
    def width(self) -> float:
        self.fingers.advance(now_s())
        return self.fingers.width_mm / 1000

    @property
    def is_grasped(self) -> bool:
        self.fingers.advance(now_s())
        return self.fingers.status == ObjectStatus.CONTACT_CLOSING


@pytest.fixture
def franky(monkeypatch: pytest.MonkeyPatch) -> type[FakeGripper]:
    module = types.ModuleType("franky")
    module.Gripper = FakeGripper  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "franky", module)
    FakeGripper.instances = []
    return FakeGripper


def test_homes_only_when_needed_and_grasps(franky: type[FakeGripper]) -> None:
    rigs = SimRigs()
    franky.world = rigs.world(WorldConfig(rig="f", radius_mm=20.0, modulus_pa=1e5))
    with open_gripper("franka://172.16.0.2") as g:
        assert isinstance(g, FrankaHandGripper)
        g.activate()
        g.activate()
        hand = franky.instances[0]
        assert hand.host == "172.16.0.2" and hand.homed == 1  # once, when max_width was 0
        assert g.max_width_mm == pytest.approx(80.0)
        g.move_to_mm(0.0, speed=0.5, force=0.0)
        assert hand.calls[-1][0] == "grasp" and hand.calls[-1][3] == pytest.approx(20.0)
        st = g.wait_until_stopped(5.0)
        assert st.in_contact and st.width_mm < 40.0  # stopped on the 40 mm ball
        g.open()
        st = g.wait_until_stopped(5.0)
        assert hand.calls[-1][0] == "move" and st.width_mm == pytest.approx(80.0)


def test_a_grasp_recorded_through_the_franka_backend(franky: type[FakeGripper]) -> None:
    rigs = SimRigs()
    franky.world = rigs.world(WorldConfig(rig="f", radius_mm=25.0, modulus_pa=2e5))
    with (
        open_gripper("franka://robot") as g,
        open_tactile_sensor("sim://?rig=f&radius_mm=25&fps=60&height_px=48&width_px=64",
                            rigs=rigs) as cam,
        open_force_sensor("sim://?rig=f&radius_mm=25&rate_hz=200", rigs=rigs) as force,
    ):  # fmt: skip
        g.activate()
        grasp = Recorder(g, cam, force, FAST).record("f1", GraspMetadata(object_id="ball"))
    assert grasp.meta.extra["stopped_by"] == "target_force"
    assert grasp.force_n.max() == pytest.approx(10.0, abs=2.5)
    assert grasp.meta.devices["gripper"] == "franka://robot"


def test_missing_binding_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "franky", None)  # an import of it fails
    with pytest.raises(DeviceError, match=r"tactile\[franka\]"):
        open_gripper("franka://172.16.0.2").connect()
