"""A randomised rig: what differs between grippers, gels, cameras and days, drawn per grasp.

A network trained on one fixed simulated rig learns that rig (the review of issue 12: the
training simulator closed 4.7 mm on a rigid ball at 25 N, the real Wedge rig ~3.6 mm, and
soft objects twice as much). :class:`RigRanges` names the ranges, :func:`draw_rig` draws one
:class:`RigDraw` per grasp and :func:`apply_rig` turns simulator settings into that rig's.

What a user can measure on their own rig is what ``tactile calibrate rig`` fits on presses of a
rigid reference (a golf ball): the rig compliance, the contact-width bias and the rigid-press
curve (typed fields of :class:`~tactile.sensor.SensorCalibration`). The simulator calibrates
each randomised rig the same way (:func:`calibrate_rig`): three presses of a rigid golf ball on
that rig (signals only, from the same contact model that simulates the grasp), fitted by the
same function, :func:`tactile.processing.rig_fit.fit_rig`, on top of the calibration the grasps
are processed with. Every grasp on the rig carries that calibration (``GraspMetadata.
calibration``), so estimators read a simulated rig exactly as a real one.

Ranges (docs/simulator.md, "Randomised rig", has the measurements behind them):

- rigid closure: the real Wedge rig closes 3.4-3.6 mm on the golf ball at 24-25 N (session
  2023-12-16, unclipped cycles: width at force onset minus the minimum width; 2023-12-06:
  the ``wedge-reference-v3`` rigid-press fit, 3.44 mm). The gel modulus, gel thickness and
  rig compliance below span rigid closures of about 1.5-7 mm at 25 N around it; measured as
  the network reads it (the rigid-press curve of ``tactile calibrate rig``, from the detected
  contact, with the encoder's latency) the real rigs close 7.6-10 mm at 25 N, which the
  compliance range up to 0.4 mm/N covers (simulated 4-9 mm, 10-90 %);
- width reading: at force onset it exceeds the golf ball's size by 1.1-4.1 mm (2023-12-06)
  and 3.3-6.3 mm (2023-12-16, closing at 17.5-18 mm/s): a constant offset of 0-4 mm plus a
  latency of 0-0.35 s; readings change every 3-6 frames, a median step of 0.7-1.2 mm
  (update period 0.03-0.15 s at the simulated speeds), quantisation 0.01-0.2 mm;
- force that builds with the closing motion before the touch (up to ~2 N over 25 mm of travel
  on some 2023-12-16 cycles): 0-0.1 N/mm on half of the grasps;
- closing speed 15-25 mm/s (measured 18-20), force target 15-26 N (real peaks 16-25 N);
- camera: exposure gain 0.85-1.15, ambient light ±15 %, the raw view moving 0.5-1.5x the
  measured -0.0128 px/N under load, and a pose offset of the whole view of up to 2 px
  against the calibration's pad corners (a bumped or re-mounted camera).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.estimators.neural.rig import REFERENCE_SPHERE_DIAMETER_MM
from tactile.processing.rig_fit import RIG_FIT_SIGNALS, fit_rig
from tactile.sensor import RIGID_PRESS_FORCES_N, SensorCalibration, get_calibration
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.objects import SimObject

#: Presses of the rigid reference sphere a simulated rig calibration takes (median per force).
CALIBRATION_PRESSES = 3

__all__ = [
    "CALIBRATION_PRESSES",
    "REFERENCE_SPHERE_DIAMETER_MM",
    "RIGID_PRESS_FORCES_N",
    "PressSignals",
    "RigDraw",
    "RigRanges",
    "apply_rig",
    "calibrate_rig",
    "draw_rig",
    "press_signals",
    "rigid_press_closure_mm",
]


@dataclass(frozen=True)
class RigRanges:
    """Uniform (``*_log``: log-uniform) ranges of the randomised rig; see the module docstring
    for where they come from. Each pair is (low, high)."""

    gel_modulus_pa: tuple[float, float] = (1.5e5, 6.0e5)  # log-uniform
    gel_thickness_mm: tuple[float, float] = (1.5, 4.0)
    gel_max_strain: tuple[float, float] = (0.8, 0.95)  # where the gel bottoms out
    rig_compliance_mm_per_n: tuple[float, float] = (0.0, 0.4)  # both fingers together
    width_offset_mm: tuple[float, float] = (0.0, 4.0)
    width_update_period_s: tuple[float, float] = (0.03, 0.15)
    width_resolution_mm: tuple[float, float] = (0.01, 0.2)  # log-uniform
    width_latency_s: tuple[float, float] = (0.0, 0.4)
    motion_force_n_per_mm: tuple[float, float] = (0.0, 0.1)  # with probability 1/2, else 0
    close_speed_mm_s: tuple[float, float] = (15.0, 25.0)
    force_target_n: tuple[float, float] = (16.0, 24.0)  # then +-20 % per grasp (dataset)
    image_gain: tuple[float, float] = (0.85, 1.15)
    ambient_scale: tuple[float, float] = (0.85, 1.15)
    raw_shift_scale: tuple[float, float] = (0.5, 1.5)
    contact_texture_scale: tuple[float, float] = (0.7, 1.3)  # x the preset's contact texture
    pose_offset_px: float = 2.0  # the whole raw view moved by up to this (each axis)
    offset_jitter_mm: float = 3.0  # object off the pad centre by up to this (each axis)

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            pair = value if isinstance(value, tuple) else (0.0, value)
            lo, hi = pair
            if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi):
                raise ConfigError(
                    f"RigRanges.{name}={value!r} must be a range 0 <= low <= high",
                    hint="give (low, high) in the unit the name says",
                )


@dataclass(frozen=True)
class RigDraw:
    """One rig, as drawn (the truth the simulator uses)."""

    gel_modulus_pa: float
    gel_thickness_mm: float
    gel_max_strain: float
    rig_compliance_mm_per_n: float
    width_offset_mm: float
    width_update_period_s: float
    width_resolution_mm: float
    width_latency_s: float
    motion_force_n_per_mm: float
    close_speed_mm_s: float
    force_target_n: float
    image_gain: float
    ambient_scale: float
    raw_shift_scale: float
    contact_texture_scale: float
    pose_offset_px: tuple[float, float]
    offset_jitter_mm: float

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["pose_offset_px"] = [round(v, 3) for v in self.pose_offset_px]
        return {f"rig_{k}": v for k, v in data.items()}


def _uniform(rng: np.random.Generator, pair: tuple[float, float], log: bool = False) -> float:
    lo, hi = pair
    if log and lo > 0:
        return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return float(rng.uniform(lo, hi))


def draw_rig(rng: np.random.Generator, ranges: RigRanges | None = None) -> RigDraw:
    """One random rig from ``ranges`` (default :class:`RigRanges`)."""
    r = ranges or RigRanges()
    return RigDraw(
        gel_modulus_pa=_uniform(rng, r.gel_modulus_pa, log=True),
        gel_thickness_mm=_uniform(rng, r.gel_thickness_mm),
        gel_max_strain=_uniform(rng, r.gel_max_strain),
        rig_compliance_mm_per_n=_uniform(rng, r.rig_compliance_mm_per_n),
        width_offset_mm=_uniform(rng, r.width_offset_mm),
        width_update_period_s=_uniform(rng, r.width_update_period_s),
        width_resolution_mm=_uniform(rng, r.width_resolution_mm, log=True),
        width_latency_s=_uniform(rng, r.width_latency_s),
        motion_force_n_per_mm=_uniform(rng, r.motion_force_n_per_mm) * float(rng.random() < 0.5),
        close_speed_mm_s=_uniform(rng, r.close_speed_mm_s),
        force_target_n=_uniform(rng, r.force_target_n),
        image_gain=_uniform(rng, r.image_gain),
        ambient_scale=_uniform(rng, r.ambient_scale),
        raw_shift_scale=_uniform(rng, r.raw_shift_scale),
        contact_texture_scale=_uniform(rng, r.contact_texture_scale),
        pose_offset_px=(
            float(rng.uniform(-r.pose_offset_px, r.pose_offset_px)),
            float(rng.uniform(-r.pose_offset_px, r.pose_offset_px)),
        ),
        offset_jitter_mm=r.offset_jitter_mm,
    )


def rigid_press_closure_mm(
    gel: GelModel,
    rig_compliance_mm_per_n: float,
    forces_n: tuple[float, ...] = RIGID_PRESS_FORCES_N,
    *,
    pad_mm: tuple[float, float] = (35.0, 25.5),
) -> np.ndarray:
    """True closure (mm, both fingers plus the rig) on the rigid reference sphere at these
    forces, from the simulator's own contact model."""
    ball = SimObject(
        shape="sphere", radius_mm=REFERENCE_SPHERE_DIAMETER_MM / 2.0, modulus_pa=1e11, poisson=0.3
    )
    curve = contact_curve(ball, gel, pad_x_mm=pad_mm[0], pad_y_mm=pad_mm[1])
    f = np.asarray(forces_n, dtype=np.float64)
    return 2.0 * curve.delta_for_force(f) + rig_compliance_mm_per_n * f


@dataclass(frozen=True, eq=False)
class PressSignals:
    """One simulated press of the rigid reference: what ``tactile calibrate rig`` reads."""

    grasp_id: str
    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray


def press_signals(cfg: Any, seed: int, obj: SimObject | None = None) -> PressSignals:
    """Force and width of one press of the rigid reference sphere (or of ``obj``) with these
    settings, signals only (no frames): what a rig calibration records."""
    from tactile.sim.gripper import encoder_width_mm, plan_motion, relaxation_factor
    from tactile.sim.sensors import frame_times, noisy_force, noisy_width

    ball = obj or SimObject(
        shape="sphere", radius_mm=REFERENCE_SPHERE_DIAMETER_MM / 2.0, modulus_pa=1e11, poisson=0.3
    )
    gel = GelModel.from_calibration(cfg.calibration)
    pad = cfg.calibration.pad_size_mm or (35.0, 25.5)
    curve = contact_curve(ball, gel, pad_x_mm=pad[0], pad_y_mm=pad[1])
    rng = np.random.default_rng(seed)
    motion = plan_motion(ball.size_z_mm, curve, cfg.gripper, cfg.fps, cfg.max_frames)
    t_s, keep = frame_times(motion.t_s.size, cfg.fps, cfg.noise, rng)
    width = motion.width_mm[keep]
    relax = relaxation_factor(
        motion.t_s[keep], motion.stop_time_s, cfg.relaxation_fraction, cfg.relaxation_time_s
    )
    force = curve.at(np.maximum((ball.size_z_mm - width) / 2.0, 0.0))["force_n"] * relax
    drift = cfg.noise.motion_force_n_per_mm * (width[0] - width)
    force_read = noisy_force(force + drift, t_s, cfg.noise, rng)
    width_read = noisy_width(encoder_width_mm(width, force, cfg.gripper), t_s, cfg.noise, rng)
    return PressSignals(f"rigid_press_{seed}", t_s, force_read, width_read)


def calibrate_rig(cfg: Any, base: SensorCalibration, seed: int = 0) -> SensorCalibration:
    """The calibration a user would make of the rig of these settings: ``base`` (the
    calibration the grasps are processed with) plus what ``tactile calibrate rig`` fits on
    :data:`CALIBRATION_PRESSES` simulated presses of a rigid golf ball on this rig — the same
    function (:func:`tactile.processing.rig_fit.fit_rig`) on the same signals a real rig's
    presses give. Its id is the base's plus a digest of the fit."""
    presses = [press_signals(cfg, seed + i) for i in range(CALIBRATION_PRESSES)]
    fit = fit_rig(presses, base, size_mm=REFERENCE_SPHERE_DIAMETER_MM)
    cal = fit.apply(base, base.calibration_id)
    # the per-press evidence stays out of the grasp files (it is the fit's input, not its
    # result); how the presses were read stays (rig_fit_predates_signal_correction)
    provenance = {k: v for k, v in cal.provenance.items() if k != "rig_fit"}
    provenance["rig_fit"] = {"signals": RIG_FIT_SIGNALS}
    cal = replace(cal, provenance=provenance)
    digest = hashlib.sha1(json.dumps(cal.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
    return replace(cal, calibration_id=f"{base.calibration_id}+simrig-{digest}")


def apply_rig(cfg: Any, draw: RigDraw) -> Any:
    """Simulator settings (a :class:`~tactile.sim.grasp.SimGraspConfig`) on this rig: gel,
    gripper, width encoder, exposure, light and camera pose; the rig and its calibration are
    recorded in every grasp's metadata."""
    cal = replace(
        cfg.calibration,
        gel_modulus_pa=draw.gel_modulus_pa,
        gel_thickness_mm=draw.gel_thickness_mm,
        gel_max_strain=draw.gel_max_strain,
    )
    compliance = draw.rig_compliance_mm_per_n
    gripper = replace(
        cfg.gripper,
        finger_stiffness_n_per_mm=2.0 / compliance if compliance > 1e-6 else 0.0,
        width_offset_mm=draw.width_offset_mm,
        close_speed_mm_s=draw.close_speed_mm_s,
        force_target_n=draw.force_target_n,
    )
    noise = replace(
        cfg.noise,
        width_update_period_s=draw.width_update_period_s,
        width_resolution_mm=draw.width_resolution_mm,
        width_latency_s=draw.width_latency_s,
        motion_force_n_per_mm=draw.motion_force_n_per_mm,
        image_gain=draw.image_gain,
    )
    optics = replace(
        cfg.optics,
        ambient=cfg.optics.ambient * draw.ambient_scale,
        contact_texture_mm=cfg.optics.contact_texture_mm * draw.contact_texture_scale,
    )
    sx, sy = cfg.raw_shift_px_per_n
    out = replace(
        cfg,
        calibration=cal,
        gripper=gripper,
        noise=noise,
        optics=optics,
        offset_jitter_mm=max(cfg.offset_jitter_mm, draw.offset_jitter_mm),
        raw_shift_px_per_n=(sx * draw.raw_shift_scale, sy * draw.raw_shift_scale),
        raw_pose_offset_px=draw.pose_offset_px,
    )
    # the calibration presses use the rig's own nominal force target (no per-grasp jitter)
    base = get_calibration(cfg.processing_calibration_id or cfg.calibration.calibration_id)
    rig_cal = calibrate_rig(out, base, seed=int(1e6 * (draw.gel_thickness_mm % 1.0)))
    return replace(out, rig=draw.summary(), rig_calibration=rig_cal)
