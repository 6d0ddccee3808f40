"""Robotiq 2F-85 / 2F-140 driver over Modbus RTU (pyserial).

URLs: a bare port (``/dev/ttyUSB0``, ``COM3``), ``robotiq:///dev/ttyUSB0``, any pyserial URL
(``socket://host:port`` for an RS-485 gateway, ``spy://...`` to log traffic), or
``robotiq-sim://`` for the byte-level firmware emulator. Query parameters (removed before the
port is opened): ``slave`` (9), ``model`` (2f85 / 2f140), ``timeout_s`` (0.1), ``retries`` (2),
``open_pos`` / ``open_mm`` / ``closed_pos`` / ``closed_mm`` (position calibration), and for the
emulator its object and fault parameters.

Serial settings are the gripper's fixed ones: 115200 baud, 8 data bits, no parity, 1 stop bit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import serial

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError, ProtocolError
from tactile.hardware import modbus
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import Gripper, GripperState, ObjectStatus, now_s
from tactile.hardware.registry import PYSERIAL_SCHEMES, DeviceUrl, parse_device_url

if "tactile.hardware.serial_handlers" not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append("tactile.hardware.serial_handlers")


def serial_port_for(url: DeviceUrl) -> str:
    """The string handed to ``serial.serial_for_url`` for a gripper URL."""
    if url.scheme == "robotiq-sim":
        query = "&".join(f"{k}={v}" for k, v in url.params.items())
        return f"robotiqsim://?{query}"
    if url.scheme in PYSERIAL_SCHEMES:
        return f"{url.scheme}://{url.target}"
    return url.target


@dataclass(frozen=True)
class RobotiqConfig:
    """Connection and calibration of one Robotiq gripper (built from its URL)."""

    port: str
    model: rp.RobotiqModel = rp.MODELS["2f85"]
    slave: int = rp.SLAVE_ID
    timeout_s: float = 0.1
    retries: int = 2
    calibration: rp.PositionCalibration = field(default_factory=rp.PositionCalibration)

    def __post_init__(self) -> None:
        if not 1 <= self.slave <= 247:
            raise ConfigError(
                f"Robotiq slave id {self.slave} is outside 1..247",
                hint="the factory default is 9 (?slave=9)",
            )
        if not (math.isfinite(self.timeout_s) and 0 < self.timeout_s <= 10):
            raise ConfigError(
                f"Robotiq reply timeout {self.timeout_s} s is outside (0, 10]",
                hint="replies take ~2 ms at 115200 baud; ?timeout_s=0.1 is plenty",
            )
        if not 0 <= self.retries <= 10:
            raise ConfigError(f"Robotiq retries={self.retries} outside 0..10", hint="use 2")

    @classmethod
    def from_url(cls, url: DeviceUrl) -> RobotiqConfig:
        model = rp.get_model(url.get_str("model", "2f85"))
        return cls(
            port=serial_port_for(url),
            model=model,
            slave=url.get_int("slave", rp.SLAVE_ID),
            timeout_s=url.get_float("timeout_s", 0.1),
            retries=url.get_int("retries", 2),
            calibration=rp.PositionCalibration(
                open_position=url.get_int("open_pos", 0),
                open_mm=url.get_float("open_mm", model.stroke_mm),
                closed_position=url.get_int("closed_pos", 255),
                closed_mm=url.get_float("closed_mm", 0.0),
            ),
        )


class RobotiqGripper(Gripper):
    """A Robotiq 2F gripper on a serial line (Instruction Manual section 4)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.config = RobotiqConfig.from_url(parse_device_url(url))
        self.model = self.config.model
        self.slave = self.config.slave
        self.timeout_s = self.config.timeout_s
        self.retries = self.config.retries
        self.calibration = self.config.calibration
        self.port = self.config.port
        self._serial: serial.SerialBase | None = None
        self._last_request = rp.encode_request(0, 0, 0, 0)
        self._last_object = ObjectStatus.AT_POSITION

    @property
    def max_width_mm(self) -> float:
        return self.calibration.open_mm

    # --- lifecycle -------------------------------------------------------------------------
    def _connect(self) -> None:
        try:
            self._serial = serial.serial_for_url(
                self.port,
                baudrate=rp.BAUDRATE,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=self.timeout_s,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceError(
                f"cannot open Robotiq gripper port {self.port!r}: {exc}",
                hint="check the USB-RS485 adapter is plugged in (`tactile find-devices`) "
                "and that your user is in the dialout group",
            ) from exc
        try:
            self._read_registers()
        except DeviceError:
            self._serial.close()
            self._serial = None
            raise

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    # --- Modbus transactions ---------------------------------------------------------------
    def _io(self) -> serial.SerialBase:
        if self._serial is None:  # open during connect(), before the device counts as connected
            self._require_connected()
            raise DeviceError(f"{self.name} has no open port", hint="reconnect the device")
        return self._serial

    def _read_reply(self, port: serial.SerialBase, expected: int) -> bytes:
        head = port.read(2)
        if len(head) == 2 and head[1] & 0x80:
            return head + port.read(3)
        return head + port.read(expected - len(head)) if len(head) == 2 else head

    def _transact(self, request: bytes, expected: int) -> bytes:
        port = self._io()
        last: Exception | None = None
        for _ in range(self.retries + 1):
            try:
                port.reset_input_buffer()
                port.write(request)
                reply = self._read_reply(port, expected)
            except (serial.SerialException, OSError) as exc:
                raise DeviceError(
                    f"Robotiq gripper on {self.port!r} disconnected: {exc}",
                    hint="check the cable and power of the gripper, then reconnect",
                ) from exc
            if len(reply) == expected or (len(reply) == 5 and reply[1] & 0x80):
                if modbus.crc_ok(reply):
                    return reply
                last = ProtocolError(
                    f"Robotiq gripper on {self.port!r}: reply fails its CRC ({reply.hex(' ')})",
                    hint="noise on the RS-485 line: check wiring and termination",
                )
            else:
                last = DeviceTimeoutError(
                    f"Robotiq gripper on {self.port!r} (slave {self.slave}) sent "
                    f"{len(reply)} of {expected} bytes within {self.timeout_s} s",
                    hint="check power, baud rate 115200 and slave id 9; or raise ?timeout_s=",
                )
        raise last if last is not None else DeviceError(f"{self.name}: no attempt made")

    def _write_registers(self, values: list[int]) -> None:
        req = modbus.write_multiple_request(self.slave, rp.OUTPUT_ADDRESS, values)
        reply = self._transact(req, modbus.response_length(modbus.FC_WRITE_MULTIPLE, 3))
        modbus.parse_write_multiple_response(
            reply, self.slave, rp.OUTPUT_ADDRESS, rp.N_REGISTERS, device=self.name
        )
        self._last_request = values

    def _read_registers(self) -> list[int]:
        req = modbus.read_holding_request(self.slave, rp.INPUT_ADDRESS, rp.N_REGISTERS)
        reply = self._transact(req, modbus.response_length(modbus.FC_READ_HOLDING, 3))
        return modbus.parse_read_holding_response(reply, self.slave, rp.N_REGISTERS, self.name)

    # --- gripper commands -----------------------------------------------------------------
    def read_status(self) -> rp.RobotiqStatus:
        """The raw decoded status registers (no fault check)."""
        self._require_connected()
        return rp.decode_status(self._read_registers())

    def send_request(self, action: int, position: int = 0, speed: int = 0, force: int = 0) -> None:
        """Write the three output registers (action byte, position, speed, force)."""
        self._require_connected()
        self._write_registers(rp.encode_request(action, position, speed, force))

    def activate(self, timeout_s: float = 10.0) -> None:
        """Reset (rACT=0), activate (rACT=1), and wait until gSTA=3 (activation complete)."""
        self.send_request(0)
        self.send_request(rp.RACT)
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.read_status()
            if status.gFLT >= 0x08:
                self._raise_fault(status.gFLT)
            if status.activated:
                return
            if time.monotonic() > deadline:
                raise DeviceTimeoutError(
                    f"{self.name} did not finish activation within {timeout_s} s "
                    f"(gSTA={status.gSTA})",
                    hint="clear anything between the fingers and check the 24 V supply",
                )
            time.sleep(0.01)

    def goto(self, position: int, speed: int = 255, force: int = 255) -> None:
        """Move to raw ``position`` (0 open .. 255 closed) with raw speed and force bytes."""
        self.send_request(rp.RACT | rp.RGTO, position, speed, force)

    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        self.goto(
            self.calibration.to_position(width_mm),
            round(min(max(speed, 0.0), 1.0) * 255),
            round(min(max(force, 0.0), 1.0) * 255),
        )

    def force_setting_for(self, force_n: float) -> float:
        return self.model.force_byte(force_n) / 255.0

    def hold(self) -> None:
        """Stop the fingers where they are (rGTO=0); an object in contact stays gripped."""
        values = list(self._last_request)
        self.send_request(rp.RACT, values[1] & 0xFF, values[2] >> 8, values[2] & 0xFF)

    def open(self, *, speed: float = 1.0) -> None:
        """Open fully; clears a minor/major fault first (reset + reactivation)."""
        status = self.read_status()
        if status.gFLT >= 0x08 or not status.activated:
            self.activate()
        self.move_to_mm(self.max_width_mm, speed=speed, force=1.0)

    def state(self) -> GripperState:
        status = self.read_status()
        if status.gFLT >= 0x08 or status.gFLT == 0x07:
            self._raise_fault(status.gFLT)
        if status.gGTO:
            self._last_object = status.object_status
        elif self._last_object == ObjectStatus.MOVING:  # gOBJ is meaningless while gGTO=0
            self._last_object = ObjectStatus.AT_POSITION
        return GripperState(
            t_s=now_s(),
            width_mm=self.calibration.to_mm(status.gPO),
            activated=status.activated,
            object_status=self._last_object,
            fault_code=status.gFLT,
            position=status.gPO,
            current_ma=status.current_ma,
        )

    def _raise_fault(self, code: int) -> None:
        raise rp.RobotiqFaultError(
            f"{self.name} reports fault 0x{code:02X}: {rp.fault_meaning(code)}",
            code=code,
            hint=rp.FAULT_REMEDIES.get(code, "reset (rACT=0) and reactivate the gripper"),
        )
