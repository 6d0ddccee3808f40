"""Per-grasp validation: accept a recorded grasp, or reject it with a stated reason."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.types import Flag, Grasp


@dataclass(frozen=True)
class ValidationLimits:
    """Thresholds for accepting a grasp (forces in N, widths in mm)."""

    contact_force_n: float = 0.5  # a grasp whose force never exceeds this never touched
    min_peak_force_n: float = 2.0  # too weak a squeeze to estimate anything
    min_width_change_mm: float = 0.5  # the fingers must have moved
    max_force_glitches: int = 3  # spikes rejected while recording
    min_force_n: float = -5.0  # recorded forces below this are glitches that got through

    def __post_init__(self) -> None:
        for name in ("contact_force_n", "min_peak_force_n", "min_width_change_mm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"ValidationLimits.{name}={value!r} must be >= 0", hint="")
        if self.max_force_glitches < 0:
            raise ConfigError("ValidationLimits.max_force_glitches must be >= 0", hint="use 0")


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reasons: tuple[str, ...] = ()
    flags: frozenset[Flag] = frozenset()

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "ok"


def force_above_rest_n(grasp: Grasp) -> np.ndarray:
    """The grasp's force less the rest level of a gauge not zeroed (``meta.extra
    ["force_rest_n"]``, read by the recorder with the gripper open; 0 when tared)."""
    rest = float(grasp.meta.extra.get("force_rest_n", 0.0))
    return np.asarray(grasp.force_n, dtype=np.float64) - rest


def validate_grasp(grasp: Grasp, limits: ValidationLimits | None = None) -> Verdict:
    """Check a recorded grasp; every rejection names its reason and the threshold. Forces are
    read above the rest level of a gauge not zeroed (:func:`force_above_rest_n`)."""
    lim = limits or ValidationLimits()
    reasons: list[str] = []
    flags: set[Flag] = set()
    force = force_above_rest_n(grasp)
    peak = float(np.max(force))
    if peak < lim.contact_force_n:
        reasons.append(f"no contact: peak force {peak:.2f} N stayed below {lim.contact_force_n} N")
        flags.add(Flag.NO_CONTACT)
    elif peak < lim.min_peak_force_n:
        reasons.append(f"force too low: peak {peak:.2f} N < {lim.min_peak_force_n} N")
        flags.add(Flag.FORCE_TOO_LOW)
    n_spikes = int(grasp.meta.extra.get("n_force_rejected", 0))
    n_low = int(np.count_nonzero(force < lim.min_force_n))
    if n_spikes > lim.max_force_glitches or n_low:
        reasons.append(
            f"force glitches: {n_spikes} spike(s) rejected (limit {lim.max_force_glitches}), "
            f"{n_low} reading(s) below {lim.min_force_n} N"
        )
        flags.add(Flag.FORCE_GLITCHES)
    change = float(np.ptp(grasp.width_mm))
    if change < lim.min_width_change_mm:
        reasons.append(f"width never changed: range {change:.2f} mm < {lim.min_width_change_mm} mm")
        flags.add(Flag.WIDTH_UNCHANGED)
    if "aborted" in grasp.meta.extra:
        reasons.append(f"aborted: {grasp.meta.extra['aborted']}")
    return Verdict(not reasons, tuple(reasons), frozenset(flags))
