"""Modbus RTU framing: exact bytes of the Robotiq manual's example frames."""

from __future__ import annotations

import pytest

from tactile.errors import ProtocolError
from tactile.hardware import modbus

# Robotiq 2F-85 & 2F-140 Instruction Manual, section 4.8 (Modbus RTU example).
ACTIVATION_CLEAR = "09 10 03 E8 00 03 06 00 00 00 00 00 00 73 30"
ACTIVATION_SET = "09 10 03 E8 00 03 06 01 00 00 00 00 00 72 E1"
CLOSE_FULL = "09 10 03 E8 00 03 06 09 00 00 FF FF FF 42 29"
OPEN_FULL = "09 10 03 E8 00 03 06 09 00 00 00 FF FF 72 19"
WRITE_REPLY = "09 10 03 E8 00 03 01 30"
STATUS_READ = "09 03 07 D0 00 03 04 0E"
STATUS_REPLY_MOVING = "09 03 06 39 00 00 FF 0E 0A F7 8B"


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("values", "frame"),
    [
        ([0x0000, 0x0000, 0x0000], ACTIVATION_CLEAR),
        ([0x0100, 0x0000, 0x0000], ACTIVATION_SET),
        ([0x0900, 0x00FF, 0xFFFF], CLOSE_FULL),
        ([0x0900, 0x0000, 0xFFFF], OPEN_FULL),
    ],
)
def test_fc16_frames_match_manual(values: list[int], frame: str) -> None:
    assert modbus.write_multiple_request(9, 1000, values) == h(frame)


def test_fc03_status_read_matches_manual() -> None:
    assert modbus.read_holding_request(9, 2000, 3) == h(STATUS_READ)


def test_crc_of_manual_frames() -> None:
    for frame in (ACTIVATION_CLEAR, CLOSE_FULL, WRITE_REPLY, STATUS_READ, STATUS_REPLY_MOVING):
        assert modbus.crc_ok(h(frame))
    assert modbus.crc16_modbus(b"123456789") == 0x4B37  # CRC-16/MODBUS check value


def test_server_side_replies_match_manual() -> None:
    assert modbus.write_multiple_response(9, 1000, 3) == h(WRITE_REPLY)
    assert modbus.read_holding_response(9, [0x3900, 0x00FF, 0x0E0A]) == h(STATUS_REPLY_MOVING)


def test_parse_replies() -> None:
    assert modbus.parse_read_holding_response(h(STATUS_REPLY_MOVING), 9, 3) == [
        0x3900,
        0x00FF,
        0x0E0A,
    ]
    modbus.parse_write_multiple_response(h(WRITE_REPLY), 9, 1000, 3)


def test_bad_crc_wrong_slave_and_exception_are_protocol_errors() -> None:
    bad = bytearray(h(STATUS_REPLY_MOVING))
    bad[4] ^= 0x01
    with pytest.raises(ProtocolError, match="CRC"):
        modbus.parse_read_holding_response(bytes(bad), 9, 3)
    with pytest.raises(ProtocolError, match="slave 9, expected 7"):
        modbus.parse_read_holding_response(h(STATUS_REPLY_MOVING), 7, 3)
    with pytest.raises(ProtocolError, match="illegal data address"):
        modbus.parse_read_holding_response(modbus.exception_response(9, 3, 2), 9, 3)


def test_request_framing_round_trip() -> None:
    frame = h(CLOSE_FULL)
    assert modbus.request_length(frame[:6]) is None
    assert modbus.request_length(frame[:7]) == len(frame)
    req = modbus.parse_request(frame)
    assert (req.slave, req.function, req.address, req.count) == (9, 16, 1000, 3)
    assert req.values == (0x0900, 0x00FF, 0xFFFF)
