"""Per-frame image maps at the sampled frames, for learning (sensor-agnostic network inputs).

``depth_maps`` (gel indentation, mm) and ``contact_maps`` (0/1) are the same on any calibrated
sensor and on the simulator, so a network trained on simulated grasps sees real ones the same
way (ARCHITECTURE.md, section 7). ``change_maps`` is the relative colour change (grey levels at
mid-grey), for sensors without a depth model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tactile.errors import CalibrationError, InvalidGraspError
from tactile.processing.contact import RelativeDifference, clean_mask
from tactile.processing.contact import difference_magnitude_from_diff as _magnitude
from tactile.processing.depth import contact_mask_from_depth, depth_map_mm
from tactile.processing.features import require_calibration
from tactile.processing.warp import DEFAULT_SCALE, PadWarp, build_pad_warp
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures

MAP_KINDS = ("depth", "contact", "change")


def _reference(grasp: Grasp, features: GraspFeatures) -> np.ndarray:
    if grasp.reference_frame is not None:
        return grasp.reference_frame
    return grasp.frames[features.reference_index or 0]


def _one_map(kind: str, diff: np.ndarray, cal: SensorCalibration, warp: PadWarp) -> np.ndarray:
    if kind == "change":
        return diff
    if kind == "contact" and cal.contact_method == "intensity":
        sigma = cal.contact_smoothing_mm / float(np.sqrt(warp.px_area_mm2))
        mag = _magnitude(diff, sigma_px=sigma)
        return clean_mask((mag > cal.contact_threshold).astype(np.uint8)).astype(np.float32)
    if cal.gradient_matrix is None:
        raise CalibrationError(
            f"calibration {cal.calibration_id!r} has no depth model for {kind!r} maps",
            hint="run `tactile calibrate depth`, or ask for kind='change'",
        )
    depth = depth_map_mm(
        diff,
        gradient_matrix=cal.gradient_matrix,
        mm_per_px_x=warp.mm_per_px_x,
        mm_per_px_y=warp.mm_per_px_y,
        depth_scale=cal.depth_scale_mm_per_unit or 1.0,
    )
    return depth if kind == "depth" else contact_mask_from_depth(depth).astype(np.float32)


def sample_maps(
    grasp: Grasp,
    features: GraspFeatures,
    calibration: SensorCalibration,
    *,
    kind: str = "depth",
    indices: Sequence[int] | None = None,
    scale: float = DEFAULT_SCALE,
) -> np.ndarray:
    """Maps of ``kind`` at ``indices`` (default: ``features.sampled_indices``).

    Returns float32 (K, H, W) for ``depth`` (mm, into the gel) and ``contact`` (0/1), and
    (K, H, W, 3) for ``change``; H, W is the pad at ``scale`` of the calibrated warp.
    """
    if kind not in MAP_KINDS:
        raise InvalidGraspError(f"unknown map kind {kind!r}", hint=f"use one of {MAP_KINDS}")
    idx = list(features.sampled_indices if indices is None else indices)
    if not idx or min(idx) < 0 or max(idx) >= grasp.n_frames:
        raise InvalidGraspError(
            f"frame indices {idx} outside 0..{grasp.n_frames - 1}",
            hint="use features.sampled_indices or indices inside the grasp",
        )
    cal = require_calibration(calibration, grasp.grasp_id)
    warp = build_pad_warp(cal, grasp.frame_shape, scale=scale)
    rel = RelativeDifference(warp.apply(_reference(grasp, features)))
    maps = [_one_map(kind, rel(warp.apply(grasp.frames[i])), cal, warp) for i in idx]
    return np.stack(maps).astype(np.float32)
