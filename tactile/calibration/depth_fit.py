"""Depth calibration from a ball press of known radius.

A rigid ball of radius R pressed into a thick gel leaves the Hertz surface: a spherical cap of
radius R inside the contact circle (radius a, depth a^2/R) and the elastic far field outside.
Fitting the linear colour -> slope model of :mod:`tactile.processing.depth` to that surface's
slopes (least squares over the pad, searching a) gives the ``gradient_matrix``; integrating the
fitted slopes and comparing the peak with a^2/R gives the residual ``depth_scale_mm_per_unit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tactile.errors import CalibrationError, ConfigError
from tactile.processing.contact import (
    contact_mask,
    difference_magnitude_from_diff,
    signed_difference,
)
from tactile.processing.depth import depth_map_mm, fit_cap_radius_mm
from tactile.processing.warp import DEFAULT_SCALE, build_pad_warp
from tactile.sensor import SensorCalibration
from tactile.types import Grasp


@dataclass(frozen=True)
class DepthFit:
    """Result of a ball-press depth calibration, with its own check numbers."""

    gradient_matrix: tuple[tuple[float, float, float], tuple[float, float, float]]
    depth_scale: float
    contact_radius_mm: float
    cap_depth_mm: float
    fitted_radius_mm: float
    n_pixels: int


def hertz_press_depth(
    shape: tuple[int, int],
    *,
    center_px: tuple[float, float],
    contact_radius_mm: float,
    ball_radius_mm: float,
    mm_per_px_x: float,
    mm_per_px_y: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Gel indentation (H, W) mm and contact mask of a rigid ball pressed into a thick gel.

    Hertz (Johnson, *Contact Mechanics*, 1985, sec. 3.4 and 4.2): with delta = a^2 / R, the gel
    surface is d = delta - r^2 / (2R) inside the contact (a spherical cap of the ball's radius, to
    second order) and d = ((2a^2 - r^2) asin(a/r) + a sqrt(r^2 - a^2)) / (pi R) outside.
    """
    a, big_r = contact_radius_mm, ball_radius_mm
    if not 0 < a < big_r:
        raise CalibrationError(
            f"contact radius {a:.2f} mm must be in (0, R={big_r} mm)",
            hint="check the ball radius and the press frame",
        )
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((xx - center_px[0]) * mm_per_px_x, (yy - center_px[1]) * mm_per_px_y)
    inside = r <= a
    ro = np.maximum(r, a)
    outside = ((2 * a * a - ro * ro) * np.arcsin(a / ro) + a * np.sqrt(ro * ro - a * a)) / (
        math.pi * big_r
    )
    depth = np.where(inside, a * a / big_r - r * r / (2 * big_r), outside)
    return depth.astype(np.float32), inside


def cap_press_depth(
    shape: tuple[int, int],
    *,
    center_px: tuple[float, float],
    contact_radius_mm: float,
    ball_radius_mm: float,
    mm_per_px_x: float,
    mm_per_px_y: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Thin-gel limit of a rigid-ball press: the exact spherical cap inside the contact,
    flat gel outside (a thin layer bonded to a rigid backing has almost no far field)."""
    a, big_r = contact_radius_mm, ball_radius_mm
    if not 0 < a < big_r:
        raise CalibrationError(
            f"contact radius {a:.2f} mm must be in (0, R={big_r} mm)",
            hint="check the ball radius and the press frame",
        )
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((xx - center_px[0]) * mm_per_px_x, (yy - center_px[1]) * mm_per_px_y)
    inside = r <= a
    cap = np.sqrt(np.maximum(big_r**2 - r**2, 0.0)) - math.sqrt(big_r**2 - a**2)
    return np.where(inside, cap, 0.0).astype(np.float32), inside


PRESS_MODELS = {"hertz": hertz_press_depth, "cap": cap_press_depth}


def depth_slopes(depth_mm: np.ndarray, *, mm_per_px_x: float, mm_per_px_y: float) -> np.ndarray:
    """(H, W, 2) slopes (dd/dx, dd/dy) of a depth map, dimensionless."""
    gy, gx = np.gradient(depth_mm.astype(np.float64), mm_per_px_y, mm_per_px_x)
    return np.stack([gx, gy], -1)


def _weighted_centre(mag: np.ndarray, threshold: float) -> tuple[float, float]:
    w = np.maximum(mag - np.percentile(mag, 90), 0.0)
    if not w.any() or float(mag.max()) < threshold:
        raise CalibrationError(
            "no ball imprint found in the press frame",
            hint="pass a frame with the ball pressed in, and the unloaded frame as reference",
        )
    yy, xx = np.mgrid[0 : mag.shape[0], 0 : mag.shape[1]]
    return float((w * xx).sum() / w.sum()), float((w * yy).sum() / w.sum())


def fit_depth(
    image: np.ndarray,
    reference: np.ndarray,
    calibration: SensorCalibration,
    *,
    ball_radius_mm: float,
    scale: float = DEFAULT_SCALE,
    n_candidates: int = 40,
    model: str = "hertz",
    contact_radius_mm: float | None = None,
) -> DepthFit:
    """Fit the colour -> slope model from one raw ball-press frame and its unloaded reference.

    The contact radius a is found by search: for each candidate a the surface of a rigid ball
    press gives the slopes, the 2x3 matrix is fitted by least squares, and the a with the
    smallest residual wins (or ``contact_radius_mm`` is used as given). ``model``:
    ``"hertz"`` (thick gel, elastic far field: :func:`hertz_press_depth`) or ``"cap"`` (thin
    gel on a rigid backing: :func:`cap_press_depth`).
    """
    if model not in PRESS_MODELS:
        raise CalibrationError(
            f"unknown press model {model!r}", hint=f"use one of {sorted(PRESS_MODELS)}"
        )
    surface = PRESS_MODELS[model]
    if not (math.isfinite(ball_radius_mm) and ball_radius_mm > 0):
        raise CalibrationError(
            f"ball radius {ball_radius_mm!r} mm must be positive", hint="e.g. 21.335 (golf)"
        )
    warp = build_pad_warp(calibration, image.shape[:2], scale=scale)
    img, ref = warp.apply(image), warp.apply(reference)
    diff = signed_difference(img, ref)
    centre = _weighted_centre(
        difference_magnitude_from_diff(diff, sigma_px=3.0), 0.5 * calibration.contact_threshold
    )
    kw = {"mm_per_px_x": warp.mm_per_px_x, "mm_per_px_y": warp.mm_per_px_y}
    pad_mm = min(diff.shape[1] * warp.mm_per_px_x, diff.shape[0] * warp.mm_per_px_y)
    a_max = min(0.6 * pad_mm, 0.9 * ball_radius_mm)
    colours = diff.reshape(-1, 3).astype(np.float64)
    best: tuple[float, float, np.ndarray] | None = None
    candidates = (
        np.linspace(0.05 * a_max, a_max, n_candidates)
        if contact_radius_mm is None
        else np.array([contact_radius_mm])
    )
    for a_mm in candidates:
        depth, _ = surface(
            diff.shape[:2], center_px=centre, contact_radius_mm=a_mm,
            ball_radius_mm=ball_radius_mm, **kw,
        )  # fmt: skip
        slopes = depth_slopes(depth, **kw).reshape(-1, 2)
        sol, *_ = np.linalg.lstsq(colours, slopes, rcond=None)
        resid = float(np.sum((colours @ sol - slopes) ** 2) / max(np.sum(slopes**2), 1e-12))
        if best is None or resid < best[0]:
            best = (resid, float(a_mm), sol.T)
    if best is None:
        raise CalibrationError("n_candidates must be >= 1", hint="use the default 40")
    _, a_mm, matrix = best
    cap = float(surface(
        (1, 1), center_px=(0.0, 0.0), contact_radius_mm=a_mm,
        ball_radius_mm=ball_radius_mm, mm_per_px_x=1.0, mm_per_px_y=1.0,
    )[0].max())  # fmt: skip
    depth = depth_map_mm(diff, gradient_matrix=matrix, **kw)
    peak = float(depth.max())
    if not peak > 0:
        raise CalibrationError(
            "the fitted colour model gives no indentation for the ball press",
            hint="check that the frame shows a press and the reference shows the unloaded gel",
        )
    factor = cap / peak
    _, inside = surface(
        diff.shape[:2], center_px=centre, contact_radius_mm=a_mm,
        ball_radius_mm=ball_radius_mm, **kw,
    )  # fmt: skip
    radius, _ = fit_cap_radius_mm(depth * factor, inside, **kw)
    rows = tuple(tuple(float(v) for v in row) for row in matrix)
    return DepthFit(
        gradient_matrix=(rows[0], rows[1]),  # type: ignore[arg-type]
        depth_scale=factor,
        contact_radius_mm=a_mm,
        cap_depth_mm=cap,
        fitted_radius_mm=radius,
        n_pixels=int(inside.sum()),
    )


def contact_radius_from_mask(
    image: np.ndarray,
    reference: np.ndarray,
    calibration: SensorCalibration,
    *,
    scale: float = DEFAULT_SCALE,
) -> float:
    """Equivalent radius sqrt(A / pi) (mm) of the intensity contact mask of a press frame."""
    warp = build_pad_warp(calibration, image.shape[:2], scale=scale)
    mask = contact_mask(
        warp.apply(image),
        warp.apply(reference),
        threshold=calibration.contact_threshold,
        sigma_px=calibration.contact_smoothing_mm / math.sqrt(warp.px_area_mm2),
    )
    area = float(mask.sum()) * warp.px_area_mm2
    if area <= 0:
        raise CalibrationError(
            "no contact found in the press frame at the calibration's contact_threshold",
            hint="lower contact_threshold or give --contact-radius-mm",
        )
    return math.sqrt(area / math.pi)


def calibrate_depth(
    image: np.ndarray,
    reference: np.ndarray,
    calibration: SensorCalibration,
    *,
    ball_radius_mm: float,
    scale: float = DEFAULT_SCALE,
    model: str = "hertz",
    contact_radius_mm: float | None = None,
) -> SensorCalibration:
    """A copy of ``calibration`` with the depth model fitted on one ball press."""
    fit = fit_depth(
        image,
        reference,
        calibration,
        ball_radius_mm=ball_radius_mm,
        scale=scale,
        model=model,
        contact_radius_mm=contact_radius_mm,
    )
    provenance = dict(calibration.provenance)
    provenance["depth_fit"] = {
        "ball_radius_mm": ball_radius_mm,
        "model": model,
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
        provenance=provenance,
    )


# --- the press: which frame of a recording, against which unloaded frame ----------------------

#: Sources read as a still image (with a separate unloaded image) rather than a recording.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


@dataclass(frozen=True)
class Press:
    """One ball-press frame, the unloaded frame it is compared with, and where both came from."""

    image: np.ndarray
    reference: np.ndarray
    source: str  # e.g. "golf_ball_1.avi frame 41": kept in the calibration's provenance


def select_press(
    grasp: Grasp,
    *,
    frame: int | None = None,
    reference_frame: int | None = None,
    source: str | None = None,
) -> Press:
    """The press frame of a recorded ball press and its unloaded reference.

    The press is ``frame``, else the peak-force frame of the loading phase
    (:func:`tactile.processing.find_loading_phase`). The reference is ``reference_frame``,
    else the grasp's stored reference frame, else the frame just before contact. ``source``
    names the recording in :attr:`Press.source` (default: the grasp id).
    """
    from tactile.processing import find_loading_phase

    phase = find_loading_phase(grasp.force_n, grasp.width_mm)
    press = phase.peak_index if frame is None else frame
    if reference_frame is not None:
        if not 0 <= reference_frame < grasp.n_frames:
            raise ConfigError(
                f"--reference-frame {reference_frame} outside 0..{grasp.n_frames - 1}",
                hint="pick a frame",
            )
        ref = grasp.frames[reference_frame]
    elif grasp.reference_frame is not None:
        ref = grasp.reference_frame
    else:
        ref = grasp.frames[max(phase.contact_index - 1, 0)]
    if not 0 <= press < grasp.n_frames:
        raise ConfigError(f"--frame {press} outside 0..{grasp.n_frames - 1}", hint="pick a frame")
    return Press(grasp.frames[press], ref, f"{source or grasp.grasp_id} frame {press}")


def _read_image(path: Path) -> np.ndarray:
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ConfigError(f"cannot read image {path}", hint="pass a PNG/JPEG file")
    return img


def load_press(
    source: str | Path,
    *,
    grasp_id: str | None = None,
    frame: int | None = None,
    reference_frame: int | None = None,
    reference_image: str | Path | None = None,
) -> Press:
    """A ball press from an image pair, or from a recording (:func:`select_press`).

    ``source`` is an image (``IMAGE_SUFFIXES``; the unloaded gel is ``reference_image``), a
    grasp store or a reference ``.avi`` recording (its first grasp, or ``grasp_id``).
    """
    source = Path(source)
    if source.suffix.lower() in IMAGE_SUFFIXES:
        if reference_image is None:
            raise ConfigError(
                "an image press needs --reference-image", hint="give the unloaded gel image"
            )
        return Press(_read_image(source), _read_image(Path(reference_image)), str(source))
    from tactile.io import load_grasps

    grasp = load_grasps(source, grasp_ids=[grasp_id] if grasp_id else None)[0]
    return select_press(grasp, frame=frame, reference_frame=reference_frame, source=str(source))


def calibrate_depth_from_press(
    source: str | Path,
    calibration: SensorCalibration,
    *,
    ball_radius_mm: float,
    model: str = "hertz",
    contact_radius_mm: float | None = None,
    radius_from_mask: bool = False,
    record_contrast: bool = False,
    contact_method: str | None = None,
    calibration_id: str | None = None,
    grasp_id: str | None = None,
    frame: int | None = None,
    reference_frame: int | None = None,
    reference_image: str | Path | None = None,
) -> SensorCalibration:
    """``tactile calibrate depth``: the depth model fitted on one ball press of a file.

    The press comes from :func:`load_press`; the contact radius is ``contact_radius_mm``, the
    intensity mask's equivalent radius (``radius_from_mask``:
    :func:`contact_radius_from_mask`), or searched
    (:func:`fit_depth`). The result keeps ``calibration``'s other fields, takes
    ``calibration_id`` (default: the same id) and ``contact_method`` when given, and records the
    press's source in ``provenance["depth_fit"]["source"]``. With ``record_contrast``, the
    intensity method and no ``contact_reference_contrast`` in ``calibration``, it records the
    press's unloaded frame's shading contrast there
    (:func:`~tactile.processing.features.reference_shading_contrast`), so later grasps'
    thresholds follow the camera's contrast from this day on.
    """
    press = load_press(
        source,
        grasp_id=grasp_id,
        frame=frame,
        reference_frame=reference_frame,
        reference_image=reference_image,
    )
    radius = contact_radius_mm
    if radius_from_mask:
        radius = contact_radius_from_mask(press.image, press.reference, calibration)
    cal = calibrate_depth(
        press.image,
        press.reference,
        calibration,
        ball_radius_mm=ball_radius_mm,
        model=model,
        contact_radius_mm=radius,
    )
    cal = replace(cal, calibration_id=calibration_id or calibration.calibration_id)
    if contact_method:
        cal = replace(cal, contact_method=contact_method)
    fit = dict(cal.provenance["depth_fit"], source=press.source)
    if (
        record_contrast
        and cal.contact_method == "intensity"
        and cal.contact_reference_contrast is None
    ):
        # asked for: the profile's threshold was chosen on this camera set-up; a profile that
        # already records a contrast keeps it (its threshold was set there). Not by default:
        # this step does not set the threshold, so it cannot know at which contrast it was
        # chosen (a v1-based profile from the 2023-12-16 press made the area-reading
        # estimators on 2023-12-06 worse: BENCHMARKS.md, appearance drift review)
        from tactile.processing.features import reference_shading_contrast

        contrast = round(reference_shading_contrast(press.reference, cal), 3)
        cal = replace(cal, contact_reference_contrast=contrast)
        fit["contact_reference_contrast"] = f"{contrast:g} from the press's unloaded frame"
    return replace(cal, provenance={**cal.provenance, "depth_fit": fit})
