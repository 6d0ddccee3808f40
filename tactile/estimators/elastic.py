"""Elastic (stress / strain) estimator for flat-faced objects, where Hertz does not apply.

A block of thickness L (the gripper width at first contact) and contact area A between two gel
pads is three springs in series::

    closure = F·L/(E·A) + 2·F·C_gel(a)

with ``C_gel`` the compliance of a gel pad under a flat contact of radius ``a = √(A/π)``
(:func:`~tactile.estimators.contact.gel_punch_compliance_mm_per_n`: a Boussinesq flat punch,
with the thin-layer factor when the calibration's ``gel_model`` is ``thin-layer``). The total
compliance ``T = (d closure / dF)·A/L`` is the Theil–Sen slope of closure against force over the
loading phase (its free intercept absorbs an error in the frame of first contact), the gel's share
``G = 2·C_gel·A/L`` (from the sensor calibration's gel modulus, Poisson ratio and thickness) is
removed with Monte Carlo uncertainty, and ``E = 1/(T − G)`` (uniaxial stress: no Poisson factor).
Reported as stress and strain: stress ``F/A``, strain ``(closure − 2·F·C_gel)/L``. The contact
area of a flat face comes from :func:`contact_area` (metadata, else the pad, else the image).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from tactile.errors import EstimatorError
from tactile.estimators.base import (
    CHECK_POINTS_DEFAULT,
    GivenGeometryEstimator,
    refuse_without_geometry,
)
from tactile.estimators.contact import PA_PER_N_PER_MM2, gel_punch_compliance_mm_per_n
from tactile.estimators.fitting import MIN_LOG10_SE, LogFit, robust_log_fit, robust_slope_fit
from tactile.estimators.hertz import MIN_CLOSURE_MM
from tactile.estimators.loading import flat_face_possible, loading_curve
from tactile.estimators.separation import separate_object
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

#: A detected flat contact at least this share of the pad is taken as imaged correctly.
WELL_IMAGED_SHARE = 0.1
#: log10 uncertainty of a contact area assumed to be the pad's (a face covering 63-100 %).
PAD_AREA_LOG10_SD = 0.1
#: log10 uncertainty of a detected flat contact area (edge blur, threshold): ±26 %.
DETECTED_AREA_LOG10_SD = 0.1


def pad_area_mm2(calibration: SensorCalibration) -> float | None:
    """The gel pad's imaged area (mm²): the calibration's ``pad_area_mm2``, else the warped,
    cropped frame."""
    if calibration.pad_area_mm2 is not None:
        return calibration.pad_area_mm2
    if calibration.warp_size_px is None:
        return None
    w_px, h_px = calibration.warp_size_px
    crop = 2 * calibration.crop_px
    return (w_px - crop) * calibration.mm_per_px_x * (h_px - crop) * calibration.mm_per_px_y


def pad_extent_mm(calibration: SensorCalibration) -> tuple[float, float] | None:
    """The imaged pad's extent (mm) along x and y: the warped, cropped frame, else the
    calibration's ``pad_size_mm``; None when neither is known."""
    if calibration.warp_size_px is not None:
        w_px, h_px = calibration.warp_size_px
        crop = 2 * calibration.crop_px
        return (w_px - crop) * calibration.mm_per_px_x, (h_px - crop) * calibration.mm_per_px_y
    return calibration.pad_size_mm


def contact_area(
    detected_mm2: np.ndarray, meta: GraspMetadata, calibration: SensorCalibration
) -> tuple[np.ndarray, str, float]:
    """Contact area per frame for a flat face, where it came from, and its log10 uncertainty.

    A flat face pressed into the gel indents it almost uniformly, so the image changes mostly at
    the contact's edges; a face covering the whole pad shows no edge at all and is found as a
    few mm². In order of preference: the face's area from the metadata
    (``meta.extra["contact_area_mm2"]``); the detected area when it is at least 10 % of the pad
    (a well-imaged face smaller than the pad); else, when the pad's area is known, the pad (the
    face covers it: a face that shows no edges covers most of the pad, so the area is taken as
    the pad's ±0.1 dex); else the detected area.
    """
    given = meta.extra.get("contact_area_mm2")
    if given:
        return np.full(detected_mm2.shape, float(given)), "metadata", 0.0
    pad = pad_area_mm2(calibration)
    if pad is None:
        return detected_mm2, "detected", DETECTED_AREA_LOG10_SD
    detected = float(np.median(detected_mm2))
    if detected >= WELL_IMAGED_SHARE * pad:
        return detected_mm2, "detected", DETECTED_AREA_LOG10_SD
    return np.full(detected_mm2.shape, pad), "pad", PAD_AREA_LOG10_SD


def _total_compliance_fit(
    force_n: np.ndarray,
    closure_mm: np.ndarray,
    area_mm2: np.ndarray,
    thickness_mm: float,
    *,
    seed: int,
) -> LogFit:
    """Total compliance (1/Pa) from the slope of closure against force (Theil–Sen).

    ``closure = c0 + F·(L/(E·A) + 2·C_gel)``: the free intercept c0 absorbs an early or late
    contact frame (free travel of the gripper counted as closure). With fewer than 4 distinct
    forces, the per-frame ratio ``closure·A/(L·F)`` is fitted instead.
    """
    area = float(np.median(area_mm2))
    if np.unique(np.round(force_n, 6)).size >= 4:
        slope, se_log, _ = robust_slope_fit(force_n, closure_mm, seed=seed)
        if np.isfinite(slope) and slope > 0 and np.isfinite(se_log):
            t = slope * area / thickness_mm / PA_PER_N_PER_MM2
            return LogFit(math.log10(t), max(se_log, MIN_LOG10_SE), 0.0, int(force_n.size))
    per_frame = closure_mm * area_mm2 / (thickness_mm * force_n) / PA_PER_N_PER_MM2
    return robust_log_fit(np.log10(per_frame), seed=seed)


@dataclass(frozen=True)
class ElasticEstimator(GivenGeometryEstimator):
    """Uniaxial stress/strain with the gel's compliance removed. See the module docstring."""

    name: str = "elastic"
    min_force_fraction: float = 0.2
    seed: int = 0
    #: refuse a grasp with neither shape nor radius (:func:`.base.refuse_without_geometry`);
    #: False only for the network's analytical input, which reads such grasps as before
    require_geometry: bool = True
    #: check the answer with the blind physics as ``auto`` does (named43;
    #: :class:`.base.GivenGeometryEstimator`); False where the unchecked answer must not move
    check_bounds: bool = True
    #: with ``check_bounds``, check a two-sided point too (``auto``'s ``check_points``)
    check_points: bool | Literal["flagged"] = CHECK_POINTS_DEFAULT
    #: its bound assumes a linear block: on a flat shape blind's own bound caps it (auto's ``flat``)
    flat_contact: ClassVar[bool] = True

    def estimate_given(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        curve = loading_curve(
            features,
            min_force_fraction=self.min_force_fraction,
            flat_face_possible=flat_face_possible(meta),
        )
        if self.require_geometry:
            refuse_without_geometry(self.name, features, meta)
        thickness = curve.width_at_contact_mm
        ok = (curve.closure_mm > MIN_CLOSURE_MM) & (curve.area_mm2 > 0)
        flags = set(curve.flags)
        if thickness <= 0 or not np.any(ok):
            flags.add(Flag.WIDTH_UNCHANGED)
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: the elastic estimator needs the object's "
                f"thickness and frames with a resolved closure and a contact area (width at "
                f"contact {thickness:.3g} mm)",
                hint="record the gripper width in mm through the whole squeeze, and check the "
                "sensor's contact threshold",
            )
        f, closure = curve.force_n[ok], curve.closure_mm[ok]
        area, area_source, area_se = contact_area(curve.area_mm2[ok], meta, calibration)
        thin = calibration.thin_layer
        c_gel = gel_punch_compliance_mm_per_n(
            np.sqrt(area / np.pi),
            gel_modulus_pa=calibration.gel_modulus_pa,
            gel_poisson=calibration.gel_poisson,
            gel_thickness_mm=calibration.gel_thickness_mm if thin else None,
        )
        # compliances in mm²/N = 1/(N/mm²); divide by 1e6 for 1/Pa
        gel_per_frame = 2.0 * c_gel * area / thickness / PA_PER_N_PER_MM2
        fit = _total_compliance_fit(f, closure, area, thickness, seed=self.seed)
        gel = float(np.median(gel_per_frame))
        stress_pa = f / area * PA_PER_N_PER_MM2
        strain = (closure - 2.0 * f * c_gel) / thickness
        details: dict[str, Any] = {
            "thickness_mm": thickness,
            "contact_area_mm2": float(np.median(area)),
            "contact_area_source": area_source,
            "peak_stress_pa": float(stress_pa.max()),
            "peak_strain": float(strain[np.argmax(f)]),
            "gel_modulus_pa": calibration.gel_modulus_pa,
            "gel_thickness_mm": calibration.gel_thickness_mm,
            "calibration_id": calibration.calibration_id,
            "peak_force_n": curve.peak_force_n,
        }
        return separate_object(
            fit,
            gel,
            calibration.gel_modulus_log10_sd,
            numerator=1.0,
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
            seed=self.seed,
            shared_log10_sd=area_se,
            gel_exponent=0.5,  # T ∝ A, G ∝ A/a ∝ √A
            gel_modulus_pa=calibration.gel_modulus_pa,
        )
