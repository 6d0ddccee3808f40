"""Line contact: a cylinder squeezed on its side (2-D Hertz, gel in series).

A cylinder of radius R pressed along a length L onto a flat (Johnson, *Contact Mechanics*, CUP
1985, §4.3 and §5.6): the contact is a strip of half-width b with

    F/L = π·E*·b²/(4R),        δ = b²/(4R)·(2·ln(4R/b) − 1),

δ the approach per side (the same law the simulator uses). At the force-controlled hold (force
within 10 % of the peak) the cylinder's diameter is the width at first contact, so per hold frame
``δ = (2R + width_offset − width)/2``; δ gives b (the right side grows with b below 4R/e, solved
by bisection) and ``E* = 4·R·F/(π·L·b²)``. The gel's compliance is then removed by the same Monte
Carlo separation as Hertz (:mod:`tactile.estimators.separation`), including a bottoming gel;
a thin bonded gel layer (``gel_model = "thin-layer"``, e.g. ``wedge-reference-v3``) gets Shull's
factor evaluated at the strip half-width b (an approximation: the law is for a circular
contact of radius a).

L is ``meta.extra["length_mm"]`` clipped to the pad's width (``calibration.pad_size_mm[0]``);
without a length the pad's width is assumed and the estimate carries ``shape_assumed``. The
radius is ``meta.radius_mm`` (required). E* ∝ 1/b² ≈ 1/δ, so the width offset's uncertainty
enters as ``(sd/2)/δ`` in log space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tactile.errors import EstimatorError
from tactile.estimators.base import (
    CHECK_POINTS_DEFAULT,
    GivenGeometryEstimator,
    refuse_without_geometry,
)
from tactile.estimators.contact import DEFAULT_OBJECT_POISSON, PA_PER_N_PER_MM2, thin_layer_factor
from tactile.estimators.fitting import LogFit, robust_log_fit
from tactile.estimators.hertz import hold_frames, large_strain_log10_sd
from tactile.estimators.separation import separate_with_calibration
from tactile.processing.contact import require_visible_contact
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

_BISECTIONS = 60
#: Beyond this half-width the 2-D approach law stops growing with b (b = 4R/e).
_B_MAX_OVER_R = 4.0 / math.e


def line_approach_mm(half_width_mm: np.ndarray, radius_mm: np.ndarray | float) -> np.ndarray:
    """δ = b²/(4R)·(2·ln(4R/b) − 1) (0 at b = 0)."""
    b = np.asarray(half_width_mm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = b * b / (4.0 * radius_mm) * (2.0 * np.log(4.0 * radius_mm / b) - 1.0)
    return np.where(b > 0, d, 0.0)


def line_half_width_mm(approach_mm: np.ndarray, radius_mm: float) -> np.ndarray:
    """Inverse of :func:`line_approach_mm` on 0 ≤ b ≤ 4R/e (clipped at the ends)."""
    target = np.asarray(approach_mm, dtype=np.float64)
    lo = np.zeros_like(target)
    hi = np.full_like(target, _B_MAX_OVER_R * radius_mm)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        below = line_approach_mm(mid, radius_mm) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class LineContactEstimator(GivenGeometryEstimator):
    """E of a cylinder squeezed on its side, from the hold's force and closure."""

    name: str = "line"
    object_poisson: float = DEFAULT_OBJECT_POISSON
    seed: int = 0
    #: refuse a grasp with neither shape nor radius (:func:`.base.refuse_without_geometry`);
    #: False only for the network's analytical input, which reads such grasps as before
    require_geometry: bool = True
    #: check the answer with the blind physics as ``auto`` does (named43;
    #: :class:`.base.GivenGeometryEstimator`); False where the unchecked answer must not move
    check_bounds: bool = True
    #: with ``check_bounds``, check a two-sided point too (``auto``'s ``check_points``)
    check_points: bool | Literal["flagged"] = CHECK_POINTS_DEFAULT

    def given_image_frames(self, meta: GraspMetadata) -> int | None:
        return 1  # force and width only; the peak frame for the image flags

    def estimate_given(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        require_visible_contact(features)
        if self.require_geometry:
            refuse_without_geometry(self.name, features, meta)
        radius = meta.radius_mm
        if radius is None or not radius > 0:
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: line contact needs the cylinder's radius",
                hint="record it in meta.radius_mm, or use the `mdr` estimator",
            )
        flags: set[Flag] = set(features.flags)
        pad_x = calibration.pad_size_mm[0] if calibration.pad_size_mm else None
        length = meta.extra.get("length_mm")
        if not isinstance(length, int | float) or not length > 0:
            if pad_x is None:
                raise EstimatorError(
                    f"grasp {features.grasp_id!r}: no contact length and no pad size",
                    hint="set meta.extra['length_mm'] or the calibration's pad_size_mm",
                )
            length = pad_x
            flags.add(Flag.SHAPE_ASSUMED)
        contact_length = float(min(length, pad_x) if pad_x else length)
        offset = calibration.width_offset_mm
        offset_sd = calibration.width_offset_sd_mm
        held = hold_frames(features, 2.0 * radius, offset)
        if held is None:
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: no hold frame with a resolved closure",
                hint="check the gripper width is recorded and the object was squeezed",
            )
        force_n, delta = held
        b = line_half_width_mm(delta, radius)
        e_star = 4.0 * radius * force_n / (math.pi * contact_length * b * b)
        fit = robust_log_fit(np.log10(e_star * PA_PER_N_PER_MM2), seed=self.seed)
        approach = float(np.median(delta))
        strain = approach / radius
        model_se = large_strain_log10_sd(strain)
        if approach > float(line_approach_mm(np.array(0.9 * radius), radius)):
            flags.add(Flag.POOR_FIT)  # beyond the contact model (lock-up)
            model_se = max(model_se, 1.0)
        offset_se = (offset_sd / 2.0) / approach / math.log(10.0)
        se = math.sqrt(fit.log10_se**2 + offset_se**2 + model_se**2)
        total = LogFit(-fit.log10_value, se, fit.scatter_log10, fit.n_frames)
        details: dict[str, Any] = {
            "route": "line hold",
            "radius_mm": radius,
            "contact_length_mm": contact_length,
            "approach_mm": approach,
            "approach_over_radius": strain,
            "model_log10_sd": model_se,
            "e_star_pa": fit.value,
            "peak_force_n": float(np.max(features.force_n[features.contact_index :])),
        }
        gel_factor = 1.0
        if calibration.thin_layer:  # a bonded layer stiffens as the strip widens
            gel_factor = float(np.median(thin_layer_factor(b, calibration.gel_thickness_mm)))
        return separate_with_calibration(
            total,
            calibration,
            object_poisson=self.object_poisson,
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
            seed=self.seed,
            gel_factor=gel_factor,
            approach_mm=approach,
        )
