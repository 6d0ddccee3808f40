"""A pyserial port whose far end is the Robotiq firmware emulator (``robotiqsim://``).

:class:`EmulatorPort` wraps a :class:`~tactile.hardware.robotiq_emulator.RobotiqEmulator`, so the
real driver code (framing, CRC, timeouts, retries) runs unchanged; ``RobotiqGripper`` builds one
for ``robotiq-sim://`` URLs. With this package in ``serial.protocol_handler_packages``,
``serial.serial_for_url("robotiqsim://?radius_mm=20")`` also works and gets an emulator on a
simulated rig of its own.
"""

from __future__ import annotations

import threading
import time

import serial

from tactile.hardware.registry import parse_device_url
from tactile.hardware.robotiq_emulator import RobotiqEmulator, emulator_for_url


class Serial(serial.SerialBase):
    """A serial port whose far end is the gripper emulator."""

    emulator: RobotiqEmulator | None = None

    def open(self) -> None:
        if self._port is None:
            raise serial.SerialException("Port must be configured before it can be used.")
        if self.is_open:  # type: ignore[has-type]
            raise serial.SerialException("Port is already open.")
        if self.emulator is None:
            self.emulator = emulator_for_url(parse_device_url(str(self._port)))
        self._rx = bytearray()
        self._rx_lock = threading.Lock()
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def _reconfigure_port(self) -> None:
        pass

    def _link(self) -> RobotiqEmulator:
        if not self.is_open or self.emulator is None:
            raise serial.PortNotOpenError()
        if self.emulator.disconnected:
            raise serial.SerialException("robotiqsim: device disconnected (cable pulled)")
        return self.emulator

    @property
    def in_waiting(self) -> int:
        self._link()
        return len(self._rx)

    def write(self, data: bytes | bytearray | memoryview) -> int | None:
        reply = self._link().feed(bytes(data))
        with self._rx_lock:
            self._rx += reply
        return len(data)

    def read(self, size: int = 1) -> bytes:
        self._link()
        with self._rx_lock:
            out, self._rx = bytes(self._rx[:size]), self._rx[size:]
        if len(out) < size and self._timeout:
            time.sleep(self._timeout)  # a silent device: the master waits out its timeout
        return out

    def reset_input_buffer(self) -> None:
        with self._rx_lock:
            self._rx.clear()

    def reset_output_buffer(self) -> None:
        pass


class EmulatorPort(Serial):
    """An open port wired to a given emulator (no URL parsing, no world of its own)."""

    def __init__(self, emulator: RobotiqEmulator, *, timeout: float = 0.1) -> None:
        self.emulator = emulator
        super().__init__("robotiqsim://", baudrate=115200, timeout=timeout)
