"""``extract_features``: one grasp -> :class:`~tactile.types.GraspFeatures`.

Order of work (only what the estimators need is computed): loading phase from the signals ->
reference frame -> one precomputed pad warp -> contact area (and depth, when the calibration
has a depth model) for the loading-phase frames only. Frames outside contact..peak get NaN
area/depth: they are not part of the loading phase and are never looked at.

Frames are read through a :class:`FrameSource`, so a grasp on disk need not be decoded whole:
:func:`extract_features_from` takes the signals and a frame reader, and with
``max_image_frames`` measures only that many frames over the loading phase (the areas between
them are interpolated), which is what makes an estimate from a file fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from tactile.errors import CalibrationError
from tactile.processing.contact import (
    MIN_VISIBILITY_PAD_PX,
    SHADING_SIGMA_MM,
    RelativeDifference,
    check_not_black,
    clean_mask,
    contact_visibility,
    difference_magnitude_from_diff,
    patch_shape_mm,
    saturated_fraction,
    shading_contrast,
)
from tactile.processing.depth import contact_mask_from_depth, depth_map_mm
from tactile.processing.loading import LoadingPhase, find_loading_phase, sample_indices
from tactile.processing.warp import DEFAULT_SCALE, PadWarp, build_pad_warp
from tactile.sensor import SensorCalibration
from tactile.types import ContactVisibility, Flag, Grasp, GraspFeatures, GraspMetadata

#: share of clipped pixels in a loading frame above which the image counts as saturated
SATURATION_LIMIT = 0.01
#: The intensity contact mask is computed at this fraction of the working scale (the depth
#: route already integrated at half resolution): 0.5 mm px on the Wedge (54x48), where the
#: contact mask's smoothing (sigma 0.6 mm) lives anyway. On the 15 reference grasps the peak
#: areas agree with the full working scale to within 10 % (median 1 %) and area-force Spearman
#: rho is no worse (min 0.88 vs 0.84); contact features run ~1.7x faster.
INTENSITY_SCALE_FACTOR = 0.5


class SignalSource(Protocol):
    """What feature extraction needs besides the frames (a :class:`Grasp` is one)."""

    @property
    def grasp_id(self) -> str: ...
    @property
    def meta(self) -> GraspMetadata: ...
    @property
    def t_s(self) -> np.ndarray: ...
    @property
    def force_n(self) -> np.ndarray: ...
    @property
    def width_mm(self) -> np.ndarray: ...
    @property
    def reference_frame(self) -> np.ndarray | None: ...
    @property
    def frame_shape(self) -> tuple[int, int]: ...
    @property
    def n_frames(self) -> int: ...


class FrameSource:
    """Frames by index: ``source[i]``; ``prefetch(indices)`` reads several in one go.

    ``FrameSource.of(grasp)`` serves a grasp in memory (views, no copies);
    ``FrameSource(read_many)`` wraps a reader such as ``GraspReader.read_frames`` bound to
    one grasp and caches what it read, so each frame is decoded at most once.
    """

    def __init__(
        self,
        read_many: Callable[[Sequence[int]], np.ndarray] | None = None,
        *,
        frames: np.ndarray | None = None,
    ) -> None:
        self._read_many = read_many
        self._frames = frames
        self._cache: dict[int, np.ndarray] = {}

    @classmethod
    def of(cls, grasp: Grasp) -> FrameSource:
        return cls(frames=grasp.frames)

    def available(self, index: int) -> bool:
        """Whether frame ``index`` can be had without decoding (in memory, or read already)."""
        return self._frames is not None or index in self._cache

    @property
    def n_decoded(self) -> int:
        """Frames read through ``read_many`` so far (0 for frames in memory)."""
        return len(self._cache)

    def prefetch(self, indices: Sequence[int]) -> None:
        if self._frames is not None or self._read_many is None:
            return
        # ascending: a reader returns the frames in the order asked, copied when not sorted
        missing = sorted({int(i) for i in indices} - self._cache.keys())
        if missing:
            for i, frame in zip(missing, self._read_many(missing), strict=True):
                self._cache[i] = frame

    def __getitem__(self, index: int) -> np.ndarray:
        if self._frames is not None:
            return np.asarray(self._frames[index])
        if index not in self._cache:
            self.prefetch([index])
        return self._cache[index]


def require_calibration(calibration: object, grasp_id: str) -> SensorCalibration:
    """``calibration`` if it is a :class:`SensorCalibration`, else a clear error (processing
    never reads a calibration from disk: that happens once, at the boundary)."""
    if isinstance(calibration, SensorCalibration):
        return calibration
    raise CalibrationError(
        f"grasp {grasp_id!r}: processing needs a SensorCalibration, got {calibration!r}",
        hint="resolve it first: tactile.sensor.resolve_calibration(grasp.meta) or "
        "get_calibration('wedge-reference-v4')",
    )


def choose_reference(
    grasp: Grasp,
    contact_index: int,
    *,
    calibration: SensorCalibration | None = None,
    warp: PadWarp | None = None,
    lookback: int = 10,
) -> tuple[np.ndarray, int | None, str]:
    """The unloaded frame: the stored reference, else the last frame before contact.

    With ``calibration`` and ``warp``, "before contact" is checked on the images too: the gel
    often shows the object a frame or two before the force sensor registers it, so the last
    ``lookback`` frames before force contact are compared with the earliest of them and the
    reference is the last one whose contact area is still negligible (< 0.5 % of the pad).
    """
    return _choose_reference(
        grasp, FrameSource.of(grasp), contact_index, calibration, warp, lookback=lookback
    )


#: How many frames the reference search looks back from the last frame before contact.
REFERENCE_LOOKBACK = 10


def _unloaded_index(contact_index: int, search: SensorCalibration | None) -> int:
    """The first frame :func:`_choose_reference` reads: ``REFERENCE_LOOKBACK`` before the last
    frame before contact when it searches (``search``, at least 2 frames before contact), else
    the frame before contact (0 when the grasp starts in contact)."""
    if search is not None and contact_index >= 2:
        return max(0, contact_index - 1 - REFERENCE_LOOKBACK)
    return max(contact_index - 1, 0)


def _choose_reference(
    signals: SignalSource,
    frames: FrameSource,
    contact_index: int,
    calibration: SensorCalibration | None,
    warp: PadWarp | None,
    *,
    lookback: int = REFERENCE_LOOKBACK,
) -> tuple[np.ndarray, int | None, str]:
    if signals.reference_frame is not None:
        return signals.reference_frame, None, "reference: stored reference frame"
    idx = max(contact_index - 1, 0)
    note = f"reference: frame {idx}, the last before contact"
    if contact_index == 0:
        note = "reference: frame 0 (the grasp starts in contact; areas may be underestimated)"
        return frames[0], 0, note
    if calibration is not None and warp is not None and contact_index >= 2:
        lo = max(0, contact_index - 1 - lookback)
        frames.prefetch([lo, contact_index - 1])
        idx = _last_untouched(frames, lo, contact_index - 1, calibration, warp)
        if idx != contact_index - 1:
            note = (
                f"reference: frame {idx}, the last before the gel shows contact "
                f"(force contact at frame {contact_index})"
            )
    return frames[idx], idx, note


#: Bounds of the contrast scale of the contact threshold (:func:`_contrast_scaled`): a frame
#: further off the calibration's contrast than this is not the same camera set-up.
CONTRAST_SCALE_BOUNDS = (0.5, 2.0)


def _warped_contrast(image: np.ndarray, warp: PadWarp) -> float:
    """:func:`shading_contrast` of a raw frame on the warped pad, smoothed at
    ``SHADING_SIGMA_MM`` whatever the warp's scale."""
    sigma = SHADING_SIGMA_MM / math.sqrt(warp.px_area_mm2)
    return shading_contrast(warp.apply(image), sigma_px=sigma)


def reference_shading_contrast(
    image: np.ndarray, calibration: SensorCalibration, *, scale: float = DEFAULT_SCALE
) -> float:
    """The shading contrast of an unloaded raw frame as :func:`extract_features_from` measures
    a grasp's (the pad warped at the intensity method's working scale): what a calibration
    records as ``contact_reference_contrast`` (``tactile calibrate depth``)."""
    warp = build_pad_warp(calibration, image.shape[:2], scale=scale * INTENSITY_SCALE_FACTOR)
    return _warped_contrast(image, warp)


def _contrast_scaled(
    cal: SensorCalibration,
    signals: SignalSource,
    frames: FrameSource,
    contact_index: int,
    search: SensorCalibration | None,
    warp: PadWarp,
) -> tuple[SensorCalibration, str | None]:
    """``cal`` with its contact threshold scaled by this grasp's no-contact shading contrast
    over the calibration's (``contact_reference_contrast``; unchanged when that is None), and
    a note. The no-contact frame: the stored reference, else the first frame the reference
    search reads (already read), else the frame before contact; frame 0 when the grasp starts
    in contact (the gel then shows contact: the scale is less sure)."""
    if cal.contact_reference_contrast is None or cal.contact_method != "intensity":
        return cal, None
    if signals.reference_frame is not None:
        image, where = signals.reference_frame, "the stored reference"
    else:
        idx = _unloaded_index(contact_index, search)
        image, where = frames[idx], f"frame {idx}"
    contrast = _warped_contrast(image, warp)
    lo, hi = CONTRAST_SCALE_BOUNDS
    ratio = contrast / cal.contact_reference_contrast
    scale = min(max(ratio, lo), hi)
    threshold = cal.contact_threshold * scale
    caveats = ""
    if scale != ratio:
        caveats += f"; at its bound (ratio {ratio:.3f}): not the calibration's camera set-up?"
    if signals.reference_frame is None and contact_index == 0:
        caveats += "; the grasp starts in contact, so that frame is pressed: the scale is less sure"
    note = (
        f"contact threshold {threshold:.2f} = {cal.contact_threshold:g} x {scale:.3f} (shading "
        f"contrast {contrast:.1f} of {where}, calibration {cal.contact_reference_contrast:g}"
        f"{caveats})"
    )
    return replace(cal, contact_threshold=threshold), note


def _last_untouched(
    frames: FrameSource, lo: int, hi: int, calibration: SensorCalibration, warp: PadWarp
) -> int:
    """Last frame in lo..hi whose contact area against frame ``lo`` is < 0.5 % of the pad."""
    rel = RelativeDifference(warp.apply(frames[lo]))
    sigma = calibration.contact_smoothing_mm / math.sqrt(warp.px_area_mm2)
    limit = 0.005 * warp.size_px[0] * warp.size_px[1]
    for i in range(hi, lo, -1):  # the touch is usually 0-3 frames back: stop at the first clean
        mag = rel.magnitude(warp.apply(frames[i]), sigma_px=sigma)
        mask = clean_mask((mag > calibration.contact_threshold).astype(np.uint8))
        if np.count_nonzero(mask) <= limit:
            return i
    return lo


def _frame_features(
    image: np.ndarray,
    rel: RelativeDifference,
    cal: SensorCalibration,
    warp: PadWarp,
    depth: bool,
) -> tuple[float, float, tuple[float, float, float, float]]:
    """(contact area mm^2, peak gel depth mm or NaN, patch shape) of one warped frame."""
    kw = {"mm_per_px_x": warp.mm_per_px_x, "mm_per_px_y": warp.mm_per_px_y}
    if cal.contact_method == "intensity":
        sigma_px = cal.contact_smoothing_mm / math.sqrt(warp.px_area_mm2)
        diff = rel(image) if depth else None
        if diff is None:
            mag = rel.magnitude(image, sigma_px=sigma_px)
        else:
            mag = difference_magnitude_from_diff(diff, sigma_px=sigma_px)
        mask = clean_mask((mag > cal.contact_threshold).astype(np.uint8))
        area = float(np.count_nonzero(mask)) * warp.px_area_mm2
        patch = patch_shape_mm(mask, **kw)
        if diff is None:
            return area, float("nan"), patch
        dmap = depth_map_mm(
            diff,
            gradient_matrix=cal.gradient_matrix,
            depth_scale=cal.depth_scale_mm_per_unit or 1.0,
            **kw,
        )
        return area, max(float(dmap[mask].max()), 0.0) if mask.any() else 0.0, patch
    dmap = depth_map_mm(
        rel(image),
        gradient_matrix=cal.gradient_matrix,
        depth_scale=cal.depth_scale_mm_per_unit or 1.0,
        **kw,
    )
    mask = contact_mask_from_depth(dmap)
    area = float(np.count_nonzero(mask)) * warp.px_area_mm2
    peak = float(dmap[mask].max()) if mask.any() else 0.0
    return area, max(peak, 0.0), patch_shape_mm(mask, **kw)


def extract_features(
    grasp: Grasp,
    calibration: SensorCalibration,
    *,
    n_samples: int = 5,
    scale: float = DEFAULT_SCALE,
    with_depth: bool = True,
    max_image_frames: int | None = None,
) -> GraspFeatures:
    """Loading phase, contact area (mm^2) and gel depth (mm) of one grasp.

    ``calibration`` is required: processing never looks one up (resolve the grasp's
    ``calibration_id`` at the boundary with :func:`tactile.sensor.resolve_calibration`).
    ``scale`` is the working resolution relative to the calibrated warp (the intensity contact
    mask runs at ``INTENSITY_SCALE_FACTOR`` of it). Only the loading-phase frames (contact ..
    peak) are measured: ``contact_area_mm2`` and ``depth_mm`` are NaN elsewhere; with
    ``max_image_frames`` only that many, spread evenly from the first frame at 20 % of the
    peak force to the peak (see :func:`measured_indices`), interpolated between them.
    ``force_n`` is the despiked force. ``notes`` say which reference frame was used and what
    was repaired. Raises :class:`~tactile.errors.NoContactError` when there is no loading phase,
    :class:`~tactile.errors.CalibrationError` without a usable calibration and
    :class:`~tactile.errors.ProcessingError` for black frames.
    """
    return extract_features_from(
        grasp,
        FrameSource.of(grasp),
        calibration,
        n_samples=n_samples,
        scale=scale,
        with_depth=with_depth,
        max_image_frames=max_image_frames,
    )


#: With ``max_image_frames`` the measured frames span the loading phase from the first frame at
#: this share of the peak force: the analytical fits use only those frames (their
#: ``min_force_fraction``), the earlier ones keep NaN.
MEASURED_FORCE_FRACTION = 0.2


def measured_indices(
    force_n: np.ndarray, contact_index: int, peak_index: int, max_frames: int | None
) -> list[int]:
    """The loading frames to measure: all of contact..peak, or at most ``max_frames`` spread
    evenly from the first frame at ``MEASURED_FORCE_FRACTION`` of the peak force to the peak."""
    every = list(range(contact_index, peak_index + 1))
    if max_frames is None or len(every) <= max_frames:
        return every
    if max_frames <= 1:
        return [peak_index]
    start = _first_loaded(force_n, every, peak_index)
    spread = np.rint(np.linspace(start, peak_index, max(max_frames, 2))).astype(int)
    return sorted(set(map(int, spread)))


def _first_loaded(force_n: np.ndarray, candidates: Sequence[int], peak_index: int) -> int:
    """The first of ``candidates`` (ascending, not empty) whose force is at least
    ``MEASURED_FORCE_FRACTION`` of the force at ``peak_index`` (the first candidate when none
    is)."""
    f = np.asarray(force_n, dtype=np.float64)
    floor = MEASURED_FORCE_FRACTION * f[peak_index]
    return next((int(i) for i in candidates if f[i] >= floor), int(candidates[0]))


def imprint_indices(
    force_n: np.ndarray, measured: Sequence[int], peak_index: int
) -> tuple[int, int]:
    """The two loading frames the imprint is judged on (``GraspFeatures.imprint_indices``): the
    first *measured* frame at ``MEASURED_FORCE_FRACTION`` of the peak force, and the peak.

    :func:`measured_indices` measures both whatever ``max_frames`` is from 2 up (the first is
    where its spread starts, the first loading frame at that force; with 1 only the peak is
    measured, and both are the peak), so the shape class does not depend on how many frames
    were decoded: an area interpolated between measured frames, or a few
    pixels of noise on an extra frame, is never the early imprint (issue 11, framesample)."""
    loading = sorted(int(i) for i in measured if i <= peak_index) or [peak_index]
    return _first_loaded(force_n, loading, peak_index), peak_index


def extract_features_from(
    signals: SignalSource,
    frames: FrameSource,
    calibration: SensorCalibration,
    *,
    n_samples: int = 5,
    scale: float = DEFAULT_SCALE,
    with_depth: bool = True,
    max_image_frames: int | None = None,
    measure_frames: Callable[[LoadingPhase], Sequence[int]] | None = None,
) -> GraspFeatures:
    """:func:`extract_features` on signals plus a :class:`FrameSource` (frames read lazily).

    ``measure_frames``: instead of ``max_image_frames``, a function of the loading phase that
    names the loading frames to measure (clipped to contact..peak; the others interpolated), for
    a consumer that knows which frames it will look at (the network's samples).
    """
    cal = require_calibration(calibration, signals.grasp_id)
    phase = find_loading_phase(signals.force_n, signals.width_mm, t_s=signals.t_s)
    if phase.end_index is not None:  # a slip: the grasp ends where the grip was lost
        signals, phase = _cut(signals, phase, phase.end_index + 1)
    sampled = sample_indices(phase.contact_index, phase.peak_index, n_samples)
    flags = set(phase.flags)
    notes = list(phase.notes)
    work_scale = scale * INTENSITY_SCALE_FACTOR if cal.contact_method == "intensity" else scale
    warp = build_pad_warp(cal, signals.frame_shape, scale=work_scale)
    if measure_frames is not None:
        picked = np.asarray(measure_frames(phase), dtype=int)
        chosen = np.clip(picked, phase.contact_index, phase.peak_index)
        todo = sorted({int(i) for i in chosen} | {phase.peak_index})
        max_image_frames = len(todo)
    else:
        todo = measured_indices(
            phase.force_n, phase.contact_index, phase.peak_index, max_image_frames
        )
    # with one image (the peak, for flags) the reference is the frame before force contact,
    # unchecked; else the touch shows 0-3 frames before force contact: the base, the last two
    search = cal if max_image_frames is None or max_image_frames > 1 else None
    # the visibility check's frames either side of the peak are read with the others (one
    # read of the file instead of two)
    judge_visibility = min(warp.size_px) >= MIN_VISIBILITY_PAD_PX
    beside = _beside_peak(signals.n_frames, phase.peak_index) if judge_visibility else []
    if signals.reference_frame is not None:
        frames.prefetch([*todo, *beside])
    elif search is None:
        frames.prefetch([max(phase.contact_index - 1, 0), *todo, *beside])
    else:
        lo = _unloaded_index(phase.contact_index, search)
        near = range(max(lo, phase.contact_index - 2), phase.contact_index)
        frames.prefetch([lo, *near, *todo, *beside])
    cal, note = _contrast_scaled(cal, signals, frames, phase.contact_index, search, warp)
    if note:
        notes.append(note)
    search = cal if search is not None else None
    ref_raw, ref_index, note = _choose_reference(signals, frames, phase.contact_index, search, warp)
    notes.append(note)
    use_depth = cal.gradient_matrix is not None and (with_depth or cal.contact_method == "depth")
    if with_depth and not use_depth:
        notes.append(f"no depth: calibration {cal.calibration_id!r} has no depth model")
    ref = warp.apply(ref_raw)
    area, depth, patch, saturation = _measure_loading(
        signals, frames, todo, ref, cal, warp, use_depth
    )
    visibility = None
    if judge_visibility:
        visibility = _visibility(signals, frames, ref, ref_index, phase, warp)
        notes.append(
            f"contact visibility {visibility.score:.1f} (largest change {visibility.change:.2f} "
            f"grey levels at peak force, frame-to-frame noise {visibility.noise:.2f})"
        )
    else:
        notes.append(f"contact visibility not judged: pad image {warp.size_px} px too small")
    if len(todo) < phase.n_frames:
        _interpolate_loading(area, todo)
        _interpolate_loading(depth, todo)
        for column in patch.T:
            _interpolate_loading(column, todo)
        notes.append(
            f"measured {len(todo)} of {phase.n_frames} loading frames (from frame {todo[0]}), "
            "interpolated between them"
        )
    if saturation > SATURATION_LIMIT:
        flags.add(Flag.SATURATED_IMAGE)
        notes.append(f"up to {100 * saturation:.1f}% of pad pixels clipped at 255")
    if phase.n_frames < max(n_samples, 3):
        flags.add(Flag.FEW_LOADING_FRAMES)
    imprint = imprint_indices(phase.force_n, todo, phase.peak_index)
    return GraspFeatures(
        grasp_id=signals.grasp_id,
        t_s=signals.t_s,
        force_n=phase.force_n,
        width_mm=signals.width_mm,
        contact_area_mm2=area,
        contact_index=phase.contact_index,
        peak_index=phase.peak_index,
        reference_index=ref_index,
        depth_mm=depth if use_depth else None,
        sampled_indices=sampled,
        flags=frozenset(flags),
        notes=tuple(notes),
        contact_patch_mm=patch,
        contact_visibility=visibility,
        width_lag=phase.width_lag,
        imprint_indices=imprint,
        force_offset_n=phase.force_offset_n,
        force_zero_note=phase.force_zero_note,
    )


def _beside_peak(n_frames: int, peak_index: int) -> list[int]:
    """The frames either side of the peak that exist: :func:`_visibility` reads them."""
    return [i for i in (peak_index - 1, peak_index + 1) if 0 <= i < n_frames]


def _visibility(
    signals: SignalSource,
    frames: FrameSource,
    ref: np.ndarray,
    ref_index: int | None,
    phase: LoadingPhase,
    warp: PadWarp,
) -> ContactVisibility:
    """:func:`~tactile.processing.contact.contact_visibility` of the peak frame, with the camera
    noise from consecutive frames: the two before the reference (the unloaded gel; with a stored
    reference, the two before contact) and the peak with each neighbour (a grasp recorded from
    within contact has no unloaded frames; at the peak the gel barely moves). From a file the
    unloaded pair is used only when it was read already (the reference search reads it); the
    frames on either side of the peak always are: the check costs two frames. (With only the
    pair before the peak, a force that jumps to its peak within one frame — a soft ball crushed
    — put the jump itself into the "noise" and refused a clear contact: 15.8 grey levels of
    change against 12.5 of "noise", where the frames after the peak differ by 1–2.)"""
    n, p = signals.n_frames, phase.peak_index
    pairs = [(p - 1, p)] if p >= 1 else []
    if p + 1 < n:
        pairs.append((p, p + 1))
    last_still = phase.contact_index - 1 if ref_index is None else ref_index
    if last_still >= 1 and frames.available(last_still - 1) and frames.available(last_still):
        pairs.append((last_still - 1, last_still))
    needed = sorted({i for pair in pairs for i in pair} | {p})
    frames.prefetch(needed)
    img = {i: warp.apply(frames[i]) for i in needed}  # the peak is in up to 3 places: warp once
    still = [(img[a], img[b]) for a, b in pairs]
    return contact_visibility(ref, img[p], still)


@dataclass(frozen=True)
class _CutSignals:
    """The first ``n_frames`` of a grasp's signals (what a slip leaves usable)."""

    grasp_id: str
    meta: GraspMetadata
    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray
    reference_frame: np.ndarray | None
    frame_shape: tuple[int, int]
    n_frames: int


def _cut(signals: SignalSource, phase: LoadingPhase, n: int) -> tuple[SignalSource, LoadingPhase]:
    cut = _CutSignals(
        signals.grasp_id,
        signals.meta,
        signals.t_s[:n],
        signals.force_n[:n],
        signals.width_mm[:n],
        signals.reference_frame,
        signals.frame_shape,
        n,
    )
    return cut, replace(phase, force_n=phase.force_n[:n], width_lag=None)  # measured uncut


def _interpolate_loading(values: np.ndarray, measured: Sequence[int]) -> None:
    """Fill the frames between the first and last measured one in place (linear in index)."""
    known = np.asarray(measured)
    if known.size > 1 and np.all(np.isfinite(values[known])):
        idx = np.arange(known[0], known[-1] + 1)
        values[idx] = np.interp(idx, known, values[known])


def _measure_loading(
    signals: SignalSource,
    frames: FrameSource,
    indices: Sequence[int],
    ref: np.ndarray,
    cal: SensorCalibration,
    warp: PadWarp,
    use_depth: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Per-frame area, depth and patch shape at ``indices`` (NaN elsewhere) and the worst
    saturation; ``ref`` is the warped reference."""
    check_not_black(ref, what=f"grasp {signals.grasp_id!r} reference frame")
    rel = RelativeDifference(ref)
    area = np.full(signals.n_frames, np.nan)
    depth = np.full(signals.n_frames, np.nan)
    patch = np.full((signals.n_frames, 4), np.nan)
    worst = 0.0
    for i in indices:
        img = warp.apply(frames[i])
        check_not_black(img, what=f"grasp {signals.grasp_id!r} frame {i}")
        worst = max(worst, saturated_fraction(img))
        area[i], depth[i], patch[i] = _frame_features(img, rel, cal, warp, use_depth)
    return area, depth, patch, worst
