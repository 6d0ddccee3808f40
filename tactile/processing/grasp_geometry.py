"""What one grasp says about the object's geometry, with nothing known beforehand.

Pure functions of the force and width signals (and, optionally, the per-frame contact areas the
images gave), used by the blind estimator (:mod:`tactile.estimators.blind`) and offered to the
network as inputs. Outputs are documented on :class:`GraspGeometry`.

**Width reconstruction.** Grippers report their opening in stair steps (the reference Franka
rig updates it every 3-6 frames). A held value is stale: between two updates the true opening
keeps moving. :func:`reconstruct_width_mm` keeps only the frames where the reading changed
(fresh samples) and interpolates linearly between them. On the 27 real reference grasps the
loading and unloading branches of force against width then agree to within about one frame
of timing (the held staircase lags by half an update period), so no lag is modelled.

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
of ``contact width − known size`` over rigid presses, :mod:`tactile.calibration.rig_fit`).

**Shape class.** ``sphere`` / ``flat`` / ``unknown`` from the imprint when the images show one
clearly (a compact patch that grows with the load: a curved surface; a patch that covers most
of the pad already at a fifth of the peak force: a flat face larger than the pad), else
``unknown``: on the reference Wedge soft contacts are faint and under-detected, so the blind
estimator then keeps both hypotheses and widens its interval to cover them.
"""

from __future__ import annotations

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
#: Force (share of the peak) above which frames count as the hold.
HOLD_FORCE_FRACTION = 0.9
#: A patch covering at least this share of the pad at a fifth of the peak force is a flat face.
FLAT_FILL_EARLY = 0.8
#: A patch between these shares of the pad at the peak that grew with the load is a curved
#: surface (below the lower one the images show too little: a flat face shows only its edges).
CURVED_FILL_PEAK = (0.05, 0.45)


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
    handles creep."""
    if force_n.size < 4:
        return None
    candidates = np.arange(float(width_mm.min()) + 0.2, float(width_mm.max()) + 10.0, 0.05)
    x = np.maximum(0.0, candidates[:, None] - width_mm[None, :]) ** exponent
    xc = x - x.mean(axis=1, keepdims=True)
    fc = force_n - force_n.mean()
    var = np.einsum("ij,ij->i", xc, xc)
    cov = xc @ fc
    with np.errstate(divide="ignore", invalid="ignore"):
        rss = np.where((var > 0) & (cov > 0), float(fc @ fc) - cov**2 / var, np.inf)
    if not np.isfinite(rss).any():
        return None
    return float(candidates[int(np.argmin(rss))])


def _threshold_onset(force_n: np.ndarray, width_mm: np.ndarray, peak_index: int) -> float | None:
    floor = max(0.3, 0.03 * float(force_n[peak_index]))
    above = force_n[: peak_index + 1] >= floor
    if above.size < 3:
        return None
    run = above[:-2] & above[1:-1] & above[2:]
    if not run.any():
        return None
    return float(width_mm[int(np.argmax(run))])


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
    idx = np.arange(f.size)
    first = int(np.argmax(f >= 0.1 * peak))
    fit = (idx >= max(0, first - 15)) & (idx <= peak_index) & (f <= HINGE_MAX_FORCE_FRACTION * peak)
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


@dataclass(frozen=True)
class GraspGeometry:
    """The object's geometry as one grasp shows it (all lengths in mm).

    ``contact_width_mm`` ± ``contact_width_sd_mm``: the opening at first squeeze (reading);
    ``size_mm`` ± ``size_sd_mm``: the object's size along the squeeze axis (contact width minus
    the rig's calibrated bias); ``radius_mm``: the radius of curvature a sphere of that size
    would have (``size/2``) — the blind estimator's sphere hypothesis; ``hold_force_n`` /
    ``hold_width_mm``: the force-controlled hold; ``closure_mm``: contact width minus hold
    width (object, gel and rig together); ``shape_class``: ``sphere``, ``flat`` or
    ``unknown``; ``pad_fill_peak`` / ``pad_fill_early``: the imaged contact's share of the pad
    at the peak and at a fifth of the peak force (None without images); ``starts_in_contact``:
    the recording begins with the object already squeezed; ``evidence``: why the class.
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pad_fill(
    force_n: np.ndarray, area_mm2: np.ndarray | None, pad_area_mm2: float | None
) -> tuple[float | None, float | None]:
    if area_mm2 is None or not pad_area_mm2:
        return None, None
    f = np.asarray(force_n, dtype=np.float64)
    a = np.asarray(area_mm2, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(f)
    if not ok.any():
        return None, None
    peak_index = int(np.argmax(np.where(ok, f, -np.inf)))
    peak_fill = float(a[peak_index]) / pad_area_mm2
    early_ok = ok & (f >= 0.2 * f[peak_index]) & (np.arange(f.size) <= peak_index)
    early_fill = float(a[int(np.argmax(early_ok))]) / pad_area_mm2 if early_ok.any() else None
    return peak_fill, early_fill


def classify_shape(pad_fill_peak: float | None, pad_fill_early: float | None) -> tuple[str, str]:
    """``(shape_class, evidence)`` from the imprint's share of the pad (see the module doc)."""
    if pad_fill_peak is None or pad_fill_early is None:
        return "unknown", "no imprint measured"
    if pad_fill_early >= FLAT_FILL_EARLY:
        return "flat", f"imprint covers {100 * pad_fill_early:.0f} % of the pad at 20 % force"
    lo, hi = CURVED_FILL_PEAK
    if lo <= pad_fill_peak < hi and pad_fill_early < 0.5 * pad_fill_peak:
        return "sphere", (
            f"compact imprint growing with load ({100 * pad_fill_early:.0f} -> "
            f"{100 * pad_fill_peak:.0f} % of the pad)"
        )
    return "unknown", (
        f"imprint {100 * pad_fill_early:.0f} -> {100 * pad_fill_peak:.0f} % of the pad: "
        "not decisive"
    )


def infer_geometry(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    *,
    area_mm2: np.ndarray | None = None,
    pad_area_mm2: float | None = None,
    contact_width_bias_mm: float = 0.0,
    contact_width_bias_sd_mm: float = 0.0,
) -> GraspGeometry:
    """The object's geometry from one grasp's signals (and imaged contact areas, if given)."""
    f = np.asarray(force_n, dtype=np.float64)
    cw = contact_width(f, width_mm)
    hold = hold_point(f, width_mm)
    size = cw.width_mm - contact_width_bias_mm
    size_sd = math.hypot(cw.sd_mm, contact_width_bias_sd_mm)
    fill_peak, fill_early = _pad_fill(f, area_mm2, pad_area_mm2)
    shape, why = classify_shape(fill_peak, fill_early)
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
    )
