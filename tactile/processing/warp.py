"""Pad warp: raw camera frame -> metric, cropped, optionally downsampled image of the gel pad.

The perspective warp from the calibrated pad corners, the crop and the downsampling are folded
into one pair of fixed-point remap tables, built once per (calibration, frame shape, scale) and
applied with ``cv2.remap``: one memory pass per frame, only over the pad region.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tactile.errors import CalibrationError, InvalidGraspError
from tactile.processing._lean import next_fast_len_real
from tactile.sensor import SensorCalibration

#: Working resolution relative to the calibrated warp. 0.35 puts the Wedge pad at ~0.25 mm/px
#: (108x90 px): contact areas and depths on the simulator match those at 0.5 to within 1 %
#: (median), and contact features run ~2x faster (benchmarks/bench_processing.py).
DEFAULT_SCALE = 0.35


@dataclass(frozen=True, eq=False)
class PadWarp:
    """Precomputed warp of one sensor at one working resolution.

    ``size_px`` is the output (width, height); ``mm_per_px_x`` / ``mm_per_px_y`` the per-axis
    scale of the *output* pixels (the calibration's scale divided by ``scale``).
    """

    map1: np.ndarray
    map2: np.ndarray
    size_px: tuple[int, int]
    input_shape: tuple[int, int]
    mm_per_px_x: float
    mm_per_px_y: float
    scale: float

    @property
    def px_area_mm2(self) -> float:
        return self.mm_per_px_x * self.mm_per_px_y

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """Warp one (H, W, 3) or (H, W) uint8 frame to the pad image."""
        if frame.shape[:2] != self.input_shape:
            raise InvalidGraspError(
                f"frame is {frame.shape[1]}x{frame.shape[0]} px but the warp was built for "
                f"{self.input_shape[1]}x{self.input_shape[0]}",
                hint="use the calibration recorded with this camera resolution",
            )
        return cv2.remap(frame, self.map1, self.map2, cv2.INTER_LINEAR)

    def apply_stack(self, frames: np.ndarray) -> np.ndarray:
        """Warp a (T, H, W, 3) stack; returns (T, h, w, 3)."""
        w, h = self.size_px
        out = np.empty((frames.shape[0], h, w, *frames.shape[3:]), dtype=frames.dtype)
        for i in range(frames.shape[0]):
            out[i] = self.apply(frames[i])
        return out


def pad_homography(calibration: SensorCalibration) -> np.ndarray:
    """3x3 homography raw px -> warped px (before crop); identity when there are no corners."""
    if calibration.corners_px is None:
        return np.eye(3)
    if calibration.warp_size_px is None:
        raise CalibrationError(
            f"calibration {calibration.calibration_id!r} has corners_px but no warp_size_px",
            hint="give the warp target size, e.g. warp_size_px=(400, 300)",
        )
    w, h = calibration.warp_size_px
    src = np.asarray(calibration.corners_px, dtype=np.float32)  # TL, TR, BL, BR
    dst = np.array([[0, 0], [w, 0], [0, h], [w, h]], dtype=np.float32)
    return np.asarray(cv2.getPerspectiveTransform(src, dst), dtype=np.float64)


def processed_region(
    calibration: SensorCalibration, frame_shape: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the warped image that is processed: ``roi_px``, else the crop."""
    if calibration.warp_size_px is not None and calibration.corners_px is not None:
        w_full, h_full = calibration.warp_size_px
    else:
        w_full, h_full = int(frame_shape[1]), int(frame_shape[0])
    if calibration.roi_px is not None:
        x0, y0, x1, y1 = calibration.roi_px
    else:
        c = calibration.crop_px
        x0, y0, x1, y1 = c, c, w_full - c, h_full - c
    if x1 - x0 < 8 or y1 - y0 < 8 or x1 > w_full or y1 > h_full:
        raise CalibrationError(
            f"calibration {calibration.calibration_id!r}: processed region "
            f"{(x0, y0, x1, y1)} does not fit a {w_full}x{h_full} px pad image",
            hint="fix crop_px / roi_px in the calibration",
        )
    return x0, y0, x1, y1


def build_pad_warp(
    calibration: SensorCalibration, frame_shape: tuple[int, int], *, scale: float = DEFAULT_SCALE
) -> PadWarp:
    """Remap tables for ``calibration`` on frames of ``frame_shape`` = (H, W) at ``scale``.

    ``scale`` < 1 downsamples the metric pad image (0.5 halves each side): the contact patch of
    a grasp spans tens of pixels even then, and every later step gets ``1/scale**2`` cheaper.
    The bilinear remap averages neighbouring source pixels (a box filter at 0.5; below that it
    subsamples, which the later Gaussian smoothing tolerates).
    """
    if not 0.05 <= scale <= 1.0:
        raise InvalidGraspError(f"scale={scale} must be in [0.05, 1]", hint="use e.g. 0.5")
    h_in, w_in = int(frame_shape[0]), int(frame_shape[1])
    if calibration.corners_px is not None:
        xs = [p[0] for p in calibration.corners_px]
        ys = [p[1] for p in calibration.corners_px]
        if min(xs) < 0 or min(ys) < 0 or max(xs) > w_in or max(ys) > h_in:
            raise CalibrationError(
                f"calibration {calibration.calibration_id!r}: pad corners reach "
                f"({max(xs):.0f}, {max(ys):.0f}) px, outside the {w_in}x{h_in} frames",
                hint="use the calibration made for this camera and resolution",
            )
    x0, y0, x1, y1 = processed_region(calibration, (h_in, w_in))
    w_crop, h_crop = x1 - x0, y1 - y0
    # even sizes with small prime factors: the DCT used for depth integration needs even
    # sides and is 1.5x faster on 2^a 3^b 5^c lengths (e.g. 124x152 -> 128x160)
    w_out = 2 * next_fast_len_real(max(round(w_crop * scale / 2), 2))
    h_out = 2 * next_fast_len_real(max(round(h_crop * scale / 2), 2))
    sx, sy = w_crop / w_out, h_crop / h_out  # warped px per output px
    u, v = np.meshgrid(np.arange(w_out, dtype=np.float64), np.arange(h_out, dtype=np.float64))
    xw = (u + 0.5) * sx - 0.5 + x0
    yw = (v + 0.5) * sy - 0.5 + y0
    inv = np.linalg.inv(pad_homography(calibration))
    den = inv[2, 0] * xw + inv[2, 1] * yw + inv[2, 2]
    map_x = ((inv[0, 0] * xw + inv[0, 1] * yw + inv[0, 2]) / den).astype(np.float32)
    map_y = ((inv[1, 0] * xw + inv[1, 1] * yw + inv[1, 2]) / den).astype(np.float32)
    map1, map2 = cv2.convertMaps(map_x, map_y, cv2.CV_16SC2)
    return PadWarp(
        map1=map1,
        map2=map2,
        size_px=(w_out, h_out),
        input_shape=(h_in, w_in),
        mm_per_px_x=calibration.mm_per_px_x * sx,
        mm_per_px_y=calibration.mm_per_px_y * sy,
        scale=scale,
    )
