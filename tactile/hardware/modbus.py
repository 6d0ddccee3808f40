"""Modbus RTU framing: CRC-16/MODBUS, FC03/FC04 (read), FC16 (write multiple), FC23 (read/write).

Pure functions on bytes, shared by the Robotiq driver (client side) and its emulator (server
side). A frame is ``slave id, function code, data..., CRC low byte, CRC high byte``
(Modbus over Serial Line V1.02, sections 2.5 and 6.2.2).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tactile.errors import ProtocolError

FC_READ_HOLDING = 0x03
FC_READ_INPUT = 0x04  # same layout as FC03; Robotiq's own ROS driver reads status with it
FC_WRITE_MULTIPLE = 0x10
FC_READ_WRITE = 0x17  # read/write multiple registers in one transaction (writes first)

#: Modbus exception codes (Modbus Application Protocol V1.1b3, section 7).
EXCEPTION_MEANINGS = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    6: "server device busy",
}


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _crc_table()


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def with_crc(body: bytes) -> bytes:
    """Append the CRC, low byte first, as Modbus RTU transmits it."""
    return body + struct.pack("<H", crc16_modbus(body))


def crc_ok(frame: bytes) -> bool:
    return len(frame) >= 4 and crc16_modbus(frame[:-2]) == struct.unpack("<H", frame[-2:])[0]


def _check_registers(values: list[int] | tuple[int, ...]) -> None:
    for v in values:
        if not 0 <= v <= 0xFFFF:
            raise ProtocolError(
                f"register value {v} does not fit 16 bits",
                hint="Modbus registers hold 0..65535",
            )


def read_holding_request(slave: int, address: int, count: int) -> bytes:
    """FC03 request: read ``count`` registers starting at ``address``."""
    return with_crc(struct.pack(">BBHH", slave, FC_READ_HOLDING, address, count))


def write_multiple_request(slave: int, address: int, values: list[int] | tuple[int, ...]) -> bytes:
    """FC16 request: write ``values`` to consecutive registers starting at ``address``."""
    _check_registers(values)
    body = struct.pack(">BBHHB", slave, FC_WRITE_MULTIPLE, address, len(values), 2 * len(values))
    return with_crc(body + struct.pack(f">{len(values)}H", *values))


def read_write_request(
    slave: int,
    read_address: int,
    read_count: int,
    write_address: int,
    values: list[int] | tuple[int, ...],
) -> bytes:
    """FC23 request: write ``values`` at ``write_address``, then read ``read_count`` registers."""
    _check_registers(values)
    body = struct.pack(
        ">BBHHHHB",
        slave,
        FC_READ_WRITE,
        read_address,
        read_count,
        write_address,
        len(values),
        2 * len(values),
    )
    return with_crc(body + struct.pack(f">{len(values)}H", *values))


def response_length(function: int, count: int) -> int:
    """Byte length of a normal response to an FC03/04/23 (``count`` registers read) or FC16."""
    if function in (FC_READ_HOLDING, FC_READ_INPUT, FC_READ_WRITE):
        return 5 + 2 * count
    return 8


def _check_header(frame: bytes, slave: int, function: int, device: str) -> None:
    if len(frame) < 5:
        raise ProtocolError(
            f"{device}: reply of {len(frame)} byte(s) is too short ({frame.hex(' ')})",
            hint="check the baud rate (115200 8N1) and that only one master is on the bus",
        )
    if not crc_ok(frame):
        raise ProtocolError(
            f"{device}: reply fails its CRC check ({frame.hex(' ')})",
            hint="noise on the RS-485 line: check wiring, termination and grounding",
        )
    if frame[0] != slave:
        raise ProtocolError(
            f"{device}: reply from slave {frame[0]}, expected {slave}",
            hint="two devices share the bus with one id; give each its own slave id",
        )
    if frame[1] == function | 0x80:
        code = frame[2]
        raise ProtocolError(
            f"{device}: Modbus exception {code} "
            f"({EXCEPTION_MEANINGS.get(code, 'unknown')}) for function {function}",
            hint="the register address or count is not supported by this device",
        )
    if frame[1] != function:
        raise ProtocolError(
            f"{device}: reply has function {frame[1]}, expected {function}",
            hint="a stale reply from an earlier request; flush the input and retry",
        )


def parse_read_holding_response(
    frame: bytes, slave: int, count: int, device: str = "modbus"
) -> list[int]:
    """Register values from an FC03 response, after checking CRC, id, function and length."""
    _check_header(frame, slave, FC_READ_HOLDING, device)
    if frame[2] != 2 * count or len(frame) != 5 + 2 * count:
        raise ProtocolError(
            f"{device}: FC03 reply carries {frame[2]} bytes, expected {2 * count}",
            hint="the device answered a different request; flush the input and retry",
        )
    return list(struct.unpack(f">{count}H", frame[3 : 3 + 2 * count]))


def parse_write_multiple_response(
    frame: bytes, slave: int, address: int, count: int, device: str = "modbus"
) -> None:
    """Check an FC16 response echoes the address and register count written."""
    _check_header(frame, slave, FC_WRITE_MULTIPLE, device)
    got = struct.unpack(">HH", frame[2:6]) if len(frame) == 8 else None
    if got != (address, count):
        raise ProtocolError(
            f"{device}: FC16 reply {frame.hex(' ')} does not echo address {address}, count {count}",
            hint="the device answered a different request; flush the input and retry",
        )


@dataclass(frozen=True)
class Request:
    """A request as a server decodes it (FC23: ``address``/``count`` are the read part)."""

    slave: int
    function: int
    address: int
    count: int
    values: tuple[int, ...] = ()
    write_address: int = 0


def request_length(buffer: bytes) -> int | None:
    """Total length of the request at the start of ``buffer``, or None if not yet known."""
    if len(buffer) < 2:
        return None
    function = buffer[1]
    if function == FC_WRITE_MULTIPLE:
        return None if len(buffer) < 7 else 9 + buffer[6]
    if function == FC_READ_WRITE:
        return None if len(buffer) < 11 else 13 + buffer[10]
    return 8  # FC03/04/05/06 and every other fixed-size request we may have to reject


def parse_request(frame: bytes) -> Request:
    """Decode a complete request frame (CRC already checked by the caller)."""
    slave, function, address, count = struct.unpack(">BBHH", frame[:6])
    if function == FC_READ_WRITE:
        write_address, _n = struct.unpack(">HH", frame[6:10])
        n = frame[10] // 2
        values = struct.unpack(f">{n}H", frame[11 : 11 + 2 * n])
        return Request(slave, function, address, count, tuple(values), write_address)
    if function == FC_WRITE_MULTIPLE:
        n = frame[6] // 2
        values = struct.unpack(f">{n}H", frame[7 : 7 + 2 * n])
        return Request(slave, function, address, count, tuple(values))
    return Request(slave, function, address, count)


def exception_response(slave: int, function: int, code: int) -> bytes:
    return with_crc(bytes([slave, function | 0x80, code]))


def read_holding_response(
    slave: int, values: list[int] | tuple[int, ...], function: int = FC_READ_HOLDING
) -> bytes:
    """Reply to an FC03 (or, with ``function=FC_READ_INPUT``, FC04) read."""
    _check_registers(values)
    body = struct.pack(">BBB", slave, function, 2 * len(values))
    return with_crc(body + struct.pack(f">{len(values)}H", *values))


def write_multiple_response(slave: int, address: int, count: int) -> bytes:
    return with_crc(struct.pack(">BBHH", slave, FC_WRITE_MULTIPLE, address, count))
