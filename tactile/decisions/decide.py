"""From an estimate to a decision: a confident class, "uncertain", or out of every class.

A decision looks only at the estimate's interval (the profile's level, 95 % by default) on the
profile's quantity. With the classes as half-open ranges ``[min, max)``:

* the whole interval lies inside one class, clear of its limits' uncertainty (below) -> that
  class, confidently;
* it touches two or more classes (a boundary is inside it, or it ends exactly on one), or
  reaches into a band left between two classes (fitted profiles leave one where the labelled
  samples did not say) -> ``uncertain``, naming the candidate classes; the sorter re-grasps,
  then rejects;
* it lies below the lowest or above the highest class -> ``out_of_range`` (rejected: not this
  produce, or a failed grasp).

A lower bound only (an object whose own deformation is not resolved) is the interval
``[bound, inf)``: confident only when the class reaching to infinity holds the bound.

**Uncertain limits.** A class limit carries an ``uncertainty``: the 95 % half-width of where the
true limit may lie (decades for log10 E; literature limits carry 0.3-0.4). A confident class
must clear each of its finite limits by the estimate's own half-width on that side and the
limit's uncertainty combined in quadrature (the limit's scaled to the profile's level), i.e.
the estimate minus the limit must be non-zero at that level, taking both errors as independent
and normal. An interval that lies in one class but not by that margin is ``uncertain``, and the
reason says which limit's uncertainty withheld the decision; when the value itself lies within
a limit's uncertainty no re-grasp can clear it (``regrasp_futile``: the sorter rejects at once
instead of squeezing again; with ``--stop-when-confident`` the squeeze itself stops once the
value and its whole interval lie there: :func:`squeeze_futile`). A limit of zero
uncertainty, or of a ``banded`` (fitted) class whose limits already exclude it, is compared
against as written, which is the rule above exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.decisions.profiles import ProduceProfile
from tactile.errors import EstimatorError
from tactile.estimators.fitting import robust_slope_fit
from tactile.types import GraspFeatures, ModulusEstimate

CONFIDENT = "confident"
UNCERTAIN = "uncertain"
OUT_OF_RANGE = "out_of_range"
#: The force (N) at which the grasp stiffness is quoted.
STIFFNESS_FORCE_N = 1.0
#: z of a two-sided 68 % / 95 % interval of a normal distribution.
_Z = {68: 0.994458, 95: 1.959964}


@dataclass(frozen=True)
class Measurement:
    """One grasp's value of a profile quantity with its interval (same units)."""

    quantity: str
    value: float
    lo: float
    hi: float
    lower_bound_only: bool = False

    def to_dict(self) -> dict[str, object]:
        def num(x: float) -> float | None:
            return None if math.isinf(x) else float(x)

        return {
            "quantity": self.quantity,
            "value": float(self.value),
            "interval": [num(self.lo), num(self.hi)],
            "lower_bound_only": self.lower_bound_only,
        }


@dataclass(frozen=True)
class Decision:
    outcome: str  # CONFIDENT, UNCERTAIN or OUT_OF_RANGE
    label: str | None  # the class when confident
    candidates: tuple[str, ...]
    reason: str
    #: uncertain because the value itself lies within a limit's uncertainty: a re-grasp (a
    #: narrower interval around about the same value) cannot make it confident
    regrasp_futile: bool = False

    @property
    def confident(self) -> bool:
        return self.outcome == CONFIDENT


def log10_measurement(estimate: ModulusEstimate, level: int = 95) -> Measurement:
    """The estimate on the log10 E (Pa) axis at the 68 or 95 % level."""
    lo, hi = estimate.interval_95_pa if level == 95 else estimate.interval_68_pa
    return Measurement(
        "log10_modulus_pa",
        estimate.log10_modulus,
        math.log10(lo) if lo > 0 else -math.inf,
        math.log10(hi) if math.isfinite(hi) else math.inf,
        estimate.lower_bound_only,
    )


def stiffness_measurement(
    features: GraspFeatures, level: int = 95, *, seed: int = 0
) -> Measurement:
    """Grasp stiffness (N/mm) at ``STIFFNESS_FORCE_N``, from force and gripper width only.

    The loading frames above 20 % of the peak force are fitted with a Hertz-shaped curve
    ``F = (s (c - c0))^{3/2}`` (Theil-Sen line of ``F^{2/3}`` on the closure ``c``, whose free
    intercept absorbs the contact timing); its slope at force F is ``dF/dc = 1.5 s F^{1/3}``.
    It measures object, gel and rig together (no model of any), so it depends on the fruit's
    size and on the rig: thresholds come from ``tactile sort fit`` on the user's own rig.
    """
    sl = features.loading
    force = np.asarray(features.force_n, dtype=np.float64)[sl]
    closure = np.asarray(features.closure_mm, dtype=np.float64)[sl]
    ok = (force >= 0.2 * float(np.max(force))) & (force > 0) & np.isfinite(closure)
    if int(ok.sum()) < 3:
        raise EstimatorError(
            f"grasp {features.grasp_id!r}: fewer than 3 loading frames for the grasp stiffness",
            hint="squeeze further or more slowly",
        )
    slope, se_log, _ = robust_slope_fit(closure[ok], force[ok] ** (2.0 / 3.0), seed=seed)
    if not (math.isfinite(slope) and slope > 0):
        raise EstimatorError(
            f"grasp {features.grasp_id!r}: the force does not rise with the closure",
            hint="check the gripper width is recorded",
        )
    k = 1.5 * slope * STIFFNESS_FORCE_N ** (1.0 / 3.0)
    se = se_log if math.isfinite(se_log) else 1.0
    half = _Z[level] * max(se, 0.02)
    return Measurement("stiffness_n_per_mm", k, k * 10**-half, k * 10**half)


def measure(
    profile: ProduceProfile, estimate: ModulusEstimate | None, features: GraspFeatures | None
) -> Measurement:
    """The profile's quantity from one grasp's estimate (log10 E) or features (stiffness)."""
    if profile.quantity == "stiffness_n_per_mm":
        if features is None:
            raise EstimatorError("no features to measure the grasp stiffness", hint="re-grasp")
        return stiffness_measurement(features, profile.interval)
    if estimate is None:
        raise EstimatorError("no estimate to decide on", hint="re-grasp")
    return log10_measurement(estimate, profile.interval)


def widened(measurement: Measurement, u_low: float, u_high: float) -> tuple[float, float]:
    """The interval ``[lo, hi]`` widened on each side by a limit uncertainty (same level, same
    units) in quadrature with the estimate's own half-width on that side; a zero uncertainty
    leaves that side exactly as it was, an infinite end stays infinite."""
    value, lo, hi = measurement.value, measurement.lo, measurement.hi
    if u_low > 0 and math.isfinite(lo):
        lo = min(lo, value - math.hypot(max(value - lo, 0.0), u_low))
    if u_high > 0 and math.isfinite(hi):
        hi = max(hi, value + math.hypot(max(hi - value, 0.0), u_high))
    return lo, hi


def decide(measurement: Measurement, profile: ProduceProfile) -> Decision:
    """The decision for one measurement (see the module docstring)."""
    lo, hi = measurement.lo, measurement.hi
    inside = [c.name for c in profile.classes if c.contains_interval(lo, hi)]
    touching = tuple(c.name for c in profile.classes if c.overlaps(lo, hi))
    span = f"[{_fmt(lo)}, {_fmt(hi)}]"
    futile = _value_within_limit_uncertainty(measurement, profile)
    fit_hint = "; fit thresholds on your fruit: tactile sort fit"
    if len(inside) == 1:
        i = profile.class_names.index(inside[0])
        w_lo, w_hi = widened(measurement, *_scaled_uncertainties(profile, i))
        near = _limits_not_cleared(profile, i, w_lo, w_hi)
        if not near:
            return Decision(
                CONFIDENT,
                inside[0],
                (inside[0],),
                f"{profile.interval} % interval {span} lies in class {inside[0]!r}",
            )
        reach = tuple(c.name for c in profile.classes if c.overlaps(w_lo, w_hi))
        itself = (
            f", and its value {_fmt(measurement.value)} lies within {futile}: a re-grasp "
            "cannot clear it"
            if futile
            else ""
        )
        return Decision(
            UNCERTAIN,
            None,
            reach,
            f"{profile.interval} % interval {span} lies in class {inside[0]!r} but within "
            f"{near}{itself}{fit_hint}",
            regrasp_futile=futile is not None,
        )
    first, last = profile.classes[0], profile.classes[-1]
    within = lo >= first.min_value and hi <= last.max_value
    if not touching and not within:
        return Decision(
            OUT_OF_RANGE,
            None,
            (),
            f"{profile.interval} % interval {span} is outside every class of {profile.name!r}",
        )
    if not touching:
        return Decision(
            UNCERTAIN, None, (), f"{profile.interval} % interval {span} lies between classes"
        )
    between = " and beyond it" if len(touching) < 2 else ""
    reason = f"{profile.interval} % interval {span} spans {', '.join(touching)}{between}"
    if futile:
        reason += (
            f"; its value {_fmt(measurement.value)} lies within {futile}: a re-grasp cannot "
            f"clear it{fit_hint}"
        )
    return Decision(UNCERTAIN, None, touching, reason, regrasp_futile=futile is not None)


def _scaled_uncertainties(profile: ProduceProfile, i: int) -> tuple[float, float]:
    """Class ``i``'s lower and upper limit uncertainty at the profile's level (they are
    stated as 95 % half-widths)."""
    scale = _Z[profile.interval] / _Z[95]
    u_low, u_high = profile.limit_uncertainties()[i]
    return u_low * scale, u_high * scale


def _limits_not_cleared(profile: ProduceProfile, i: int, w_lo: float, w_hi: float) -> str:
    """The limits of class ``i`` the widened interval ``[w_lo, w_hi]`` does not clear, in
    words ("" when it clears them all)."""
    cls = profile.classes[i]
    u_low, u_high = profile.limit_uncertainties()[i]
    limits = []
    if w_lo < cls.min_value:
        limits.append((_limit_name(profile, i, below=True), cls.min_value, u_low))
    if not cls.contains_interval(cls.min_value, w_hi):
        limits.append((_limit_name(profile, i, below=False), cls.max_value, u_high))
    return " and ".join(
        f"the {_fmt_u(profile.quantity, u)} uncertainty of the {name} limit ({x:.2f})"
        for name, x, u in limits
    )


def _value_within_limit_uncertainty(
    measurement: Measurement, profile: ProduceProfile
) -> str | None:
    """Which limit's uncertainty the value itself lies within (an interval of zero width at
    the value would still not be confident), in words; None when it lies in no class, clears
    its class's limits, or is only a lower bound (a re-grasp may raise it)."""
    v = measurement.value
    name = profile.class_of(v) if math.isfinite(v) else None
    if measurement.lower_bound_only or name is None:
        return None
    i = profile.class_names.index(name)
    point = Measurement(measurement.quantity, v, v, v)
    w_lo, w_hi = widened(point, *_scaled_uncertainties(profile, i))
    return _limits_not_cleared(profile, i, w_lo, w_hi) or None


def undecidable_at(measurement: Measurement, profile: ProduceProfile) -> str | None:
    """Why no interval around this value, however narrow, could be confident, in words; None
    when one could (or the value lies outside every class, or is only a lower bound).

    Either the value lies within a class limit's uncertainty (the rule of ``regrasp_futile``)
    or in a band left between two classes (fitted profiles leave one where the labelled
    samples did not say): a zero-width interval there is still ``uncertain``. It speaks of the
    value only, so it says what more force or a re-grasp could do only as far as the value
    stays where it is: :class:`~tactile.decisions.stopping.ConfidenceStopper` asks it only of
    an estimate that has held there (its stability guards)."""
    v = measurement.value
    if measurement.lower_bound_only or not math.isfinite(v):
        return None
    if profile.class_of(v) is not None:
        within = _value_within_limit_uncertainty(measurement, profile)
        return f"its value {_fmt(v)} lies within {within}" if within else None
    below = [c for c in profile.classes if c.max_value <= v]
    above = [c for c in profile.classes if c.min_value > v]
    if not below or not above:
        return None  # outside every class: out of range, which more force may confirm
    return (
        f"its value {_fmt(v)} lies in the band between classes {below[-1].name!r} and "
        f"{above[0].name!r}, which no class covers"
    )


def decidable_ranges(profile: ProduceProfile) -> list[tuple[float, float]]:
    """Where a value measured exactly (a zero-width interval) would be confident: per class,
    ``[min + u_low, max - u_high)`` with its limits' uncertainties at the profile's level
    (the class itself when banded or of zero uncertainty; none when the class is no wider
    than its limits' uncertainties)."""
    ranges = []
    for i, c in enumerate(profile.classes):
        u_low, u_high = _scaled_uncertainties(profile, i)
        a = c.min_value + u_low if math.isfinite(c.min_value) else c.min_value
        b = c.max_value - u_high if math.isfinite(c.max_value) else c.max_value
        if a < b:
            ranges.append((a, b))
    return ranges


@dataclass(frozen=True)
class LimitBand:
    """Where a value between two neighbouring classes cannot be decided (for plots and text).

    ``limit_low``/``limit_high``: the lower class's ``max`` and the upper class's ``min``, the
    limits an interval is compared against (one value when the classes touch); ``lo``/``hi``:
    the zone where even a value measured exactly is not confident, i.e. those limits widened
    by their uncertainty at the profile's level (a fitted, banded profile: the band the fit
    left between the classes, ``lo = limit_low`` and ``hi = limit_high``)."""

    lower: str
    upper: str
    limit_low: float
    limit_high: float
    lo: float
    hi: float

    @property
    def middle(self) -> float:
        """The middle of the limits: a fitted threshold, or the shared literature limit."""
        return (self.limit_low + self.limit_high) / 2.0


def limit_bands(profile: ProduceProfile) -> list[LimitBand]:
    """One :class:`LimitBand` per pair of neighbouring classes (see :func:`decidable_ranges`:
    the bands are what lies between those ranges, per limit)."""
    bands = []
    for i in range(len(profile.classes) - 1):
        a, b = profile.classes[i], profile.classes[i + 1]
        u_a = _scaled_uncertainties(profile, i)[1]
        u_b = _scaled_uncertainties(profile, i + 1)[0]
        bands.append(
            LimitBand(
                a.name, b.name, a.max_value, b.min_value, a.max_value - u_a, b.min_value + u_b
            )
        )
    return bands


def squeeze_futile(measurement: Measurement, profile: ProduceProfile) -> str | None:
    """Why more force on this grasp could not make it confident, in words; None when it
    could. Not only the value (:func:`undecidable_at`) but the whole interval must lie where
    no value, however exactly measured, is confident, inside the classes' span: a value
    still moving with the force (as it does on skinned fruit) must first leave the
    interval's reach before it can decide. :class:`~tactile.decisions.stopping.ConfidenceStopper`
    asks it under its stability guards."""
    why = undecidable_at(measurement, profile)
    lo, hi = measurement.lo, measurement.hi
    first, last = profile.classes[0], profile.classes[-1]
    if why is None or not (first.min_value <= lo and hi < last.max_value):
        return None
    if any(lo < b and hi >= a for a, b in decidable_ranges(profile)):
        return None
    return f"{why}, and so does its whole {profile.interval} % interval [{_fmt(lo)}, {_fmt(hi)}]"


def _limit_name(profile: ProduceProfile, i: int, *, below: bool) -> str:
    """``ripe|unripe`` for the limit between class ``i`` and its neighbour on that side."""
    names = profile.class_names
    j = i - 1 if below else i + 1
    if not 0 <= j < len(names):
        return f"{'lower' if below else 'upper'} {names[i]}"
    return f"{names[j]}|{names[i]}" if below else f"{names[i]}|{names[j]}"


def _fmt_u(quantity: str, u: float) -> str:
    return f"{u:.2g}-dex" if quantity == "log10_modulus_pa" else f"{u:.2g} N/mm"


def _fmt(x: float) -> str:
    return "inf" if math.isinf(x) and x > 0 else "-inf" if math.isinf(x) else f"{x:.3g}"
