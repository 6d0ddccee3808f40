"""Method of dimensionality reduction (Popov & Heß 2015) for any power-law contact profile.

Derivation (see docs/estimators.md). MDR replaces the 3-D contact by a row of independent springs
of stiffness E* per unit length (a Winkler foundation), pressed by the 1-D profile
``g(x) = κ_n·c·|x|^n`` of a body whose 3-D profile is ``c·r^n``. With contact half-width a and
approach δ = g(a):

    q(x) = E*·(δ − g(x)),   F = ∫_{-a}^{a} q dx = 2·E*·δ·a·n/(n + 1),   q(0) = E*·δ

so ``E* = q(0)/δ = F·(n + 1)/(2·n·a·δ)``. A sphere (n = 2) gives Hertz, ``F = 4/3·E*·a·δ``,
with ``q(0) = 3F/(4a) = π·a·p0/2``; a flat punch (n → ∞) gives ``F = 2·E*·a·δ``. Burgess et al.
(2024) used a line load of ``π·a·p0/4``, which halves q(0) and hence E*.

Here the exponent is measured, not assumed: δ ∝ a^n over the loading phase, so ``m = 1/n`` is the
slope of log a against log δ (clamped to [0, 1]: 0 flat punch, 0.5 sphere, 1 cone). This makes
MDR the shape-agnostic estimator, used by ``auto`` when the shape is unknown. The gel's
compliance is then removed exactly as for Hertz.
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
from tactile.estimators.contact import DEFAULT_OBJECT_POISSON, PA_PER_N_PER_MM2
from tactile.estimators.elastic import DETECTED_AREA_LOG10_SD
from tactile.estimators.fitting import LogFit, fit_log_slope, robust_log_fit
from tactile.estimators.hertz import MIN_CLOSURE_MM
from tactile.estimators.loading import loading_curve
from tactile.estimators.separation import separate_with_calibration
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

#: Profile slope m = 1/n used when it cannot be measured (too few frames): a sphere.
SPHERE_SLOPE = 0.5


def mdr_log10_e_star(
    force_n: np.ndarray, contact_radius_mm: np.ndarray, approach_mm: np.ndarray, slope: float
) -> np.ndarray:
    """Per-frame log10 E* (Pa) from ``E* = F·(1 + m)/(2·a·δ)`` with ``m = 1/n``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        e = force_n * (1.0 + slope) / (2.0 * contact_radius_mm * approach_mm)
        return np.log10(e * PA_PER_N_PER_MM2)


@dataclass(frozen=True)
class MDREstimator(GivenGeometryEstimator):
    """MDR with a measured power-law profile exponent. See the module docstring."""

    name: str = "mdr"
    object_poisson: float = DEFAULT_OBJECT_POISSON
    profile_slope: float | None = None  # m = 1/n; None: measure it from the loading phase
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

    def _slope(self, a: np.ndarray, delta: np.ndarray) -> tuple[float, bool]:
        if self.profile_slope is not None:
            return float(self.profile_slope), False
        slope, se = fit_log_slope(np.log(delta), np.log(a))
        if not np.isfinite(slope) or se > 0.25:
            return SPHERE_SLOPE, True
        return float(np.clip(slope, 0.0, 1.0)), False

    def estimate_given(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        curve = loading_curve(features, min_force_fraction=self.min_force_fraction)
        if self.require_geometry:
            refuse_without_geometry(self.name, features, meta)
        ok = (curve.closure_mm > MIN_CLOSURE_MM) & (curve.area_mm2 > 0)
        flags = set(curve.flags)
        if not np.any(ok):
            flags.add(Flag.WIDTH_UNCHANGED)
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: MDR needs frames with both a gripper closure "
                f"above {MIN_CLOSURE_MM} mm and a contact area; none has",
                hint="record the gripper width, check the sensor's contact threshold, or use "
                "--estimator hertz with a known radius",
            )
        f, a = curve.force_n[ok], curve.contact_radius_mm[ok]
        delta = curve.closure_mm[ok] / 2.0
        slope, assumed = self._slope(a, delta)
        if assumed:
            flags.add(Flag.SHAPE_ASSUMED)
        fit = robust_log_fit(mdr_log10_e_star(f, a, delta, slope), seed=self.seed)
        se = math.hypot(fit.log10_se, 0.5 * DETECTED_AREA_LOG10_SD)  # E* ∝ 1/a ∝ A^(-1/2)
        total = LogFit(-fit.log10_value, se, fit.scatter_log10, fit.n_frames)
        details: dict[str, Any] = {
            "profile_slope": slope,
            "profile_exponent": (1.0 / slope) if slope > 0 else float("inf"),
            "e_star_pa": fit.value,
            "peak_force_n": curve.peak_force_n,
        }
        return separate_with_calibration(
            total,
            calibration,
            object_poisson=self.object_poisson,
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
            seed=self.seed,
        )
