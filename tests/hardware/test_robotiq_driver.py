"""The Robotiq driver end to end against the byte-level firmware emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import minimalmodbus
import pytest

from tactile.errors import (
    DeviceError,
    DeviceNotConnectedError,
    DeviceTimeoutError,
    GripperFaultError,
    ProtocolError,
    UnknownSchemeError,
)
from tactile.hardware import open_gripper
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import ObjectStatus
from tactile.hardware.pty_link import PtyLink
from tactile.hardware.robotiq import RobotiqGripper
from tactile.hardware.robotiq_emulator import FaultPlan, RobotiqEmulator, emulator_of
from tactile.hardware.sim_world import SimRigs, SimWorld
from tactile.sensor import SIM_WEDGE
from tactile.sim import SimObject

# a calibrated driver: the emulated unit reads counts 3 (open) to 230 (closed), like a real one
SIM = "robotiq-sim://?rig=r&modulus_pa=1e5&radius_mm=20&timeout_s=0.05&open_pos=3&closed_pos=230"


def robotiq(url: str, rigs: SimRigs | None = None) -> RobotiqGripper:
    g = open_gripper(url, rigs=rigs)
    assert isinstance(g, RobotiqGripper)
    return g


def emulator(rigs: SimRigs, rig: str = "r") -> RobotiqEmulator:
    emu = emulator_of(rigs.get(rig))
    assert emu is not None
    return emu


def close_until_stopped(g: RobotiqGripper, timeout_s: float = 3.0) -> None:
    g.move_to_mm(0.0, speed=1.0, force=0.0)
    g.wait_until_stopped(timeout_s)


def test_activation_and_grasp_stop_on_object(rigs: SimRigs) -> None:
    with robotiq(SIM + "&decel_mm_s2=0", rigs) as g:
        assert isinstance(g, RobotiqGripper)
        g.activate()
        assert g.read_status().activated
        close_until_stopped(g)
        st = g.state()
        assert st.object_status == ObjectStatus.CONTACT_CLOSING
        emu = emulator(rigs)
        assert st.width_mm < 40.0  # squeezing the 40 mm ball
        # stopped where the grip force reached the force setting (20 N for rFR=0)
        assert emu.world.contact_force_n(emu.fingers.width_mm) == pytest.approx(20.0, rel=1e-3)
        assert emu.world.peak_force_n <= g.model.force_limit_n(0) + 1e-9
        g.open()
        st = g.wait_until_stopped(2.0)
        assert st.object_status == ObjectStatus.AT_POSITION and st.width_mm == pytest.approx(85)


def test_exact_bytes_on_the_wire_via_pty() -> None:
    world = SimWorld(SimObject(), SIM_WEDGE)
    emu = RobotiqEmulator(world, activation_s=0.0)
    wire: list[bytes] = []

    def tap(data: bytes) -> bytes:
        wire.append(data)
        return emu.feed(data)

    with PtyLink(on_bytes=tap) as link, robotiq(f"{link.port}?timeout_s=0.3") as g:
        wire.clear()
        g.activate()
        g.goto(0xFF, 0xFF, 0xFF)
    sent = b"".join(wire)
    assert sent.startswith(  # a status read (is it active already?), then the manual's frames
        bytes.fromhex("09 03 07 D0 00 03 04 0E")
        + bytes.fromhex("09 10 03 E8 00 03 06 00 00 00 00 00 00 73 30")
        + bytes.fromhex("09 10 03 E8 00 03 06 01 00 00 00 00 00 72 E1")
        + bytes.fromhex("09 03 07 D0 00 03 04 0E")
    )
    assert sent.endswith(bytes.fromhex("09 10 03 E8 00 03 06 09 00 00 FF FF FF 42 29"))


def test_fault_with_object_gripped_opens_by_automatic_release(rigs: SimRigs) -> None:
    with robotiq(SIM + "&fail=fault&fault_code=0x0E", rigs) as g:
        g.activate()
        with pytest.raises(GripperFaultError, match=r"0x0E.*overcurrent") as info:
            close_until_stopped(g)
        assert getattr(info.value, "code", None) == 0x0E
        assert info.value.hint and "reactivate" in info.value.hint
        assert g.may_hold_object()
        with pytest.raises(GripperFaultError, match=r"refusing to .re.activate"):
            g.activate()  # the activation stroke would squeeze the object
        g.open()  # an object is in the fingers: automatic release, never a reactivation
        st = g.wait_until_stopped(5.0)
        emu = emulator(rigs)
        assert emu.commands[-1].action == rp.RACT | rp.RATR | rp.RARD
        assert st.width_mm == pytest.approx(g.max_width_mm, abs=1.0)
        assert emu.gFLT == 0x0F and emu.activations == 1 and emu.activation_collisions == 0


def test_motion_before_activation_reports_fault_07() -> None:
    with robotiq(SIM) as g, pytest.raises(GripperFaultError, match="0x07"):
        g.send_request(rp.RGTO, 100, 255, 255)  # rGTO without rACT
        g.state()


def test_silent_gripper_times_out_with_retries() -> None:
    with robotiq(SIM + "&fail=silence&retries=1") as g:
        g.activate()
        t0 = time.monotonic()
        with pytest.raises(DeviceTimeoutError, match="0 of 11 bytes"):
            close_until_stopped(g)
        assert time.monotonic() - t0 < 30.0  # gives up (2 tries x 0.05 s), does not hang


def test_line_noise_is_retried_but_persistent_crc_errors_raise() -> None:
    with robotiq(SIM + "&crc_every=3") as g:
        g.activate()
        close_until_stopped(g)  # every third reply is corrupted; retries hide it
        assert g.state().in_contact
    with robotiq(SIM + "&fail=crc") as g:
        g.activate()
        with pytest.raises(ProtocolError, match="CRC"):
            close_until_stopped(g)


def test_disconnect_mid_grasp() -> None:
    with robotiq(SIM + "&fail=disconnect") as g:
        g.activate()
        with pytest.raises(DeviceError, match="disconnected"):
            close_until_stopped(g)


def test_not_connected_and_unknown_scheme() -> None:
    g = robotiq(SIM)
    with pytest.raises(DeviceNotConnectedError, match=r"RobotiqGripper.*connect"):
        g.state()
    with pytest.raises(UnknownSchemeError, match="robotiq-sim://"):
        open_gripper("ftp://x")


def test_missing_port_names_the_port() -> None:
    with pytest.raises(DeviceError, match="/dev/ttyNOPE"):
        open_gripper("/dev/ttyNOPE").connect()


@pytest.fixture
def pty_emulator() -> Iterator[tuple[str, RobotiqEmulator]]:
    world = SimWorld(SimObject(radius_mm=20), SIM_WEDGE)
    emu = RobotiqEmulator(world, activation_s=0.0, faults=FaultPlan())
    with PtyLink(on_bytes=emu.feed) as link:
        yield link.port, emu


def test_conformance_with_minimalmodbus(pty_emulator: tuple[str, RobotiqEmulator]) -> None:
    port, emu = pty_emulator
    inst = minimalmodbus.Instrument(port, 9, mode=minimalmodbus.MODE_RTU)
    inst.serial.baudrate = 115200
    inst.serial.timeout = 0.3
    inst.clear_buffers_before_each_transaction = True
    try:
        inst.write_registers(1000, [0x0000, 0x0000, 0x0000])
        inst.write_registers(1000, [0x0100, 0x0000, 0x0000])
        time.sleep(0.01)
        status = inst.read_registers(2000, 3, functioncode=3)
        assert status[0] >> 8 == 0x31  # gACT=1, gSTA=3
        inst.write_registers(1000, [0x0900, 0x00FF, 0xFF00])
        time.sleep(0.5)
        status = inst.read_registers(2000, 3, functioncode=3)
        assert status[0] >> 8 == 0xB9  # gOBJ=2: stopped on the object while closing
        assert status[1] & 0xFF == 0xFF  # position request echo
        assert 0 < status[2] >> 8 < 255
        assert inst.read_register(2002, functioncode=3) == status[2]
        assert inst.read_registers(2000, 3, functioncode=4) == status  # FC04 alike
        with pytest.raises(minimalmodbus.IllegalRequestError):
            inst.read_registers(3000, 1, functioncode=3)
        assert emu.commands[-1].position == 0xFF
    finally:
        inst.serial.close()


def test_disconnect_on_a_real_pty_raises_device_error() -> None:
    world = SimWorld(SimObject(radius_mm=20), SIM_WEDGE)
    emu = RobotiqEmulator(world, activation_s=0.0, faults=FaultPlan(kind="disconnect"))
    link = PtyLink(on_bytes=emu.feed, is_dead=lambda: emu.disconnected)
    with link, robotiq(f"{link.port}?timeout_s=0.1&retries=0") as g:
        g.activate()
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        with pytest.raises(DeviceError, match="disconnected"):
            g.wait_until_stopped(3.0)
