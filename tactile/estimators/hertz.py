"""Hertz sphere contact with the gel in series (Johnson 1985), fitted over the loading phase.

Per usable loading frame the measured force F, contact radius a (from the contact area) and
per-pad approach δ = closure / 2 give the effective modulus E* by one of three routes:

* ``"closure"``:   F = 4/3·E*·a·δ          → E* = 3F / (4aδ)       (R eliminated)
* ``"radius"``:    a³ = 3FR / (4E*)        → E* = 3FR / (4a³)      (needs ``meta.radius_mm``)
* ``"stiffness"``: F = 4/3·E*·√R·δ^{3/2}   (needs R; no area at all)

The stiffness route is fitted as a straight line, ``F^{2/3} = (4/3·E*·√R)^{2/3}·(closure − c0)/2``
(Theil–Sen), whose free intercept c0 absorbs an error in the frame of first contact; only the
slope carries E*. It needs neither the contact area (which image thresholds underestimate for
soft, shallow contacts) nor the exact contact frame, so ``"auto"`` prefers it whenever the
object's radius is known and the closure is resolved; otherwise ``"closure"`` when at least
three frames have a resolved closure, else ``"radius"``. The per-frame values of the other
routes are fitted robustly in log space (:mod:`tactile.estimators.fitting`).

Then the gel's compliance ``(1 − ν_g²)/E_g`` — from the grasp's
:class:`~tactile.sensor.SensorCalibration`, never a constant — is removed with Monte Carlo
uncertainty (:mod:`tactile.estimators.separation`), giving E (not E*) with the object's Poisson
ratio (default 0.5, :data:`~tactile.estimators.contact.DEFAULT_OBJECT_POISSON`). The other
routes' E* are reported in ``details["routes_e_star_pa"]`` as a consistency check.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tactile.errors import ConfigError, EstimatorError
from tactile.estimators.base import (
    CHECK_POINTS_DEFAULT,
    GivenGeometryEstimator,
    refuse_without_geometry,
)
from tactile.estimators.contact import (
    DEFAULT_OBJECT_POISSON,
    PA_PER_N_PER_MM2,
    thin_layer_factor,
)
from tactile.estimators.fitting import MIN_LOG10_SE, LogFit, robust_log_fit, robust_slope_fit
from tactile.estimators.loading import LoadingCurve, loading_curve
from tactile.estimators.separation import separate_with_calibration
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

ROUTES = ("auto", "closure", "radius", "stiffness", "hold")
SPHERES = frozenset({"sphere", "ball", "spherical"})
#: Share of the peak force above which frames count as the force-controlled hold.
HOLD_FORCE_FRACTION = 0.9
#: Approach over radius beyond which Hertz (small strain) gets a model uncertainty.
LARGE_STRAIN = 0.3
#: Beyond this δ/R the hold is not used: the object may be squashed to lock-up; the early
#: loading frames (δ/R ≤ this) are fitted instead when there are enough of them.
MAX_HERTZ_STRAIN = 0.6
#: Model uncertainty (log10) of a hold past MAX_HERTZ_STRAIN.
LOCKUP_LOG10_SD = 1.0
#: Closure (mm) below which a frame's approach counts as unresolved (width encoders step ~0.1 mm).
MIN_CLOSURE_MM = 0.05
MIN_ROUTE_FRAMES = 3


def hertz_log10_e_star(curve: LoadingCurve, route: str, radius_mm: float | None) -> np.ndarray:
    """Per-frame log10 E* (Pa) by ``route``; frames the route cannot use are NaN."""
    f, a = curve.force_n, curve.contact_radius_mm
    delta = curve.closure_mm / 2.0
    ok_delta = curve.closure_mm > MIN_CLOSURE_MM
    ok_area = a > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if route == "closure":
            e = np.where(ok_delta & ok_area, 3.0 * f / (4.0 * a * delta), np.nan)
        elif route == "radius" and radius_mm is not None:
            e = np.where(ok_area, 3.0 * f * radius_mm / (4.0 * a**3), np.nan)
        elif route == "stiffness" and radius_mm is not None:
            e = np.where(ok_delta, 3.0 * f / (4.0 * math.sqrt(radius_mm) * delta**1.5), np.nan)
        else:
            return np.full(f.shape, np.nan)
        return np.log10(e * PA_PER_N_PER_MM2)


def stiffness_fit(curve: LoadingCurve, radius_mm: float, *, seed: int = 0) -> LogFit:
    """E* from the slope of ``F^{2/3}`` against closure (see the module docstring)."""
    ok = curve.closure_mm > MIN_CLOSURE_MM
    x, y = curve.closure_mm[ok], curve.force_n[ok] ** (2.0 / 3.0)
    slope, se_log_slope, x0 = robust_slope_fit(x, y, seed=seed)
    if not (np.isfinite(slope) and slope > 0 and np.isfinite(se_log_slope)):
        per_frame = hertz_log10_e_star(curve, "stiffness", radius_mm)
        return robust_log_fit(per_frame, seed=seed)
    # F^{2/3} = k^{2/3}·δ, δ = closure/2, k = 4/3·E*·√R  ->  E* = 3·(2·slope)^{3/2} / (4·√R)
    e_star = 3.0 * (2.0 * slope) ** 1.5 / (4.0 * math.sqrt(radius_mm)) * PA_PER_N_PER_MM2
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = np.log10(y / (slope * (x - x0)))
    resid = resid[np.isfinite(resid)]
    scatter = float(1.4826 * np.median(np.abs(resid - np.median(resid)))) if resid.size else 0.0
    se = max(1.5 * se_log_slope, MIN_LOG10_SE)
    return LogFit(math.log10(e_star), se, scatter, int(x.size))


def hold_frames(
    features: GraspFeatures, size_mm: float, width_offset_mm: float = 0.0
) -> tuple[np.ndarray, np.ndarray] | None:
    """Force (N) and approach per side δ (mm) of the force-controlled hold's frames.

    An object of ``size_mm`` along the squeeze axis first touches both pads at the width
    ``size_mm + width_offset_mm``, so ``δ = (size + offset − width)/2``. Hold frames: after first
    contact, force within 10 % of its peak, δ resolved. None without two such frames.
    """
    force = np.asarray(features.force_n, dtype=np.float64)
    width = np.asarray(features.width_mm, dtype=np.float64)
    after = np.arange(force.size) >= features.contact_index
    peak = float(np.max(force[after])) if np.any(after) else 0.0
    delta = (size_mm + width_offset_mm - width) / 2.0
    ok = after & (force >= HOLD_FORCE_FRACTION * peak) & (delta > MIN_CLOSURE_MM)
    if int(ok.sum()) < 2 or peak <= 0:
        return None
    return force[ok], delta[ok]


def hold_fit(
    features: GraspFeatures,
    radius_mm: float,
    *,
    width_offset_mm: float = 0.0,
    width_offset_sd_mm: float = 0.5,
    gel_thickness_mm: float | None = None,
    seed: int = 0,
) -> tuple[LogFit, float, float] | None:
    """E* from the force-controlled hold, with the sphere's diameter as the contact width.

    At the hold (force within 10 % of its peak, after first contact) force and gripper width
    have settled, while during the fast closing the width lags the force and the frame of first
    contact is uncertain. A sphere of radius R first touches both pads at the width
    ``2R + width_offset_mm`` (the rig's offset between its width reading and the gap between the
    gel surfaces, ``SensorCalibration.width_offset_mm``, default 0), so per hold
    frame ``δ = (2R + offset − width)/2`` and ``E* = 3F/(4√R·δ^{3/2})``. The offset's
    uncertainty (``width_offset_sd_mm``, default 0.5 mm) is added to the fit's.

    Returns the fit, the factor on the gel's compliance and the hold's approach δ (mm). The
    factor is 1 for a half-space gel, or, with
    ``gel_thickness_mm`` (a thin gel bonded to a rigid window), ``1/(1 + 0.33·(a/h)³)`` at the
    hold's contact radius ``a = √(R·δ)`` (Shull 2002, eq. 37). None when no frame is usable.
    """
    held = hold_frames(features, 2.0 * radius_mm, width_offset_mm)
    if held is None:
        return None
    force_n, delta = held
    e = 3.0 * force_n / (4.0 * math.sqrt(radius_mm) * delta**1.5)
    fit = robust_log_fit(np.log10(e * PA_PER_N_PER_MM2), seed=seed)
    offset_se = 1.5 * (width_offset_sd_mm / 2.0) / float(np.median(delta)) / math.log(10.0)
    se = math.hypot(fit.log10_se, offset_se)
    gel_factor = 1.0
    if gel_thickness_mm:
        a = np.sqrt(radius_mm * delta)
        gel_factor = float(np.median(thin_layer_factor(a, gel_thickness_mm)))
    approach = float(np.median(delta))
    return LogFit(fit.log10_value, se, fit.scatter_log10, fit.n_frames), gel_factor, approach


def onset_radius_mm(features: GraspFeatures, width_offset_mm: float = 0.0) -> float | None:
    """A sphere's radius from the gripper width where the force starts to rise, or None.

    The onset is the first frame from which the force stays above max(0.3 N, 2 % of the peak)
    for 3 frames (a lone spike does not count). The object already carries that force, and the
    rig's width may lag the force, so this is good to about ±2 mm of diameter
    (``SensorCalibration.onset_width_sd_mm``' default, used as the hold's width uncertainty):
    reference-rig balls of 25 mm read 24.5–27.4 mm, the golf ball (21.3 mm) 21.6–22.5 mm. A
    calibration made with a rigid sphere stores the rig's lag as ``onset_width_bias_mm``
    (subtracted here through ``width_offset_mm``) and its spread as ``onset_width_sd_mm``.
    """
    force = np.asarray(features.force_n, dtype=np.float64)
    width = np.asarray(features.width_mm, dtype=np.float64)
    if force.size < 3 or not np.all(np.isfinite(force)):
        return None
    above = force >= max(0.3, 0.02 * float(force.max()))
    run = above[:-2] & above[1:-1] & above[2:]
    if not run.any():
        return None
    radius = (float(width[int(np.argmax(run))]) - width_offset_mm) / 2.0
    return radius if radius > 1.0 else None


def small_strain_frames(curve: LoadingCurve, radius_mm: float) -> LoadingCurve | None:
    """The loading frames with δ = closure/2 ≤ MAX_HERTZ_STRAIN·R, if at least 4 have distinct
    closures with positive force (enough for the stiffness line), else None."""
    keep = (curve.closure_mm / 2.0 <= MAX_HERTZ_STRAIN * radius_mm) & (
        curve.closure_mm > MIN_CLOSURE_MM
    )
    if np.unique(np.round(curve.closure_mm[keep], 3)).size < 4:
        return None
    depth = curve.depth_mm[keep] if curve.depth_mm is not None else None
    return dataclasses.replace(
        curve,
        indices=curve.indices[keep],
        force_n=curve.force_n[keep],
        area_mm2=curve.area_mm2[keep],
        contact_radius_mm=curve.contact_radius_mm[keep],
        closure_mm=curve.closure_mm[keep],
        depth_mm=depth,
    )


def large_strain_log10_sd(approach_over_radius: float | None) -> float:
    """Model uncertainty (log10) of Hertz beyond small strain: 0 up to δ/R = 0.3, then
    0.2·(δ/R − 0.3).

    Hertz assumes a ≪ R; past δ/R ≈ 0.3 (a/R ≈ 0.55) a squeezed ball stiffens and the
    estimate drifts: in the simulator, which locks soft objects up near full compression, a
    30 kPa ball at δ/R = 0.88 reads 1.3× (0.11 dex) stiff, which this sd (0.12) covers at 1σ.
    Beyond ``MAX_HERTZ_STRAIN`` (only when too few early frames are left to fit instead) the
    object may be squashed to lock-up, and the hold says little: ±1 dex, and ``poor_fit``.
    """
    if approach_over_radius is None or approach_over_radius <= LARGE_STRAIN:
        return 0.0
    if approach_over_radius > MAX_HERTZ_STRAIN:
        return LOCKUP_LOG10_SD
    return 0.2 * (approach_over_radius - LARGE_STRAIN)


def _n_valid(x: np.ndarray) -> int:
    return int(np.count_nonzero(np.isfinite(x)))


@dataclass(frozen=True)
class HertzEstimator(GivenGeometryEstimator):
    """Hertz sphere–flat contact, two pads, gel in series. See the module docstring."""

    name: str = "hertz"
    route: str = "auto"
    object_poisson: float = DEFAULT_OBJECT_POISSON
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

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.route not in ROUTES:
            raise ConfigError(
                f"hertz route {self.route!r} is unknown", hint=f"use one of {', '.join(ROUTES)}"
            )

    def given_image_frames(self, meta: GraspMetadata) -> int | None:
        """1 (the peak frame) when the radius is known or read at force onset: the hold and
        stiffness routes use force and width only; else None (the area routes need images)."""
        shape = (meta.shape or "").strip().lower()
        has_radius = meta.radius_mm is not None or shape in SPHERES
        return 1 if has_radius and self.route in ("auto", "hold", "stiffness") else None

    def _choose_route(self, per_route: dict[str, np.ndarray]) -> str:
        if self.route != "auto":
            return self.route
        for name in ("stiffness", "closure", "radius"):
            if _n_valid(per_route[name]) >= MIN_ROUTE_FRAMES:
                return name
        return "closure"

    def _hold(
        self,
        features: GraspFeatures,
        meta: GraspMetadata,
        calibration: SensorCalibration,
        radius_estimated: bool,
    ) -> tuple[LogFit, float, float] | None:
        shape = (meta.shape or "").strip().lower()
        if meta.radius_mm is None or shape not in SPHERES or self.route not in ("auto", "hold"):
            return None
        offset_sd = calibration.width_offset_sd_mm
        if radius_estimated:
            offset_sd = max(offset_sd, calibration.onset_width_sd_mm)
        return hold_fit(
            features,
            meta.radius_mm,
            width_offset_mm=calibration.width_offset_mm,
            width_offset_sd_mm=offset_sd,
            gel_thickness_mm=calibration.gel_thickness_mm if calibration.thin_layer else None,
            seed=self.seed,
        )

    def estimate_given(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        curve = loading_curve(features, min_force_fraction=self.min_force_fraction)
        if self.require_geometry:
            refuse_without_geometry(self.name, features, meta)
        flags = set(curve.flags)
        radius_source = "metadata" if meta.radius_mm is not None else None
        shape = (meta.shape or "").strip().lower()
        if meta.radius_mm is None and shape in SPHERES and self.route == "auto":
            offset_mm = calibration.width_offset_mm + calibration.onset_width_bias_mm
            estimated = onset_radius_mm(features, offset_mm)
            if estimated is not None:
                meta = dataclasses.replace(meta, radius_mm=estimated)
                radius_source = "width at force onset"
                flags.add(Flag.SHAPE_ASSUMED)
        radius = meta.radius_mm
        per_route = {r: hertz_log10_e_star(curve, r, radius) for r in ROUTES[1:4]}
        held = self._hold(features, meta, calibration, radius_source == "width at force onset")
        hold: LogFit | None = None
        gel_factor = 1.0
        approach_mm = float(np.max(curve.closure_mm)) / 2.0
        fit_curve = curve
        if held is not None:
            hold, gel_factor, approach_mm = held
            per_route["hold"] = np.array([hold.log10_value])
        route = "hold" if hold is not None else self._choose_route(per_route)
        if radius and route in ("hold", "stiffness") and self.route == "auto":
            early = loading_curve(features, min_force_fraction=0.01, min_force_n=0.2)
            small = small_strain_frames(early, radius)
            if small is not None and approach_mm / radius > MAX_HERTZ_STRAIN:
                # squashed past Hertz's range (lock-up): fit the early loading frames only
                route, hold, fit_curve = "stiffness", None, small
                approach_mm = float(np.max(small.closure_mm)) / 2.0
                if calibration.thin_layer:
                    a = np.sqrt(radius * np.maximum(small.closure_mm, 0.0) / 2.0)
                    gel_factor = float(
                        np.median(thin_layer_factor(a, calibration.gel_thickness_mm))
                    )
        values = per_route.get(route, np.array([np.nan]))
        if _n_valid(values) == 0:
            flags.add(Flag.WIDTH_UNCHANGED)
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: Hertz route {route!r} has no usable frame "
                "(gripper closure not resolved"
                + ("" if radius else " and the object's radius is unknown")
                + ")",
                hint="give the object's radius (meta.radius_mm) or record the gripper width",
            )
        if hold is not None:
            fit = hold
        elif route == "stiffness" and radius is not None:
            fit = stiffness_fit(fit_curve, radius, seed=self.seed)
        else:
            fit = robust_log_fit(values, seed=self.seed)
        strain = approach_mm / radius if radius else None
        model_se = large_strain_log10_sd(strain)
        if strain is not None and strain > MAX_HERTZ_STRAIN:
            flags.add(Flag.POOR_FIT)
        se = math.hypot(fit.log10_se, model_se)
        total = LogFit(-fit.log10_value, se, fit.scatter_log10, fit.n_frames)
        details: dict[str, Any] = {
            "route": route,
            "approach_over_radius": strain,
            "model_log10_sd": model_se,
            "e_star_pa": fit.value,
            "radius_mm": radius,
            "radius_source": radius_source,
            "peak_force_n": curve.peak_force_n,
            "routes_e_star_pa": {
                r: float(10 ** np.nanmedian(v)) for r, v in per_route.items() if _n_valid(v)
            },
        }
        return separate_with_calibration(
            total,
            calibration,
            object_poisson=self.object_poisson,
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
            seed=self.seed,
            gel_factor=gel_factor,
            approach_mm=approach_mm,
        )
