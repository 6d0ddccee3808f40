"""Robotiq register map: status decoding, request encoding, faults, position calibration."""

from __future__ import annotations

import pytest

from tactile.errors import ConfigError
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import ObjectStatus


def test_decode_manual_status_examples() -> None:
    moving = rp.decode_status([0x3900, 0x00FF, 0x0E0A])
    assert (moving.gACT, moving.gGTO, moving.gSTA, moving.gOBJ) == (1, 1, 3, 0)
    assert (moving.gFLT, moving.gPR, moving.gPO, moving.gCU) == (0, 0xFF, 0x0E, 0x0A)
    assert moving.activated and moving.object_status == ObjectStatus.MOVING
    assert moving.current_ma == pytest.approx(100.0)
    gripped = rp.decode_status([0xB900, 0x00FF, 0xBD00])
    assert gripped.object_status == ObjectStatus.CONTACT_CLOSING and gripped.gPO == 0xBD
    opened = rp.decode_status([0xF900, 0x0000, 0x0D00])
    assert opened.object_status == ObjectStatus.AT_POSITION
    activating = rp.decode_status([0x1100, 0, 0])
    assert activating.gSTA == rp.GSTA_ACTIVATING and not activating.activated


def test_fault_nibbles_and_round_trip() -> None:
    s = rp.decode_status([0x3900, 0x3E42, 0x8012])
    assert s.gFLT == 0x0E and s.kFLT == 0x03 and s.gPR == 0x42
    assert rp.encode_status(s) == [0x3900, 0x3E42, 0x8012]
    assert "overcurrent" in rp.fault_meaning(0x0E)
    assert "activation bit" in rp.fault_meaning(0x07)
    assert "unknown" in rp.fault_meaning(0x03)


def test_encode_request_goto() -> None:
    assert rp.encode_request(rp.RACT | rp.RGTO, 0xFF, 0xFF, 0xFF) == [0x0900, 0x00FF, 0xFFFF]
    assert rp.encode_request(rp.RACT | rp.RGTO, 0x80, 0x40, 0x10) == [0x0900, 0x0080, 0x4010]
    with pytest.raises(ConfigError, match="position byte 256"):
        rp.encode_request(rp.RACT, 256, 0, 0)


def test_position_calibration_round_trip_and_clamp() -> None:
    cal = rp.PositionCalibration()
    assert cal.to_mm(0) == pytest.approx(85.0) and cal.to_mm(255) == pytest.approx(0.0)
    for pos in (0, 13, 100, 227, 255):
        assert cal.to_position(cal.to_mm(pos)) == pos
    assert cal.to_position(200.0) == 0 and cal.to_position(-5.0) == 255
    custom = rp.PositionCalibration(open_position=3, open_mm=86.0, closed_position=228)
    assert custom.to_mm(3) == pytest.approx(86.0) and custom.to_position(0.0) == 228
    with pytest.raises(ConfigError):
        rp.PositionCalibration(open_position=200, closed_position=100)


def test_model_ranges() -> None:
    m = rp.get_model("2F-85")
    assert m.speed_mm_s(0) == 20.0 and m.speed_mm_s(255) == 150.0
    assert m.force_limit_n(m.force_byte(100.0)) <= 100.0
    assert rp.get_model("2f140").stroke_mm == 140.0
    with pytest.raises(ConfigError, match="2f85"):
        rp.get_model("3f")


def test_config_validation_names_the_fix() -> None:
    from tactile.hardware.force_gauge import GaugeConfig
    from tactile.hardware.registry import parse_device_url
    from tactile.hardware.robotiq import RobotiqConfig

    cfg = RobotiqConfig.from_url(parse_device_url("/dev/ttyUSB0?model=2f140&closed_pos=230"))
    assert cfg.port == "/dev/ttyUSB0" and cfg.robotiq_model.stroke_mm == 140.0
    assert cfg.calibration.to_mm(230) == pytest.approx(0.0)
    assert not cfg.width_calibrated  # the open end was not measured
    with pytest.raises(ConfigError, match="slave id 0"):
        RobotiqConfig.from_url(parse_device_url("/dev/ttyUSB0?slave=0"))
    with pytest.raises(ConfigError, match="timeout"):
        RobotiqConfig.from_url(parse_device_url("/dev/ttyUSB0?timeout_s=-1"))
    with pytest.raises(ConfigError, match="not a number"):
        RobotiqConfig.from_url(parse_device_url("/dev/ttyUSB0?timeout_s=fast"))
    with pytest.raises(ConfigError, match="baud rate 12345"):
        GaugeConfig.from_url(parse_device_url("/dev/ttyACM0?baud=12345"))
    with pytest.raises(ConfigError, match="non-zero"):
        GaugeConfig.from_url(parse_device_url("/dev/ttyACM0?scale=0"))
    assert GaugeConfig.from_url(parse_device_url("socket://h:5000")).port == "socket://h:5000"
