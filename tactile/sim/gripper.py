"""The gripper's motion: open -> close at constant speed until a force target (or a width stop)
-> hold -> reopen, sampled at the camera's frame times.

A parallel gripper closes both fingers symmetrically, so with the object centred each finger's
approach is ``(object_size - width) / 2``; the width is the gap between the two gel surfaces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.sim.contact import ContactCurve

PHASE_APPROACH, PHASE_LOADING, PHASE_HOLD, PHASE_UNLOADING, PHASE_OPEN = range(5)
PHASE_NAMES = ("approach", "loading", "hold", "unloading", "open")


@dataclass(frozen=True)
class GripperProfile:
    """Closing profile of the simulated gripper."""

    open_gap_mm: float = 6.0  # opening beyond the object size at the start and end
    close_speed_mm_s: float = 20.0
    open_speed_mm_s: float = 25.0
    force_target_n: float = 20.0
    min_width_mm: float = 0.5  # mechanical stop
    finger_stiffness_n_per_mm: float = 0.0  # 0: rigid fingers; else each finger's compliance
    width_offset_mm: float = 0.0  # what the encoder reads beyond the gel-to-gel gap
    rest_before_s: float = 0.15
    hold_s: float = 0.4
    rest_after_s: float = 0.15

    def __post_init__(self) -> None:
        for name in ("close_speed_mm_s", "open_speed_mm_s", "force_target_n"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"GripperProfile.{name}={value!r} must be positive",
                    hint=f"e.g. {name}=10",
                )
        names = ("open_gap_mm", "min_width_mm", "rest_before_s", "hold_s", "rest_after_s")
        for name in (*names, "finger_stiffness_n_per_mm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"GripperProfile.{name}={value!r} must be >= 0", hint="use 0")
        if not math.isfinite(self.width_offset_mm):
            raise ConfigError(
                f"GripperProfile.width_offset_mm={self.width_offset_mm!r} must be finite",
                hint="the encoder's offset in mm, e.g. 0",
            )


def encoder_width_mm(
    gap_mm: np.ndarray, force_n: np.ndarray, profile: GripperProfile
) -> np.ndarray:
    """What the gripper's encoder reads: the motor position, which runs ahead of the gel gap by
    the deflection of both fingers (``2 F / k``) when the fingers are compliant, plus a
    constant offset (finger geometry the width reading does not account for)."""
    reading = gap_mm + profile.width_offset_mm if profile.width_offset_mm else gap_mm
    if profile.finger_stiffness_n_per_mm <= 0:
        return reading
    return reading - 2.0 * force_n / profile.finger_stiffness_n_per_mm


@dataclass(frozen=True)
class Motion:
    """True gripper width and phase at each nominal frame."""

    t_s: np.ndarray
    width_mm: np.ndarray
    phase: np.ndarray
    stop_width_mm: float
    stopped_by: str  # "force", "lockup", "object_limit" or "width_stop"
    stop_time_s: float = 0.0  # when the fingers stopped closing


def stop_width(size_mm: float, curve: ContactCurve, profile: GripperProfile) -> tuple[float, str]:
    """Where the fingers stop and why: ``force`` (target reached within the contact model),
    ``lockup`` (reached only in the lock-up beyond it: a squashed object), ``object_limit``
    (not reached at all) or ``width_stop`` (the mechanical stop came first)."""
    if curve.max_force_n >= profile.force_target_n:
        delta = float(curve.delta_for_force(profile.force_target_n))
        why = "force" if delta <= curve.model_limit_mm else "lockup"
    else:
        delta, why = curve.max_delta_mm, "object_limit"
    width = size_mm - 2.0 * delta
    if width < profile.min_width_mm:
        return profile.min_width_mm, "width_stop"
    return width, why


def gap_for_motor(
    motor_mm: np.ndarray, size_mm: float, curve: ContactCurve, finger_stiffness_n_per_mm: float
) -> np.ndarray:
    """The gel-to-gel gap when the motor (encoder) stands at ``motor_mm`` and each finger
    deflects by ``F / k`` under the contact force: ``gap = motor + 2 F(gap) / k``. The right
    side's motor position ``gap - 2 F(gap) / k`` grows with the gap, so it is inverted by
    interpolation over the contact curve."""
    motor = np.asarray(motor_mm, dtype=np.float64)
    if finger_stiffness_n_per_mm <= 0:
        return motor
    gaps = size_mm - 2.0 * curve.delta_mm[::-1]  # increasing
    motors = gaps - 2.0 * curve.force_n[::-1] / finger_stiffness_n_per_mm
    return np.where(motor >= size_mm, motor, np.interp(motor, motors, gaps))


def plan_motion(
    size_mm: float, curve: ContactCurve, profile: GripperProfile, fps: float, max_frames: int
) -> Motion:
    """Sample the open-close-hold-open cycle at ``fps``. The motor moves at the closing and
    opening speeds; with compliant fingers the gap lags it by the fingers' deflection, so it
    closes more slowly once the force builds up."""
    w_open = size_mm + profile.open_gap_mm
    w_stop, why = stop_width(size_mm, curve, profile)
    w_stop = min(w_stop, w_open)
    k = profile.finger_stiffness_n_per_mm
    m_stop = w_stop
    if k > 0:
        m_stop = w_stop - 2.0 * float(curve.at((size_mm - w_stop) / 2.0)["force_n"]) / k
    t_close = (w_open - m_stop) / profile.close_speed_mm_s
    t_open = (w_open - m_stop) / profile.open_speed_mm_s
    t1 = profile.rest_before_s
    t2 = t1 + t_close
    t3 = t2 + profile.hold_s
    t4 = t3 + t_open
    total = t4 + profile.rest_after_s
    n = math.floor(total * fps) + 1
    if n > max_frames:
        raise ConfigError(
            f"the grasp would take {n} frames (more than max_frames={max_frames})",
            hint="raise the closing speed, lower open_gap_mm, or raise max_frames",
        )
    t = np.arange(n) / fps
    width = np.full(n, w_open)
    closing = (t >= t1) & (t < t2)
    width[closing] = w_open - profile.close_speed_mm_s * (t[closing] - t1)
    width[(t >= t2) & (t < t3)] = m_stop
    opening = (t >= t3) & (t < t4)
    width[opening] = m_stop + profile.open_speed_mm_s * (t[opening] - t3)
    width = gap_for_motor(width, size_mm, curve, k)
    phase = np.full(n, PHASE_OPEN, np.int8)
    phase[t < t1] = PHASE_APPROACH
    touching = width < size_mm
    phase[closing] = np.where(touching[closing], PHASE_LOADING, PHASE_APPROACH)
    phase[(t >= t2) & (t < t3)] = PHASE_HOLD
    phase[opening] = np.where(touching[opening], PHASE_UNLOADING, PHASE_OPEN)
    return Motion(t, width, phase, w_stop, why, t2)


def relaxation_factor(
    t_s: np.ndarray, stop_time_s: float, fraction: float, time_constant_s: float
) -> np.ndarray:
    """Force relaxation at constant width after the fingers stop: a standard linear solid
    (Zener) loses ``fraction`` of its force with time constant ``time_constant_s``
    (R. S. Lakes, *Viscoelastic Materials*, CUP 2009, ch. 2)."""
    if fraction <= 0:
        return np.ones_like(t_s)
    elapsed = np.maximum(t_s - stop_time_s, 0.0)
    return 1.0 - fraction * (1.0 - np.exp(-elapsed / time_constant_s))
