"""Depth calibration from a ball press of known radius.

A rigid ball of radius R pressed into the gel leaves a spherical cap: inside the contact circle
of radius a, the indentation depth is d(r) = sqrt(R^2 - r^2) - sqrt(R^2 - a^2), with slopes
dd/dx = -(x - x0) / sqrt(R^2 - r^2). Fitting the linear colour -> slope model of
:mod:`tactile.processing.depth` to those slopes (least squares over the contact pixels) gives
the ``gradient_matrix``; integrating the fitted slopes and comparing the peak with the cap depth
R - sqrt(R^2 - a^2) gives the residual ``depth_scale_mm_per_unit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from tactile.calibration.sensor import SensorCalibration
from tactile.errors import CalibrationError
from tactile.processing.contact import contact_mask, signed_difference
from tactile.processing.depth import depth_map_mm, fit_cap_radius_mm
from tactile.processing.warp import build_pad_warp


@dataclass(frozen=True)
class DepthFit:
    """Result of a ball-press depth calibration, with its own check numbers."""

    gradient_matrix: tuple[tuple[float, float, float], tuple[float, float, float]]
    depth_scale: float
    contact_radius_mm: float
    cap_depth_mm: float
    fitted_radius_mm: float
    n_pixels: int


def cap_slopes(
    shape: tuple[int, int],
    *,
    center_px: tuple[float, float],
    contact_radius_mm: float,
    ball_radius_mm: float,
    mm_per_px_x: float,
    mm_per_px_y: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact slopes (H, W, 2), depth (H, W) mm and contact mask of a spherical-cap press."""
    if not 0 < contact_radius_mm < ball_radius_mm:
        raise CalibrationError(
            f"contact radius {contact_radius_mm:.2f} mm must be in (0, R={ball_radius_mm} mm)",
            hint="check the ball radius and the press frame",
        )
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    dx = (xx - center_px[0]) * mm_per_px_x
    dy = (yy - center_px[1]) * mm_per_px_y
    r2 = dx**2 + dy**2
    inside = r2 < contact_radius_mm**2
    root = np.sqrt(np.maximum(ball_radius_mm**2 - r2, 1e-12))
    floor = math.sqrt(ball_radius_mm**2 - contact_radius_mm**2)
    depth = np.where(inside, root - floor, 0.0)
    slopes = np.stack([np.where(inside, -dx / root, 0.0), np.where(inside, -dy / root, 0.0)], -1)
    return slopes, depth, inside


def fit_gradient_matrix(diff: np.ndarray, slopes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Least-squares 2x3 matrix M with slopes ~ M @ colour change, over ``mask`` pixels."""
    d = diff[mask].reshape(-1, 3).astype(np.float64)
    g = slopes[mask].reshape(-1, 2).astype(np.float64)
    if d.shape[0] < 20:
        raise CalibrationError(
            f"only {d.shape[0]} contact pixels in the ball press",
            hint="use a frame where the ball is pressed well into the gel",
        )
    sol, *_ = np.linalg.lstsq(d, g, rcond=None)
    return sol.T


def fit_depth(
    image: np.ndarray,
    reference: np.ndarray,
    calibration: SensorCalibration,
    *,
    ball_radius_mm: float,
    scale: float = 0.5,
    inner_fraction: float = 0.85,
) -> DepthFit:
    """Fit the colour -> slope model from one raw ball-press frame and its unloaded reference."""
    warp = build_pad_warp(calibration, image.shape[:2], scale=scale)
    img, ref = warp.apply(image), warp.apply(reference)
    diff = signed_difference(img, ref)
    mask = contact_mask(img, ref, threshold=calibration.contact_threshold)
    n = int(mask.sum())
    if n < 20:
        raise CalibrationError(
            "no ball imprint found in the press frame",
            hint="pass a frame with the ball pressed in, and the unloaded frame as reference",
        )
    ys, xs = np.nonzero(mask)
    center = (float(xs.mean()), float(ys.mean()))
    a_mm = math.sqrt(n * warp.px_area_mm2 / math.pi)
    kw = {"mm_per_px_x": warp.mm_per_px_x, "mm_per_px_y": warp.mm_per_px_y}
    slopes, _, _ = cap_slopes(
        mask.shape, center_px=center, contact_radius_mm=a_mm, ball_radius_mm=ball_radius_mm, **kw
    )
    _, _, inner = cap_slopes(
        mask.shape,
        center_px=center,
        contact_radius_mm=inner_fraction * a_mm,
        ball_radius_mm=ball_radius_mm,
        **kw,
    )
    matrix = fit_gradient_matrix(diff, slopes, inner & mask)
    depth = depth_map_mm(diff, gradient_matrix=matrix, **kw)
    cap = ball_radius_mm - math.sqrt(ball_radius_mm**2 - a_mm**2)
    peak = float(np.percentile(depth[mask], 99))
    if not peak > 0:
        raise CalibrationError(
            "the fitted colour model gives no indentation for the ball press",
            hint="check that the frame shows a press and the reference shows the unloaded gel",
        )
    scale_factor = cap / peak
    radius, _ = fit_cap_radius_mm(depth * scale_factor, inner & mask, **kw)
    rows = tuple(tuple(float(v) for v in row) for row in matrix)
    return DepthFit(
        gradient_matrix=(rows[0], rows[1]),  # type: ignore[arg-type]
        depth_scale=scale_factor,
        contact_radius_mm=a_mm,
        cap_depth_mm=cap,
        fitted_radius_mm=radius,
        n_pixels=n,
    )


def calibrate_depth(
    image: np.ndarray,
    reference: np.ndarray,
    calibration: SensorCalibration,
    *,
    ball_radius_mm: float,
    scale: float = 0.5,
) -> SensorCalibration:
    """A copy of ``calibration`` with the depth model fitted on one ball press."""
    fit = fit_depth(image, reference, calibration, ball_radius_mm=ball_radius_mm, scale=scale)
    extra = dict(calibration.extra)
    extra["depth_fit"] = {
        "ball_radius_mm": ball_radius_mm,
        "contact_radius_mm": round(fit.contact_radius_mm, 4),
        "cap_depth_mm": round(fit.cap_depth_mm, 5),
        "fitted_cap_radius_mm": round(fit.fitted_radius_mm, 3),
        "n_pixels": fit.n_pixels,
        "scale": scale,
    }
    return replace(
        calibration,
        gradient_matrix=fit.gradient_matrix,
        depth_scale_mm_per_unit=fit.depth_scale,
        extra=extra,
    )
