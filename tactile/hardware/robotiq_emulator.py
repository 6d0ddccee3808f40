"""Byte-level emulator of the Robotiq 2F-85 / 2F-140 firmware (Modbus RTU slave).

It takes the raw bytes a master writes, frames them, checks the CRC (bad frames are dropped
without reply, as Modbus RTU slaves do) and answers like the firmware described in the Robotiq
*2F-85 & 2F-140 Instruction Manual* (section 4):

* function codes FC03 / FC04 (read), FC16 (write multiple) and FC23 (read/write multiple, the
  write first); any other function gets exception 1. Reads may cover the output registers
  1000-1007 (the last request) and the input registers 2000-2007, the unused ones reading 0 —
  PickNik's ROS 2 driver reads six registers from 2000. Addresses outside both blocks get
  exception 2. Writes may cover 1000-1002 partially (the action register alone, say).
  A broadcast (slave 0) write is executed without a reply; other slave ids are ignored.
* activation (rACT 0 -> 1) takes ``activation_s`` and moves the fingers: fully closed, then fully
  open, as the real gripper's self-calibration stroke does. An object between the fingers
  during that stroke is squeezed and ends activation with fault 0x0D. The operator is assumed to
  put the object in only after the first activation (``object_at_activation=1`` puts it there
  from the start), so only a *re*-activation with an object gripped collides.
* goto moves the fingers at the commanded speed and stops them on the object when the grip
  force reaches the force setting (gOBJ=2) - then keeps squeezing while it decelerates at
  ``decel_mm_s2`` (10 m/s^2: 1.1 mm from full speed, 0.02 mm from the slowest), so the force
  overshoots the setting the more the faster the fingers met the object - or at the requested
  position (gOBJ=3).
* position counts are those of a real unit, ``unit_open_pos`` (3) fully open and
  ``unit_closed_pos`` (230) fully closed, not 0..255: an uncalibrated driver reads the closed
  gripper as 8.3 mm apart.
* no valid request for ``comm_timeout_s`` (1 s) raises minor fault 0x09 ("no communication
  during at least 1 second"), reported in the first reply after the silence and cleared by
  that communication (minor faults need no reset). Major faults (0x0A-0x0F) latch until rACT
  is cleared.
* automatic release (rACT=1, rATR=1): the fingers open slowly whatever the state (0x0B while
  running, 0x0F when done); a reset and reactivation are required afterwards.

Faults are injected by a :class:`FaultPlan` and fire when the fingers first touch the object
during closing number ``fail_grasp`` (1-based): a gripper fault code (fingers stop, gFLT set until
rACT is cleared), silence (no more replies), CRC errors (replies corrupted) or a disconnect
(the transport fails). ``crc_every=n`` corrupts every n-th reply from the start (line noise a
driver must retry through).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tactile.errors import ConfigError
from tactile.hardware import modbus
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import ObjectStatus, now_s
from tactile.hardware.fingers import FingerMotion
from tactile.hardware.registry import DeviceUrl
from tactile.hardware.sim_world import SimRigs, SimWorld, WorldConfig, world_config
from tactile.hardware.url_config import config_from_url

FAULT_KINDS = ("", "fault", "silence", "crc", "disconnect")
OUTPUT_BLOCK = range(rp.OUTPUT_ADDRESS, rp.OUTPUT_ADDRESS + 8)
INPUT_BLOCK = range(rp.INPUT_ADDRESS, rp.INPUT_ADDRESS + 8)
AUTO_RELEASE_SPEED = 0  # speed byte of the automatic release: the slowest


@dataclass(frozen=True)
class FaultPlan:
    kind: str = ""
    code: int = 0x0E
    grasp: int = 1
    crc_every: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ConfigError(
                f"unknown emulator fault {self.kind!r}",
                hint=f"use one of {[k for k in FAULT_KINDS if k]}",
            )
        if self.grasp < 1:
            raise ConfigError(f"fault grasp {self.grasp} must be >= 1", hint="grasps count from 1")


@dataclass(frozen=True)
class EmulatorConfig:
    """URL parameters of ``robotiq-sim://`` that describe the emulated unit (not the driver)."""

    model: str = "2f85"
    slave: int = rp.SLAVE_ID
    activation_s: float = 0.05
    unit_open_pos: int = 3
    unit_closed_pos: int = 230
    comm_timeout_s: float = 1.0
    decel_mm_s2: float = 10000.0
    object_at_activation: bool = False
    fail: str = ""
    fault_code: int = 0x0E
    fail_grasp: int = 1
    crc_every: int = 0

    def __post_init__(self) -> None:
        rp.get_model(self.model)
        if not 0 <= self.unit_open_pos < self.unit_closed_pos <= 255:
            raise ConfigError(
                f"emulated unit counts {self.unit_open_pos}..{self.unit_closed_pos} are invalid",
                hint="need 0 <= unit_open_pos < unit_closed_pos <= 255 (a real 2F-85: 3..230)",
            )
        for name in ("activation_s", "comm_timeout_s", "decel_mm_s2"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"emulator {name}={value} must be >= 0", hint="0 disables it")

    @property
    def faults(self) -> FaultPlan:
        return FaultPlan(self.fail, self.fault_code, self.fail_grasp, self.crc_every)

    def unit_calibration(self) -> rp.PositionCalibration:
        """The emulated unit's true map between counts and finger opening."""
        model = rp.get_model(self.model)
        return rp.PositionCalibration(
            open_position=self.unit_open_pos,
            open_mm=model.stroke_mm,
            closed_position=self.unit_closed_pos,
            closed_mm=0.0,
        )


@dataclass(frozen=True)
class Command:
    """One write the emulator accepted (for tests: was the gripper commanded open?)."""

    t_s: float
    action: int
    position: int
    speed: int
    force: int


class RobotiqEmulator:
    """The firmware state machine behind one slave id."""

    def __init__(
        self,
        world: SimWorld,
        *,
        model: rp.RobotiqModel = rp.MODELS["2f85"],
        calibration: rp.PositionCalibration | None = None,
        slave: int = rp.SLAVE_ID,
        activation_s: float = 0.05,
        faults: FaultPlan | None = None,
        comm_timeout_s: float = 1.0,
        decel_mm_s2: float = 10000.0,
        object_at_activation: bool = False,
    ) -> None:
        self.world = world
        self.model = model
        self.calibration = calibration or EmulatorConfig(model=model.name).unit_calibration()
        world.set_open_width_mm(self.calibration.open_mm)  # ConfigError: object does not fit
        self.slave = slave
        self.activation_s = activation_s
        self.faults = faults or FaultPlan()
        self.comm_timeout_s = comm_timeout_s
        self.decel_mm_s2 = decel_mm_s2
        world.object_present = object_at_activation  # placed once the gripper is active
        self.lock = world.lock
        self.fingers = FingerMotion(
            self.calibration.open_mm, self._force_at, world.set_width_mm, decel_mm_s2=decel_mm_s2
        )  # fingers start open and the gripper in reset, as after power-up
        world.set_width_mm(self.calibration.open_mm)
        self.out = [0, 0, 0]
        self.gSTA = rp.GSTA_RESET
        self.gFLT = 0
        self._activation = (0.0, 0.0, 0.0)  # (start, end, opening at start) of activation
        self._releasing = False
        self.closings = 0  # grasps: closing motions since the fingers were last opened
        self._opened = True
        self.activations = 0
        self.activation_collisions = 0  # activation strokes that squeezed an object
        self.comm_faults = 0  # times the 0x09 communication fault was raised
        self.triggered = False
        self.silent = False
        self.corrupt = False
        self.disconnected = False
        self.commands: list[Command] = []
        self._buffer = b""
        self._n_replies = 0
        self._last_request_s: float | None = None
        self._t = world.now()  # the world time the state was last advanced to
        world.attach(self.update)

    def _force_at(self, width_mm: float) -> float:
        return self.world.contact_force_n(width_mm)

    @property
    def object_present(self) -> bool:
        return self.world.object_present

    # --- bytes in, bytes out --------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Consume bytes from the master; return the reply bytes (possibly empty)."""
        with self.lock:
            self._buffer += data
            replies = b""
            while True:
                n = modbus.request_length(self._buffer)
                if n is None or len(self._buffer) < n:
                    break
                frame, self._buffer = self._buffer[:n], self._buffer[n:]
                if not modbus.crc_ok(frame):
                    self._buffer = b""  # resynchronise, as after an RTU inter-frame silence
                    break
                replies += self._reply(frame)
            return replies

    def _reply(self, frame: bytes) -> bytes:
        t = now_s()  # the bus's silence is wall time; the fingers run on the world's clock
        self.update(self.world.now())
        req = modbus.parse_request(frame)
        broadcast = req.slave == 0 and req.function == modbus.FC_WRITE_MULTIPLE
        if (req.slave != self.slave and not broadcast) or self.silent or self.disconnected:
            return b""
        self._check_silence(t)
        reply = self._answer(req)
        if self.gFLT == 0x09:  # reported once; the communication itself clears the minor fault
            self.gFLT = 0
        if broadcast:
            return b""
        self._n_replies += 1
        noisy = self.faults.crc_every and self._n_replies % self.faults.crc_every == 0
        if self.corrupt or noisy:
            reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
        return reply

    def _check_silence(self, t: float) -> None:
        last, self._last_request_s = self._last_request_s, t
        quiet = last is not None and t - last >= self.comm_timeout_s > 0
        if quiet and self.gSTA == rp.GSTA_ACTIVE and self.gFLT < 0x08:
            self.gFLT = 0x09
            self.comm_faults += 1

    def _answer(self, req: modbus.Request) -> bytes:
        fn = req.function
        if fn == modbus.FC_WRITE_MULTIPLE:
            if not self._writable(req.address, len(req.values)):
                return modbus.exception_response(self.slave, fn, 2)
            self._write_at(req.address, list(req.values))
            return modbus.write_multiple_response(self.slave, req.address, req.count)
        if fn == modbus.FC_READ_WRITE:
            if not (self._writable(req.write_address, len(req.values)) and self._readable(req)):
                return modbus.exception_response(self.slave, fn, 2)
            self._write_at(req.write_address, list(req.values))
            return modbus.read_holding_response(self.slave, self._read(req), fn)
        if fn in (modbus.FC_READ_HOLDING, modbus.FC_READ_INPUT):
            if not self._readable(req):
                return modbus.exception_response(self.slave, fn, 2)
            return modbus.read_holding_response(self.slave, self._read(req), fn)
        return modbus.exception_response(self.slave, fn, 1)

    @staticmethod
    def _writable(address: int, count: int) -> bool:
        first = rp.OUTPUT_ADDRESS
        return first <= address and address + count <= first + rp.N_REGISTERS and count > 0

    @staticmethod
    def _readable(req: modbus.Request) -> bool:
        last = req.address + req.count - 1
        return req.count > 0 and any(
            req.address in block and last in block for block in (OUTPUT_BLOCK, INPUT_BLOCK)
        )

    def _read(self, req: modbus.Request) -> list[int]:
        if req.address in OUTPUT_BLOCK:
            regs, first = [*self.out, 0, 0, 0, 0, 0], rp.OUTPUT_ADDRESS
        else:
            regs, first = [*rp.encode_status(self.status()), 0, 0, 0, 0, 0], rp.INPUT_ADDRESS
        offset = req.address - first
        return regs[offset : offset + req.count]

    def _write_at(self, address: int, values: list[int]) -> None:
        merged = list(self.out)
        for i, v in enumerate(values):
            merged[address - rp.OUTPUT_ADDRESS + i] = v
        self._write(merged)

    # --- firmware behaviour ---------------------------------------------------------------
    def _write(self, values: list[int]) -> None:
        action, position = values[0] >> 8, values[1] & 0xFF
        speed, force = values[2] >> 8, values[2] & 0xFF
        self.commands.append(Command(now_s(), action, position, speed, force))
        t = self.world.now()  # motion and activation run on the world's clock
        was_active = self.out[0] >> 8 & rp.RACT
        self.out = values
        if not action & rp.RACT:
            self.gSTA, self.gFLT = rp.GSTA_RESET, 0x07 if action & rp.RGTO else 0
            self._releasing = False
            self.fingers.stop(t)
            return
        if action & rp.RATR:
            self._auto_release(t)
            return
        if self._releasing or self.gFLT in (0x0B, 0x0F):
            return  # after an automatic release only a reset is accepted
        if not was_active:
            self._start_activation(t)
            return
        if self.gFLT >= 0x08:
            return  # a minor/major fault blocks motion until it clears / a reset
        if action & rp.RGTO:
            self._goto(t, position, speed, force)
        else:
            self.fingers.stop(t)

    def _start_activation(self, t: float) -> None:
        self.gSTA = rp.GSTA_ACTIVATING
        self.gFLT = 0
        self.fingers.stop(t)
        self._activation = (t, t + self.activation_s, self.fingers.width_mm)
        self.activations += 1

    def _stroke_mm(self, t_s: float) -> float:
        """Opening during the self-calibration stroke: closing fully, then opening fully."""
        start, end, w0 = self._activation
        cal = self.calibration
        u = 1.0 if end <= start else min(max((t_s - start) / (end - start), 0.0), 1.0)
        if u < 0.5:
            return w0 + (cal.closed_mm - w0) * 2 * u
        return cal.closed_mm + (cal.open_mm - cal.closed_mm) * (2 * u - 1)

    def _auto_release(self, t: float) -> None:
        self.gSTA = rp.GSTA_RESET
        self.gFLT = 0x0B
        self._releasing = True
        self.fingers.command(
            self.calibration.open_mm,
            self.model.speed_mm_s(AUTO_RELEASE_SPEED),
            math.inf,
            t,
        )

    def _goto(self, t: float, position: int, speed: int, force: int) -> None:
        if self.gSTA != rp.GSTA_ACTIVE:
            self.gFLT = 0x05 if self.gSTA == rp.GSTA_ACTIVATING else 0x07
            return
        self.gFLT = 0
        cal = self.calibration  # the fingers cannot go past their mechanical ends
        target = min(max(cal.to_mm(position), cal.closed_mm), cal.open_mm)
        if target < self.fingers.width_mm and self._opened:
            self.closings += 1  # a new grasp; slowing down or stopping mid-closing is not
            self._opened = False
        elif target > self.fingers.width_mm:
            self._opened = True
        self.fingers.command(
            target, self.model.speed_mm_s(speed), self.model.force_limit_n(force), t
        )

    def update(self, t_s: float) -> None:
        """Advance activation and finger motion to time ``t_s``; fire due faults."""
        with self.lock:
            self._t = max(self._t, t_s)
            if self.gSTA == rp.GSTA_ACTIVATING:
                self._advance_activation(t_s)
            else:
                self.fingers.advance(t_s)
            if self._releasing and not self.fingers.moving:
                self._releasing = False
                self.gFLT = 0x0F  # automatic release completed: reset required
            self._maybe_trigger(t_s)

    def _advance_activation(self, t_s: float) -> None:
        start, end, w0 = self._activation
        cal = self.calibration
        if self._force_at(cal.closed_mm) > 0:
            # the closing half of the stroke meets the object and squeezes it
            contact = self.fingers.squeeze_point(w0, cal.closed_mm, self.model.min_force_n)
            travel = (w0 - contact) / max(w0 - cal.closed_mm, 1e-9)
            t_hit = start + 0.5 * (end - start) * travel
            if t_s >= t_hit:
                self.fingers.place(contact, ObjectStatus.CONTACT_CLOSING, t_hit)
                self.activation_collisions += 1
                self.gSTA, self.gFLT = rp.GSTA_RESET, 0x0D
            return
        if t_s < end:
            return
        self.fingers.place(cal.open_mm, ObjectStatus.AT_POSITION, end)
        self.gSTA = rp.GSTA_ACTIVE
        if self.activations == 1:  # the operator puts the object in once the gripper is ready
            self.world.object_present = True
        if self.gFLT == 0x05:  # the delayed action runs once activation completes
            self.gFLT = 0
        v = self.out
        if v[0] >> 8 & rp.RGTO:
            self._goto(end, v[1] & 0xFF, v[2] >> 8, v[2] & 0xFF)

    def _maybe_trigger(self, t_s: float) -> None:
        plan = self.faults
        touching = self._force_at(self.fingers.width_mm) > 0
        if self.triggered or not plan.kind or self.closings != plan.grasp or not touching:
            return
        self.triggered = True
        if plan.kind == "fault":
            self.gFLT = plan.code
            self.fingers.stop(t_s)
        elif plan.kind == "silence":
            self.silent = True
        elif plan.kind == "crc":
            self.corrupt = True
        else:
            self.disconnected = True

    def status(self) -> rp.RobotiqStatus:
        action = self.out[0] >> 8
        gto = 1 if action & rp.RGTO and self.gSTA == rp.GSTA_ACTIVE else 0
        obj = ObjectStatus.MOVING if gto and self.fingers.moving else self.fingers.status
        force = self._force_at(self.fingers.width_mm)
        activating = self.gSTA == rp.GSTA_ACTIVATING
        width = self._stroke_mm(self._t) if activating else self.fingers.width_mm
        return rp.RobotiqStatus(
            gACT=action & rp.RACT,
            gGTO=gto,
            gSTA=self.gSTA,
            gOBJ=int(obj) if gto else 0,
            gFLT=self.gFLT,
            kFLT=0,
            gPR=self.out[1] & 0xFF,
            gPO=self.calibration.to_position(width),
            gCU=min(int(force / 2.0), 255),
        )


def emulator_for_url(url: DeviceUrl, rigs: SimRigs | None = None) -> RobotiqEmulator:
    """A new emulator on the world the URL names (in ``rigs``; a private one without)."""
    from tactile.hardware.robotiq import DRIVER_KEYS

    config = config_from_url(
        EmulatorConfig, url, shared=(WorldConfig,), passthrough=DRIVER_KEYS, what="robotiq-sim://"
    )
    world = (rigs if rigs is not None else SimRigs()).world(world_config(url))
    emulator = RobotiqEmulator(
        world,
        model=rp.get_model(config.model),
        calibration=config.unit_calibration(),
        slave=config.slave,
        activation_s=config.activation_s,
        faults=config.faults,
        comm_timeout_s=config.comm_timeout_s,
        decel_mm_s2=config.decel_mm_s2,
        object_at_activation=config.object_at_activation,
    )
    world.actuator = emulator
    return emulator


def emulator_of(world: SimWorld | None) -> RobotiqEmulator | None:
    """The emulator moving the fingers of ``world`` (tests inspect its command log)."""
    actuator = world.actuator if world is not None else None
    return actuator if isinstance(actuator, RobotiqEmulator) else None
