"""Bench calibrations of the rig's devices: gripper width counts, load-cell scale.

Procedures, not records: each drives connected devices, asks the operator to do something
between steps through ``prompt`` (a callable that returns when they are done; the CLI waits for
Enter), and returns what it measured. ``tactile calibrate gripper`` / ``gauge`` store the result
in the hardware profile (:func:`tactile.hardware.profiles.write_profile_table`), and collection
sessions apply it.

* :func:`calibrate_gripper`: fully open and fully closed position counts (a real 2F-85 reads
  about 3 and 230, not 0 and 255) into a
  :class:`~tactile.hardware.robotiq_protocol.PositionCalibration`, and optionally gauge blocks
  as a check: what each block reads through the new map. With gel pads on the fingers a block
  reads less than its size (the pads compress under the weakest grip, ~20 N), so blocks are a
  check of pads and linkage, not points of the map.
* :func:`calibrate_gauge`: tare with no load, then known weights, into newtons per raw unit
  fitted through the tared zero, with the residual of each weight.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tactile.errors import CalibrationError, DeviceError
from tactile.hardware.base import ForceSensor, Gripper
from tactile.hardware.robotiq_protocol import PositionCalibration

STANDARD_GRAVITY = 9.80665  # m/s^2


class Step(NamedTuple):
    """What the operator is asked to do: ``empty`` the fingers, put in a gauge ``block`` of
    ``value`` mm, ``clear`` it out, ``unload`` the load cell, ``load`` it with ``value`` N."""

    kind: str
    value: float = 0.0


#: Shows the instruction and returns once it is done (the CLI waits for Enter).
Prompt = Callable[[str, Step], None]


class SimOperator:
    """The operator's hands on a simulated rig: carries out each :class:`Step` in its world."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def __call__(self, text: str, step: Step) -> None:
        from tactile.sim import SimObject

        w = self.world
        if step.kind in ("empty", "clear"):
            w.object_present = False
        elif step.kind == "block":  # a steel gauge block, squeezed across its thickness
            w.set_object(SimObject(shape="box", size_mm=(40.0, 40.0, step.value), modulus_pa=2e11))
            w.object_present = True
        elif step.kind == "unload":
            w.external_load_n = 0.0
        elif step.kind == "load":
            w.external_load_n = step.value


def simulated_world(device: Any) -> Any:
    """The simulated world behind a device (``sim://``, ``robotiq-sim://``), else None."""
    world = getattr(device, "world", None)
    if world is None:
        emulator = getattr(getattr(device, "_serial", None), "emulator", None)
        world = getattr(emulator, "world", None)
    return world


def _counts(gripper: Gripper, timeout_s: float) -> int:
    state = gripper.wait_until_stopped(timeout_s)
    if state.position is None:
        raise DeviceError(
            f"{gripper.name} reports no position counts",
            hint="only grippers with raw counts (Robotiq) need a width calibration",
        )
    return state.position


@dataclass(frozen=True)
class GripperCalibration:
    calibration: PositionCalibration
    block_checks: tuple[tuple[float, float], ...] = ()  # (block mm, what it reads in mm)

    def to_dict(self) -> dict[str, Any]:
        values = self.calibration.to_dict()
        values.pop("points", None)
        if self.block_checks:
            values["block_checks_mm"] = [[b, round(r, 3)] for b, r in self.block_checks]
        return values


def calibrate_gripper(
    gripper: Gripper,
    prompt: Prompt,
    *,
    open_mm: float,
    closed_mm: float = 0.0,
    blocks_mm: Sequence[float] = (),
    timeout_s: float = 15.0,
) -> GripperCalibration:
    """Measure the counts at fully open and fully closed; read each gauge block as a check.

    ``open_mm`` / ``closed_mm``: the finger gaps at the two ends, measured with a caliper
    (between the gel surfaces when sensors are mounted; closed is usually 0, the pads touching).
    Closing is at the slowest speed and weakest force; a gauge block reading includes the pads'
    compression at that force (about 20 N on a 2F-85).
    """
    if not open_mm > closed_mm >= 0:
        raise CalibrationError(
            f"open_mm={open_mm} must exceed closed_mm={closed_mm} >= 0",
            hint="measure both gaps with a caliper",
        )
    for b in blocks_mm:
        if not closed_mm < b < open_mm:
            raise CalibrationError(
                f"gauge block {b} mm is outside {closed_mm}..{open_mm} mm",
                hint="use blocks that fit between the open fingers",
            )
    gripper.activate()
    prompt("Take everything out from between the fingers, then press Enter.", Step("empty"))
    gripper.open(speed=0.0)
    open_pos = _counts(gripper, timeout_s)
    gripper.move_to_mm(-1000.0, speed=0.0, force=0.0)  # command the last count: fully closed
    closed_pos = _counts(gripper, timeout_s)
    gripper.open(speed=0.0)
    _counts(gripper, timeout_s)
    counts: list[tuple[float, int]] = []
    for block in blocks_mm:
        text = f"Put the {block:g} mm gauge block between the fingers, then press Enter."
        prompt(text, Step("block", block))
        gripper.move_to_mm(-1000.0, speed=0.0, force=0.0)
        counts.append((float(block), _counts(gripper, timeout_s)))
        gripper.open(speed=0.0)
        _counts(gripper, timeout_s)
        prompt("Take the gauge block out, then press Enter.", Step("clear"))
    if not open_pos < closed_pos:
        raise CalibrationError(
            f"open counts {open_pos} are not below closed counts {closed_pos}",
            hint="nothing may block the fingers while closing; check the gripper moves",
        )
    cal = PositionCalibration(open_pos, open_mm, closed_pos, closed_mm)
    checks = tuple((block, cal.to_mm(count)) for block, count in counts)
    return GripperCalibration(cal, checks)


@dataclass(frozen=True)
class GaugeCalibration:
    """Newtons = sign * (raw - offset) * scale, with the residual of each known weight."""

    scale: float
    offset: float
    loads_n: tuple[float, ...]
    raw: tuple[float, ...]
    residuals_n: tuple[float, ...] = field(default=())

    @property
    def worst_residual_n(self) -> float:
        return max((abs(r) for r in self.residuals_n), default=0.0)


def _median_raw(sensor: ForceSensor, n: int) -> float:
    return statistics.median(sensor.read_raw()[0] for _ in range(n))


def calibrate_gauge(
    sensor: ForceSensor,
    prompt: Prompt,
    masses_kg: Sequence[float],
    *,
    n_samples: int = 50,
) -> GaugeCalibration:
    """Tare with no load, then put each known mass on the cell; fit newtons per raw unit.

    The fit is least squares through the tared zero (F = scale * (raw - offset)), so one weight
    is enough; more weights show the cell's linearity in the residuals.
    """
    if not masses_kg or any(not (math.isfinite(m) and m > 0) for m in masses_kg):
        raise CalibrationError(
            f"known masses {list(masses_kg)} must be positive", hint="e.g. --weights-kg 0.5,1,2"
        )
    prompt("Take every load off the load cell, then press Enter.", Step("unload"))
    offset = _median_raw(sensor, n_samples)
    loads, raws = [], []
    for mass in masses_kg:
        text = f"Put the {mass:g} kg weight on the load cell, then press Enter."
        prompt(text, Step("load", mass * STANDARD_GRAVITY))
        raws.append(_median_raw(sensor, n_samples) - offset)
        loads.append(mass * STANDARD_GRAVITY)
    denominator = sum(r * r for r in raws)
    if denominator <= 0 or all(abs(r) < 1e-12 for r in raws):
        raise CalibrationError(
            "the raw reading did not change under the weights",
            hint="check the cell is wired and the weight rests on it",
        )
    scale = sum(f * r for f, r in zip(loads, raws, strict=True)) / denominator
    residuals = tuple(scale * r - f for f, r in zip(loads, raws, strict=True))
    prompt("Take the weight off, then press Enter.", Step("unload"))
    return GaugeCalibration(scale, offset, tuple(loads), tuple(raws), residuals)
