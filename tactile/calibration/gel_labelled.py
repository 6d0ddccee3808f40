"""Gel modulus calibration: the gel E that makes an estimator agree with objects of known E.

The gel is the second spring in series with every object, so its modulus sets the whole stiff
end of the scale (the reference code hard-coded 150 kPa; the Shore 00 conversion says about
275 kPa). Here it is fitted: features are extracted once per grasp (they do not depend on the
gel modulus), then a log-spaced grid of gel moduli is scanned and the one minimising the squared
log10 error of the estimates against the labels wins; its residual spread becomes
``gel_modulus_log10_sd``. Use calibration objects only, never the objects you evaluate on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tactile.calibration.gel_measured import provenance_after_gel_fit
from tactile.errors import CalibrationError, TactileError
from tactile.estimators import AnalyticalEstimator
from tactile.estimators.auto import estimator_without_point_check
from tactile.processing import extract_features
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures


@dataclass(frozen=True)
class GelFit:
    """Fitted gel modulus with the evidence behind it."""

    gel_modulus_pa: float
    log10_rmse: float
    n_grasps: int
    used: tuple[str, ...]
    skipped: tuple[str, ...]


def _labelled(grasps: Sequence[Grasp]) -> list[Grasp]:
    out = [g for g in grasps if g.meta.label_modulus_pa is not None]
    if not out:
        raise CalibrationError(
            "no grasp has a known modulus (label_modulus_pa)",
            hint="import calibration grasps with --labels so each carries its object's E",
        )
    return out


def fit_gel_modulus(
    grasps: Sequence[Grasp],
    calibration: SensorCalibration,
    *,
    estimator: str = "hertz",
    bounds_pa: tuple[float, float] = (2.0e4, 3.0e6),
    n_grid: int = 49,
) -> GelFit:
    """Scan gel moduli in ``bounds_pa`` (log grid) and keep the best for ``estimator``
    (``auto`` without its given-geometry point check, given37, so the fit is what it was)."""
    est = estimator_without_point_check(estimator)
    if not isinstance(est, AnalyticalEstimator):
        raise CalibrationError(
            f"estimator {estimator!r} is not analytical", hint="use e.g. 'hertz' or 'elastic'"
        )
    feats: list[tuple[Grasp, GraspFeatures]] = []
    skipped: list[str] = []
    for g in _labelled(grasps):
        try:
            feats.append((g, extract_features(g, calibration)))
        except TactileError as exc:
            skipped.append(f"{g.grasp_id}: {exc.message}")
    grid = np.logspace(math.log10(bounds_pa[0]), math.log10(bounds_pa[1]), n_grid)
    best: tuple[float, float, list[str]] | None = None
    for gel_pa in grid:
        cal = replace(calibration, gel_modulus_pa=float(gel_pa))
        errs, used = [], []
        for g, f in feats:
            try:
                e = est.estimate_features(f, meta=g.meta, calibration=cal)
            except TactileError:
                continue
            if e.lower_bound_only:
                continue
            errs.append(math.log10(e.modulus_pa) - math.log10(g.meta.label_modulus_pa or 1.0))
            used.append(g.grasp_id)
        if len(errs) < 2:
            continue
        rmse = float(np.sqrt(np.mean(np.square(errs))))
        if best is None or rmse < best[1]:
            best = (float(gel_pa), rmse, used)
    if best is None:
        raise CalibrationError(
            "fewer than 2 grasps gave a finite estimate at any gel modulus",
            hint="use calibration objects softer than or comparable to the gel (E < 1 MPa)",
        )
    # every labelled grasp the best gel did not use is listed with why (a lower bound, an
    # estimate that failed), as are grasps without a label
    best_cal = replace(calibration, gel_modulus_pa=best[0])
    for g, f in feats:
        if g.grasp_id not in best[2]:
            skipped.append(f"{g.grasp_id}: {_why_not_used(est, f, g, best_cal)}")
    skipped += [
        f"{g.grasp_id}: no known modulus" for g in grasps if g.meta.label_modulus_pa is None
    ]
    return GelFit(best[0], best[1], len(best[2]), tuple(best[2]), tuple(skipped))


def _why_not_used(
    est: AnalyticalEstimator, f: GraspFeatures, g: Grasp, calibration: SensorCalibration
) -> str:
    try:
        e = est.estimate_features(f, meta=g.meta, calibration=calibration)
    except TactileError as exc:
        return exc.message
    if e.lower_bound_only:
        return "only a lower bound at the fitted gel modulus"
    return "not used"  # not reached: the fit uses every point estimate


def calibrate_gel(
    grasps: Sequence[Grasp],
    calibration: SensorCalibration,
    *,
    estimator: str = "hertz",
    calibration_id: str | None = None,
) -> SensorCalibration:
    """``calibration`` with the fitted gel modulus and its log10 spread (``tactile calibrate
    gel``), under ``calibration_id`` (default: unchanged); the evidence in
    ``provenance["gel_fit"]``."""
    fit = fit_gel_modulus(grasps, calibration, estimator=estimator)
    provenance = provenance_after_gel_fit(calibration.provenance)
    provenance["gel_fit"] = {
        "estimator": estimator,
        "log10_rmse": round(fit.log10_rmse, 4),
        "grasps": list(fit.used),
        "skipped": list(fit.skipped),
    }
    return replace(
        calibration,
        calibration_id=calibration_id or calibration.calibration_id,
        gel_modulus_pa=fit.gel_modulus_pa,
        gel_modulus_log10_sd=max(fit.log10_rmse, 0.02),
        gel_source=None,  # fitted, no longer a measured gel (which changes the rig fit)
        provenance=provenance,
    )
