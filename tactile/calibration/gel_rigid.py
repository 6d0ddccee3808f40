"""Fit the gel's effective modulus in closed form from a stiff reference object of known E.

The complement of :func:`tactile.calibration.gel_labelled.fit_gel_modulus` (a grid search that
matches estimates of objects softer than the gel to their labels): here the object should be
*stiffer* than the gel, so that the measured compliance is mostly the gel's.

Each grasp's Hertz fit measures the total compliance ``1/E* = c_o + f·c_g`` (f: the thin-layer
factor, 1 for a half-space gel). With the object's E known, ``c_g = (1/E* − c_o)/f`` and
``E_g = (1 − ν_g²)/c_g``. Only objects that leave most of the compliance to the gel inform it
(object share ``c_o·E* ≤ max_object_share``, default 0.5): for a soft object a small error in E*
becomes a large error in ``c_g``. A rigid reference ball (a golf ball, a steel bearing ball) is
the ideal target. The result is an *effective* modulus: it absorbs whatever else deforms in
series with the object in the same way (finger mounts, the gel's backing), which is what the
estimators need. Its log10 standard deviation (the spread over grasps / √n, never below
``min_log10_sd``) becomes ``SensorCalibration.gel_modulus_log10_sd``.

Never fit the gel on the objects you then evaluate: that is calibrating on the evaluation labels.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from tactile.calibration.gel_measured import provenance_after_gel_fit
from tactile.errors import CalibrationError, EstimatorError, TactileError
from tactile.estimators.hertz import HertzEstimator, hold_fit, onset_radius_mm
from tactile.processing import extract_features
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata

#: Floor (mm) of the onset-width uncertainty a rigid-sphere calibration may claim.
MIN_ONSET_WIDTH_SD_MM = 0.5
#: A rigid ball cannot approach each pad by much more than the gel is thick (the rest of the
#: rig adds some: the golf ball's 3.4 mm on the 3 mm Wedge gel); past twice it, the "rigid"
#: object deformed (a soft ball: 8.8 mm) or its radius is wrong.
MAX_RIGID_APPROACH_PER_THICKNESS = 2.0


@dataclass(frozen=True)
class ReferenceGelFit:
    """The fitted gel modulus and the grasps it came from."""

    gel_modulus_pa: float
    gel_modulus_log10_sd: float
    per_grasp_pa: tuple[float, ...]
    grasp_ids: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    def apply(self, calibration: SensorCalibration, calibration_id: str) -> SensorCalibration:
        """``calibration`` with this gel modulus, under a new id (calibrations are versioned)."""
        note = (
            f"gel modulus fitted on {len(self.grasp_ids)} grasps of known E "
            f"({self.gel_modulus_pa:.3g} Pa, ±{self.gel_modulus_log10_sd:.2f} dex)"
        )
        return dataclasses.replace(
            calibration,
            calibration_id=calibration_id,
            gel_modulus_pa=self.gel_modulus_pa,
            gel_modulus_log10_sd=self.gel_modulus_log10_sd,
            gel_source=None,  # fitted, no longer a measured gel (which changes the rig fit)
            provenance=provenance_after_gel_fit(calibration.provenance),
            notes=(calibration.notes + " " + note).strip(),
        )


def fit_gel_from_reference(
    samples: Iterable[tuple[GraspFeatures, GraspMetadata]],
    calibration: SensorCalibration,
    *,
    estimator: HertzEstimator | None = None,
    max_object_share: float = 0.5,
    min_log10_sd: float = 0.05,
) -> ReferenceGelFit:
    """Fit the gel's effective modulus from (features, metadata with label) pairs."""
    est = estimator or HertzEstimator(check_bounds=False)  # its fit reads e_star, unchecked
    values: list[float] = []
    used: list[str] = []
    skipped: list[str] = []
    c_g_nominal = calibration.gel_reduced_compliance_per_pa
    for feats, meta in samples:
        if meta.label_modulus_pa is None:
            skipped.append(f"{feats.grasp_id}: no label")
            continue
        try:
            # the given-geometry answer itself: its fit reads e_star_pa, which a bound checked
            # by blind (a caller's default, checked, HertzEstimator()) no longer carries
            fit = est.estimate_given(feats, meta=meta, calibration=calibration)
        except TactileError as exc:
            skipped.append(f"{feats.grasp_id}: {exc.message}")
            continue
        e_star = float(fit.details["e_star_pa"])
        factor = float(fit.details.get("gel_compliance_factor", 1.0))
        c_obj = (1.0 - est.object_poisson**2) / meta.label_modulus_pa
        if c_obj * e_star > max_object_share:
            skipped.append(f"{feats.grasp_id}: object too soft to inform the gel")
            continue
        c_gel = (1.0 / e_star - c_obj) / factor
        values.append(calibration.gel_modulus_pa * c_g_nominal / c_gel)
        used.append(feats.grasp_id)
    if not values:
        raise CalibrationError(
            "no grasp could inform the gel modulus (" + "; ".join(skipped[:3]) + ")",
            hint="press an object much stiffer than the gel (e.g. a steel or golf ball) whose "
            "radius and modulus are in its metadata",
        )
    logs = np.log10(values)
    sd = float(np.std(logs, ddof=1) / math.sqrt(logs.size)) if logs.size > 1 else 0.0
    return ReferenceGelFit(
        gel_modulus_pa=float(10 ** np.median(logs)),
        gel_modulus_log10_sd=max(sd, min_log10_sd),
        per_grasp_pa=tuple(float(v) for v in values),
        grasp_ids=tuple(used),
        skipped=tuple(skipped),
    )


@dataclass(frozen=True)
class RigidSphereGelFit:
    """Effective gel modulus from presses of a rigid sphere, with a leave-one-out uncertainty.

    ``gel_modulus_log10_sd`` combines the leave-one-grasp-out prediction error (how well the
    other presses predict each one) with the typical single-press fit error (which includes
    the width reading's offset uncertainty); ``loo_log10_rms`` and ``fit_log10_se`` keep the
    two parts.
    """

    gel_modulus_pa: float
    gel_modulus_log10_sd: float
    loo_log10_rms: float
    fit_log10_se: float
    radius_mm: float
    per_grasp_pa: tuple[float, ...]
    approach_mm: tuple[float, ...]
    peak_force_n: tuple[float, ...]
    grasp_ids: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    onset_width_bias_mm: float | None = None
    onset_width_sd_mm: float | None = None
    thin_layer: bool = False

    def evidence(self) -> dict[str, object]:
        """JSON-ready record for ``SensorCalibration.provenance["gel_fit"]``."""
        method = "rigid-sphere hold (Hertz, object compliance 0)"
        if self.thin_layer:
            method += ", thin-layer gel (Shull 2002)"
        return {
            "method": method,
            "radius_mm": self.radius_mm,
            "gel_modulus_pa": round(self.gel_modulus_pa, 1),
            "log10_sd": round(self.gel_modulus_log10_sd, 4),
            "loo_log10_rms": round(self.loo_log10_rms, 4),
            "fit_log10_se": round(self.fit_log10_se, 4),
            "grasps": list(self.grasp_ids),
            "per_grasp_pa": [round(v, 1) for v in self.per_grasp_pa],
            "approach_mm": [round(v, 3) for v in self.approach_mm],
            "peak_force_n": [round(v, 2) for v in self.peak_force_n],
            "skipped": list(self.skipped),
            "onset_width_bias_mm": self.onset_width_bias_mm,
            "onset_width_sd_mm": self.onset_width_sd_mm,
        }

    def apply(self, calibration: SensorCalibration, calibration_id: str) -> SensorCalibration:
        """``calibration`` with this gel modulus and its evidence, under a new id."""
        bias, bias_sd = calibration.onset_width_bias_mm, calibration.onset_width_sd_mm
        if self.onset_width_bias_mm is not None and self.onset_width_sd_mm is not None:
            bias, bias_sd = self.onset_width_bias_mm, self.onset_width_sd_mm
        note = (
            f"{calibration.sensor_model}: effective gel modulus fitted on {len(self.grasp_ids)} "
            f"presses of a rigid sphere (R = {self.radius_mm:g} mm) at the force-controlled "
            "hold; that sphere's stiffer_than_gel flag is true by construction."
        )
        return dataclasses.replace(
            calibration,
            calibration_id=calibration_id,
            gel_modulus_pa=round(self.gel_modulus_pa, 1),
            gel_modulus_log10_sd=round(self.gel_modulus_log10_sd, 4),
            notes=note,
            gel_model="thin-layer" if self.thin_layer else "half-space",
            gel_source=None,  # fitted, no longer a measured gel (which changes the rig fit)
            provenance={
                **provenance_after_gel_fit(calibration.provenance),
                "gel_fit": self.evidence(),
            },
            onset_width_bias_mm=bias,
            onset_width_sd_mm=bias_sd,
        )


def _rigid_press_gel(
    feats: GraspFeatures, radius_mm: float, calibration: SensorCalibration, thin: bool
) -> tuple[float, float, float, float]:
    """(E_g Pa, log10 SE, approach mm, peak force N) of one rigid-sphere press, or raises."""
    held = hold_fit(
        feats,
        radius_mm,
        width_offset_mm=calibration.width_offset_mm,
        width_offset_sd_mm=calibration.width_offset_sd_mm,
        gel_thickness_mm=calibration.gel_thickness_mm if thin else None,
    )
    if held is None:
        raise EstimatorError(
            f"grasp {feats.grasp_id!r}: no force-controlled hold with the sphere compressed",
            hint="hold the rigid ball at a steady force for a few frames",
        )
    fit, factor, approach = held
    if approach > MAX_RIGID_APPROACH_PER_THICKNESS * calibration.gel_thickness_mm:
        raise EstimatorError(
            f"grasp {feats.grasp_id!r}: the approach at the hold ({approach:.1f} mm per pad) is "
            f"more than {MAX_RIGID_APPROACH_PER_THICKNESS:g}x the gel's thickness "
            f"({calibration.gel_thickness_mm:g} mm): the object deformed, it is not rigid",
            hint="press a ball much stiffer than the gel (golf, steel), and check its radius",
        )
    # rigid object: all compliance is the gel's; 1/E* = factor·(1-ν²)/E_g
    gel_pa = (1.0 - calibration.gel_poisson**2) * fit.value * factor
    peak = float(np.max(np.asarray(feats.force_n)[feats.contact_index :]))
    return gel_pa, fit.log10_se, approach, peak


def fit_gel_rigid_sphere(
    features: Sequence[GraspFeatures],
    calibration: SensorCalibration,
    *,
    radius_mm: float,
    thin_layer: bool | None = None,
    min_log10_sd: float = 0.02,
) -> RigidSphereGelFit:
    """Effective gel modulus from presses of a sphere much stiffer than the gel.

    Protocol: press a rigid ball of known radius (a regulation golf ball, R = 21.335 mm, or a
    steel bearing ball) a few times to a force-controlled hold. At the hold the Hertz fit
    (:func:`tactile.estimators.hertz.hold_fit`: force and gripper width, no image) gives
    E* per press; with the object rigid ``1/E* = (1 − ν_g²)/E_g`` (times the thin-layer
    factor when the calibration's gel model says so), so ``E_g = (1 − ν_g²)·E*``. No label of
    any evaluated object is used. The value is *effective*: it absorbs anything else that
    deforms in series like the gel (finger mounts, the window, the width reading's offset).

    Uncertainty: each press is predicted from the median of the others (leave one out); the
    RMS of those log10 errors is combined with the median single-press fit error.
    """
    if not (math.isfinite(radius_mm) and radius_mm > 0):
        raise CalibrationError(
            f"rigid sphere radius {radius_mm!r} mm must be positive",
            hint="give the ball's radius, e.g. 21.335 for a regulation golf ball",
        )
    thin = calibration.thin_layer if thin_layer is None else thin_layer
    values: list[float] = []
    ses: list[float] = []
    approach: list[float] = []
    peaks: list[float] = []
    used: list[str] = []
    skipped: list[str] = []
    for feats in features:
        try:
            gel_pa, se, delta, peak = _rigid_press_gel(feats, radius_mm, calibration, thin)
        except TactileError as exc:
            skipped.append(f"{feats.grasp_id}: {exc.message}")
            continue
        values.append(gel_pa)
        ses.append(se)
        approach.append(delta)
        peaks.append(peak)
        used.append(feats.grasp_id)
    if not values:
        raise CalibrationError(
            "no press of the rigid sphere had a usable hold (" + "; ".join(skipped[:3]) + ")",
            hint="record presses that reach a steady force with the ball between the pads",
        )
    logs = np.log10(values)
    loo = _loo_rms(logs)
    fit_se = float(np.median(ses))
    sd = max(math.hypot(loo, fit_se), min_log10_sd)
    bias, bias_sd = _onset_width_bias(features, calibration, radius_mm)
    return RigidSphereGelFit(
        gel_modulus_pa=float(10 ** np.median(logs)),
        gel_modulus_log10_sd=sd,
        loo_log10_rms=loo,
        fit_log10_se=fit_se,
        radius_mm=radius_mm,
        per_grasp_pa=tuple(float(v) for v in values),
        approach_mm=tuple(approach),
        peak_force_n=tuple(peaks),
        grasp_ids=tuple(used),
        skipped=tuple(skipped),
        onset_width_bias_mm=bias,
        onset_width_sd_mm=bias_sd,
        thin_layer=thin,
    )


def _loo_rms(values: np.ndarray) -> float:
    """RMS error of predicting each value by the median of the others (0 for one value)."""
    if values.size < 2:
        return 0.0
    errs = [values[i] - np.median(np.delete(values, i)) for i in range(values.size)]
    return float(np.sqrt(np.mean(np.square(errs))))


def _onset_width_bias(
    features: Sequence[GraspFeatures], calibration: SensorCalibration, radius_mm: float
) -> tuple[float | None, float | None]:
    """The rig's width reading at force onset minus the known diameter (median over presses,
    mm) and its leave-one-out RMS (never below 0.5 mm): the lag of the width behind the force,
    which the Hertz estimator removes when it reads an unknown sphere's size from the onset."""
    offset = calibration.width_offset_mm
    found = [onset_radius_mm(f, offset) for f in features]
    bias = np.array([2.0 * r - 2.0 * radius_mm for r in found if r is not None])
    if bias.size < 2:
        return None, None
    sd = max(_loo_rms(bias), MIN_ONSET_WIDTH_SD_MM)
    return round(float(np.median(bias)), 3), round(sd, 3)


def calibrate_gel_rigid_sphere(
    grasps: Iterable[Grasp],
    calibration: SensorCalibration,
    *,
    radius_mm: float,
    calibration_id: str | None = None,
) -> SensorCalibration:
    """A new versioned profile from presses of a rigid sphere (``tactile calibrate gel
    --rigid-sphere-radius-mm R``): features of each grasp (force, width and one image, for the
    flags: the fit needs no contact area), :func:`fit_gel_rigid_sphere`, and ``calibration``
    with the fitted effective gel modulus, its uncertainty, the rig's onset-width lag and the
    evidence in ``provenance["gel_fit"]`` (grasps that could not be used are listed under
    ``skipped`` with the reason). The gel model is ``calibration``'s (set ``gel_model`` first
    for a thin bonded layer). ``calibration_id`` defaults to ``calibration``'s.
    """
    feats: list[GraspFeatures] = []
    skipped: list[str] = []
    for grasp in grasps:
        try:
            feats.append(extract_features(grasp, calibration, with_depth=False, max_image_frames=1))
        except TactileError as exc:
            skipped.append(f"{grasp.grasp_id}: {exc.message}")
    fit = fit_gel_rigid_sphere(feats, calibration, radius_mm=radius_mm)
    cal = fit.apply(calibration, calibration_id or calibration.calibration_id)
    evidence = dict(cal.provenance["gel_fit"])
    evidence["skipped"] = [*skipped, *evidence["skipped"]]
    return dataclasses.replace(cal, provenance={**cal.provenance, "gel_fit": evidence})
