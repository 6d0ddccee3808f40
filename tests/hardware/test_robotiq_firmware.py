"""The emulator behaves like the 2F-85 firmware where drivers trip, and the driver copes.

Each test here failed against the earlier emulator or driver: fingers that did not move during
activation, no 0x09 after silence, no overshoot, no FC23 or six-register reads, exceptions where
the firmware answers, re-activation on every call and with an object gripped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import minimalmodbus
import pytest
from pymodbus.client import ModbusSerialClient

from tactile.errors import GripperFaultError
from tactile.hardware import modbus, open_gripper
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.pty_link import PtyLink
from tactile.hardware.robotiq import RobotiqGripper
from tactile.hardware.robotiq_emulator import RobotiqEmulator, emulator_of
from tactile.hardware.sim_world import SimRigs, SimWorld
from tactile.sensor import SIM_WEDGE
from tactile.sim import SimObject

SIM = "robotiq-sim://?rig=r&modulus_pa=1e5&radius_mm=20&timeout_s=0.05"


def new_emulator(**kw: object) -> RobotiqEmulator:
    return RobotiqEmulator(SimWorld(SimObject(radius_mm=20), SIM_WEDGE), **kw)  # type: ignore[arg-type]


def write(emu: RobotiqEmulator, values: list[int]) -> bytes:
    return emu.feed(modbus.write_multiple_request(9, 1000, values))


def status(emu: RobotiqEmulator) -> rp.RobotiqStatus:
    reply = emu.feed(modbus.read_holding_request(9, 2000, 3))
    return rp.decode_status(modbus.parse_read_holding_response(reply, 9, 3))


def test_fingers_move_through_a_full_stroke_during_activation() -> None:
    emu = new_emulator(activation_s=10.0)  # slow, and driven with explicit times below
    write(emu, [0x0100, 0, 0])
    start = emu._activation[0]
    positions = []
    for u in (0.0, 0.25, 0.5, 0.75):
        emu.update(start + u * 10.0)
        st = emu.status()
        assert st.gSTA == rp.GSTA_ACTIVATING and st.gGTO == 0
        positions.append(st.gPO)
    assert positions[0] == 3 and positions[2] == 230  # a real unit's open and closed counts
    assert 3 < positions[1] < 230 and 3 < positions[3] < 230
    emu.update(start + 10.0)
    assert emu.status().activated and emu.status().gPO == 3


def test_reactivation_with_an_object_between_the_fingers_faults() -> None:
    emu = new_emulator(activation_s=0.0)
    write(emu, [0x0100, 0, 0])
    assert status(emu).activated  # first activation: the fingers were empty
    write(emu, [0x0000, 0, 0])
    write(emu, [0x0100, 0, 0])  # now the 40 mm ball is there: the stroke squeezes it
    st = status(emu)
    assert st.gFLT == 0x0D and emu.activation_collisions == 1
    assert emu.world.contact_force_n(emu.fingers.width_mm) > 0


def test_force_overshoots_the_setting_more_at_full_speed() -> None:
    peaks = []
    for speed in (0x00, 0xFF):
        emu = new_emulator(activation_s=0.0)
        write(emu, [0x0100, 0, 0])
        status(emu)
        write(emu, [0x0900, 0x00FF, (speed << 8) | 0x00])  # close at the weakest force
        emu.update(time.monotonic() + 10.0)
        peaks.append(emu.world.contact_force_n(emu.fingers.width_mm))
    assert 20.0 < peaks[0] < peaks[1]  # past the 20 N setting, further from full speed


def test_fc23_and_six_register_reads_are_answered() -> None:
    emu = new_emulator(activation_s=0.0)
    request = modbus.read_write_request(9, 2000, 3, 1000, [0x0100, 0, 0])
    reply = emu.feed(request)
    assert reply[1] == modbus.FC_READ_WRITE and modbus.crc_ok(reply)
    six = emu.feed(modbus.read_holding_request(9, 2000, 6))
    regs = modbus.parse_read_holding_response(six, 9, 6)
    assert regs[3:] == [0, 0, 0] and rp.decode_status(regs[:3]).activated
    echo = modbus.parse_read_holding_response(
        emu.feed(modbus.read_holding_request(9, 1000, 3)), 9, 3
    )
    assert echo == [0x0100, 0, 0]  # the output registers read back the last request
    # a partial write (the action register alone) is accepted
    assert emu.feed(modbus.write_multiple_request(9, 1000, [0x0000]))[1] == 0x10
    # exceptions only where the firmware sends them
    assert emu.feed(modbus.read_holding_request(9, 3000, 1))[1:3] == bytes([0x83, 2])
    single = modbus.with_crc(bytes([9, 6, 0x03, 0xE8, 0x01, 0x00]))  # FC06 is not supported
    assert emu.feed(single)[1:3] == bytes([0x86, 1])
    assert emu.feed(modbus.write_multiple_request(0, 1000, [0x0100, 0, 0])) == b""  # broadcast
    assert emu.out[0] == 0x0100


@pytest.fixture
def pty_port() -> Iterator[tuple[str, RobotiqEmulator]]:
    emu = new_emulator(activation_s=0.0)
    with PtyLink(on_bytes=emu.feed) as link:
        yield link.port, emu


def test_conformance_with_pymodbus(pty_port: tuple[str, RobotiqEmulator]) -> None:
    """A second, independent Modbus client (pymodbus) beside minimalmodbus."""
    port, emu = pty_port
    client = ModbusSerialClient(port, baudrate=115200, timeout=0.5, retries=1)
    assert client.connect()
    try:
        assert not client.write_registers(1000, [0x0100, 0, 0], device_id=9).isError()
        regs = client.read_holding_registers(2000, count=6, device_id=9)  # as PickNik's driver
        assert (
            not regs.isError() and regs.registers[0] >> 8 == 0x31 and regs.registers[3:] == [0] * 3
        )
        both = client.readwrite_registers(
            read_address=2000, read_count=3, write_address=1000, values=[0x0900, 0x00FF, 0xFF00],
            device_id=9,
        )  # fmt: skip
        assert not both.isError() and both.registers[1] & 0xFF == 0xFF  # gPR echoes the write
        inputs = client.read_input_registers(2000, count=3, device_id=9)
        assert not inputs.isError() and len(inputs.registers) == 3
        bad = client.read_holding_registers(3000, count=1, device_id=9)
        assert bad.isError() and bad.exception_code == 2
        assert emu.commands[-1].position == 0xFF
    finally:
        client.close()


def test_minimalmodbus_reads_six_registers_and_fc23_is_in_the_emulator(
    pty_port: tuple[str, RobotiqEmulator],
) -> None:
    port, _ = pty_port
    inst = minimalmodbus.Instrument(port, 9, mode=minimalmodbus.MODE_RTU)
    inst.serial.baudrate = 115200
    inst.serial.timeout = 0.3
    try:
        inst.write_registers(1000, [0x0100, 0x0000, 0x0000])
        assert inst.read_registers(2000, 6, functioncode=3)[3:] == [0, 0, 0]
    finally:
        inst.serial.close()


def robotiq(url: str, rigs: SimRigs) -> RobotiqGripper:
    g = open_gripper(url, rigs=rigs)
    assert isinstance(g, RobotiqGripper)
    return g


def test_activate_runs_the_stroke_only_when_gsta_says_so() -> None:
    rigs = SimRigs()
    with robotiq(SIM + "&activation_s=0", rigs) as g:
        g.activate()
        g.activate()
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        g.wait_until_stopped(3.0)
        g.activate()  # active, an object gripped: nothing to do, and nothing done
        emu = emulator_of(rigs.get("r"))
        assert emu is not None and emu.activations == 1 and emu.activation_collisions == 0


def test_keep_alive_prevents_the_communication_fault() -> None:
    rigs = SimRigs()
    url = SIM + "&activation_s=0&comm_timeout_s=2.0"
    with robotiq(url, rigs) as g:  # polls every 0.25 s while idle
        g.activate()
        time.sleep(3.0)  # a grasp being written to disk: no command for a few seconds
        assert g.state().fault_code == 0
    emu = emulator_of(rigs.get("r"))
    assert emu is not None and emu.comm_faults == 0


def test_minor_communication_fault_is_cleared_without_reactivation() -> None:
    rigs = SimRigs()
    url = SIM + "&activation_s=0&comm_timeout_s=0.2&keepalive_s=0"
    with robotiq(url, rigs) as g:
        g.activate()
        time.sleep(0.3)
        st = g.state()  # reports 0x09 once, not an error: communication clears it
        assert st.fault_code == 0x09 and g.comm_faults_seen == 1
        assert g.state().fault_code == 0
        g.open()
        g.activate()
        emu = emulator_of(rigs.get("r"))
        assert emu is not None and emu.activations == 1 and emu.comm_faults == 1


def test_activation_refused_while_an_object_may_be_gripped() -> None:
    rigs = SimRigs()
    with robotiq(SIM + "&activation_s=0&fail=fault&fault_code=0x0A", rigs) as g:
        g.activate()
        g.move_to_mm(0.0, speed=1.0, force=0.0)
        with pytest.raises(GripperFaultError, match="0x0A"):
            g.wait_until_stopped(3.0)
        with pytest.raises(GripperFaultError, match="refusing"):
            g.activate()
        g.open()  # automatic release instead of reset + activation
        g.wait_until_stopped(10.0)
        emu = emulator_of(rigs.get("r"))
        assert emu is not None and emu.gFLT == 0x0F and emu.activation_collisions == 0
