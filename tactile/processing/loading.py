"""Loading phase of a grasp (first contact .. peak force) from raw force and width signals.

Works on raw, unclipped open-close-open cycles with the faults real rigs produce: isolated force
spikes and negative glitches (e.g. -70 N frames from a dropped serial byte), widths that update more
slowly than the video (stair steps), long rest phases before contact, and failed grasps that never
build force. Pure functions: arrays in, a :class:`LoadingPhase` out, or
:class:`~tactile.errors.NoContactError` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tactile.errors import InvalidGraspError, NoContactError
from tactile.processing._lean import running_median
from tactile.processing.slip import find_slip
from tactile.types import Flag, MeasuredWidthLag

#: MAD -> standard deviation for normally distributed noise.
_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class LoadingPhase:
    """Where the squeeze happens: ``contact_index`` .. ``peak_index`` (inclusive).

    ``force_n`` is the despiked force (same length as the input); ``rest_force_n`` the force
    level with nothing in the gripper; ``n_glitches`` how many samples the despiker replaced.
    """

    contact_index: int
    peak_index: int
    rest_force_n: float
    force_n: np.ndarray
    n_glitches: int
    flags: frozenset[Flag]
    notes: tuple[str, ...]
    #: last frame that belongs to the squeeze (None: all); a slip ends the grasp there
    end_index: int | None = None
    #: the width lag measured on the frame times, ``force_n`` and the width (None: no times)
    width_lag: MeasuredWidthLag | None = None
    #: the force reading's offset taken off every sample (:func:`force_zero`; 0.0: none)
    force_offset_n: float = 0.0
    #: what :func:`force_zero` says about the zero (None: nothing to say); also in ``notes``
    force_zero_note: str | None = None

    @property
    def n_frames(self) -> int:
        return self.peak_index - self.contact_index + 1


def despike(
    signal: np.ndarray, *, half_window: int = 3, n_sigma: float = 4.0, min_jump: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Hampel filter: replace samples far from their running median by that median.

    A sample is an outlier when it differs from the median of the ``2*half_window+1`` samples
    around it by more than ``n_sigma`` robust standard deviations (1.4826 * MAD) *and* by more
    than ``min_jump`` (signal units), so a clean ramp is never touched. Up to ``half_window``
    consecutive glitches are removed. Returns (cleaned copy, boolean outlier mask).
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise InvalidGraspError(
            f"despike expects a 1-D signal, got shape {x.shape}", hint="pass one channel at a time"
        )
    size = 2 * half_window + 1
    med = running_median(x, size)  # = scipy.ndimage.median_filter(mode="nearest")
    mad = running_median(np.abs(x - med), size)
    limit = np.maximum(n_sigma * _MAD_TO_SD * mad, min_jump)
    outliers = np.abs(x - med) > limit
    cleaned = np.where(outliers, med, x)
    return cleaned, outliers


def _check_signals(force_n: np.ndarray, width_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    if f.ndim != 1 or w.shape != f.shape:
        raise InvalidGraspError(
            f"force_n {f.shape} and width_mm {w.shape} must be 1-D and of equal length",
            hint="record one force and one width sample per frame",
        )
    if f.size < 3:
        raise NoContactError(
            f"only {f.size} samples: too short to contain a loading phase",
            hint="record the whole squeeze, from before contact to peak force",
        )
    for name, a in (("force_n", f), ("width_mm", w)):
        if not np.all(np.isfinite(a)):
            raise InvalidGraspError(
                f"{name} has non-finite values", hint=f"interpolate the missing {name} samples"
            )
    return f, w


#: A rest level further than this from zero is a force reading's offset (a gauge not zeroed)
#: and is taken off every force sample, when the record shows it is a rest (see
#: :func:`force_zero`). Nearer zero the reading is kept: the reference rig's own rest levels lie
#: within ±0.13 N and its creep before contact reaches 0.14 N, and the onset thresholds
#: (≥ 0.3 N) were set on them.
FORCE_OFFSET_MIN_N = 0.2
#: The force counts as flat within max(this, 5 noise SDs, ``FORCE_REST_SHARE`` of its rise) of
#: the rest level.
FORCE_REST_TOLERANCE_N = 0.1
FORCE_REST_SHARE = 0.01
#: A rest: the force stays flat for at least this many frames just before it first rises, while
#: the gripper closes by at least ``FORCE_REST_MIN_CLOSING_MM``. The rests of the real and
#: simulated records stay flat for 11-97 frames, the ref_0612 clips that start in contact for
#: 0-3 (a stair-stepped width reading can show 7 mm of closing within them). Flat is not enough:
#: the band is centred on the level, so a soft object's contact can rise through up to twice
#: the tolerance (~0.5 N) over several mm of closing (review46: ref_1612's soft balls cut where
#: the force first reaches 0.3-2 N stay in the band for 8-12 frames and 2.3-6.8 mm).
FORCE_REST_MIN_FRAMES = 8
FORCE_REST_MIN_CLOSING_MM = 1.0
#: ... so a rest also shows no trend: either the gripper stays still for at least
#: ``FORCE_REST_MIN_FRAMES`` frames of the flat stretch (the level read before it moves), or,
#: from its last still frame on, the force does not rise with the closing by more than
#: max(this, 3 standard errors for the force's noise): the Theil-Sen slope of force against
#: closing times the closing.
#: Set on dev data (ref_1612, ref_0612, sim3322-3324; /tmp/offset41b/diag5.py): over the rests
#: that need it (fewer than 8 still frames: ref_1612 purple_ball_hardest__t-2, ref_0612's 6,
#: sim3322-3324's 30) the rise is at most 0.076 N, over review46's 12 soft in-contact clips at
#: least 0.140 N. A contact that rises less than this over its closing is not told from a rest.
FORCE_REST_TREND_N = 0.1
#: The rest level is the median force of the frames before the width first moves by more than
#: ``_STILL_MM`` (at least ``FORCE_REST_MIN_FRAMES``, at most ``_MAX_REST_FRAMES``): the force
#: is read with the gripper at rest, not while it closes.
_STILL_MM = 0.05
_MAX_REST_FRAMES = 30


@dataclass(frozen=True)
class ForceZero:
    """The force reading's level at rest before contact (:func:`force_zero`).

    ``level_n``: median force of the first frames; ``flat_frames``: how many frames just before
    the force first rises stay within ``tolerance_n`` of it (their 5-frame median);
    ``closing_mm``: how far the gripper closed over them; ``still_frames``: how many of them
    (from the first) the gripper stayed still; ``trend_n``: how far the force rises with the
    closing from the last still frame on (Theil-Sen; 0.0 when not needed, see
    :data:`FORCE_REST_TREND_N`); ``is_rest``: flat while closing with no trend, so nothing was
    touched (cue: a contact makes the force rise as the width closes); ``taken_off``: a rest off
    zero by more than :data:`FORCE_OFFSET_MIN_N`, which :func:`find_loading_phase` subtracts
    from the force.
    """

    level_n: float
    tolerance_n: float
    flat_frames: int
    closing_mm: float
    is_rest: bool
    still_frames: int = 0
    trend_n: float = 0.0

    @property
    def off_zero(self) -> bool:
        return abs(self.level_n) > FORCE_OFFSET_MIN_N

    @property
    def taken_off(self) -> bool:
        return self.is_rest and self.off_zero

    @property
    def note(self) -> str | None:
        """What :func:`find_loading_phase` says about the zero (None: nothing to say)."""
        if not self.off_zero:
            return None
        if self.is_rest:
            return (
                f"force reads {self.level_n:+.2f} N at rest (flat for {self.flat_frames} frames "
                f"while the gripper closed {self.closing_mm:.1f} mm): an offset of the force "
                "reading, taken off every sample"
            )
        trend = (
            f", the force rising {self.trend_n:.2f} N with the closing"
            if self.flat_frames >= FORCE_REST_MIN_FRAMES and self.trend_n > 0.0
            else ""
        )
        return (
            f"force's starting level (median of its first frames) is {self.level_n:+.2f} N and "
            "the record does not show a rest before "
            f"contact (flat for {self.flat_frames} frames, the gripper closed "
            f"{self.closing_mm:.1f} mm{trend}): read as a grasp that starts in contact, not as "
            "an offset of the force reading"
        )


def _edge_median5(x: np.ndarray) -> np.ndarray:
    """Centred 5-sample running median, the window cut short at the edges (the first sample's
    median is of samples 0-2): a glitch of up to two samples, at an edge too, is replaced."""
    padded = np.r_[np.full(2, np.nan), x, np.full(2, np.nan)]
    windows = np.lib.stride_tricks.sliding_window_view(padded, 5)
    return np.nanmedian(windows, axis=1) if x.size else x.copy()


def force_zero(force_n: np.ndarray, width_mm: np.ndarray, noise_n: float) -> ForceZero:
    """The force's level at rest before contact, and whether the record shows it is one.

    The level is the median of the frames before the gripper starts to close (8-30 frames).
    It is a rest when the force (its 5-frame median) stays within max(0.1 N, 5 noise SDs, 1 %
    of its rise) of it for at least 8 frames just before it first rises above it + that
    tolerance, while the width closes by at least 1 mm: a contact makes the force rise as the
    width closes. A clip that starts in contact (9 of the 15 ref_0612 reference clips) rises
    within a few frames of its first: no rest. Nor is a soft object's contact that stays in the
    band while the gripper closes: unless the gripper stays still for 8 frames of the stretch,
    the force may not rise with the closing (from its last still frame on) by more than
    max(0.1 N, 3 standard errors for the noise) (:data:`FORCE_REST_TREND_N`).
    ``force_n``: the despiked force; ``noise_n``: its noise SD."""
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    moving = np.flatnonzero(np.abs(w - w[0]) > _STILL_MM)
    still = int(moving[0]) if moving.size else w.size
    n_level = min(max(FORCE_REST_MIN_FRAMES, min(still, _MAX_REST_FRAMES)), f.size)
    level = float(np.median(f[:n_level]))
    tolerance = max(
        FORCE_REST_TOLERANCE_N, 5.0 * noise_n, FORCE_REST_SHARE * (float(f.max()) - level)
    )
    # on the 5-frame median (the window cut at the record's edges): a glitch of 1-2 frames, one
    # in the first frame too (the despiker's window cannot reach the edge), ends no rest
    smooth = _edge_median5(f)
    risen = np.flatnonzero(smooth - level > tolerance)
    rise = int(risen[0]) if risen.size else f.size
    # the flat stretch is the one just before the rise: a dip before the gripper moves (a rig's
    # -3.4 N for 13 frames) leaves the rest after it
    away = np.flatnonzero(np.abs(smooth[:rise] - level) > tolerance)
    start = int(away[-1]) + 1 if away.size else 0
    flat = rise - start
    # no flat stretch (flat 0): a clip that starts in contact above its later level - started
    # on the rise, its level the hold's, it never rises above it and ends away from it after
    # the release, so start is the record's end (w[start] would index past it): no rest
    closing, still = 0.0, 0
    if flat > 0:
        closing = float(w[start] - w[start:rise].min())
        moved = np.flatnonzero(np.abs(w[start:rise] - w[start]) > _STILL_MM)
        still = int(moved[0]) if moved.size else flat
    is_rest = flat >= FORCE_REST_MIN_FRAMES and closing >= FORCE_REST_MIN_CLOSING_MM
    trend = 0.0
    if is_rest and still < FORCE_REST_MIN_FRAMES:
        # a contact rises with the closing (a soft one within the band): no rest
        first = start + max(still - 1, 0)
        trend, limit = _closing_trend(f[first:rise], w[first] - w[first:rise], noise_n)
        is_rest = trend <= limit
    return ForceZero(level, tolerance, flat, closing, is_rest, still, trend)


def _closing_trend(
    force_n: np.ndarray, closing_mm: np.ndarray, noise_n: float
) -> tuple[float, float]:
    """How far the force rises with the closing (Theil-Sen slope times the closing range), and
    the most a rest may show: max(:data:`FORCE_REST_TREND_N`, 3 standard errors of it for the
    force's noise SD ``noise_n``). Frames of equal closing (a stair-stepped width reading) pair
    with none."""
    span = float(np.ptp(closing_mm)) if closing_mm.size else 0.0
    if force_n.size < 3 or span <= 0.0:
        return 0.0, FORCE_REST_TREND_N
    i, j = np.triu_indices(force_n.size, 1)
    dc = closing_mm[j] - closing_mm[i]
    keep = dc != 0.0
    slope = float(np.median((force_n[j] - force_n[i])[keep] / dc[keep]))
    spread = float(np.sqrt(np.sum((closing_mm - closing_mm.mean()) ** 2)))
    return slope * span, max(FORCE_REST_TREND_N, 3.0 * noise_n * span / spread)


def zero_force(force_n: np.ndarray, width_mm: np.ndarray) -> tuple[np.ndarray, ForceZero]:
    """The despiked ``force_n`` with a force reading's offset taken off as
    :func:`find_loading_phase` takes it off (:func:`force_zero`), and the zero read."""
    f = np.asarray(force_n, dtype=np.float64)
    noise = _MAD_TO_SD * float(np.median(np.abs(np.diff(f, 2)))) / np.sqrt(6.0)
    zero = force_zero(f, np.asarray(width_mm, dtype=np.float64), noise)
    return (f - zero.level_n if zero.taken_off else f), zero


def find_loading_phase(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    *,
    min_peak_force_n: float = 1.0,
    contact_force_n: float = 0.05,
    contact_fraction: float = 0.02,
    plateau_fraction: float = 0.02,
    min_width_change_mm: float = 0.2,
    t_s: np.ndarray | None = None,
) -> LoadingPhase:
    """Find first contact and peak force in one grasp.

    Steps: Hampel-despike the force; estimate the force noise (robust SD of second differences,
    which a ramp does not inflate); a force reading's offset (a gauge not zeroed,
    :func:`force_zero`: off zero by more than 0.2 N while the gripper closes with the force
    flat) is taken off every sample, so ``force_n`` and everything read from it (the onset
    readings of the geometry, the blind touch, Hertz's onset radius, the fits) start from the
    force at rest; the rest level is a low (5th) percentile of the clean force. The peak is the
    *first* frame within ``max(3 noise, plateau_fraction * rise)`` of the maximum (the start of
    the hold, not a noise maximum somewhere on it). Contact is the first frame of the rise that
    ends at the peak whose force exceeds
    ``rest + max(contact_force_n, 5 noise, contact_fraction * rise)``, then walked back down
    the rise while the force keeps falling (by more than the noise) and stays above the rest
    level.

    Raises :class:`NoContactError` when the force never rises ``min_peak_force_n`` above rest
    (with the width change in the message: a gripper that closed and felt nothing missed the
    object; one that never moved was never commanded).

    With the frame times ``t_s``, the slip test reads the width on the force's clock: a width
    reading that lags (:func:`~tactile.processing.grasp_signals.width_lag_s`) shows a release's
    opening only after the lag, and a release was taken for a slip (the grasp was cut at the
    hold, with its unloading branch). The lag measured there is kept in the phase
    (``width_lag``) for the estimators' signal correction.
    """
    f_raw, w = _check_signals(force_n, width_mm)
    f, outliers = despike(f_raw)
    flags: set[Flag] = set()
    notes: list[str] = []
    n_glitches = int(outliers.sum())
    if n_glitches:
        flags.add(Flag.FORCE_GLITCHES)
        notes.append(f"despiked {n_glitches} force sample(s) (Hampel filter)")
    width_change = float(np.ptp(w))
    # robust noise SD from second differences (a ramp has none): var(d2) = 6 var(noise)
    noise = _MAD_TO_SD * float(np.median(np.abs(np.diff(f, 2)))) / np.sqrt(6.0)
    zero = force_zero(f, w, noise)
    if zero.taken_off:  # a gauge not zeroed: every onset reading downstream is from zero
        f = f - zero.level_n
    if zero.note:
        notes.append(zero.note)
    rest = float(np.percentile(f, 5))
    rise = float(f.max() - rest)
    if rise < min_peak_force_n:
        raise NoContactError(_no_force_reason(rise, width_change, min_peak_force_n), hint=_hint(w))
    slip_width = w
    measured_lag = None
    if t_s is not None:
        from tactile.processing.grasp_signals import aligned_width_mm, measure_width_lag

        measured_lag = measure_width_lag(t_s, f, w)
        lag = measured_lag.lag
        if lag is not None and lag.lag_s > 0.0:
            slip_width = aligned_width_mm(t_s, w, lag.lag_s)
    slip = find_slip(f, slip_width, rest_force_n=rest)
    if slip is not None:  # only the frames before the slip describe one contact
        flags.add(Flag.SLIP)
        notes.append(f"{slip.describe()}: estimated from the frames before it")
        f_ok = f[: slip.before_index + 1]
        if float(f_ok.max() - rest) < min_peak_force_n:
            raise NoContactError(f"grasp failed: {slip.describe()}", hint=_SLIP_HINT)
    else:
        f_ok = f
    near_max = f_ok >= f_ok.max() - max(3.0 * noise, plateau_fraction * (f_ok.max() - rest))
    peak_index = int(np.flatnonzero(near_max)[0])
    if width_change < min_width_change_mm:
        flags.add(Flag.WIDTH_UNCHANGED)
        notes.append(f"gripper width changed by only {width_change:.3f} mm during the grasp")
    threshold = rest + max(contact_force_n, 5.0 * noise, contact_fraction * rise)
    below = np.flatnonzero(f[: peak_index + 1] <= threshold)
    contact_index = int(below[-1]) + 1 if below.size else 0
    contact_index = min(contact_index, peak_index)
    # walk back down the rise (while the force still falls going back) to the rest level;
    # a flat stretch above the global rest (an offset step) ends the walk
    floor = rest + max(2.0 * noise, 0.02)
    step = max(noise, 0.005)
    while (
        contact_index > 0
        and f[contact_index - 1] > floor
        and f[contact_index] - f[contact_index - 1] > step
    ):
        contact_index -= 1
    if contact_index == 0:
        notes.append("force is already above the contact threshold in the first frame")
    return LoadingPhase(
        contact_index=contact_index,
        peak_index=peak_index,
        rest_force_n=rest,
        force_n=f,
        n_glitches=n_glitches,
        flags=frozenset(flags),
        notes=tuple(notes),
        end_index=slip.before_index if slip is not None else None,
        width_lag=measured_lag,
        force_offset_n=zero.level_n if zero.taken_off else 0.0,
        force_zero_note=zero.note,
    )


_SLIP_HINT = "the object slipped before the force built up: re-grasp it more centrally"


def _no_force_reason(rise: float, width_change: float, min_peak: float) -> str:
    if width_change < 0.2:
        return (
            f"no contact: the force rose only {rise:.2f} N (< {min_peak} N) and the gripper "
            f"width changed by {width_change:.2f} mm: the gripper never closed"
        )
    return (
        f"no contact: the gripper closed by {width_change:.1f} mm but the force rose only "
        f"{rise:.2f} N (< {min_peak} N): it missed the object or the force sensor is not reading"
    )


def _hint(width_mm: np.ndarray) -> str:
    return (
        "check the object is between the fingers and the force sensor is connected; "
        f"gripper width went from {width_mm.max():.1f} to {width_mm.min():.1f} mm"
    )


def sample_indices(contact_index: int, peak_index: int, n_samples: int) -> tuple[int, ...]:
    """``n_samples`` frame indices spread evenly over contact..peak (inclusive).

    Always exactly ``n_samples`` values, first = contact, last = peak; indices repeat when the
    loading phase has fewer frames than samples.
    """
    if n_samples < 1:
        raise InvalidGraspError(
            f"n_samples={n_samples} must be at least 1", hint="ask for 1 or more sampled frames"
        )
    if n_samples == 1:
        return (int(peak_index),)
    idx = np.rint(np.linspace(contact_index, peak_index, n_samples)).astype(int)
    return tuple(int(i) for i in idx)


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
