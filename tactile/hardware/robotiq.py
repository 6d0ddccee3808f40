"""Robotiq 2F-85 / 2F-140 driver over Modbus RTU (pyserial).

URLs: a bare port (``/dev/ttyUSB0``, ``COM3``), ``robotiq:///dev/ttyUSB0``, any pyserial URL
(``socket://host:port`` for an RS-485 gateway, ``spy:///dev/ttyUSB0?file=log.txt`` to log
traffic: the handler's own options are handed on to it), or ``robotiq-sim://`` for the
byte-level firmware emulator. Query parameters (:class:`RobotiqConfig`, removed before the port
is opened): ``slave`` (9), ``model`` (2f85 / 2f140), ``timeout_s`` (0.1), ``retries`` (2),
``keepalive_s`` (0.25), and the width calibration ``open_pos`` / ``open_mm`` / ``closed_pos`` /
``closed_mm`` (usually stored in the hardware profile by ``tactile calibrate gripper``).
``robotiq-sim://`` also takes the emulator's and the simulated object's parameters.

Serial settings are the gripper's fixed ones: 115200 baud, 8 data bits, no parity, 1 stop bit.

Behaviour that matters on a bench (Instruction Manual, section 4):

* ``activate()`` runs the activation (a full stroke of the fingers) only when gSTA says the
  gripper is not active or a major fault needs the reset; it refuses while the fingers may hold
  an object, because the stroke would squeeze it.
* minor fault 0x09 (no communication for 1 s) clears as soon as communication resumes; a
  background poll every ``keepalive_s`` keeps the bus alive between grasps so it never rises.
* ``open()`` after a major fault with an object in the fingers runs the automatic release
  (rATR, opening direction) instead of a reset and reactivation.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import serial

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError, ProtocolError
from tactile.hardware import modbus
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import Gripper, GripperState, ObjectStatus, now_s
from tactile.hardware.registry import DeviceUrl, parse_device_url, pyserial_port
from tactile.hardware.url_config import config_from_url, url_fields

if TYPE_CHECKING:
    from tactile.hardware.sim_world import SimRigs

if "tactile.hardware.serial_handlers" not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append("tactile.hardware.serial_handlers")

#: fingers within this many millimetres of fully open count as open (nothing can be gripped)
OPEN_TOLERANCE_MM = 3.0


@dataclass(frozen=True)
class RobotiqConfig:
    """Connection and width calibration of one Robotiq gripper (built from its URL)."""

    port: str = field(default="", metadata={"url": False})
    model: str = "2f85"
    slave: int = rp.SLAVE_ID
    timeout_s: float = 0.1
    retries: int = 2
    keepalive_s: float = 0.25
    open_pos: int | None = None
    open_mm: float | None = None
    closed_pos: int | None = None
    closed_mm: float | None = None

    def __post_init__(self) -> None:
        rp.get_model(self.model)
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
        if not (math.isfinite(self.keepalive_s) and 0 <= self.keepalive_s < 1.0):
            raise ConfigError(
                f"Robotiq keepalive_s={self.keepalive_s} must be in [0, 1)",
                hint="the gripper raises fault 0x09 after 1 s without communication; "
                "poll more often (0.25), or 0 to disable",
            )
        self.calibration  # noqa: B018 - validates the four numbers together

    @property
    def robotiq_model(self) -> rp.RobotiqModel:
        return rp.get_model(self.model)

    @property
    def width_calibrated(self) -> bool:
        """True when the URL carries a measured calibration (open and closed counts)."""
        return self.open_pos is not None and self.closed_pos is not None

    @property
    def calibration(self) -> rp.PositionCalibration:
        model = self.robotiq_model
        return rp.PositionCalibration(
            open_position=0 if self.open_pos is None else self.open_pos,
            open_mm=model.stroke_mm if self.open_mm is None else self.open_mm,
            closed_position=255 if self.closed_pos is None else self.closed_pos,
            closed_mm=0.0 if self.closed_mm is None else self.closed_mm,
        )

    @classmethod
    def from_url(cls, url: DeviceUrl) -> RobotiqConfig:
        if url.scheme == "robotiq-sim":
            from tactile.hardware.robotiq_emulator import EmulatorConfig
            from tactile.hardware.sim_world import WorldConfig

            return config_from_url(
                cls, url, shared=(EmulatorConfig, WorldConfig), port="robotiq-sim://"
            )
        own = set(url_fields(cls))
        return config_from_url(
            cls, url, passthrough=_handler_keys(url), port=pyserial_port(url, own)
        )


def _handler_keys(url: DeviceUrl) -> tuple[str, ...]:
    from tactile.hardware.registry import PYSERIAL_OPTIONS

    return PYSERIAL_OPTIONS.get(url.scheme, ())


#: the driver's own URL keys (the emulator accepts them in a ``robotiq-sim://`` URL)
DRIVER_KEYS = tuple(k for k in url_fields(RobotiqConfig))


class RobotiqGripper(Gripper):
    """A Robotiq 2F gripper on a serial line (Instruction Manual section 4)."""

    shares_rig = True  # only used by robotiq-sim:// (the emulator lives in a simulated rig)

    def __init__(self, url: str, *, rigs: SimRigs | None = None) -> None:
        super().__init__(url)
        self.parsed = parse_device_url(url)
        self.config = RobotiqConfig.from_url(self.parsed)
        self.rigs = rigs
        self.model = self.config.robotiq_model
        self.slave = self.config.slave
        self.timeout_s = self.config.timeout_s
        self.retries = self.config.retries
        self.calibration = self.config.calibration
        self._calibrated = self.config.width_calibrated
        self.port = self.config.port
        self._serial: serial.SerialBase | None = None
        self._io_lock = threading.RLock()  # one transaction at a time (keep-alive thread too)
        self._last_io_s = 0.0
        self._keepalive_stop = threading.Event()
        self._keepalive: threading.Thread | None = None
        self._last_request = rp.encode_request(0, 0, 0, 0)
        self._last_object = ObjectStatus.AT_POSITION
        self._gripping = False  # fingers stopped on an object and not opened since
        self.comm_faults_seen = 0  # 0x09 reports (the bus was silent for >= 1 s)

    @property
    def max_width_mm(self) -> float:
        return self.calibration.open_mm

    @property
    def min_grip_force_n(self) -> float:
        return self.model.min_force_n

    @property
    def width_calibrated(self) -> bool:
        return self._calibrated

    def set_width_calibration(self, calibration: rp.PositionCalibration) -> None:
        """Use a measured count <-> mm map (from the profile, see ``tactile calibrate gripper``)."""
        self.calibration = calibration
        self._calibrated = True

    def speed_mm_s(self, speed: float) -> float:
        return self.model.speed_mm_s(round(min(max(speed, 0.0), 1.0) * 255))

    # --- lifecycle -------------------------------------------------------------------------
    def _open_port(self) -> serial.SerialBase:
        if self.parsed.scheme == "robotiq-sim":
            from tactile.hardware.robotiq_emulator import emulator_for_url
            from tactile.hardware.serial_handlers.protocol_robotiqsim import EmulatorPort

            return EmulatorPort(emulator_for_url(self.parsed, self.rigs), timeout=self.timeout_s)
        return serial.serial_for_url(
            self.port,
            baudrate=rp.BAUDRATE,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=self.timeout_s,
        )

    def _connect(self) -> None:
        try:
            self._serial = self._open_port()
        except ConfigError:
            raise  # a bad URL key or simulated object, not a port problem: its own hint
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
        if self.config.keepalive_s > 0:
            self._keepalive_stop.clear()
            self._keepalive = threading.Thread(
                target=self._keep_alive, name=f"robotiq keep-alive {self.port}", daemon=True
            )
            self._keepalive.start()

    def _close(self) -> None:
        self._keepalive_stop.set()
        if self._keepalive is not None and self._keepalive is not threading.current_thread():
            self._keepalive.join(timeout=2.0)
        self._keepalive = None
        with self._io_lock:
            if self._serial is not None:
                self._serial.close()
                self._serial = None

    def _keep_alive(self) -> None:
        """Poll the status whenever the bus was quiet for ``keepalive_s`` (fault 0x09 at 1 s)."""
        period = self.config.keepalive_s
        while not self._keepalive_stop.wait(period / 4):
            if time.monotonic() - self._last_io_s < period:
                continue
            with contextlib.suppress(DeviceError):  # the next real command reports it
                self._read_registers()

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
        with self._io_lock:
            try:
                return self._transact_locked(request, expected)
            finally:
                self._last_io_s = time.monotonic()

    def _transact_locked(self, request: bytes, expected: int) -> bytes:
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
        status = rp.decode_status(self._read_registers())
        if status.gFLT == 0x09:
            self.comm_faults_seen += 1
        self._track_object(status)
        return status

    def send_request(self, action: int, position: int = 0, speed: int = 0, force: int = 0) -> None:
        """Write the three output registers (action byte, position, speed, force)."""
        self._require_connected()
        self._write_registers(rp.encode_request(action, position, speed, force))

    def _track_object(self, status: rp.RobotiqStatus) -> None:
        if status.gGTO and status.object_status == ObjectStatus.CONTACT_CLOSING:
            self._gripping = True
        elif self._near_open(status):
            self._gripping = False

    def _near_open(self, status: rp.RobotiqStatus) -> bool:
        return self.calibration.to_mm(status.gPO) >= self.max_width_mm - OPEN_TOLERANCE_MM

    def may_hold_object(self) -> bool:
        """True while the fingers stopped on an object and have not been seen open since."""
        return self._gripping

    def activate(self, timeout_s: float = 10.0) -> None:
        """Make the gripper active, running the activation stroke only when needed.

        Nothing is sent when gSTA=3 without a major fault (a second ``activate()`` costs one
        status read). A major fault (0x0A-0x0F) or a reset gripper gets rACT=0 then rACT=1
        and a wait for gSTA=3. Refuses (``GripperFaultError``) while the fingers may hold an
        object: the activation stroke closes the fingers fully and would squeeze it.
        """
        status = self.read_status()
        if status.gFLT == 0x09:  # minor: cleared by this very communication
            status = self.read_status()
        if status.activated and not rp.is_major_fault(status.gFLT):
            return
        if status.gSTA != rp.GSTA_ACTIVATING:
            if self.may_hold_object():
                width_mm = self.calibration.to_mm(status.gPO)
                raise rp.RobotiqFaultError(
                    f"{self.name}: refusing to (re)activate with an object possibly gripped "
                    f"(fault 0x{status.gFLT:02X}, fingers at {width_mm:.1f} mm): the "
                    "activation stroke closes the fingers fully",
                    code=status.gFLT,
                    hint="take the object out of the fingers (open() runs the automatic release), "
                    "then activate again",
                )
            self.send_request(0)
            self.send_request(rp.RACT)
        self._wait_active(timeout_s)

    def _wait_active(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.read_status()
            if status.gFLT >= 0x08 and status.gFLT != 0x09:
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

    def auto_release(self) -> None:
        """Emergency release: the fingers open slowly whatever the state (rATR, rARD=open).

        Afterwards the gripper reports 0x0B (running) then 0x0F (done) and needs a reset and
        reactivation - with the fingers empty.
        """
        self.send_request(rp.RACT | rp.RATR | rp.RARD)

    def open(self, *, speed: float = 1.0) -> None:
        """Open fully, whatever state the gripper is in, without squeezing a gripped object.

        Active (or a minor fault, cleared by this communication): a plain goto open. A major
        fault or a reset gripper with an object possibly in the fingers: the automatic release.
        Otherwise (fingers empty): reset, reactivate, open.
        """
        status = self.read_status()
        if status.gFLT == 0x09:
            status = self.read_status()
        if status.gFLT in (0x0B, 0x0F):
            return  # an automatic release is running or has opened the fingers
        if status.activated and status.gFLT < 0x08:
            self.move_to_mm(self.max_width_mm, speed=speed, force=1.0)
            return
        if self.may_hold_object() or status.gFLT == 0x08:
            self.auto_release()
            return
        self.activate()
        self.move_to_mm(self.max_width_mm, speed=speed, force=1.0)

    def state(self) -> GripperState:
        status = self.read_status()
        if status.gFLT in (0x0B, 0x0F):
            self._last_object = ObjectStatus.MOVING if status.gFLT == 0x0B else self._last_object
        elif (status.gFLT >= 0x08 and status.gFLT != 0x09) or status.gFLT == 0x07:
            self._raise_fault(status.gFLT)
        if status.gGTO:
            self._last_object = status.object_status
        elif self._last_object == ObjectStatus.MOVING and status.gFLT != 0x0B:
            self._last_object = ObjectStatus.AT_POSITION  # gOBJ is meaningless while gGTO=0
        if status.gFLT == 0x0F:
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

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._keepalive_stop.set()
