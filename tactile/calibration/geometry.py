"""Sensor geometry: per-axis pixel scale of the warped pad image.

The four calibrated corners are warped to a ``warp_size_px`` rectangle that *is* the pad, so the
scale is simply pad size / warp size, separately per axis (an area is n_px * sx * sy; the
reference code's isotropic sqrt(sx^2 + sy^2) made areas about 2x too small).
"""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from pathlib import Path

from tactile.errors import CalibrationError
from tactile.sensor import SensorCalibration


def mm_per_px(
    pad_size_mm: tuple[float, float], warp_size_px: tuple[int, int]
) -> tuple[float, float]:
    """(mm per px in x, mm per px in y) when a pad of ``pad_size_mm`` fills ``warp_size_px``."""
    (w_mm, h_mm), (w_px, h_px) = pad_size_mm, warp_size_px
    for name, v in (
        ("pad width", w_mm),
        ("pad height", h_mm),
        ("warp width", w_px),
        ("warp height", h_px),
    ):
        if not (math.isfinite(v) and v > 0):
            raise CalibrationError(
                f"{name}={v!r} must be positive", hint="give sizes in mm and pixels"
            )
    return w_mm / w_px, h_mm / h_px


def calibrate_geometry(
    base: SensorCalibration,
    *,
    calibration_id: str,
    corners_px: tuple[tuple[float, float], ...],
    pad_size_mm: tuple[float, float],
    warp_size_px: tuple[int, int],
    crop_px: int = 0,
    roi_px: tuple[int, int, int, int] | None = None,
) -> SensorCalibration:
    """A new calibration with geometry from pad corners and pad size; other fields from ``base``.

    A new geometry invalidates a depth model fitted on the old warp, so it is dropped.
    """
    if len(corners_px) != 4:
        raise CalibrationError(
            f"need 4 corners (TL, TR, BL, BR), got {len(corners_px)}",
            hint="click the pad corners in a raw frame, in that order",
        )
    sx, sy = mm_per_px(pad_size_mm, warp_size_px)
    return replace(
        base,
        calibration_id=calibration_id,
        mm_per_px_x=sx,
        mm_per_px_y=sy,
        corners_px=tuple((float(x), float(y)) for x, y in corners_px),
        warp_size_px=(int(warp_size_px[0]), int(warp_size_px[1])),
        crop_px=int(crop_px),
        roi_px=roi_px,
        pad_size_mm=(float(pad_size_mm[0]), float(pad_size_mm[1])),
        gradient_matrix=None,
        depth_scale_mm_per_unit=None,
        provenance={k: v for k, v in base.provenance.items() if k != "depth_fit"},
    )


#: Row names of a corners CSV, in the order :func:`calibrate_geometry` takes the corners.
CORNER_NAMES = ("topleft", "topright", "bottomleft", "bottomright")


def read_corners_csv(path: str | Path) -> tuple[tuple[float, float], ...]:
    """The four pad corners (raw px; top-left, top-right, bottom-left, bottom-right) from a CSV
    with ``Name,x,y`` rows, the reference layout's ``mirror_corners.csv``."""
    with open(path, newline="") as fh:
        rows = {r["Name"].strip().lower(): r for r in csv.DictReader(fh)}
    try:
        return tuple((float(rows[k]["x"]), float(rows[k]["y"])) for k in CORNER_NAMES)
    except (KeyError, ValueError) as exc:
        raise CalibrationError(
            f"{path}: needs rows topleft/topright/bottomleft/bottomright with numeric x,y ({exc})",
            hint="use the reference layout's mirror_corners.csv format",
        ) from exc
