"""Property tests: framing and the emulator survive arbitrary bytes; filters stay in bounds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.hardware import modbus
from tactile.hardware.force_gauge import SpikeFilter
from tactile.hardware.robotiq_emulator import RobotiqEmulator
from tactile.hardware.sim_world import SimWorld
from tactile.sensor import SIM_WEDGE
from tactile.sim import SimObject

_WORLD = SimWorld(SimObject(), SIM_WEDGE)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=20), st.integers(1, 247))
def test_fc16_round_trip(values: list[int], slave: int) -> None:
    frame = modbus.write_multiple_request(slave, 1000, values)
    assert modbus.crc_ok(frame) and modbus.request_length(frame) == len(frame)
    req = modbus.parse_request(frame)
    assert req.values == tuple(values) and req.slave == slave


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=64))
def test_emulator_never_crashes_on_garbage(data: bytes) -> None:
    emu = RobotiqEmulator(_WORLD, activation_s=0.0)
    reply = emu.feed(data)
    assert reply == b"" or modbus.crc_ok(reply)  # silent, or a well-formed answer
    # and it still answers a valid request afterwards (after the garbage is flushed)
    emu._buffer = b""
    good = emu.feed(modbus.read_holding_request(9, 2000, 3))
    assert modbus.parse_read_holding_response(good, 9, 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=50))
def test_spike_filter_output_stays_in_range(values: list[float]) -> None:
    f = SpikeFilter(min_n=-5.0, max_n=300.0, jump_n=25.0)
    for v in values:
        out, rejected = f(v)
        assert -5.0 <= out <= 300.0
        assert rejected or out == v
