"""Turn one grasp (+ its features and analytical estimate) into the network's input arrays.

Inputs are sensor-agnostic where possible:

- images: background-subtracted grey-level contact maps (|frame - reference|), warped to the
  pad when the calibration has corners, resized to S x S and divided by the peak frame's 99th
  percentile, so the network sees the *shape* and growth of the contact, not a camera's gain;
- force: log(1 + F/1 N), log(1 + A/1 mm^2) and log(1 + x) of the p99 and mean of the raw
  grey-level difference (how strongly the gel is deformed, which the per-grasp image scaling
  hides), log mean contact pressure F/A and log gel indentation depth (mm) at K frames;
- width: gripper closure since contact (mm; stair-stepped encoder readings interpolated in
  time, :func:`destair`), log(1 + closure/0.1 mm), log strain closure/D, the object's own
  strain (closure - 2 gel depths)/D, and two size-normalised modulus scales at K frames:
  a flat punch / uniaxial one, E ~ (F/A)/(closure/D), and a Hertz sphere one,
  E* = 3F/(2 a closure) with a = sqrt(A/pi) (Johnson, *Contact Mechanics*, 1985, eq. 4.22
  with R eliminated through a^2 = R delta); D is the gripper width at first contact, the
  object's thickness along the squeeze axis;
- analytical: log10 E of the analytical estimate, log10 of its 68 % interval width, its stiff
  flag, and 1 (0 with NaNs elsewhere when no analytical estimate exists);
- geometry: log D, the shape category from the metadata (sphere, cylinder on its side, flat,
  irregular, or unknown) as one-hot, log10 of the contact radius and whether it is known.
  Shape and radius are optional in real use, so training drops them at random.

With ``sampling="force"`` the K scalar samples are taken at force = q * peak force
(q = 1/K .. 1, interpolated) and images at the first frame reaching that force: the inputs do not
depend on how fast the gripper closed. Raw arrays are stored; :class:`Normalization` standardises
them with statistics of the training set (stored in every checkpoint).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from tactile.errors import ModelFileError, ProcessingError
from tactile.estimators.neural.config import SHAPE_CATEGORIES
from tactile.estimators.neural.rig import RigCalibration
from tactile.processing.warp import PadWarp, build_pad_warp
from tactile.sensor import SensorCalibration
from tactile.types import Flag, Grasp, GraspFeatures, GraspMetadata, ModulusEstimate

INPUT_KEYS = ("images", "force", "width", "analytical", "geometry")
CLOSURE_LOG_SCALE_MM = 0.1  # closure channel 2 is log(1 + closure / this)
#: Floors that keep the log channels finite at the first sample (tiny force, area, closure).
MIN_FORCE_N, MIN_AREA_MM2, MIN_CLOSURE_MM, MIN_DEPTH_MM = 0.05, 0.5, 0.01, 0.005
MIN_WIDTH_MM = 1.0
#: Metadata shape names -> shape category of the geometry tower.
SHAPE_ALIASES = {
    "sphere": "sphere",
    "ball": "sphere",
    "cylinder": "cylinder",
    "hex": "cylinder",
    "cylinder_end": "flat",
    "box": "flat",
    "rectangular": "flat",
    "flat": "flat",
    "ellipsoid": "irregular",
    "irregular": "irregular",
}
_MAX_LOG_WIDTH68 = 3.0  # cap for one-sided / infinite analytical intervals (decades)


@dataclass(frozen=True)
class GraspInputs:
    """Raw (un-normalised) network inputs of one grasp."""

    images: np.ndarray  # (K, S, S) float32, ~[0, 1]
    force: np.ndarray  # (6, K) float32: see FORCE_CHANNELS
    width: np.ndarray  # (8, K) float32: see WIDTH_CHANNELS
    analytical: np.ndarray  # (4,) float32, NaN where unavailable
    geometry: np.ndarray  # (13,) float32: see GEOMETRY_CHANNELS

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in INPUT_KEYS}


def stack_inputs(items: Sequence[GraspInputs]) -> dict[str, np.ndarray]:
    """Stack per-grasp inputs into batch arrays (N, ...)."""
    if not items:
        raise ProcessingError(
            "no grasp inputs to stack", hint="check that the dataset is not empty"
        )
    return {k: np.stack([getattr(it, k) for it in items]).astype(np.float32) for k in INPUT_KEYS}


def sample_indices(
    features: GraspFeatures, k_frames: int, *, sampling: str = "force"
) -> tuple[np.ndarray, np.ndarray]:
    """Frame indices (K,) and fractional positions (K,) over the loading phase.

    The fractional positions are where the scalar channels are interpolated; the integer
    indices are the frames whose images are used.
    """
    c, p = int(features.contact_index), int(features.peak_index)
    if p < c:
        raise ProcessingError(
            f"grasp {features.grasp_id!r}: peak_index {p} is before contact_index {c}",
            hint="re-run feature extraction; the loading phase must run from contact to peak",
        )
    if sampling == "time" or p == c:
        pos = np.linspace(c, p, k_frames)
        return np.clip(np.ceil(pos - 1e-9), c, p).astype(int), pos
    f = np.maximum.accumulate(np.asarray(features.force_n[c : p + 1], dtype=np.float64))
    f0, f1 = f[0], f[-1]
    targets = f0 + (f1 - f0) * np.arange(1, k_frames + 1) / k_frames
    frames = np.arange(c, p + 1, dtype=np.float64)
    if f1 - f0 <= 1e-9:
        pos = np.linspace(c, p, k_frames)
    else:
        # strictly increasing copy of the force for interpolation
        f_inc = f + np.arange(f.size) * 1e-9 * max(f1 - f0, 1.0)
        pos = np.interp(targets, f_inc, frames)
    idx = np.searchsorted(f, targets - 1e-9, side="left") + c
    return np.clip(idx, c, p).astype(int), pos


_WARPS: dict[tuple[object, ...], PadWarp] = {}


def _pad_gray(frame: np.ndarray, calibration: SensorCalibration | None) -> np.ndarray:
    """Grey-level pad image: warped and cropped by the calibration when it has corners."""
    if calibration is not None and calibration.corners_px is not None:
        key = (
            calibration.calibration_id,
            calibration.corners_px,
            calibration.warp_size_px,
            calibration.crop_px,
            frame.shape[:2],
        )
        warp = _WARPS.get(key)
        if warp is None:
            warp = _WARPS[key] = build_pad_warp(calibration, frame.shape[:2], scale=0.5)
        frame = warp.apply(frame)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32)


def reference_image(grasp: Grasp, features: GraspFeatures) -> np.ndarray:
    """The unloaded frame: the stored reference, else the one processing chose, else frame 0."""
    if grasp.reference_frame is not None:
        return grasp.reference_frame
    if features.reference_index is not None:
        return grasp.frames[int(features.reference_index)]
    return grasp.frames[0]


def contact_maps(
    grasp: Grasp,
    indices: np.ndarray,
    reference: np.ndarray,
    *,
    size: int,
    calibration: SensorCalibration | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Background-subtracted grey maps (K, size, size) scaled by the last map's p99, and the
    raw per-frame (p99, mean) of the difference (K, 2) on the 0-255 scale."""
    ref = _pad_gray(reference, calibration)
    maps = []
    for i in indices:
        diff = np.abs(_pad_gray(grasp.frames[int(i)], calibration) - ref)
        maps.append(cv2.resize(diff, (size, size), interpolation=cv2.INTER_AREA))
    out = np.stack(maps).astype(np.float32)
    stats = np.stack([np.percentile(out, 99.0, axis=(1, 2)), out.mean(axis=(1, 2))], axis=1)
    return out / max(float(stats[-1, 0]), 1.0), stats


def destair(values: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Undo a slow sensor's stair steps: keep the frames where a new reading arrived (the value
    changed) and interpolate linearly in time between them. Runs much longer than the typical
    step (gripper at rest, holding) stay flat; a signal that changes every frame is unchanged.
    The gripper encoder of the reference rig updates only every few frames.
    """
    v = np.asarray(values, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, np.diff(v) != 0])
    if starts.size < 2 or starts.size == v.size:
        return v
    ends = np.r_[starts[1:], v.size] - 1
    runs = ends - starts + 1
    typical = float(np.median(runs[1:-1])) if runs.size > 2 else float(runs.min())
    held = ends[runs > 2 * typical + 1]  # truly constant: the value was still valid here
    keep = np.unique(np.r_[starts, held])
    return np.interp(t_s, t_s[keep], v[keep])


def _interp(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    return np.interp(pos, np.arange(values.shape[0], dtype=np.float64), values)


def analytical_vector(estimate: ModulusEstimate | None) -> np.ndarray:
    """(4,) log10 E, log10 width of the 68 % interval, stiff flag, available (NaN if missing)."""
    if estimate is None:
        return np.array([np.nan, np.nan, np.nan, 0.0], dtype=np.float32)
    lo, hi = estimate.interval_68_pa
    width = math.log10(hi / lo) if 0 < lo < hi and math.isfinite(hi) else _MAX_LOG_WIDTH68
    stiff = estimate.lower_bound_only or Flag.STIFFER_THAN_GEL in estimate.flags
    return np.array(
        [estimate.log10_modulus, min(width, _MAX_LOG_WIDTH68), float(stiff), 1.0], dtype=np.float32
    )


def geometry_vector(
    width_at_contact_mm: float, shape: str | None, radius_mm: float | None
) -> np.ndarray:
    """(8,) log D, shape one-hot (:data:`SHAPE_CATEGORIES`), log10 radius (NaN: unknown), known."""
    category = SHAPE_ALIASES.get((shape or "").strip().lower(), "unknown")
    onehot = [float(c == category) for c in SHAPE_CATEGORIES]
    known = radius_mm is not None and math.isfinite(radius_mm) and radius_mm > 0
    log_r = math.log10(radius_mm) if known and radius_mm is not None else math.nan
    log_d = math.log(max(width_at_contact_mm, MIN_WIDTH_MM))
    return np.array([log_d, *onehot, log_r, float(known)], dtype=np.float32)


#: Closures below this (mm) are resolution, not deformation: the closure-ratio channel adds it.
RATIO_FLOOR_MM = 0.05


def rig_vector(rig: RigCalibration | None) -> np.ndarray:
    """(5,) the rig calibration channels of the geometry tower (NaN, known 0 when unknown)."""
    if rig is None:
        return np.array([np.nan] * 4 + [0.0], dtype=np.float32)
    c10, c25 = rig.closure_at(np.array([10.0, 25.0]))
    ratio = (c10 + RATIO_FLOOR_MM) / (c25 + RATIO_FLOOR_MM)
    return np.array([c25, ratio, rig.width_step_mm, rig.gel_thickness_mm, 1.0], dtype=np.float32)


def rig_channels(
    force_n: np.ndarray, closure_mm: np.ndarray, rig: RigCalibration | None
) -> np.ndarray:
    """(2, K) closure beyond the rig's rigid-press closure at the same force, and the log ratio
    of the two: ~0 for an object as stiff as the calibration sphere on any rig."""
    if rig is None:
        return np.full((2, closure_mm.size), np.nan)
    rigid = rig.closure_at(np.maximum(force_n, 0.0))
    ratio = np.log((np.maximum(closure_mm, 0.0) + RATIO_FLOOR_MM) / (rigid + RATIO_FLOOR_MM))
    return np.stack([closure_mm - rigid, ratio])


def _physics_channels(
    force_n: np.ndarray,
    area_mm2: np.ndarray,
    closure_mm: np.ndarray,
    depth_mm: np.ndarray,
    size_mm: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(2, K) pressure/depth channels and (4, K) strain/modulus-scale channels (docstring)."""
    f = np.maximum(force_n, MIN_FORCE_N)
    a = np.maximum(area_mm2, MIN_AREA_MM2)
    c = np.maximum(closure_mm, MIN_CLOSURE_MM)
    d = max(size_mm, MIN_WIDTH_MM)
    pressure_pa = f / a * 1e6  # N/mm^2 -> Pa
    radius_mm = np.sqrt(a / np.pi)
    force_extra = np.stack([np.log(pressure_pa), np.log(np.maximum(depth_mm, MIN_DEPTH_MM))])
    width_extra = np.stack(
        [
            np.log(c / d),
            (closure_mm - 2.0 * depth_mm) / d,
            np.log10(pressure_pa * d / c),
            np.log10(1.5 * f / (radius_mm * c) * 1e6),
        ]
    )
    return force_extra, width_extra


def make_inputs(
    grasp: Grasp,
    features: GraspFeatures,
    analytical: ModulusEstimate | None = None,
    *,
    k_frames: int = 6,
    image_size: int = 32,
    sampling: str = "force",
    calibration: SensorCalibration | None = None,
    finger_stiffness_n_per_mm: float | None = None,
    rig: RigCalibration | None = None,
) -> GraspInputs:
    """Raw network inputs of one grasp (see the module docstring for the channels).

    ``rig``: the rig's rigid-press calibration (:func:`rig_calibration_for` finds it), or None.

    ``finger_stiffness_n_per_mm``: a compliant gripper's stiffness per finger, when the rig's is
    known; its deflection ``2 F / k`` is taken out of the closure, so the network sees the gel
    and the object only (None or inf: rigid fingers, as in the simulator)."""
    idx, pos = sample_indices(features, k_frames, sampling=sampling)
    images, image_stats = contact_maps(
        grasp, idx, reference_image(grasp, features), size=image_size, calibration=calibration
    )
    force = np.maximum(_interp(features.force_n, pos), 0.0)
    area = np.maximum(_interp(np.nan_to_num(features.contact_area_mm2), pos), 0.0)
    depth = (
        np.maximum(_interp(np.nan_to_num(features.depth_mm), pos), 0.0)
        if features.depth_mm is not None
        else np.full(pos.shape, np.nan)
    )
    width_mm = destair(features.width_mm, features.t_s)
    size_mm = float(width_mm[features.contact_index])
    closure = size_mm - _interp(width_mm, pos)
    if finger_stiffness_n_per_mm is not None and finger_stiffness_n_per_mm > 0:
        closure = closure - 2.0 * force / finger_stiffness_n_per_mm
    closure = np.maximum(closure, 0.0)
    force_extra, width_extra = _physics_channels(force, area, closure, depth, size_mm)
    return GraspInputs(
        images=images,
        force=np.concatenate(
            [np.stack([np.log1p(force), np.log1p(area), *np.log1p(image_stats.T)]), force_extra]
        ).astype(np.float32),
        width=np.concatenate(
            [
                np.stack([closure, np.log1p(closure / CLOSURE_LOG_SCALE_MM)]),
                width_extra,
                rig_channels(force, closure, rig),
            ]
        ).astype(np.float32),
        analytical=analytical_vector(analytical),
        geometry=np.concatenate(
            [geometry_vector(size_mm, grasp.meta.shape, grasp.meta.radius_mm), rig_vector(rig)]
        ).astype(np.float32),
    )


def rig_calibration_for(
    meta: GraspMetadata,
    calibration: SensorCalibration | None = None,
    override: RigCalibration | None = None,
) -> RigCalibration | None:
    """The rig calibration of a grasp: ``override``, else the one a simulated grasp records
    (``meta.extra["rig_calibration"]``), else the sensor calibration's
    (``calibration.provenance["rig_calibration"]``), else None (unknown rig)."""
    if override is not None:
        return override
    sensor = getattr(calibration, "provenance", None) if calibration is not None else None
    for source in (meta.extra, sensor or {}):
        record = source.get("rig_calibration") if isinstance(source, dict) else None
        if isinstance(record, dict):
            return RigCalibration.from_dict(record)
    return None


@dataclass(frozen=True)
class Normalization:
    """Per-channel mean/std of each input and of the target log10 E (from the training set)."""

    mean: dict[str, list[float]]
    std: dict[str, list[float]]
    target_mean: float
    target_std: float

    @classmethod
    def fit(cls, arrays: dict[str, np.ndarray], log10_modulus: np.ndarray) -> Normalization:
        mean: dict[str, list[float]] = {}
        std: dict[str, list[float]] = {}
        for key in INPUT_KEYS:
            a = arrays[key].astype(np.float64)
            if key == "images":
                flat = a.reshape(1, -1)
            else:
                flat = np.moveaxis(a, 1, 0).reshape(a.shape[1], -1)  # channel-first
            finite = np.where(np.isfinite(flat), flat, np.nan)
            with warnings.catch_warnings():  # an all-missing channel gets mean 0, std 1
                warnings.simplefilter("ignore", RuntimeWarning)
                m, s = np.nanmean(finite, axis=1), np.nanstd(finite, axis=1)
            mean[key] = [float(v) if math.isfinite(v) else 0.0 for v in m]
            std[key] = [float(v) if math.isfinite(v) and v > 1e-6 else 1.0 for v in s]
        y = np.asarray(log10_modulus, dtype=np.float64)
        return cls(mean, std, float(y.mean()), float(max(y.std(), 1e-3)))

    def to_dict(self) -> dict[str, object]:
        return {
            "mean": self.mean,
            "std": self.std,
            "target_mean": self.target_mean,
            "target_std": self.target_std,
        }

    @classmethod
    def from_dict(cls, data: object) -> Normalization:
        if not isinstance(data, dict):
            raise ModelFileError(
                "checkpoint normalisation statistics are not a dict",
                hint="retrain with `tactile train`, which stores them",
            )
        try:
            mean = {k: [float(v) for v in data["mean"][k]] for k in INPUT_KEYS}
            std = {k: [float(v) for v in data["std"][k]] for k in INPUT_KEYS}
            return cls(mean, std, float(data["target_mean"]), float(data["target_std"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"checkpoint normalisation statistics are missing or malformed ({exc!r})",
                hint="retrain with `tactile train`, which stores them",
            ) from exc

    def shape_for(self, key: str, ndim: int) -> tuple[int, ...]:
        """Broadcast shape of the per-channel statistics for a batch with ``ndim`` dims."""
        n = len(self.mean[key])
        if key == "images":
            return (1,) * ndim
        return (1, n) + (1,) * (ndim - 2)
