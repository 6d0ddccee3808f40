"""Rig compliance from presses of a rigid object: ``tactile calibrate rig``.

The gripper's closure between the first squeeze and the hold is object + gel (both pads) + rig
(fingers, mount, gripper). On a rigid reference of known size the object takes nothing, so

    closure = gel_closure(F) + c_rig · F

with ``gel_closure`` from the calibration's gel model (Hertz for a sphere, with the thin-layer
factor and bottoming when the gel model has them; a flat punch over the pad for a flat face).
Per press: ``c_rig = (closure − gel_closure)/F`` at the hold.

**On a measured gel** (``calibration.gel_source == "measured"``: ``tactile calibrate
gel-measured``) the fit is lag31's "Fix A" (5d6b614, reverted in 1dee8f5 for the reference gel
and restored for measured gels only; issue 11). The closure is read from the first squeeze as
:func:`~tactile.processing.grasp_geometry.contact_width` reads it, which on a sphere sits above
zero force (the hinge and the force onset read the Hertz rise late: 0.4–1.0 N on simulated
golf-ball presses), so the model is counted from the force there, ``F_c`` (the force at the read
contact width on the loading branch, above the rest level): per press
``c_rig = (closure − [gel(F) − gel(F_c)])/(F − F_c)`` at the hold, the presses' force despiked
first (the Hampel filter every grasp's loading phase gets). Counted from zero force, the gel's
closure below ``F_c`` is charged to nothing and the rig reads short; with the reference gel
instead of the rig's own that error partly offset the gel's (why it was reverted: blind lost
soft objects, benchmarks/results/cal32_prereg.md), with a measured gel it does not (simulated
randomised rigs: |c_rig error| 0.14 → 0.01 mm/N median, benchmarks/results/calcon35_study.md).
Each press's ``F_c`` and their median are kept in the evidence (``contact_force_n``); blind's
rigid-reference closure does not read them. Any other calibration gets exactly the fit above.

A gauge not zeroed (``tactile collect --no-tare``) reads its rest level on every sample. Every
press goes through :func:`~tactile.processing.loading.zero_force`, as every grasp's loading
phase does: any press whose rest lies more than 0.2 N off zero (tared or not) is read above it,
the level kept in the evidence (``force_offset_n``); one within 0.2 N of zero is read as it is.

The same presses measure the contact-width bias: the opening at first squeeze (as
:func:`~tactile.processing.grasp_geometry.contact_width` reads it, the same estimator the blind
estimator uses on every object, so its own bias cancels) minus the known size.

The same presses give the **rigid-press curve** the learned estimators read
(``rigid_press_closure_mm`` at ``RIGID_PRESS_FORCES_N``, its spread, the width step;
:func:`rigid_press_curve`). This module is a pure function of the presses' signals, so the
simulator calibrates each randomised rig with it exactly as a user calibrates a real one.

The calibration stores (typed fields): ``rig_compliance_mm_per_n`` (median over presses, at least
0), ``rig_compliance_sd_mm_per_n`` (their spread — the scatter a new grasp on that rig may show,
not the standard error of the median), ``contact_width_bias_mm`` and
``contact_width_bias_sd_mm``, and ``provenance["rig_fit"]`` (per-press evidence). A press
whose contact width lies more than ``OUTLIER_BIAS_MM`` from the others' median is rejected
and listed (its width reading missed the first squeeze). What the gel and the rig each take
cannot be told apart on one rigid shape: the split follows the calibration's gel model, and
the two together are what the presses measure. Use rigid objects only (a golf ball,
a steel ball or block) — never the objects you evaluate on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

import numpy as np

from tactile.errors import CalibrationError
from tactile.sensor import RIGID_PRESS_FORCES_N, SensorCalibration

#: Smallest spread (mm/N) claimed for a rig compliance fitted on few presses.
MIN_RIG_SD_MM_PER_N = 0.02
#: A press whose contact width is further than this (mm) from the median of the presses' is
#: rejected: its width signal missed the first squeeze (a stale width reading during a fast
#: close), and its closure says nothing about the rig.
OUTLIER_BIAS_MM = 3.0
#: A press whose own compliance (closure beyond the gel's, per newton) is above this (mm/N) is
#: left out of the fit with its reason (:func:`tactile.calibration.rig.calibrate_rig`; all of
#: them: refused): the object deformed, or the fingers are this compliant. Far above any rig
#: seen (the real Wedge rig's golf-ball presses 0.0-0.08, the simulator's randomised rigs at most
#: 0.4; a steel ball on simulated 0.8 mm/N fingers reads 0.6-0.7); ``--max-press-compliance``
#: raises it for a gripper that compliant. It stops gross cases only: on the real Wedge rig the
#: soft balls read like a compliant rig (orange, 32 kPa: 0.45-0.57 mm/N; green 0.29-0.38;
#: purple 0.20-0.32, on wedge-reference-v3); a simulated 50 kPa ball reads 1.1.
MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N = 2.0
#: A press above this (mm/N) is kept but warned about: more than the rigs seen give.
COMPLIANT_PRESS_WARNING_MM_PER_N = 0.6
#: A fitted compliance more than this (mm/N) above the base calibration's own rig compliance,
#: and more than :data:`FAR_ABOVE_BASE_SDS` of its spread, is warned about (the presses
#: deformed, or this gripper is that much more compliant than the base's rig).
FAR_ABOVE_BASE_MM_PER_N = 0.2
FAR_ABOVE_BASE_SDS = 5.0
#: A median compliance below this (mm/N) is clipped to 0 with a warning: the presses closed less
#: than the base calibration's gel alone (its gel too soft, a wrong ``--rigid-size-mm``, or the
#: width reading's own lag on a rig stiffer than the fit can resolve).
NEGATIVE_RIG_WARNING_MM_PER_N = -0.05
#: Smallest spread (mm) claimed for the contact-width bias.
MIN_BIAS_SD_MM = 1.0
#: Fix A (measured gels): frames at the start of a press whose median force is its rest level
#: (``F_c`` is counted above it).
TOUCH_REST_FRAMES = 5
#: Fix A: ``F_c`` is counted at most this share of the hold force (a touch read that high is
#: not a first squeeze; such a press is rejected by its contact width anyway), so the
#: compliance stays a slope over most of the loading.
MAX_CONTACT_FORCE_SHARE = 0.5
#: Written into ``provenance["rig_fit"]["counted_from"]`` by a Fix A fit (measured gels).
RIG_FIT_FROM_TOUCH = "the read touch (F_c), measured gel"
PA_PER_N_PER_MM2 = 1.0e6
#: Written into ``provenance["rig_fit"]["signals"]`` by :func:`fit_rig`: the presses were read
#: with the width on the force's clock and the closing motion's force removed
#: (:mod:`tactile.processing.grasp_signals`, since 2026-12-05), as the blind estimator reads
#: every grasp. A rig fit without it was made by earlier code, which read a lagging width as
#: is: on a rig whose width lags, its contact-width bias is too large by lag x closing speed.
RIG_FIT_SIGNALS = "width on the force's clock, motion force removed"


def rig_fit_predates_signal_correction(calibration: SensorCalibration) -> bool:
    """True when ``calibration`` holds a rig fit made before the signal correction (see
    :data:`RIG_FIT_SIGNALS`): its ``provenance["rig_fit"]`` lacks ``signals``, or (a simulated
    rig's calibration, which keeps only that marker) it has the fitted rig fields and no
    ``rig_fit`` at all. False for current fits and for calibrations without a fitted rig."""
    fit = calibration.provenance.get("rig_fit")
    if isinstance(fit, dict):
        return "signals" not in fit
    fitted = calibration.rigid_press_closure_mm is not None or (
        calibration.rig_compliance_mm_per_n != 0.0 or calibration.contact_width_bias_mm != 0.0
    )
    return fitted


class _Signals(Protocol):
    @property
    def grasp_id(self) -> str: ...
    @property
    def force_n(self) -> np.ndarray: ...
    @property
    def width_mm(self) -> np.ndarray: ...
    @property
    def t_s(self) -> np.ndarray: ...


@dataclass(frozen=True)
class RigidPressCurve:
    """The rigid-press closure curve (see :func:`rigid_press_curve`)."""

    closure_mm: tuple[float, ...]  # at RIGID_PRESS_FORCES_N
    closure_sd_mm: float
    width_step_mm: float


def rigid_press_curve(presses: Sequence[_Signals]) -> RigidPressCurve | None:
    """Closure since the loading phase's first contact at each of ``RIGID_PRESS_FORCES_N``,
    median over the presses (their spread: ``closure_sd_mm``), with the loading-phase logic and
    stair-step interpolation the learned estimators use on every grasp, so the width reading's
    latency and offsets are measured as they will see them; the width step is the median
    nonzero change of the raw reading. None when no press has a loading phase."""
    from tactile.errors import TactileError
    from tactile.processing.loading import destair, find_loading_phase

    rows, steps = [], []
    for g in presses:
        force = np.asarray(g.force_n, dtype=np.float64)
        width = np.asarray(g.width_mm, dtype=np.float64)
        try:
            phase = find_loading_phase(force, width)
        except TactileError:
            continue
        c, p = phase.contact_index, phase.peak_index
        w = destair(width, np.asarray(g.t_s, dtype=np.float64))
        closure = w[c] - w[c : p + 1]
        f = np.maximum.accumulate(np.asarray(phase.force_n[c : p + 1], dtype=np.float64))
        f = f + np.arange(f.size) * 1e-9  # strictly increasing for interpolation
        rows.append(np.interp(RIGID_PRESS_FORCES_N, f, closure))
        dw = np.abs(np.diff(width))
        steps.extend(dw[dw > 1e-6].tolist())
    if not rows:
        return None
    table = np.stack(rows)
    curve = np.maximum.accumulate(np.maximum(np.median(table, axis=0), 0.0))
    spread = float(np.median(np.std(table, axis=0, ddof=1))) if len(rows) > 1 else 0.0
    return RigidPressCurve(
        closure_mm=tuple(float(v) for v in curve),
        closure_sd_mm=spread,
        width_step_mm=float(np.median(steps)) if steps else 0.0,
    )


def rigid_sphere_gel_closure_mm(
    force_n: float, radius_mm: float, calibration: SensorCalibration
) -> float:
    """Closure (mm, both pads) of the calibration's gel under a rigid sphere at ``force_n``.

    Solves ``F = 4/3 · E_g* · g(a) · √R · δ^{3/2}`` per pad for δ (bisection), with
    ``g = 1 + 0.33 (a/h)³`` for a thin bonded layer (Shull 2002) and ``a = √(Rδ)``; a gel that
    bottoms out (``gel_max_strain`` s) has its compliance multiplied by ``1 − (δ/(s·h))³``
    (the simulator's law, ``tactile.sim.contact``).
    """
    e_star = calibration.gel_modulus_pa / (1.0 - calibration.gel_poisson**2) / PA_PER_N_PER_MM2
    h = calibration.gel_thickness_mm
    thin = calibration.thin_layer
    lock = calibration.gel_lock_depth_mm or math.inf

    def force(delta: float) -> float:
        stiffen = 1.0 + 0.33 * (math.sqrt(radius_mm * delta) / h) ** 3 if thin else 1.0
        # bottoming: compliance x (1 - (d/D)^3), as tactile.sim.contact models it
        stiffen /= max(1.0 - (delta / lock) ** 3, 1e-12)
        return 4.0 / 3.0 * e_star * stiffen * math.sqrt(radius_mm) * delta**1.5

    lo, hi = 0.0, min(max(radius_mm, 1.0), lock)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if force(mid) < force_n else (lo, mid)
    return lo + hi


def flat_gel_closure_mm(force_n: float, area_mm2: float, calibration: SensorCalibration) -> float:
    """Closure (mm, both pads) of the gel under a rigid flat face of ``area_mm2``: a flat punch
    ``(1 − ν²)/(2aE)`` per pad (Boussinesq), thin-layer factor when the gel model says so."""
    a = math.sqrt(area_mm2 / math.pi)
    c = (1.0 - calibration.gel_poisson**2) / (
        2.0 * a * calibration.gel_modulus_pa / PA_PER_N_PER_MM2
    )
    if calibration.thin_layer:
        c /= 1.0 + 0.33 * (a / calibration.gel_thickness_mm) ** 3
    return 2.0 * c * force_n


@dataclass(frozen=True)
class RigPress:
    """One rigid press: its hold, closure, the gel's share and what is left for the rig."""

    grasp_id: str
    hold_force_n: float
    closure_mm: float
    contact_width_mm: float
    gel_closure_mm: float
    rig_compliance_mm_per_n: float
    contact_width_bias_mm: float
    #: the width reading's lag behind the force on this press (s); None: not measurable
    width_lag_s: float | None = None
    #: Fix A (measured gel): the force (N, above rest) at the read contact width, where the
    #: closure and the gel's share (then between the touch and the hold) start; None: today's
    #: fit, counted from zero force
    contact_force_n: float | None = None
    #: the force reading's offset taken off this press before the fit (a gauge not zeroed:
    #: :func:`~tactile.processing.loading.zero_force`, as every grasp's loading phase takes it
    #: off); 0.0: none
    force_offset_n: float = 0.0


@dataclass(frozen=True)
class RigFit:
    """Rig compliance and contact-width bias fitted on rigid presses (see the module doc)."""

    rig_compliance_mm_per_n: float
    rig_compliance_sd_mm_per_n: float
    contact_width_bias_mm: float
    contact_width_bias_sd_mm: float
    reference_size_mm: float
    reference_shape: str
    presses: tuple[RigPress, ...]
    rejected: tuple[str, ...] = ()
    curve: RigidPressCurve | None = None  # from the presses kept
    #: presses left out because they did not read rigid: (grasp id, reason)
    not_rigid: tuple[tuple[str, str], ...] = ()
    #: what the user should know about the fit (e.g. a clearly negative compliance clipped)
    warnings: tuple[str, ...] = ()

    @property
    def contact_force_n(self) -> float | None:
        """Fix A: the force at the read first squeeze (N), the median over the presses kept;
        None for today's fit (counted from zero force)."""
        kept = [
            p.contact_force_n
            for p in self.presses
            if p.grasp_id not in self.rejected and p.contact_force_n is not None
        ]
        return round(float(np.median(kept)), 4) if kept else None

    @property
    def width_lag_s(self) -> float | None:
        """The width reading's lag (s): the median over the presses kept whose record shows it
        (a complete loading and release), None when none does."""
        kept = [p for p in self.presses if p.grasp_id not in self.rejected]
        lags = [p.width_lag_s for p in kept if p.width_lag_s is not None]
        return round(float(np.median(lags)), 4) if lags else None

    def evidence(self) -> dict[str, Any]:
        """Per-press evidence (stored as ``provenance["rig_fit"]``)."""
        evidence: dict[str, Any] = {
            "signals": RIG_FIT_SIGNALS,
            "reference_size_mm": self.reference_size_mm,
            "reference_shape": self.reference_shape,
            "presses": [_press_evidence(p) for p in self.presses],
            "rejected": list(self.rejected),
        }
        if self.not_rigid:  # only when some were left out: other fits keep their record
            evidence["not_rigid"] = [{"grasp_id": g, "reason": r} for g, r in self.not_rigid]
        if self.warnings:
            evidence["warnings"] = list(self.warnings)
        if self.contact_force_n is not None:  # Fix A only: today's fits keep today's record
            evidence["counted_from"] = RIG_FIT_FROM_TOUCH
            evidence["contact_force_n"] = self.contact_force_n
        return evidence

    def apply(self, calibration: SensorCalibration, calibration_id: str) -> SensorCalibration:
        """``calibration`` with this rig in its typed fields, under a new id."""
        return replace(
            calibration,
            calibration_id=calibration_id,
            rig_compliance_mm_per_n=self.rig_compliance_mm_per_n,
            rig_compliance_sd_mm_per_n=self.rig_compliance_sd_mm_per_n,
            contact_width_bias_mm=self.contact_width_bias_mm,
            contact_width_bias_sd_mm=self.contact_width_bias_sd_mm,
            rigid_press_closure_mm=self.curve.closure_mm if self.curve else None,
            rigid_press_closure_sd_mm=self.curve.closure_sd_mm if self.curve else 0.0,
            rigid_press_size_mm=self.reference_size_mm if self.curve else None,
            rigid_press_shape=self.reference_shape,
            width_step_mm=self.curve.width_step_mm if self.curve else None,
            width_lag_s=self.width_lag_s,
            provenance={**calibration.provenance, "rig_fit": self.evidence()},
        )


def _press_evidence(press: RigPress) -> dict[str, Any]:
    row = asdict(press)
    if row["contact_force_n"] is None:  # today's fit: the record as before Fix A
        del row["contact_force_n"]
    if row["force_offset_n"] == 0.0:  # a zeroed gauge: the record as before
        del row["force_offset_n"]
    return row


def _spread(values: np.ndarray, floor: float) -> float:
    if values.size < 2:
        return floor
    return max(floor, float(np.std(values, ddof=1)))


def _fit_rows(
    presses: Sequence[_Signals],
    corrected: Sequence[Any],
    calibration: SensorCalibration,
    size_mm: float,
    shape: str,
    pad_area_mm2: float | None,
    from_touch: bool = False,
) -> list[RigPress]:
    """One :class:`RigPress` per press, from its corrected force and width; ``from_touch``:
    Fix A (counted from the force at the read touch; measured gels only)."""
    from tactile.processing.grasp_geometry import contact_width, hold_point

    def gel_closure(force_n: float) -> float:
        if shape == "sphere":
            return rigid_sphere_gel_closure_mm(force_n, size_mm / 2.0, calibration)
        return flat_gel_closure_mm(force_n, float(pad_area_mm2 or 0.0), calibration)

    rows = []
    for g, c in zip(presses, corrected, strict=True):
        cw = contact_width(c.force_n, c.width_mm)
        hold = hold_point(c.force_n, c.width_mm)
        if hold.force_n <= 0.5:
            raise CalibrationError(
                f"press {g.grasp_id!r}: the hold force {hold.force_n:.2g} N is too low",
                hint="press the rigid object to a force-controlled hold (e.g. 20 N)",
            )
        closure = cw.width_mm - hold.width_mm
        f_c: float | None = None
        if from_touch:
            f_c = min(
                contact_force_n(c.force_n, c.width_mm, cw.width_mm),
                MAX_CONTACT_FORCE_SHARE * hold.force_n,
            )
            gel = gel_closure(hold.force_n) - gel_closure(f_c)
            rig = (closure - gel) / (hold.force_n - f_c)
        else:
            gel = gel_closure(hold.force_n)
            rig = (closure - gel) / hold.force_n
        rows.append(
            RigPress(
                grasp_id=g.grasp_id,
                hold_force_n=hold.force_n,
                closure_mm=closure,
                contact_width_mm=cw.width_mm,
                gel_closure_mm=gel,
                rig_compliance_mm_per_n=rig,
                contact_width_bias_mm=cw.width_mm - size_mm,
                width_lag_s=None if c.lag is None else float(c.lag.lag_s),
                contact_force_n=f_c,
            )
        )
    return rows


def contact_force_n(force_n: np.ndarray, width_mm: np.ndarray, contact_width_mm: float) -> float:
    """The force (N) at ``contact_width_mm`` on the loading branch (the frames up to the peak
    force), above the rest level (median of the first :data:`TOUCH_REST_FRAMES` frames), at
    least 0: where a closure read from that contact width starts (Fix A)."""
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    peak = int(np.argmax(f))
    rest = float(np.median(f[:TOUCH_REST_FRAMES]))
    order = np.argsort(w[: peak + 1], kind="stable")
    at = float(np.interp(contact_width_mm, w[: peak + 1][order], f[: peak + 1][order]))
    return max(at - rest, 0.0)


def _despiked(force_n: np.ndarray) -> np.ndarray:
    from tactile.processing.loading import despike

    f = np.asarray(force_n, dtype=np.float64)
    return despike(f)[0] if f.size >= 3 else f


def _force_offset_n(force_n: np.ndarray, width_mm: np.ndarray) -> float:
    """The force reading's offset of one press (a gauge not zeroed, ``tactile collect
    --no-tare``): its rest level when :func:`~tactile.processing.loading.zero_force` takes it
    off (a rest off zero by more than 0.2 N), else 0.0."""
    from tactile.processing.loading import zero_force

    f = _despiked(force_n)
    if f.size < 3:
        return 0.0
    zero = zero_force(f, np.asarray(width_mm, dtype=np.float64))[1]
    return zero.level_n if zero.taken_off else 0.0


def _with_offsets(rows: list[RigPress], offsets: Sequence[float]) -> list[RigPress]:
    return [
        replace(r, force_offset_n=float(o)) if o else r for r, o in zip(rows, offsets, strict=True)
    ]


def fit_rig(
    presses: Sequence[_Signals],
    calibration: SensorCalibration,
    *,
    size_mm: float,
    shape: str = "sphere",
    pad_area_mm2: float | None = None,
) -> RigFit:
    """Fit the rig compliance and contact-width bias on presses of a rigid object.

    ``size_mm``: the object's size along the squeeze axis (a sphere's diameter, a block's
    thickness); ``shape``: ``sphere`` or ``flat`` (a face covering ``pad_area_mm2``). On a
    calibration whose gel was measured (``gel_source == "measured"``) the rig is counted from
    the read touch (Fix A, the module doc); on any other, from zero force as before.
    """
    if not presses:
        raise CalibrationError(
            "tactile calibrate rig needs at least one press", hint="pass the rigid presses"
        )
    if shape not in ("sphere", "flat"):
        raise CalibrationError(
            f"rigid reference shape {shape!r} is not 'sphere' or 'flat'",
            hint="press a rigid ball (--rigid-shape sphere) or a block (--rigid-shape flat)",
        )
    if shape == "flat" and not pad_area_mm2:
        raise CalibrationError(
            "a flat rigid reference needs the pad's area",
            hint="use a calibration with a pad warp, or press a rigid ball",
        )
    from tactile.processing.grasp_signals import correct_signals

    from_touch = calibration.gel_measured
    # the width on the force's clock and the motion's force removed, as the blind estimator
    # reads every grasp (grasp_signals); the motion force follows the gap, which needs the rig
    # compliance: a first pass on the readings, then again with the compliance it gives. Fix A
    # (a measured gel) despikes the force first, as blind's loading phase does (a -70 N glitch
    # would pull the touch and the hold)
    # a gauge not zeroed (--no-tare) reads its rest level on every sample: the hold force and
    # the touch are read above it, as the loading phase of every grasp reads them
    offsets = [_force_offset_n(g.force_n, g.width_mm) for g in presses]
    forces = [
        (_despiked(g.force_n) if from_touch else np.asarray(g.force_n, dtype=np.float64)) - off
        for g, off in zip(presses, offsets, strict=True)
    ]
    corrected = [
        correct_signals(g.t_s, f, g.width_mm) for g, f in zip(presses, forces, strict=True)
    ]
    first = _fit_rows(presses, corrected, calibration, size_mm, shape, pad_area_mm2, from_touch)
    first = _with_offsets(first, offsets)
    first_rig = max(float(np.median([r.rig_compliance_mm_per_n for r in first])), 0.0)
    if any(c.motion is not None and c.motion.slope_n_per_mm != 0.0 for c in corrected):
        corrected = [
            correct_signals(g.t_s, f, g.width_mm, first_rig)
            for g, f in zip(presses, forces, strict=True)
        ]
        rows = _fit_rows(presses, corrected, calibration, size_mm, shape, pad_area_mm2, from_touch)
        rows = _with_offsets(rows, offsets)
    else:
        rows = first
    all_bias = np.array([r.contact_width_bias_mm for r in rows])
    keep = np.abs(all_bias - np.median(all_bias)) <= OUTLIER_BIAS_MM
    rejected = tuple(r.grasp_id for r, k in zip(rows, keep, strict=True) if not k)
    rig = np.array([r.rig_compliance_mm_per_n for r, k in zip(rows, keep, strict=True) if k])
    bias = all_bias[keep]
    median_rig = float(np.median(rig))
    warnings: tuple[str, ...] = ()
    if median_rig < NEGATIVE_RIG_WARNING_MM_PER_N:
        low = [r.grasp_id for r, k in zip(rows, keep, strict=True) if k]
        warnings = (
            f"the presses ({', '.join(low)}) closed less than the base calibration's gel alone: "
            f"median rig compliance {median_rig:.3f} mm/N, stored as 0. Check --rigid-size-mm "
            "and the base calibration's gel (`tactile calibrate gel --rigid-sphere-radius-mm` "
            "on these presses first); on a rig this stiff 0 is the fit",
        )
    return RigFit(
        rig_compliance_mm_per_n=max(median_rig, 0.0),
        rig_compliance_sd_mm_per_n=_spread(rig, MIN_RIG_SD_MM_PER_N),
        contact_width_bias_mm=float(np.median(bias)),
        contact_width_bias_sd_mm=_spread(bias, MIN_BIAS_SD_MM),
        reference_size_mm=size_mm,
        reference_shape=shape,
        presses=tuple(rows),
        rejected=rejected,
        curve=rigid_press_curve([g for g, k in zip(presses, keep, strict=True) if k]),
        warnings=warnings,
    )


def not_rigid_reason(
    press: RigPress, max_compliance_mm_per_n: float = MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N
) -> str | None:
    """Why ``press`` cannot be a press of a rigid object on this rig, or None: its own
    compliance (closure beyond the gel's, per newton) is above ``max_compliance_mm_per_n``."""
    if press.rig_compliance_mm_per_n <= max_compliance_mm_per_n:
        return None
    return (
        f"it closed {press.closure_mm:.1f} mm at {press.hold_force_n:.1f} N, "
        f"{press.closure_mm - press.gel_closure_mm:.1f} mm beyond the gel's "
        f"({press.rig_compliance_mm_per_n:.2f} mm/N, above {max_compliance_mm_per_n:g}): "
        "the object deformed, or the fingers are this compliant"
    )


def compliance_warnings(
    fit: RigFit,
    base: SensorCalibration,
    warn_above_mm_per_n: float = COMPLIANT_PRESS_WARNING_MM_PER_N,
) -> tuple[str, ...]:
    """Warnings about a fit's compliance (kept presses above ``warn_above_mm_per_n``; a fit far
    above ``base``'s own rig compliance). Force and width cannot tell a soft object from a
    compliant rig: these flag what a rigid press on the base's rig would not give."""
    out: list[str] = []
    high = [p for p in fit.presses if p.rig_compliance_mm_per_n > warn_above_mm_per_n]
    if high:
        out.append(
            f"{len(high)} press(es) read more compliance than {warn_above_mm_per_n:g} mm/N ("
            + ", ".join(f"{p.grasp_id}: {p.rig_compliance_mm_per_n:.2f}" for p in high)
            + "): the object deformed (press a rigid reference only), or the fingers are this "
            "compliant (then the fit holds)"
        )
    c, c0 = fit.rig_compliance_mm_per_n, base.rig_compliance_mm_per_n
    sd0 = base.rig_compliance_sd_mm_per_n or 0.0
    limit = c0 + max(FAR_ABOVE_BASE_MM_PER_N, FAR_ABOVE_BASE_SDS * sd0)
    if c > limit:
        out.append(
            f"the fitted rig compliance {c:.3f} mm/N is far above the base calibration's own "
            f"({base.calibration_id}: {c0:.3f} +- {sd0:.3f} mm/N): the object deformed (a soft "
            "ball reads like a compliant rig: press a rigid reference only), or this gripper "
            "is that much more compliant than the base's rig"
        )
    return tuple(out)
