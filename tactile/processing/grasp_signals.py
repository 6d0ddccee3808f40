"""Force and width of one grasp put on a common clock and a common zero, before geometry.

Two faults of real and simulated rigs make a rigid object's closure look like compliance
(docs/estimators.md, "Blind"): a width reading that **lags** the fingers, and a force that
**builds with the closing motion** before the touch. Both are measured on the grasp itself.

**Width lag** (:func:`width_lag_s`). Loading and unloading pass through the same states: an
elastic contact (object, gel, rig in series) carries the same force at the same finger position
going in and coming out. A reading that shows the position ``L`` seconds late reads the
loading branch too open and the unloading branch too closed, so in force-width space the two
branches form a loop whose width at a force level ``f`` grows with the lag at the rate of the
closing plus the opening speed. With ``t_in(f)`` and ``t_out(f)`` the times the force crosses
``f`` on the way up and on the way down, and ``w(t)`` the reading between its fresh updates,
the lag is the smallest ``L ≥ 0`` at which ``w(t_out + L) − w(t_in + L)`` (median over 13
levels from 20 to 80 % of the peak) reaches zero. Viscoelastic relaxation during the hold
(the object and gel lose a few % of their force) leaves the unloading branch slightly more
open, so the estimate errs short, and a grasp reads as it did without the correction.
The width is then read ``L`` later (:func:`aligned_width_mm`): ``w_aligned(t) = w(t + L)``.
Simulated (``tactile simulate --rig random``, latency 0-0.4 s, 144 grasps): 97 % within
0.02 s of the simulated latency, all within 0.05 s, at most 0.013 s long. The 27 real
reference grasps read 0-0.04 s (no measurable lag, as the module docstring of
:mod:`.grasp_geometry` found from the branches).

**Motion force** (:func:`motion_baseline`). Some rigs' force reading rises with the closing
motion itself before anything is touched (cables, a preloaded finger: up to ~2 N over 25 mm on
some real cycles; ``motion_force_n_per_mm`` of the simulator). Before the touch the force is
then a straight line in the closure since the gripper started moving; the touch is where it
bends upwards. The line is fitted on the frames from the start of the recording (at rest:
closure 0, which pins its intercept) to the last frame before the force leaves it, the first of
three consecutive frames each more than 3 standard errors above the line fitted on the frames
before them (the force noise from the rest frames' second differences, never below a third of
:func:`~.grasp_geometry.force_rise`'s level, max(1 % of the peak, 0.03 N): a sensor that
creeps while the gripper closes is not white; the line's own uncertainty added). A slope
within 3 standard errors of zero is taken as none, and so is one whose line bends well after
the motion started (a hinge from a later closure fits better by 3² noise variances: a soft
flat face's slow, straight rise from its touch, not a motion force). The baseline
follows the gel-to-gel gap (the reading plus the calibrated rig deflection, as the simulator
models it) and is subtracted from the force; its intercept (the rest level) is kept, which the
contact-width fits already handle. A soft object's first, tiny Hertz force before its
departure enters the line and raises the slope a little: that under-states its early force by
less than the departure's 3 standard errors.

:func:`correct_signals` applies both (lag first: the motion's start and the bend are then
where the force says) and reports what it did (:meth:`CorrectedSignals.details`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tactile.processing.grasp_geometry import RISE_MIN_N, RISE_MIN_SHARE, reconstruct_width_mm
from tactile.types import MeasuredWidthLag, WidthLag

__all__ = [
    "CorrectedSignals",
    "MeasuredWidthLag",
    "MotionBaseline",
    "WidthLag",
    "aligned_width_mm",
    "correct_signals",
    "measure_width_lag",
    "motion_baseline",
    "width_lag_s",
]

#: Largest lag searched (s); the simulator draws up to 0.4 s, real rigs read ~0.
MAX_LAG_S = 1.0
LAG_STEP_S = 0.0025
#: Force levels (shares of the peak) at which the loading and unloading branches are compared.
LAG_LEVELS = (0.2, 0.8)
N_LAG_LEVELS = 13
#: A branch starts / ends where the force is below this share of the peak.
BRANCH_FLOOR = 0.1
#: Departure from the motion line: this many standard errors on this many consecutive frames.
DEPARTURE_Z = 3.0
DEPARTURE_FRAMES = 3
#: Frames at the start of the recording that must be at rest to pin the baseline: the force not
#: rising, the width moving less than ``REST_SHARE`` of the free approach that follows.
REST_FRAMES = 3
REST_SHARE = 0.1


def _fresh(t_s: np.ndarray, width_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(width_mm, dtype=np.float64)
    idx = np.flatnonzero(np.r_[True, np.diff(w) != 0.0])
    return np.asarray(t_s, dtype=np.float64)[idx], w[idx]


def width_lag_s(t_s: np.ndarray, force_n: np.ndarray, width_mm: np.ndarray) -> WidthLag | None:
    """Lag (s) of the width reading behind the force (module docstring); None when the grasp
    has no complete loading and unloading branch or the width never moves."""
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(force_n, dtype=np.float64)
    if f.size < 8 or t.shape != f.shape:
        return None
    tf, wf = _fresh(t, width_mm)
    if tf.size < 3:
        return None
    p = int(np.argmax(f))
    peak = float(f[p])
    if peak <= 0.0:
        return None
    below = np.flatnonzero(f[:p] < BRANCH_FLOOR * peak)
    after = np.flatnonzero(f[p:] < (1.0 - BRANCH_FLOOR) * peak)
    if below.size == 0 or after.size == 0:
        return None  # the recording starts loaded or ends before the release
    a = int(below[-1])
    b = p + int(after[0]) - 1
    end = np.flatnonzero(f[b:] < BRANCH_FLOOR * peak)
    if end.size == 0:
        return None
    c = b + int(end[0])
    levels = peak * np.linspace(LAG_LEVELS[0], LAG_LEVELS[1], N_LAG_LEVELS)
    # crossing times on each branch, on its monotone envelope (noise cannot cross twice)
    up = np.maximum.accumulate(f[a : p + 1])
    t_in = np.interp(levels, up + np.arange(up.size) * 1e-9, t[a : p + 1])
    down = np.minimum.accumulate(f[b : c + 1])[::-1]
    t_out = np.interp(levels, down + np.arange(down.size) * 1e-9, t[b : c + 1][::-1])
    grid = np.arange(0.0, MAX_LAG_S + LAG_STEP_S / 2, LAG_STEP_S)
    gap = np.median(
        np.interp(t_out[None, :] + grid[:, None], tf, wf)
        - np.interp(t_in[None, :] + grid[:, None], tf, wf),
        axis=1,
    )
    loop = float(gap[0])
    if loop >= 0.0:
        return WidthLag(0.0, loop)
    closed = np.flatnonzero(gap >= 0.0)
    if closed.size == 0:
        return None  # the loop never closes: not a lag
    j = int(closed[0])
    lag = grid[j - 1] + (0.0 - gap[j - 1]) / (gap[j] - gap[j - 1]) * LAG_STEP_S
    return WidthLag(float(lag), loop)


def measure_width_lag(
    t_s: np.ndarray, force_n: np.ndarray, width_mm: np.ndarray
) -> MeasuredWidthLag:
    """:func:`width_lag_s` with the arrays it was measured on (float64), to be handed on."""
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    return MeasuredWidthLag(t, f, w, width_lag_s(t, f, w))


def aligned_width_mm(t_s: np.ndarray, width_mm: np.ndarray, lag_s: float) -> np.ndarray:
    """The width reading between its fresh updates (:func:`reconstruct_width_mm`), read
    ``lag_s`` later (the last reading is held past the end of the recording)."""
    w = reconstruct_width_mm(width_mm)
    if lag_s <= 0.0:
        return w
    t = np.asarray(t_s, dtype=np.float64)
    return np.interp(t + lag_s, t, w)


@dataclass(frozen=True)
class MotionBaseline:
    """Force (N) that builds with the closing motion: ``slope_n_per_mm`` per mm of closure
    since ``reference_width_mm`` (the opening at rest), its standard error, and the frame
    where the force first left that line (the touch)."""

    slope_n_per_mm: float
    slope_se_n_per_mm: float
    reference_width_mm: float
    departure_index: int


def _noise_sd(f: np.ndarray) -> float:
    if f.size < 4:
        return 0.0
    return 1.4826 * float(np.median(np.abs(np.diff(f, 2)))) / math.sqrt(6.0)


def motion_baseline(force_n: np.ndarray, width_mm: np.ndarray) -> MotionBaseline | None:
    """The force's straight-line rise with the closure before the touch (module docstring),
    from the despiked force and the (aligned, reconstructed) width; None when the recording
    does not start at rest (its first ``REST_FRAMES`` forces within the force-rise level of
    each other and not rising by half of it, its width moving less than a tenth of the free
    approach: a clipped recording that starts closing on a loaded object is not a motion) with
    a free approach of at least 3 frames."""
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    p = int(np.argmax(f))
    peak = float(f[p])
    if peak <= 0.0 or p < REST_FRAMES + DEPARTURE_FRAMES + 3:
        return None
    ref = float(np.median(w[:REST_FRAMES]))
    x = np.maximum(ref - w, 0.0)
    upto = int(np.argmax(f >= 0.5 * peak))
    first_loaded = int(np.argmax(f >= BRANCH_FLOOR * peak))
    # white noise, but never below a third of the force-rise level (a sensor that creeps or
    # settles while the gripper closes drifts by a fraction of a percent of the peak)
    level = max(RISE_MIN_SHARE * peak, RISE_MIN_N)
    noise = max(_noise_sd(f[: max(first_loaded, REST_FRAMES + 1)]), level / DEPARTURE_Z)
    if float(np.ptp(f[:REST_FRAMES])) > level or f[REST_FRAMES - 1] - f[0] > level / 2:
        return None  # the force already moves: not at rest (a clipped recording, loaded)
    xs, fs = x[: upto + 1], f[: upto + 1]
    n = xs.size
    # running sums for the line F = b0 + m x on frames 0..j
    s1 = np.cumsum(np.ones(n))
    sx, sf = np.cumsum(xs), np.cumsum(fs)
    sxx, sxf = np.cumsum(xs * xs), np.cumsum(xs * fs)
    depart = None
    m_fit = se_fit = 0.0
    for j in range(REST_FRAMES + 2, n - DEPARTURE_FRAMES):
        var_x = sxx[j] - sx[j] ** 2 / s1[j]
        if var_x <= 1e-9:
            continue  # still at rest: no closure yet
        m = (sxf[j] - sx[j] * sf[j] / s1[j]) / var_x
        b0 = (sf[j] - m * sx[j]) / s1[j]
        xm = sx[j] / s1[j]
        nxt = slice(j + 1, j + 1 + DEPARTURE_FRAMES)
        pred = b0 + m * xs[nxt]
        pred_sd = noise * np.sqrt(1.0 + 1.0 / s1[j] + (xs[nxt] - xm) ** 2 / var_x)
        if np.all(fs[nxt] - pred > DEPARTURE_Z * pred_sd):
            depart = j + 1
            m_fit, se_fit = float(m), float(noise / math.sqrt(var_x))
            break
    if depart is None:
        return None
    moving = int(np.sum(xs[:depart] > 0.0))
    if moving < DEPARTURE_FRAMES:
        return None  # touched almost as the gripper started: no free approach to fit
    if float(np.ptp(w[:REST_FRAMES])) > REST_SHARE * float(xs[depart - 1]):
        return None  # the gripper was already closing: no rest to pin the line's start
    if abs(m_fit) < DEPARTURE_Z * se_fit or _bends_later(xs[:depart], fs[:depart], noise):
        m_fit = 0.0  # no evidence of a motion force, or the rise began with a touch
    return MotionBaseline(m_fit, se_fit, ref, depart)


def _bends_later(x: np.ndarray, f: np.ndarray, noise: float) -> bool:
    """Whether the force before the departure rose from a bend well after the motion started
    (a soft object's slow, straight rise from its touch: a flat face) rather than from the
    motion's start: a hinge ``b0 + k·max(0, x − x_b)`` with ``x_b > 0`` fits better than the
    line from ``x = 0`` by more than ``DEPARTURE_Z``² noise variances."""
    moving = np.unique(x[x > 0.0])
    if moving.size < 3:
        return False
    bends = np.r_[0.0, moving[:-2]]
    h = np.maximum(x[None, :] - bends[:, None], 0.0)  # one hinge per candidate bend
    hc = h - h.mean(axis=1, keepdims=True)
    fc = f - f.mean()
    var = np.einsum("ij,ij->i", hc, hc)
    cov = hc @ fc
    with np.errstate(divide="ignore", invalid="ignore"):
        rss = np.where(var > 0, float(fc @ fc) - cov**2 / var, float(fc @ fc))
    return float(rss[0] - rss[1:].min()) > DEPARTURE_Z**2 * noise**2


@dataclass(frozen=True)
class CorrectedSignals:
    """Force (N) with the motion baseline removed and width (mm) read on the force's clock,
    with what was estimated (None: nothing found, signal unchanged)."""

    force_n: np.ndarray
    width_mm: np.ndarray
    lag: WidthLag | None
    motion: MotionBaseline | None

    def details(self) -> dict[str, Any]:
        return {
            "width_lag_s": None if self.lag is None else round(self.lag.lag_s, 4),
            "motion_force_n_per_mm": (
                None if self.motion is None else round(self.motion.slope_n_per_mm, 5)
            ),
        }


def correct_signals(
    t_s: np.ndarray,
    force_n: np.ndarray,
    width_mm: np.ndarray,
    rig_compliance_mm_per_n: float = 0.0,
    *,
    measured_lag: MeasuredWidthLag | None = None,
) -> CorrectedSignals:
    """Width realigned by its lag, then the motion baseline removed from the force (module
    docstring); ``rig_compliance_mm_per_n`` turns the reading into the gel-to-gel gap the
    motion force follows once the object is loaded. ``measured_lag``: the lag as already
    measured (the loading phase's, :attr:`~tactile.types.GraspFeatures.width_lag`), used when
    it was measured on these time stamps, this despiked force and this width, else measured
    again: the result is the same either way."""
    from tactile.processing.loading import despike

    f = np.asarray(force_n, dtype=np.float64)
    clean = despike(f)[0] if f.size >= 3 else f  # a -70 N glitch would cross every level
    if measured_lag is not None and measured_lag.measured_on(
        np.asarray(t_s, dtype=np.float64), clean, np.asarray(width_mm, dtype=np.float64)
    ):
        lag = measured_lag.lag
    else:
        lag = width_lag_s(t_s, clean, width_mm)
    w = aligned_width_mm(t_s, width_mm, 0.0 if lag is None else lag.lag_s)
    motion = motion_baseline(clean, w)
    if motion is not None and motion.slope_n_per_mm != 0.0:
        rest = float(np.median(clean[:REST_FRAMES]))
        gap = w + rig_compliance_mm_per_n * np.maximum(clean - rest, 0.0)
        f = f - motion.slope_n_per_mm * np.maximum(motion.reference_width_mm - gap, 0.0)
    return CorrectedSignals(f, w, lag, motion)
