"""Hertz sphere contact with the gel in series (Johnson 1985), fitted over the loading phase.

Per usable loading frame the measured force F, contact radius a (from the contact area) and
per-pad approach δ = closure / 2 give the effective modulus E* by one of three routes:

* ``"closure"``:   F = 4/3·E*·a·δ          → E* = 3F / (4aδ)       (R eliminated; default)
* ``"radius"``:    a³ = 3FR / (4E*)        → E* = 3FR / (4a³)      (needs ``meta.radius_mm``)
* ``"stiffness"``: F = 4/3·E*·√R·δ^{3/2}   → E* = 3F / (4√R·δ^{3/2}) (needs R; no area)

``"auto"`` takes ``"closure"`` when at least three frames have a resolved closure, else
``"radius"`` when R is known. The per-frame values are fitted robustly in log space
(:mod:`tactile.estimators.fitting`), then the gel's compliance ``(1 − ν_g²)/E_g`` — from the
grasp's :class:`~tactile.calibration.SensorCalibration`, never a constant — is removed with Monte
Carlo uncertainty (:mod:`tactile.estimators.separation`), giving E (not E*) with the object's
Poisson ratio (default 0.5, see :data:`~tactile.estimators.contact.DEFAULT_OBJECT_POISSON`).
The other routes' E* are reported in ``details["routes_e_star_pa"]`` as a consistency check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tactile.calibration import SensorCalibration
from tactile.errors import ConfigError, EstimatorError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.contact import DEFAULT_OBJECT_POISSON, PA_PER_N_PER_MM2
from tactile.estimators.fitting import LogFit, robust_log_fit
from tactile.estimators.loading import LoadingCurve, loading_curve
from tactile.estimators.separation import separate_object
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

ROUTES = ("auto", "closure", "radius", "stiffness")
#: Closure (mm) below which a frame's approach counts as unresolved (width encoders step ~0.1 mm).
MIN_CLOSURE_MM = 0.05
MIN_ROUTE_FRAMES = 3


def hertz_log10_e_star(curve: LoadingCurve, route: str, radius_mm: float | None) -> np.ndarray:
    """Per-frame log10 E* (Pa) by ``route``; frames the route cannot use are NaN."""
    f, a = curve.force_n, curve.contact_radius_mm
    delta = curve.closure_mm / 2.0
    ok_delta = curve.closure_mm > MIN_CLOSURE_MM
    with np.errstate(divide="ignore", invalid="ignore"):
        if route == "closure":
            e = np.where(ok_delta, 3.0 * f / (4.0 * a * delta), np.nan)
        elif route == "radius" and radius_mm is not None:
            e = 3.0 * f * radius_mm / (4.0 * a**3)
        elif route == "stiffness" and radius_mm is not None:
            e = np.where(ok_delta, 3.0 * f / (4.0 * math.sqrt(radius_mm) * delta**1.5), np.nan)
        else:
            return np.full(f.shape, np.nan)
        return np.log10(e * PA_PER_N_PER_MM2)


def _n_valid(x: np.ndarray) -> int:
    return int(np.count_nonzero(np.isfinite(x)))


@dataclass(frozen=True)
class HertzEstimator(AnalyticalEstimator):
    """Hertz sphere–flat contact, two pads, gel in series. See the module docstring."""

    name: str = "hertz"
    route: str = "auto"
    object_poisson: float = DEFAULT_OBJECT_POISSON
    min_force_fraction: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ConfigError(
                f"hertz route {self.route!r} is unknown", hint=f"use one of {', '.join(ROUTES)}"
            )

    def _choose_route(self, per_route: dict[str, np.ndarray]) -> str:
        if self.route != "auto":
            return self.route
        for name in ("closure", "radius"):
            if _n_valid(per_route[name]) >= MIN_ROUTE_FRAMES:
                return name
        return "closure"

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        curve = loading_curve(features, min_force_fraction=self.min_force_fraction)
        radius = meta.radius_mm
        per_route = {r: hertz_log10_e_star(curve, r, radius) for r in ROUTES[1:]}
        route = self._choose_route(per_route)
        values = per_route[route]
        flags = set(curve.flags)
        if _n_valid(values) == 0:
            flags.add(Flag.WIDTH_UNCHANGED)
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: Hertz route {route!r} has no usable frame "
                "(gripper closure not resolved"
                + ("" if radius else " and the object's radius is unknown")
                + ")",
                hint="give the object's radius (meta.radius_mm) or record the gripper width",
            )
        fit = robust_log_fit(values, seed=self.seed)
        total = LogFit(-fit.log10_value, fit.log10_se, fit.scatter_log10, fit.n_frames)
        details: dict[str, Any] = {
            "route": route,
            "e_star_pa": fit.value,
            "object_poisson": self.object_poisson,
            "gel_modulus_pa": calibration.gel_modulus_pa,
            "gel_poisson": calibration.gel_poisson,
            "calibration_id": calibration.calibration_id,
            "radius_mm": radius,
            "peak_force_n": curve.peak_force_n,
            "routes_e_star_pa": {
                r: float(10 ** np.nanmedian(v)) for r, v in per_route.items() if _n_valid(v)
            },
        }
        return separate_object(
            total,
            calibration.gel_reduced_compliance_per_pa,
            calibration.gel_modulus_log10_sd,
            numerator=1.0 - self.object_poisson**2,
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
            seed=self.seed,
        )
