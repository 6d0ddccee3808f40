"""Byte-level emulator of the Robotiq 2F-85 / 2F-140 firmware (Modbus RTU slave).

It takes the raw bytes a master writes, frames them, checks the CRC (bad frames are dropped
without reply, as Modbus RTU slaves do), and answers FC16 writes to 1000-1002 and FC03 (or
FC04) reads of 2000-2002 like the firmware: activation takes ``activation_s``, goto moves the
fingers at the commanded speed and stops them on the object when the grip force reaches the
force setting (gOBJ=2), or at the requested position (gOBJ=3). Other functions or addresses
get Modbus exceptions.

Faults are injected by a :class:`FaultPlan` and fire when the fingers first touch the object
during closing number ``grasp`` (1-based): a gripper fault code (fingers stop, gFLT set until
rACT is cleared), silence (no more replies), CRC errors (replies corrupted) or a disconnect
(the transport fails). ``crc_every=n`` corrupts every n-th reply from the start (line noise a
driver must retry through).
"""

from __future__ import annotations

from dataclasses import dataclass

from tactile.errors import ConfigError
from tactile.hardware import modbus
from tactile.hardware import robotiq_protocol as rp
from tactile.hardware.base import ObjectStatus, now_s
from tactile.hardware.fingers import FingerMotion
from tactile.hardware.registry import DeviceUrl
from tactile.hardware.sim_world import SimWorld, get_world, world_for_url

FAULT_KINDS = ("", "fault", "silence", "crc", "disconnect")


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

    @classmethod
    def from_url(cls, url: DeviceUrl) -> FaultPlan:
        return cls(
            kind=url.get_str("fail", ""),
            code=int(url.get_str("fault_code", "0x0E"), 0),
            grasp=url.get_int("fail_grasp", 1),
            crc_every=url.get_int("crc_every", 0),
        )


@dataclass(frozen=True)
class Command:
    """One FC16 write the emulator accepted (for tests: was the gripper commanded open?)."""

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
    ) -> None:
        self.world = world
        self.model = model
        self.calibration = calibration or rp.PositionCalibration(open_mm=model.stroke_mm)
        self.slave = slave
        self.activation_s = activation_s
        self.faults = faults or FaultPlan()
        self.lock = world.lock
        self.fingers = FingerMotion(
            self.calibration.open_mm, world.contact_force_n, world.set_width_mm
        )
        world.set_width_mm(self.calibration.open_mm)
        self.out = [0, 0, 0]
        self.gSTA = rp.GSTA_RESET
        self.gFLT = 0
        self._activation_done_s = 0.0
        self.closings = 0
        self.triggered = False
        self.silent = False
        self.corrupt = False
        self.disconnected = False
        self.commands: list[Command] = []
        self._buffer = b""
        self._n_replies = 0
        world.attach(self.update)

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
        self.update(now_s())
        req = modbus.parse_request(frame)
        if req.slave != self.slave or self.silent or self.disconnected:
            return b""
        reply = self._answer(req)
        self._n_replies += 1
        noisy = self.faults.crc_every and self._n_replies % self.faults.crc_every == 0
        if self.corrupt or noisy:
            reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
        return reply

    def _answer(self, req: modbus.Request) -> bytes:
        if req.function == modbus.FC_WRITE_MULTIPLE:
            if req.address != rp.OUTPUT_ADDRESS or req.count != rp.N_REGISTERS:
                return modbus.exception_response(self.slave, req.function, 2)
            self._write(list(req.values))
            return modbus.write_multiple_response(self.slave, req.address, req.count)
        if req.function in (modbus.FC_READ_HOLDING, modbus.FC_READ_INPUT):
            first, last = rp.INPUT_ADDRESS, rp.INPUT_ADDRESS + rp.N_REGISTERS
            if not (first <= req.address and req.address + req.count <= last and req.count > 0):
                return modbus.exception_response(self.slave, req.function, 2)
            regs = rp.encode_status(self.status())
            offset = req.address - first
            values = regs[offset : offset + req.count]
            return modbus.read_holding_response(self.slave, values, req.function)
        return modbus.exception_response(self.slave, req.function, 1)

    # --- firmware behaviour ---------------------------------------------------------------
    def _write(self, values: list[int]) -> None:
        t = now_s()
        action, position = values[0] >> 8, values[1] & 0xFF
        speed, force = values[2] >> 8, values[2] & 0xFF
        self.commands.append(Command(t, action, position, speed, force))
        was_active = self.out[0] >> 8 & rp.RACT
        self.out = values
        if not action & rp.RACT:
            self.gSTA, self.gFLT = rp.GSTA_RESET, 0x07 if action & rp.RGTO else 0
            self.fingers.stop(t)
            return
        if not was_active:
            self.gSTA = rp.GSTA_ACTIVATING
            self._activation_done_s = t + self.activation_s
        if self.gFLT >= 0x08:
            return  # a minor/major fault blocks motion until reset
        if action & rp.RGTO:
            self._goto(t, position, speed, force)
        else:
            self.fingers.stop(t)

    def _goto(self, t: float, position: int, speed: int, force: int) -> None:
        if self.gSTA != rp.GSTA_ACTIVE:
            self.gFLT = 0x05 if self.gSTA == rp.GSTA_ACTIVATING else 0x07
            return
        self.gFLT = 0
        target = self.calibration.to_mm(position)
        if target < self.fingers.width_mm:
            self.closings += 1
        self.fingers.command(
            target, self.model.speed_mm_s(speed), self.model.force_limit_n(force), t
        )

    def update(self, t_s: float) -> None:
        """Advance activation and finger motion to time ``t_s``; fire due faults."""
        with self.lock:
            if self.gSTA == rp.GSTA_ACTIVATING and t_s >= self._activation_done_s:
                self.gSTA = rp.GSTA_ACTIVE
                if self.gFLT == 0x05:  # the delayed action runs once activation completes
                    self.gFLT = 0
                    v = self.out
                    self._goto(t_s, v[1] & 0xFF, v[2] >> 8, v[2] & 0xFF)
            self.fingers.advance(t_s)
            self._maybe_trigger(t_s)

    def _maybe_trigger(self, t_s: float) -> None:
        plan = self.faults
        touching = self.world.contact_force_n(self.fingers.width_mm) > 0
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
        force = self.world.contact_force_n(self.fingers.width_mm)
        return rp.RobotiqStatus(
            gACT=action & rp.RACT,
            gGTO=gto,
            gSTA=self.gSTA,
            gOBJ=int(obj) if gto else 0,
            gFLT=self.gFLT,
            kFLT=0,
            gPR=self.out[1] & 0xFF,
            gPO=self.calibration.to_position(self.fingers.width_mm),
            gCU=min(int(force / 2.0), 255),
        )


def emulator_for_url(url: DeviceUrl) -> RobotiqEmulator:
    """A new emulator on the world named by the URL's ``rig`` (replacing an earlier one)."""
    world = world_for_url(url)
    model = rp.get_model(url.get_str("model", "2f85"))
    emulator = RobotiqEmulator(
        world,
        model=model,
        calibration=calibration_from_url(url, model),
        slave=url.get_int("slave", rp.SLAVE_ID),
        activation_s=url.get_float("activation_s", 0.05),
        faults=FaultPlan.from_url(url),
    )
    world.actuator = emulator
    return emulator


def get_emulator(rig: str = "default") -> RobotiqEmulator | None:
    """The emulator last created for ``rig`` (tests inspect its command log)."""
    world = get_world(rig)
    actuator = world.actuator if world is not None else None
    return actuator if isinstance(actuator, RobotiqEmulator) else None


def calibration_from_url(url: DeviceUrl, model: rp.RobotiqModel) -> rp.PositionCalibration:
    return rp.PositionCalibration(
        open_position=url.get_int("open_pos", 0),
        open_mm=url.get_float("open_mm", model.stroke_mm),
        closed_position=url.get_int("closed_pos", 255),
        closed_mm=url.get_float("closed_mm", 0.0),
    )
