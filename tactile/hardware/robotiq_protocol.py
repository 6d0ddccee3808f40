"""Robotiq 2F-85 / 2F-140 register map, status decoding and fault meanings.

From the Robotiq "2F-85 & 2F-140 Instruction Manual", section 4 (Control) and 4.8 (Modbus RTU
example). Robot output registers start at 1000 (0x03E8), gripper input registers at 2000
(0x07D0); each 16-bit register holds two bytes, high byte first:

=========  ==========================================  ==========================================
register   high byte                                   low byte
=========  ==========================================  ==========================================
1000       ACTION REQUEST: rACT b0, rGTO b3, rATR b4,  reserved
           rARD b5
1001       reserved                                    POSITION REQUEST rPR (0 open .. 255 closed)
1002       SPEED rSP (0 min .. 255 max)                FORCE rFR (0 min .. 255 max)
2000       GRIPPER STATUS: gACT b0, gGTO b3,           reserved
           gSTA b4-5, gOBJ b6-7
2001       FAULT STATUS: gFLT low nibble, kFLT high    POSITION REQUEST ECHO gPR
2002       POSITION gPO                                CURRENT gCU (about 10 mA per count)
=========  ==========================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError, GripperFaultError
from tactile.hardware.base import ObjectStatus

SLAVE_ID = 9
BAUDRATE = 115200
OUTPUT_ADDRESS = 1000  # 0x03E8
INPUT_ADDRESS = 2000  # 0x07D0
N_REGISTERS = 3

RACT = 0x01  # activate
RGTO = 0x08  # go to the requested position
RATR = 0x10  # automatic release
RARD = 0x20  # automatic release direction (1 = open)

GSTA_RESET = 0
GSTA_ACTIVATING = 1
GSTA_ACTIVE = 3

CURRENT_MA_PER_COUNT = 10.0

#: gFLT codes and their meaning (Instruction Manual, section 4.7 "Gripper status", FAULT STATUS).
FAULT_MEANINGS: dict[int, str] = {
    0x00: "no fault",
    0x05: "priority fault: action delayed, the (re)activation must complete first",
    0x07: "priority fault: the activation bit must be set prior to any action",
    0x08: "minor fault: maximum operating temperature exceeded, wait for cool-down",
    0x09: "minor fault: no communication during at least 1 second",
    0x0A: "major fault: under minimum operating voltage",
    0x0B: "major fault: automatic release in progress",
    0x0C: "major fault: internal fault, contact Robotiq support",
    0x0D: "major fault: activation fault, verify that no interference or other error occurred",
    0x0E: "major fault: overcurrent triggered",
    0x0F: "major fault: automatic release completed",
}


def is_major_fault(code: int) -> bool:
    """Major faults (0x0A-0x0F) latch until a reset (rACT 0 -> 1); minor ones (0x08, 0x09) clear
    when their cause goes away (cool-down, communication resumed)."""
    return code >= 0x0A


FAULT_REMEDIES: dict[int, str] = {
    0x05: "wait for gSTA=3 before sending motion commands",
    0x07: "activate the gripper (rACT=1) before moving it",
    0x08: "let the gripper cool down, then resume",
    0x09: "poll the gripper at least once per second (it clears when communication resumes)",
    0x0A: "check the 24 V supply of the gripper",
    0x0B: "wait for the automatic release to finish, then reactivate",
    0x0C: "power-cycle the gripper; if it persists contact Robotiq support",
    0x0D: "clear obstacles between the fingers and reactivate (rACT 0 then 1)",
    0x0E: "remove the blocking object, then reset (rACT 0) and reactivate",
    0x0F: "take the object out, then reset (rACT 0) and reactivate the gripper",
}


class RobotiqFaultError(GripperFaultError):
    """A Robotiq fault; ``code`` is the gFLT value, the message gives its manual meaning."""

    def __init__(self, message: str, *, code: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


def fault_meaning(code: int) -> str:
    return FAULT_MEANINGS.get(code, f"unknown fault code 0x{code:02X}")


@dataclass(frozen=True)
class RobotiqModel:
    """Mechanical ranges of one Robotiq model (Instruction Manual, section 6 specifications)."""

    name: str
    stroke_mm: float
    min_speed_mm_s: float
    max_speed_mm_s: float
    min_force_n: float
    max_force_n: float

    def speed_mm_s(self, speed_byte: int) -> float:
        return self.min_speed_mm_s + (self.max_speed_mm_s - self.min_speed_mm_s) * speed_byte / 255

    def force_limit_n(self, force_byte: int) -> float:
        return self.min_force_n + (self.max_force_n - self.min_force_n) * force_byte / 255

    def force_byte(self, force_n: float) -> int:
        """The largest force setting whose grip force does not exceed ``force_n``."""
        frac = (force_n - self.min_force_n) / (self.max_force_n - self.min_force_n)
        return int(min(max(frac * 255, 0), 255))


MODELS: dict[str, RobotiqModel] = {
    "2f85": RobotiqModel("2f85", 85.0, 20.0, 150.0, 20.0, 235.0),
    "2f140": RobotiqModel("2f140", 140.0, 30.0, 250.0, 10.0, 125.0),
}


def get_model(name: str) -> RobotiqModel:
    key = name.lower().replace("-", "")
    if key not in MODELS:
        raise ConfigError(f"unknown Robotiq model {name!r}", hint=f"use one of {sorted(MODELS)}")
    return MODELS[key]


@dataclass(frozen=True)
class PositionCalibration:
    """Map between position counts and finger opening, piecewise linear through measured points.

    Default for the 2F-85: count 0 is fully open (85 mm), 255 fully closed (0 mm) - which no real
    unit does: they stop short of both ends (about 3 open and 230 closed, so an uncalibrated
    closed gripper reads 8.3 mm apart). ``tactile calibrate gripper`` measures the two ends and,
    optionally, gauge blocks (``points``: (count, mm) pairs in between), and stores them in the
    hardware profile. Beyond the end points the map continues the end segments.
    """

    open_position: int = 0
    open_mm: float = 85.0
    closed_position: int = 255
    closed_mm: float = 0.0
    points: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        counts, widths = self._knots()
        if np.any(np.diff(counts) <= 0) or np.any(np.diff(widths) >= 0):
            raise ConfigError(
                f"position calibration {self} is not monotonic",
                hint="open_position < (points) < closed_position with widths decreasing",
            )

    def _knots(self) -> tuple[np.ndarray, np.ndarray]:
        pts = sorted([(self.open_position, self.open_mm), *self.points,
                      (self.closed_position, self.closed_mm)])  # fmt: skip
        return np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float)

    def to_mm(self, position: float) -> float:
        counts, widths = self._knots()
        return float(_interp_extrapolate(position, counts, widths))

    def to_position(self, width_mm: float) -> int:
        counts, widths = self._knots()
        pos = _interp_extrapolate(width_mm, widths[::-1], counts[::-1])
        return round(min(max(float(pos), 0.0), 255.0))

    def to_dict(self) -> dict[str, object]:
        """The fields as stored in a profile's [gripper_calibration] table."""
        return {
            "open_pos": self.open_position,
            "open_mm": round(self.open_mm, 3),
            "closed_pos": self.closed_position,
            "closed_mm": round(self.closed_mm, 3),
            "points": [[c, round(w, 3)] for c, w in self.points],
        }


def _interp_extrapolate(x: float, xs: np.ndarray, ys: np.ndarray) -> float:
    """Piecewise-linear through (xs, ys) (xs increasing), continuing the end segments."""
    if x <= xs[0]:
        i = 0
    elif x >= xs[-1]:
        i = len(xs) - 2
    else:
        return float(np.interp(x, xs, ys))
    slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
    return float(ys[i] + slope * (x - xs[i]))


def encode_request(action: int, position: int, speed: int, force: int) -> list[int]:
    """The three output registers (1000-1002) for an action byte and position/speed/force."""
    for name, value in (("action", action), ("position", position), ("speed", speed)):
        if not 0 <= value <= 255:
            raise ConfigError(f"Robotiq {name} byte {value} out of 0..255", hint="clip to 0..255")
    if not 0 <= force <= 255:
        raise ConfigError(f"Robotiq force byte {force} out of 0..255", hint="clip to 0..255")
    return [action << 8, position & 0xFF, (speed << 8) | force]


@dataclass(frozen=True)
class RobotiqStatus:
    """The decoded input registers 2000-2002."""

    gACT: int  # noqa: N815 (manual names)
    gGTO: int  # noqa: N815 (manual names)
    gSTA: int  # noqa: N815 (manual names)
    gOBJ: int  # noqa: N815 (manual names)
    gFLT: int  # noqa: N815 (manual names)
    kFLT: int  # noqa: N815 (manual names)
    gPR: int  # noqa: N815 (manual names)
    gPO: int  # noqa: N815 (manual names)
    gCU: int  # noqa: N815 (manual names)

    @property
    def activated(self) -> bool:
        return self.gACT == 1 and self.gSTA == GSTA_ACTIVE

    @property
    def object_status(self) -> ObjectStatus:
        return ObjectStatus(self.gOBJ)

    @property
    def current_ma(self) -> float:
        return self.gCU * CURRENT_MA_PER_COUNT


def decode_status(registers: list[int] | tuple[int, ...]) -> RobotiqStatus:
    status = registers[0] >> 8
    return RobotiqStatus(
        gACT=status & 0x01,
        gGTO=(status >> 3) & 0x01,
        gSTA=(status >> 4) & 0x03,
        gOBJ=(status >> 6) & 0x03,
        gFLT=(registers[1] >> 8) & 0x0F,
        kFLT=(registers[1] >> 12) & 0x0F,
        gPR=registers[1] & 0xFF,
        gPO=registers[2] >> 8,
        gCU=registers[2] & 0xFF,
    )


def encode_status(s: RobotiqStatus) -> list[int]:
    status = s.gACT | (s.gGTO << 3) | (s.gSTA << 4) | (s.gOBJ << 6)
    return [status << 8, (s.kFLT << 12) | (s.gFLT << 8) | s.gPR, (s.gPO << 8) | s.gCU]
