"""What one grasp says about the object's geometry, with nothing known beforehand.

Pure functions of the force and width signals (and, optionally, the per-frame contact areas the
images gave), used by the blind estimator (:mod:`tactile.estimators.blind`) and offered to the
network as inputs. Outputs are documented on :class:`GraspGeometry`.

**Width reconstruction.** Grippers report their opening in stair steps (the reference Franka
rig updates it every 3-6 frames). A held value is stale: between two updates the true opening
keeps moving. :func:`reconstruct_width_mm` keeps only the frames where the reading changed
(fresh samples) and interpolates linearly between them. On the 27 real reference grasps the
loading and unloading branches of force against width then agree to within about one frame
of timing (the held staircase lags by half an update period). A reading that lags by more
(simulated rigs up to 0.4 s) is realigned before these functions by
:mod:`tactile.processing.grasp_signals` (the blind estimator and ``tactile calibrate rig`` do),
which also removes a force that builds with the closing motion before the touch.

**Contact width** (the opening at which both pads first carry the object, i.e. the object's
size along the squeeze axis plus the rig's width offset). Three estimates from the loading
branch, each robust to a different fault of real recordings, and their median:

* a hinge fit ``F = b + k·max(0, w_c − w)^1.5`` (a sphere's Hertz law, with a free force
  baseline ``b``: the force sensor of the 2023-12-16 recordings creeps by up to 3 N while the
  gripper closes, before the object is squeezed);
* the same hinge with exponent 1 (a flat face);
* the width where the force first stays above ``max(0.3 N, 3 % of the peak)`` for 3 frames.

Frames from 15 before the force first reaches 10 % of its peak up to half the peak are fitted,
so a recording that starts already in contact (the clipped 2023-12-06 files) is extrapolated
back to zero load; such a grasp is marked ``starts_in_contact`` and its uncertainty widened.
The uncertainty is 1.4826 times their median absolute deviation (one estimate thrown off by a
fault does not inflate it), at least ``MIN_CONTACT_WIDTH_SD_MM``.

**Size.** ``size = contact width − contact_width_bias_mm`` from the rig calibration (the median
of ``contact width − known size`` over rigid presses, :mod:`tactile.processing.rig_fit`).

**Shape class** (:func:`classify_imprint`), from the imaged patch at two frames, when the
images show it clearly: the first measured loading frame at a fifth of the peak force and the
peak (``GraspFeatures.imprint_indices``: the same two frames whether 4 or every loading frame
was decoded; an empty patch there counts as an empty imprint, :func:`imprint_frames`):

* ``flat``: the patch covers most of the pad already early (a face larger than the pad);
* ``cylinder`` (on its side): a strip that spans the imaged pad along one axis, is narrow
  across it, and widens with the load (the edge of a flat face pressed over the pad also shows
  as a thin line across it, but it does not widen);
* ``sphere``: a compact patch (axes within 1.6:1), 5-45 % of the pad at the peak, whose area
  grew with the load at least like F^0.15 (Hertz: F^(2/3); a flat face's does not grow) and
  that touches neither pair of the pad's edges;
* ``irregular``: the same, but elongated (an ellipsoid, a pear): curved, radii unequal;
* ``unknown``: anything else, including no images.

A curved class also needs an imprint at least a quarter of the area that a curved object of
the grasp's size and closure would print (``a² ≈ Rδ``): a soft foam face over the pad barely
indents the stiffer gel, and the small patch it shows (an edge, noise) is not its contact.
The uncertainty of the class is carried as the set of shapes the imprint leaves plausible
(``plausible_shapes``): one shape for a clear class, ``sphere``/``cylinder`` for an irregular
one, all three for ``unknown``; the blind estimator pools its hypotheses over that set.
On the reference Wedge a press brightens the gel well beyond the contact (a rigid golf ball:
~470 mm² imaged where Hertz gives ~110 mm²), so real patches fill 40-80 % of the imaged pad and
span it: real grasps of the reference rig are ``unknown``, as they should be.

**Radius of curvature from the imprint** (clear ``sphere`` / ``cylinder`` only): the slope of
the patch's squared radius (a cylinder: the strip's squared half-width) against the approach
per pad over the loading frames, ``a² ≈ κ·R·δ`` with κ between 1 (Hertz, a thick gel) and 2
(a thin gel near its window: the geometric cap) — :func:`radius_from_imprint`. It is
reported beside ``radius_mm`` (half the size along the squeeze), not used by the estimate: the
imaged patch depends on the contact detection, the size does not. A cap fit to the depth map
(:func:`tactile.processing.depth.fit_cap_radius_mm`) is not used either: the gel takes the
object's curvature only when the object is much stiffer than the gel (for a soft object the
indented gel is flatter, by the gel's share of the compliance).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: Smallest uncertainty (mm) of a contact width read from a stair-stepped width signal.
MIN_CONTACT_WIDTH_SD_MM = 1.0
#: Extra uncertainty (mm) when the recording starts with the object already squeezed.
STARTS_IN_CONTACT_SD_MM = 1.5
#: Force (share of the peak) below which the hinge fits use the frames.
HINGE_MAX_FORCE_FRACTION = 0.5
#: Hinge-fit candidates whose residual is within this share of the force's sum of squares
#: of the best are tied (rounding); the narrowest of them is taken (:func:`_hinge_fit`).
HINGE_TIE_RTOL = 1e-9
#: Force (share of the peak) above which frames count as the hold.
HOLD_FORCE_FRACTION = 0.9
#: A patch covering at least this share of the pad at a fifth of the peak force is a flat face.
FLAT_FILL_EARLY = 0.8
#: A patch between these shares of the pad at the peak that grew with the load is a curved
#: surface (below the lower one the images show too little: a flat face shows only its edges).
CURVED_FILL_PEAK = (0.05, 0.45)
#: A patch spanning this share of the imaged pad along one axis, and at most
#: ``STRIP_MAX_ACROSS`` of it across, with axes at least ``STRIP_MIN_ASPECT``:1, is a strip.
STRIP_MIN_SPAN = 0.85
STRIP_MAX_ACROSS = 0.6
STRIP_MIN_ASPECT = 2.0
#: A strip whose width grew by at least this factor from the early frame to the peak is a
#: cylinder's line contact (a flat face's edge does not widen).
STRIP_MIN_WIDENING = 1.25
#: A patch whose area grows at least like F^0.15 (between a fifth of the peak force and the peak)
#: is curved; a flat face's does not grow.
MIN_GROWTH_EXPONENT = 0.15
#: Axis ratio up to which a curved patch counts as round (a sphere).
ROUND_MAX_ASPECT = 1.6
#: A compact patch touching the pad's edges along an axis at this share of its extent is cut.
TOUCHES_EDGES = 0.9
#: Hypotheses the blind estimator keeps per shape class.
PLAUSIBLE_SHAPES: dict[str, tuple[str, ...]] = {
    "sphere": ("sphere",),
    "cylinder": ("cylinder",),
    "flat": ("flat",),
    "irregular": ("sphere", "cylinder"),
    "unknown": ("sphere", "cylinder", "flat"),
}


def reconstruct_width_mm(width_mm: np.ndarray) -> np.ndarray:
    """The opening between the gripper's stair-stepped updates, interpolated linearly.

    Fresh samples are the first frame and every frame whose reading differs from the one
    before; the held frames in between are replaced by linear interpolation between fresh
    samples. A signal that never changes is returned unchanged (as float64).
    """
    w = np.asarray(width_mm, dtype=np.float64)
    if w.size < 2:
        return w.copy()
    fresh = np.flatnonzero(np.r_[True, np.diff(w) != 0.0])
    if fresh.size < 2:
        return w.copy()
    return np.interp(np.arange(w.size), fresh, w[fresh])


@dataclass(frozen=True)
class HoldPoint:
    """The force-controlled hold: median force (N) and reconstructed width (mm) of its frames."""

    force_n: float
    width_mm: float
    n_frames: int


def hold_point(force_n: np.ndarray, width_mm: np.ndarray) -> HoldPoint:
    """Median force and width over the frames at ≥ 90 % of the peak force (from the peak on,
    and the frames just before it), with the width reconstructed between its updates."""
    f = np.asarray(force_n, dtype=np.float64)
    w = reconstruct_width_mm(width_mm)
    peak = float(np.max(f))
    held = f >= HOLD_FORCE_FRACTION * peak
    return HoldPoint(float(np.median(f[held])), float(np.median(w[held])), int(held.sum()))


def _hinge_fit(force_n: np.ndarray, width_mm: np.ndarray, exponent: float) -> float | None:
    """Contact width of ``F = b + k·max(0, w_c − w)^n``: a grid over w_c (0.05 mm steps), with
    (b, k) by least squares in closed form for every candidate at once; None when no k > 0.

    A sloped baseline (``b0 + b1·w``) was tried for the creeping force sensor: on the real
    reference grasps it absorbed the soft balls' gradual Hertz rise and moved their contact
    widths by up to 9 mm, so the baseline is constant and the median of the three estimates
    handles creep.

    Candidates that fit equally well (within :data:`HINGE_TIE_RTOL` of the force's sum of
    squares: rounding) are resolved to the narrowest. With exponent 1 every contact width
    wider than all the fitted frames is the same straight line (the baseline ``b`` absorbs
    ``k·w_c``): a recording that starts on the rise leaves a plateau of exactly tied
    candidates up to 10 mm wide, and the argmin over it was decided by rounding (a force
    gain of 0.95 moved a foam brick's contact width from 51.2 to 59.8 mm, its E by
    -0.35 dex; BENCHMARKS.md, signal drift). Every wider one needs a baseline further below
    the first fitted frame's force (``b = F₀ − k·(w_c − w₀)``), which the record does not
    show; the narrowest is the contact at the first fitted frame."""
    if force_n.size < 4:
        return None
    candidates = _hinge_candidates(width_mm)
    x = np.maximum(0.0, candidates[:, None] - width_mm[None, :]) ** exponent
    return _best_hinge(candidates, x, force_n)


def _hinge_candidates(width_mm: np.ndarray) -> np.ndarray:
    """Contact widths a hinge fit tries: 0.05 mm steps from 0.2 mm above the narrowest frame
    to 10 mm beyond the widest."""
    return np.arange(float(width_mm.min()) + 0.2, float(width_mm.max()) + 10.0, 0.05)


def _best_hinge(candidates: np.ndarray, x: np.ndarray, force_n: np.ndarray) -> float | None:
    """The candidate whose ``F = b + k·x`` (``x``: one row per candidate) fits ``force_n`` best
    by least squares with ``k > 0``, ties (:data:`HINGE_TIE_RTOL`) to the narrowest; None when
    no candidate has ``k > 0``."""
    xc = x - x.mean(axis=1, keepdims=True)
    fc = force_n - force_n.mean()
    var = np.einsum("ij,ij->i", xc, xc)
    cov = xc @ fc
    total = float(fc @ fc)
    with np.errstate(divide="ignore", invalid="ignore"):
        rss = np.where((var > 0) & (cov > 0), total - cov**2 / var, np.inf)
    if not np.isfinite(rss).any():
        return None
    best = float(np.min(rss))
    return float(candidates[int(np.argmax(rss <= best + HINGE_TIE_RTOL * total))])


def _line_hinge_fit(force_n: np.ndarray, width_mm: np.ndarray, bias_mm: float) -> float | None:
    """:func:`_hinge_fit` (the same candidates, least squares and tie rule) with a cylinder on
    its side's own law in place of ``max(0, w_c − w)^n``: 2-D Hertz, ``F ∝ b²/R`` with the
    strip half-width ``b`` from ``δ = b²/(4R)·(2 ln(4R/b) − 1)``, ``δ = max(0, w_c − w)/2``
    per pad and ``R = max(w_c − bias_mm, 2)/2`` (locally ``F ∝ δ^1.15-1.3``: between the two
    power hinges). The gel and rig in series are ignored, as the power hinges ignore them.
    Only for the opt-in per-hypothesis touch of the blind estimator
    (``BlindEstimator.touch_per_hypothesis``)."""
    if force_n.size < 4:
        return None
    candidates = _hinge_candidates(width_mm)
    radius = np.maximum(candidates - bias_mm, 2.0)[:, None] / 2.0
    delta = np.maximum(0.0, candidates[:, None] - width_mm[None, :]) / 2.0
    # the law is scale-free: b/R from δ/R on the unit-radius table (δ/R ≤ 2 on the table)
    grid = np.linspace(0.0, 2.0, 801)
    unit = line_unit_half_width()
    beta = np.interp(np.minimum(delta / radius, 2.0), grid, unit)
    return _best_hinge(candidates, radius * beta * beta, force_n)


@functools.cache
def line_unit_half_width() -> np.ndarray:
    """b/R of a cylinder on its side at δ/R = 0, 2/800, .., 2 (R = 1 mm), by 40 steps of
    bisection on ``δ = b²/4·(2 ln(4/b) − 1)`` (0 < b ≤ 4/e), read-only."""
    target = np.linspace(0.0, 2.0, 801)
    lo = np.zeros_like(target)
    hi = np.full_like(target, 4.0 / math.e)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        below = mid * mid / 4.0 * (2.0 * np.log(4.0 / mid) - 1.0) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    out = 0.5 * (lo + hi)
    out.flags.writeable = False
    return out


def _hinge_mask(f: np.ndarray, peak_index: int) -> np.ndarray:
    """The frames the hinge fits use: from 15 before the force first reaches 10 % of its peak
    up to the peak, at most half the peak."""
    peak = float(f[peak_index])
    idx = np.arange(f.size)
    first = int(np.argmax(f >= 0.1 * peak))
    below_half = f <= HINGE_MAX_FORCE_FRACTION * peak
    return (idx >= max(0, first - 15)) & (idx <= peak_index) & below_half


def hinge_window(force_n: np.ndarray, width_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frames the hinge fits of :func:`contact_width` use (force, reconstructed width;
    :func:`_hinge_mask`)."""
    f = np.asarray(force_n, dtype=np.float64)
    w = reconstruct_width_mm(width_mm)
    fit = _hinge_mask(f, int(np.argmax(f)))
    return f[fit], w[fit]


def line_contact_width(force_n: np.ndarray, width_mm: np.ndarray, bias_mm: float) -> float | None:
    """The contact width a cylinder on its side's own law reads (:func:`_line_hinge_fit` on the
    frames of :func:`hinge_window`); None when no fit has a positive slope."""
    f, w = hinge_window(force_n, width_mm)
    return _line_hinge_fit(f, w, bias_mm)


def _threshold_onset(force_n: np.ndarray, width_mm: np.ndarray, peak_index: int) -> float | None:
    floor = max(0.3, 0.03 * float(force_n[peak_index]))
    above = force_n[: peak_index + 1] >= floor
    if above.size < 3:
        return None
    run = above[:-2] & above[1:-1] & above[2:]
    if not run.any():
        return None
    return float(width_mm[int(np.argmax(run))])


#: Frames at the start of the recording that give the force's baseline and noise.
BASELINE_FRAMES = 5
#: A force counts as risen at this many noise sds above the baseline, and at least
#: ``RISE_MIN_SHARE`` of the peak (a force sensor that creeps or settles while the gripper
#: closes drifts by a fraction of a percent of the peak: 0.05-0.15 N at 20-24 N on the
#: reference rig) and ``RISE_MIN_N``.
RISE_NOISE_SDS = 3.0
RISE_MIN_SHARE = 0.01
RISE_MIN_N = 0.03


@dataclass(frozen=True)
class ForceRise:
    """Where the force first rose detectably above its baseline and stayed up to the peak:
    the reconstructed width (mm) there and the force above the baseline (N) it carried; the
    width where the force crossed ``threshold_n`` above the baseline (linearly between that
    frame and the one before)."""

    width_mm: float
    force_n: float
    width_before_mm: float
    threshold_n: float
    baseline_n: float
    noise_n: float


def force_rise(force_n: np.ndarray, width_mm: np.ndarray) -> ForceRise | None:
    """The widest opening from which the force stays above ``baseline + max(3 sd, 1 % of the
    peak)`` (baseline and noise of the first frames) until the peak: the object surely carried
    load there, so the contact width is at least this wide. None when the recording starts
    loaded or is too short.

    The hinge fits and the onset threshold read the contact where the force becomes a
    sizeable share of the peak; a small soft object carries a detectable but tiny force for
    millimetres of closure before that (a 10 mm, 25 kPa ball: 0.1 N from 8 mm, 0.6 N at
    2.4 mm), so they can read its contact several millimetres late."""
    f = np.asarray(force_n, dtype=np.float64)
    w = reconstruct_width_mm(width_mm)
    peak_index = int(np.argmax(f))
    peak = float(f[peak_index])
    first = int(np.argmax(f >= 0.1 * peak))
    n_base = min(BASELINE_FRAMES, first)
    if n_base < 3 or peak <= 0:
        return None
    base = f[:n_base]
    baseline = float(np.median(base))
    noise = 1.4826 * float(np.median(np.abs(base - baseline)))
    threshold = baseline + max(RISE_NOISE_SDS * noise, RISE_MIN_SHARE * peak, RISE_MIN_N)
    below = np.flatnonzero(f[: peak_index + 1] < threshold)
    if below.size == 0:
        return None
    start = int(below[-1]) + 1
    if start > peak_index or start < n_base:
        return None
    # where the force crossed the threshold, linearly between the last frame below and the first
    # above (the frames of a slow, soft rise are close; a rigid object's rise is steep)
    f0, f1 = float(f[start - 1]), float(f[start])
    share = (threshold - f0) / (f1 - f0) if f1 > f0 else 1.0
    crossing = float(w[start - 1] + min(max(share, 0.0), 1.0) * (w[start] - w[start - 1]))
    return ForceRise(
        float(w[start]), f1 - baseline, crossing, threshold - baseline, baseline, noise,
    )  # fmt: skip


@dataclass(frozen=True)
class ContactWidth:
    """The opening (mm, in the gripper's reading) at which the object is first squeezed."""

    width_mm: float
    sd_mm: float
    estimates_mm: dict[str, float]
    starts_in_contact: bool


def contact_width(force_n: np.ndarray, width_mm: np.ndarray) -> ContactWidth:
    """Contact width from the loading branch (see the module docstring)."""
    f = np.asarray(force_n, dtype=np.float64)
    w = reconstruct_width_mm(width_mm)
    peak_index = int(np.argmax(f))
    peak = float(f[peak_index])
    fit = _hinge_mask(f, peak_index)
    estimates: dict[str, float] = {}
    for name, n in (("hinge_1.5", 1.5), ("hinge_1", 1.0)):
        value = _hinge_fit(f[fit], w[fit], n)
        if value is not None:
            estimates[name] = value
    onset = _threshold_onset(f, w, peak_index)
    if onset is not None:
        estimates["force_onset"] = onset
    starts = bool(f[0] >= max(0.3, 0.03 * peak))
    if not estimates:
        estimates["first_frame"] = float(w[0])
    values = np.array(list(estimates.values()))
    middle = float(np.median(values))
    sd = max(MIN_CONTACT_WIDTH_SD_MM, 1.4826 * float(np.median(np.abs(values - middle))))
    if starts:
        sd = math.hypot(sd, STARTS_IN_CONTACT_SD_MM)
    return ContactWidth(middle, sd, estimates, starts)


def imprint_frames(
    force_n: np.ndarray, area_mm2: np.ndarray, frames: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """``(early, peak)``: the frames the imprint is judged on. ``frames`` when given
    (``GraspFeatures.imprint_indices``: measured whatever the sampling); else, from the arrays,
    the frame of the largest force among those with a measured area and the first such frame
    before it at a fifth of that force. A frame whose area is 0 (nothing imaged) counts: the
    imprint there is empty. None when no frame has an area (or ``frames`` has none)."""
    f = np.asarray(force_n, dtype=np.float64)
    a = np.asarray(area_mm2, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(f)
    if frames is not None:
        early, peak = frames
        inside = 0 <= early <= peak < f.size
        return (early, peak) if inside and ok[early] and ok[peak] else None
    if not ok.any():
        return None
    peak = int(np.argmax(np.where(ok, f, -np.inf)))
    early_ok = ok & (f >= 0.2 * f[peak]) & (np.arange(f.size) <= peak)
    return (int(np.argmax(early_ok)) if early_ok.any() else peak), peak


def _pad_fill(
    force_n: np.ndarray,
    area_mm2: np.ndarray | None,
    pad_area_mm2: float | None,
    frames: tuple[int, int] | None = None,
) -> tuple[float | None, float | None]:
    if area_mm2 is None or not pad_area_mm2:
        return None, None
    a = np.asarray(area_mm2, dtype=np.float64)
    chosen = imprint_frames(force_n, a, frames)
    if chosen is None:
        return None, None
    early, peak = chosen
    return float(a[peak]) / pad_area_mm2, float(a[early]) / pad_area_mm2


@dataclass(frozen=True)
class Imprint:
    """The imaged patch at the first measured loading frame (``early``, about a fifth of the
    peak force) and at the peak: shares of the pad's area, the patch's moment-ellipse axes
    (mm), its spans as shares of the imaged pad's extent along x and y, and the forces (N)."""

    fill_early: float
    fill_peak: float
    axes_early_mm: tuple[float, float]
    axes_peak_mm: tuple[float, float]
    span_peak: tuple[float, float]
    span_peak_mm: tuple[float, float]
    force_early_n: float
    force_peak_n: float

    @property
    def growth_exponent(self) -> float:
        """n in area ∝ Fⁿ between the early frame and the peak (Hertz: 2/3 for a sphere, 1/2
        for a cylinder; 0 for a flat face); 0 when the force grew less than twofold."""
        ratio = self.force_peak_n / self.force_early_n if self.force_early_n > 0 else 0.0
        if ratio < 2.0 or self.fill_early <= 0 or self.fill_peak <= 0:
            return 0.0
        return math.log(self.fill_peak / self.fill_early) / math.log(ratio)

    @property
    def aspect_peak(self) -> float:
        major, minor = self.axes_peak_mm
        return major / minor if minor > 0 else math.inf


def measure_imprint(
    force_n: np.ndarray,
    area_mm2: np.ndarray | None,
    patch_mm: np.ndarray | None,
    pad_area_mm2: float | None,
    pad_extent_mm: tuple[float, float] | None,
    frames: tuple[int, int] | None = None,
) -> Imprint | None:
    """:class:`Imprint` from per-frame areas and patch shapes (``GraspFeatures``) at the frames
    :func:`imprint_frames` picks (``frames``: ``GraspFeatures.imprint_indices``), None when the
    images were not measured (or no patch shape / pad size is known). An empty patch (area 0,
    no shape) reads as zero fill and axes."""
    if area_mm2 is None or patch_mm is None or not pad_area_mm2 or pad_extent_mm is None:
        return None
    f = np.asarray(force_n, dtype=np.float64)
    a = np.asarray(area_mm2, dtype=np.float64)
    p = np.asarray(patch_mm, dtype=np.float64)
    if p.shape != (f.size, 4) or a.shape != f.shape:
        return None
    chosen = imprint_frames(f, a, frames)
    if chosen is None:
        return None
    early, peak = chosen
    shape = {i: p[i] if np.all(np.isfinite(p[i])) else np.zeros(4) for i in chosen}
    ex, ey = pad_extent_mm
    return Imprint(
        fill_early=float(a[early]) / pad_area_mm2,
        fill_peak=float(a[peak]) / pad_area_mm2,
        axes_early_mm=(float(shape[early][0]), float(shape[early][1])),
        axes_peak_mm=(float(shape[peak][0]), float(shape[peak][1])),
        span_peak=(float(shape[peak][2]) / ex, float(shape[peak][3]) / ey),
        span_peak_mm=(float(shape[peak][2]), float(shape[peak][3])),
        force_early_n=float(f[early]),
        force_peak_n=float(f[peak]),
    )


def classify_imprint(imprint: Imprint | None) -> tuple[str, str]:
    """``(shape_class, evidence)`` from the imprint (rules in the module docstring)."""
    if imprint is None:
        return "unknown", "no imprint measured"
    im = imprint
    pct = f"{100 * im.fill_early:.0f} -> {100 * im.fill_peak:.0f} % of the pad"
    if im.fill_early >= FLAT_FILL_EARLY:
        return "flat", f"imprint covers {100 * im.fill_early:.0f} % of the pad at 20 % force"
    sx, sy = im.span_peak
    along, across = max(sx, sy), min(sx, sy)
    widening = im.axes_peak_mm[1] / im.axes_early_mm[1] if im.axes_early_mm[1] > 0 else 0.0
    if (
        along >= STRIP_MIN_SPAN
        and across <= STRIP_MAX_ACROSS
        and im.aspect_peak >= STRIP_MIN_ASPECT
        and widening >= STRIP_MIN_WIDENING
        and im.fill_peak >= CURVED_FILL_PEAK[0]
    ):
        return "cylinder", (
            f"strip across the pad ({100 * along:.0f} % of it), {im.aspect_peak:.1f}:1, "
            f"widening {widening:.1f}x with the load"
        )
    lo, hi = CURVED_FILL_PEAK
    if (
        lo <= im.fill_peak < hi
        and im.growth_exponent >= MIN_GROWTH_EXPONENT
        and (along < TOUCHES_EDGES)
    ):
        if im.aspect_peak <= ROUND_MAX_ASPECT:
            return "sphere", f"compact round imprint growing with load ({pct})"
        return "irregular", (
            f"compact imprint growing with load ({pct}), elongated {im.aspect_peak:.1f}:1"
        )
    return "unknown", f"imprint {pct}, {im.aspect_peak:.1f}:1: not decisive"


def classify_shape(pad_fill_peak: float | None, pad_fill_early: float | None) -> tuple[str, str]:
    """``(shape_class, evidence)`` from the imprint's share of the pad alone (a round, growing
    patch is taken as a sphere): :func:`classify_imprint` without the patch's shape."""
    if pad_fill_peak is None or pad_fill_early is None:
        return "unknown", "no imprint measured"
    round_patch = Imprint(
        pad_fill_early, pad_fill_peak, (1.0, 1.0), (1.0, 1.0), (0.5, 0.5), (1.0, 1.0), 0.2, 1.0
    )
    return classify_imprint(round_patch)


def radius_from_imprint(
    shape_class: str,
    force_n: np.ndarray,
    width_mm: np.ndarray,
    area_mm2: np.ndarray | None,
    patch_mm: np.ndarray | None,
    rig_compliance_mm_per_n: float = 0.0,
) -> tuple[float, float] | None:
    """Radius of curvature (mm) and its sd from the imprint's growth with the closure (module
    docstring); None unless the class is ``sphere`` or ``cylinder`` with ≥ 3 usable frames.

    The squared contact radius grows with the approach per pad δ: ``a² = κ·R·δ`` with κ = 1 for
    an elastic half-space (Hertz) and κ → 2 for a thin gel pressed towards its window (the
    geometric cap, ``a² ≈ 2Rh``). The slope of a² against the closure (its free intercept
    absorbs the contact width's error) gives κR; R is reported at κ = √2 with an sd spanning
    κ = 1..2. A cylinder's strip half-width b (from the patch's minor axis) is used the same way
    (the line law ``b² = 4Rδ/(2 ln(4R/b) − 1)`` is within a factor 2 of Rδ for 4R/b = 3-20,
    and a soft cylinder's strip stops widening as it flattens over the pad): sd ±0.5 κR."""
    if shape_class not in ("sphere", "cylinder") or area_mm2 is None or patch_mm is None:
        return None
    f = np.asarray(force_n, dtype=np.float64)
    w = reconstruct_width_mm(width_mm)
    closure = w[0] - w - rig_compliance_mm_per_n * f
    a = np.asarray(area_mm2, dtype=np.float64)
    minor = np.asarray(patch_mm, dtype=np.float64)[:, 1]
    peak = float(np.max(f))
    use = np.isfinite(a) & np.isfinite(minor) & (f >= 0.2 * peak) & (a > 0)
    if int(use.sum()) < 3:
        return None
    if shape_class == "sphere":
        squared = a[use] / math.pi
    else:
        squared = (minor[use] * math.sqrt(3.0) / 4.0) ** 2  # a uniform strip of width 2b
    delta = closure[use] / 2.0
    if float(np.ptp(delta)) < 0.1:
        return None
    slope = _theil_sen(delta, squared)
    if not slope > 0:
        return None
    # κ = 1..2 spans ±0.25 κR around κ = √2; a strip's width also saturates as a soft cylinder
    # flattens over the pad: ±0.5
    return slope / math.sqrt(2.0), slope * (0.25 if shape_class == "sphere" else 0.5)


def _theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    ok = np.abs(dx) > 1e-9
    if not ok.any():
        return math.nan
    return float(np.median((y[j] - y[i])[ok] / dx[ok]))


#: A curved imprint must show at least this share of the contact area its closure implies
#: (a² ≥ R·δ for a sphere of radius size/2, a strip 2√(Rδ) wide for a cylinder).
MIN_IMPRINT_SHARE = 0.25


def _check_against_closure(
    shape: str,
    why: str,
    imprint: Imprint,
    size_mm: float,
    closure_mm: float,
    hold_force_n: float,
    pad_area_mm2: float,
    rig_compliance_mm_per_n: float,
) -> tuple[str, str]:
    """``unknown`` when a curved imprint is far smaller than a curved object of this size and
    closure would leave: the images then do not show the contact (a soft face over the pad
    barely indents a stiffer gel, and what shows is its edge or noise)."""
    radius = max(size_mm, 2.0) / 2.0
    delta = max(closure_mm - rig_compliance_mm_per_n * hold_force_n, 0.0) / 2.0
    if shape == "cylinder":
        expected = 2.0 * math.sqrt(radius * delta) * max(imprint.span_peak_mm)
    else:
        expected = math.pi * radius * delta
    seen = imprint.fill_peak * pad_area_mm2
    expected = min(expected, pad_area_mm2)
    if expected > 0 and seen < MIN_IMPRINT_SHARE * expected:
        return "unknown", (
            f"{why}; but only {seen:.0f} mm² imaged where a curved object of this size and "
            f"closure would print ≥ {expected:.0f} mm²: not decisive"
        )
    return shape, why


@dataclass(frozen=True)
class GraspGeometry:
    """The object's geometry as one grasp shows it (all lengths in mm).

    ``contact_width_mm`` ± ``contact_width_sd_mm``: the opening at first squeeze (reading);
    ``size_mm`` ± ``size_sd_mm``: the object's size along the squeeze axis (contact width minus
    the rig's calibrated bias); ``radius_mm``: the radius of curvature a sphere of that size
    would have (``size/2``) — the blind estimator's sphere and cylinder hypotheses;
    ``hold_force_n`` / ``hold_width_mm``: the force-controlled hold; ``closure_mm``: contact
    width minus hold width (object, gel and rig together); ``shape_class``: ``sphere``,
    ``cylinder``, ``flat``, ``irregular`` or ``unknown``, ``plausible_shapes`` the shapes the
    imprint leaves open and ``evidence`` why; ``pad_fill_peak`` / ``pad_fill_early``: the
    imaged contact's share of the pad at the peak and at a fifth of the peak force (None
    without images); ``patch_aspect``: the patch's axis ratio at the peak; ``patch_span``: its
    span along the pad's x and y as shares of the imaged pad; ``contact_length_mm``: the strip's
    length along the pad for a cylinder (else None); ``radius_from_imprint_mm`` ±
    ``radius_from_imprint_sd_mm``: the radius of curvature from the imprint's growth (clear
    sphere / cylinder only, else None); ``starts_in_contact``: the recording begins with the
    object already squeezed.
    """

    contact_width_mm: float
    contact_width_sd_mm: float
    size_mm: float
    size_sd_mm: float
    radius_mm: float
    hold_force_n: float
    hold_width_mm: float
    closure_mm: float
    shape_class: str
    pad_fill_peak: float | None
    pad_fill_early: float | None
    starts_in_contact: bool
    evidence: str
    contact_width_estimates_mm: dict[str, float]
    plausible_shapes: tuple[str, ...] = PLAUSIBLE_SHAPES["unknown"]
    patch_aspect: float | None = None
    patch_span: tuple[float, float] | None = None
    contact_length_mm: float | None = None
    radius_from_imprint_mm: float | None = None
    radius_from_imprint_sd_mm: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def infer_geometry(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    *,
    area_mm2: np.ndarray | None = None,
    patch_mm: np.ndarray | None = None,
    pad_area_mm2: float | None = None,
    pad_extent_mm: tuple[float, float] | None = None,
    contact_width_bias_mm: float = 0.0,
    contact_width_bias_sd_mm: float = 0.0,
    rig_compliance_mm_per_n: float = 0.0,
    imprint_indices: tuple[int, int] | None = None,
) -> GraspGeometry:
    """The object's geometry from one grasp's signals and, if given, the imaged contact areas
    and patch shapes per frame (``GraspFeatures.contact_area_mm2`` / ``contact_patch_mm``), the
    imprint judged at ``imprint_indices`` (``GraspFeatures.imprint_indices``) when given."""
    f = np.asarray(force_n, dtype=np.float64)
    cw = contact_width(f, width_mm)
    hold = hold_point(f, width_mm)
    size = cw.width_mm - contact_width_bias_mm
    size_sd = math.hypot(cw.sd_mm, contact_width_bias_sd_mm)
    imprint = measure_imprint(
        f, area_mm2, patch_mm, pad_area_mm2, pad_extent_mm, frames=imprint_indices
    )
    fill_peak: float | None
    fill_early: float | None
    if imprint is not None:
        shape, why = classify_imprint(imprint)
        fill_peak, fill_early = imprint.fill_peak, imprint.fill_early
    else:
        fill_peak, fill_early = _pad_fill(f, area_mm2, pad_area_mm2, imprint_indices)
        shape, why = classify_shape(fill_peak, fill_early)
    if shape in ("sphere", "irregular", "cylinder") and imprint is not None:
        shape, why = _check_against_closure(
            shape, why, imprint, size, cw.width_mm - hold.width_mm, hold.force_n,
            pad_area_mm2 or 0.0, rig_compliance_mm_per_n,
        )  # fmt: skip
    length = None
    if shape == "cylinder" and imprint is not None:
        length = max(imprint.span_peak_mm)
    radius_im = radius_from_imprint(shape, f, width_mm, area_mm2, patch_mm, rig_compliance_mm_per_n)
    return GraspGeometry(
        contact_width_mm=cw.width_mm,
        contact_width_sd_mm=cw.sd_mm,
        size_mm=size,
        size_sd_mm=size_sd,
        radius_mm=max(size, 1.0) / 2.0,
        hold_force_n=hold.force_n,
        hold_width_mm=hold.width_mm,
        closure_mm=cw.width_mm - hold.width_mm,
        shape_class=shape,
        pad_fill_peak=fill_peak,
        pad_fill_early=fill_early,
        starts_in_contact=cw.starts_in_contact,
        evidence=why,
        contact_width_estimates_mm=cw.estimates_mm,
        plausible_shapes=PLAUSIBLE_SHAPES[shape],
        patch_aspect=None if imprint is None else imprint.aspect_peak,
        patch_span=None if imprint is None else imprint.span_peak,
        contact_length_mm=length,
        radius_from_imprint_mm=None if radius_im is None else radius_im[0],
        radius_from_imprint_sd_mm=None if radius_im is None else radius_im[1],
    )
