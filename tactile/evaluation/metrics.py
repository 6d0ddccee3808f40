"""Per-object evaluation metrics for modulus estimates (pure functions, no I/O).

A *record* is ``(object_id, grasp_id, label_pa, ModulusEstimate)``. Grasps of one object are
combined into one :class:`ObjectRow` by the median in log10 space (objects, not grasps, are the
unit of evaluation: grasps of one object are not independent).

An object's answer is a **point** (a value with an interval) or a **bound** (lower-bound-only:
the object's own deformation was not resolved, "at least this stiff"). The two are scored
apart, in the terms the simulated benchmarks use (BENCHMARKS.md):

* ``correct``: a point within one decade of the label, or a bound that holds (label ≥ bound)
  on an object at least 10x the gel (:data:`RESOLVED_GEL_FACTOR`; any bound that holds when the
  gel is unknown): below that the object is within the sensor's reach and a bound, though true,
  is not its answer (``bounds["holding_below_resolution"]`` counts those);
* ``false_bounds``: bounds whose label is below them (a false claim);
* ``points``: scores over the point answers only — share within one / half a decade, log10
  MAE and bias, Spearman rank correlation (None when undefined), soft/hard accuracy at 1e8 Pa,
  68 % / 95 % interval coverage;
* ``bounds``: how many hold, how many are false, how many carry ``stiffer_than_gel`` and, where
  the calibration's gel modulus is known, whether those objects' labels really are above it;
* ``rigid_points``: points on objects at least 100 times the gel (where it is known);
* ``as_values``: every answer scored as a value, a bound at its bound — the figures
  ``summary_metrics`` gave before (kept so old numbers stay reproducible, never the headline).

The constant baseline is scored the same way (it answers every object with a point).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from tactile.errors import ConfigError
from tactile.scores import SOFT_HARD_THRESHOLD_PA, log10_scores
from tactile.types import Flag, ModulusEstimate

__all__ = [
    "RESOLVED_GEL_FACTOR",
    "RIGID_GEL_FACTOR",
    "SOFT_HARD_THRESHOLD_PA",
    "EstimateRecord",
    "ObjectRow",
    "answer_decades",
    "answer_metrics",
    "as_value_metrics",
    "bound_metrics",
    "constant_baseline_pa",
    "constant_rows",
    "per_decade",
    "per_object_table",
    "point_metrics",
    "summary_metrics",
]

#: An object is "rigid" for the sensor at or above this many times the gel's modulus (the
#: threshold of BENCHMARKS.md's "rigid (E >= 100 gel) unflagged" column).
RIGID_GEL_FACTOR = 100.0

#: A lower bound that holds is a correct answer only on an object at least this many times the
#: gel's modulus (README's and BENCHMARKS.md's "a bound that holds on an object >= 10x its gel"):
#: below it the sensor can resolve the object, and "at least X" is true but not the answer.
RESOLVED_GEL_FACTOR = 10.0


class EstimateRecord(NamedTuple):
    """One grasp's estimate beside its object's label."""

    object_id: str
    grasp_id: str
    label_pa: float
    estimate: ModulusEstimate


@dataclass(frozen=True)
class ObjectRow:
    """One object's median estimate over its grasps, beside its label."""

    object_id: str
    label_pa: float
    estimate_pa: float
    interval_68_pa: tuple[float, float]
    interval_95_pa: tuple[float, float]
    n_grasps: int
    lower_bound_only: bool = False
    flags: frozenset[Flag] = frozenset()
    grasp_ids: tuple[str, ...] = ()
    estimator: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: the calibration's gel modulus the estimates used (None when not known)
    gel_modulus_pa: float | None = None

    @property
    def log10_error(self) -> float:
        """log10(estimate / label): positive when the estimate is too stiff."""
        return math.log10(self.estimate_pa) - math.log10(self.label_pa)

    @property
    def within_one_decade(self) -> bool:
        return abs(self.log10_error) <= 1.0

    @property
    def within_half_decade(self) -> bool:
        return abs(self.log10_error) <= 0.5

    @property
    def bound_holds(self) -> bool | None:
        """For a lower-bound-only answer: the label is at or above the bound; None for a point."""
        return self.label_pa >= self.estimate_pa if self.lower_bound_only else None

    @property
    def correct(self) -> bool:
        """A point within one decade of the label, or a lower bound that holds on an object at
        least :data:`RESOLVED_GEL_FACTOR` times the gel (any bound that holds when the gel is
        unknown)."""
        if not self.lower_bound_only:
            return self.within_one_decade
        return bool(self.bound_holds) and self.label_beyond_resolution is not False

    def _label_at_least_gel(self, factor: float) -> bool | None:
        """The label is at least ``factor`` times the gel's modulus (None when that is unknown)."""
        gel = self.gel_modulus_pa
        return None if gel is None or not gel > 0 else self.label_pa >= factor * gel

    @property
    def label_beyond_resolution(self) -> bool | None:
        """The label is at least :data:`RESOLVED_GEL_FACTOR` times the gel (None when unknown)."""
        return self._label_at_least_gel(RESOLVED_GEL_FACTOR)

    @property
    def stiffer_than_gel(self) -> bool:
        return Flag.STIFFER_THAN_GEL in self.flags

    @property
    def label_above_gel(self) -> bool | None:
        """The label is at or above the calibration's gel modulus (None when that is unknown)."""
        return self._label_at_least_gel(1.0)

    @property
    def rigid(self) -> bool | None:
        """The label is at least :data:`RIGID_GEL_FACTOR` times the gel (None when unknown)."""
        return self._label_at_least_gel(RIGID_GEL_FACTOR)

    def covers(self, level: int = 68) -> bool:
        lo, hi = self.interval_68_pa if level == 68 else self.interval_95_pa
        return lo <= self.label_pa <= hi

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (the objects of ``tactile evaluate --json``)."""
        return {
            "object_id": self.object_id,
            "label_pa": self.label_pa,
            "estimate_pa": self.estimate_pa,
            "interval_68_pa": list(self.interval_68_pa),
            "interval_95_pa": list(self.interval_95_pa),
            "lower_bound_only": self.lower_bound_only,
            "answer": "bound" if self.lower_bound_only else "point",
            "correct": self.correct,
            "bound_holds": self.bound_holds,
            "gel_modulus_pa": self.gel_modulus_pa,
            "label_above_gel": self.label_above_gel,
            "log10_error": self.log10_error,
            "within_one_decade": self.within_one_decade,
            "n_grasps": self.n_grasps,
            "grasp_ids": list(self.grasp_ids),
            "flags": sorted(str(f) for f in self.flags),
            **({"geometry": self.extra["geometry"]} if "geometry" in self.extra else {}),
        }


def object_geometry(estimates: Sequence[ModulusEstimate]) -> dict[str, Any] | None:
    """What the grasps of one object say about its geometry (estimators that infer it, e.g.
    ``blind``): median size (mm) and its spread over grasps, the shape class most grasps gave
    and how many did, and the median radius of curvature from the imprint; None when no grasp
    carries ``details["geometry"]``."""
    geos = [e.details["geometry"] for e in estimates if isinstance(e.details.get("geometry"), dict)]
    if not geos:
        return None
    sizes = np.array([g["size_mm"] for g in geos], dtype=np.float64)
    classes = Counter(str(g.get("shape_class", "unknown")) for g in geos)
    shape, votes = classes.most_common(1)[0]
    radii = [g["radius_from_imprint_mm"] for g in geos if g.get("radius_from_imprint_mm")]
    return {
        "size_mm": float(np.median(sizes)),
        "size_spread_mm": float(np.ptp(sizes)),
        "size_sd_mm": float(np.median([g.get("size_sd_mm", 0.0) for g in geos])),
        "shape_class": shape,
        "shape_votes": f"{votes}/{len(geos)}",
        "radius_from_imprint_mm": float(np.median(radii)) if radii else None,
    }


def _median_log(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=np.float64)
    finite = arr[np.isfinite(arr)]
    if finite.size * 2 <= arr.size and arr.size:  # half or more are inf (open upper ends)
        return math.inf
    return float(10.0 ** np.median(np.log10(finite)))


def _gel_modulus(estimates: Sequence[ModulusEstimate]) -> float | None:
    """The gel modulus the grasps' estimates name (``details["gel_modulus_pa"]``), when they
    all name one and agree."""
    values = {e.details.get("gel_modulus_pa") for e in estimates}
    if len(values) != 1:
        return None
    value = values.pop()
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _check_record(rec: EstimateRecord) -> None:
    if not (math.isfinite(rec.label_pa) and rec.label_pa > 0):
        raise ConfigError(
            f"object {rec.object_id!r} grasp {rec.grasp_id!r}: label {rec.label_pa!r} "
            "is not a positive modulus",
            hint="drop unlabelled grasps before evaluating",
        )


def per_object_table(records: Iterable[tuple[str, str, float, ModulusEstimate]]) -> list[ObjectRow]:
    """Combine grasp records into one row per object (sorted by label, then object id)."""
    groups: dict[str, list[EstimateRecord]] = defaultdict(list)
    for raw in records:
        rec = EstimateRecord(*raw)
        _check_record(rec)
        groups[rec.object_id].append(rec)
    rows = []
    for object_id, recs in groups.items():
        ests = [r.estimate for r in recs]
        labels = {r.label_pa for r in recs}
        if len(labels) > 1:
            raise ConfigError(
                f"object {object_id!r} has different labels across grasps: {sorted(labels)}",
                hint="fix the label table: one modulus per object",
            )
        flags: set[Flag] = set().union(*(e.flags for e in ests))
        rows.append(
            ObjectRow(
                object_id=object_id,
                label_pa=recs[0].label_pa,
                estimate_pa=_median_log([e.modulus_pa for e in ests]),
                interval_68_pa=(
                    _median_log([e.interval_68_pa[0] for e in ests]),
                    _median_log([e.interval_68_pa[1] for e in ests]),
                ),
                interval_95_pa=(
                    _median_log([e.interval_95_pa[0] for e in ests]),
                    _median_log([e.interval_95_pa[1] for e in ests]),
                ),
                n_grasps=len(recs),
                lower_bound_only=sum(e.lower_bound_only for e in ests) * 2 > len(ests),
                flags=frozenset(flags),
                grasp_ids=tuple(r.grasp_id for r in recs),
                estimator=ests[0].estimator,
                extra={"geometry": geo} if (geo := object_geometry(ests)) is not None else {},
                gel_modulus_pa=_gel_modulus(ests),
            )
        )
    return sorted(rows, key=lambda r: (r.label_pa, r.object_id))


def constant_rows(rows: Sequence[ObjectRow], value_pa: float) -> list[ObjectRow]:
    """The same objects, each "estimated" by one constant (the baseline)."""
    return [
        ObjectRow(
            object_id=r.object_id,
            label_pa=r.label_pa,
            estimate_pa=value_pa,
            interval_68_pa=(value_pa, value_pa),
            interval_95_pa=(value_pa, value_pa),
            n_grasps=r.n_grasps,
            estimator="constant",
            gel_modulus_pa=r.gel_modulus_pa,
        )
        for r in rows
    ]


def constant_baseline_pa(training_labels_pa: Iterable[float]) -> float:
    """The constant prediction fitted on *training* labels: their median in log10 space.

    Never pass the evaluation labels here to make the baseline look bad or good by accident. A
    tool without a training set documents its choice: ``tactile evaluate`` uses the median of
    the label table's log10 E, or, without a table, the evaluated objects' median label (which
    favours the baseline, so the estimator's lead over it is understated, never overstated).
    """
    arr = np.asarray([v for v in training_labels_pa if v and v > 0], dtype=np.float64)
    if arr.size == 0:
        raise ConfigError(
            "no positive training labels for the constant baseline",
            hint="pass the training set's labels (pascals)",
        )
    return float(10.0 ** np.median(np.log10(arr)))


def _core_metrics(rows: Sequence[ObjectRow], *, with_n: bool = True) -> dict[str, Any]:
    est = np.log10([r.estimate_pa for r in rows])
    lab = np.log10([r.label_pa for r in rows])
    return {
        **({"n_objects": len(rows)} if with_n else {}),
        **log10_scores(lab, est),
        "coverage_68": float(np.mean([r.covers(68) for r in rows])),
        "coverage_95": float(np.mean([r.covers(95) for r in rows])),
    }


def _by_decade(rows: Sequence[ObjectRow]) -> list[tuple[int, list[ObjectRow]]]:
    """The rows grouped by label decade ``k`` (``[10^k, 10^(k+1))``), ascending."""
    by_decade: dict[int, list[ObjectRow]] = defaultdict(list)
    for r in rows:
        by_decade[math.floor(math.log10(r.label_pa))].append(r)
    return sorted(by_decade.items())


def per_decade(rows: Sequence[ObjectRow]) -> list[dict[str, Any]]:
    """Metrics per label decade ``[10^k, 10^(k+1))``, ascending."""
    out = []
    for k, sub in _by_decade(rows):
        err = np.abs([r.log10_error for r in sub])
        out.append(
            {
                "decade": k,
                "range_pa": [10.0**k, 10.0 ** (k + 1)],
                "n_objects": len(sub),
                "log10_mae": float(err.mean()),
                "within_one_decade": float(np.mean(err <= 1.0)),
            }
        )
    return out


def point_metrics(rows: Sequence[ObjectRow]) -> dict[str, Any]:
    """Scores over point answers (rows that are not lower-bound-only are expected): ``n``,
    ``n_within_one_decade`` and the :func:`~tactile.scores.log10_scores` with interval coverage;
    every score None when there are no points."""
    n_within = sum(r.within_one_decade for r in rows)
    out: dict[str, Any] = {"n": len(rows), "n_within_one_decade": n_within}
    if not rows:
        keys = ("within_one_decade", "within_half_decade", "log10_mae", "log10_bias", "spearman")
        return {**out, **dict.fromkeys((*keys, "soft_hard_accuracy", "coverage_68", "coverage_95"))}
    return {**out, **_core_metrics(rows, with_n=False)}


def bound_metrics(rows: Sequence[ObjectRow]) -> dict[str, Any]:
    """What the lower-bound-only answers claim and whether it holds: ``n``, ``holding`` (label
    ≥ bound; ``holding_below_resolution``: of them, on objects under 10x the gel), ``false``
    (label < bound), ``stiffer_than_gel`` (flagged) and, of those, how many
    labels are at or above the calibration's gel modulus, below it, or where the gel is unknown;
    ``objects``: one entry per bound."""
    flagged = [r for r in rows if r.stiffer_than_gel]
    return {
        "n": len(rows),
        "holding": sum(bool(r.bound_holds) for r in rows),
        "holding_below_resolution": sum(
            bool(r.bound_holds) and r.label_beyond_resolution is False for r in rows
        ),
        "false": sum(not r.bound_holds for r in rows),
        "stiffer_than_gel": len(flagged),
        "stiffer_than_gel_label_above_gel": sum(r.label_above_gel is True for r in flagged),
        "stiffer_than_gel_label_below_gel": sum(r.label_above_gel is False for r in flagged),
        "stiffer_than_gel_gel_unknown": sum(r.label_above_gel is None for r in flagged),
        "objects": [
            {
                "object_id": r.object_id,
                "bound_pa": r.estimate_pa,
                "label_pa": r.label_pa,
                "holds": r.bound_holds,
                "stiffer_than_gel": r.stiffer_than_gel,
                "gel_modulus_pa": r.gel_modulus_pa,
                "label_above_gel": r.label_above_gel,
            }
            for r in rows
        ],
    }


def answer_decades(rows: Sequence[ObjectRow]) -> list[dict[str, Any]]:
    """Per label decade ``[10^k, 10^(k+1))``: objects, points, bounds, correct answers, false
    bounds, and the points' log10 MAE (None without points)."""
    out = []
    for k, sub in _by_decade(rows):
        points = [abs(r.log10_error) for r in sub if not r.lower_bound_only]
        out.append(
            {
                "decade": k,
                "range_pa": [10.0**k, 10.0 ** (k + 1)],
                "n_objects": len(sub),
                "n_points": len(points),
                "n_bounds": len(sub) - len(points),
                "correct": sum(r.correct for r in sub),
                "false_bounds": sum(r.bound_holds is False for r in sub),
                "points_log10_mae": float(np.mean(points)) if points else None,
            }
        )
    return out


def as_value_metrics(rows: Sequence[ObjectRow]) -> dict[str, Any]:
    """Every answer scored as a value, a lower bound at its bound: what ``summary_metrics``
    returned at its top level before the points/bounds split (kept so old figures stay
    reproducible; not the headline: a bound that holds counts as far off as it is below the
    label, and ranks in Spearman at its bound)."""
    out = _core_metrics(rows)
    bounded = [r for r in rows if r.lower_bound_only]
    out["n_lower_bound_only"] = len(bounded)
    out["bound_holds"] = (
        float(np.mean([r.label_pa >= r.estimate_pa for r in bounded])) if bounded else None
    )
    out["per_decade"] = per_decade(rows)
    return out


def answer_metrics(rows: Sequence[ObjectRow]) -> dict[str, Any]:
    """Points and bounds scored apart (the module docstring) for one set of answers."""
    points = [r for r in rows if not r.lower_bound_only]
    bounds = [r for r in rows if r.lower_bound_only]
    correct = sum(r.correct for r in rows)
    rigid = [r for r in points if r.rigid is not None]
    return {
        "n_objects": len(rows),
        "n_points": len(points),
        "n_bounds": len(bounds),
        "correct": correct,
        "correct_share": correct / len(rows),
        "false_bounds": sum(r.bound_holds is False for r in bounds),
        "rigid_points": sum(bool(r.rigid) for r in points) if rigid else None,
        "points": point_metrics(points),
        "bounds": bound_metrics(bounds),
        "per_decade": answer_decades(rows),
        "as_values": as_value_metrics(rows),
    }


def summary_metrics(
    rows: Sequence[ObjectRow], *, baseline_pa: float | None = None
) -> dict[str, Any]:
    """Metrics over object rows, points and bounds apart (module docstring); with
    ``baseline_pa``, the constant baseline's beside them under ``baseline``: its answers over
    every object, and ``points_same_objects``: its point scores on the objects this estimator
    answered with a point (the like-for-like comparison of the ``points`` figures)."""
    if not rows:
        raise ConfigError("no objects to evaluate", hint="check that the grasps carry labels")
    out = answer_metrics(rows)
    if baseline_pa is not None:
        base_rows = constant_rows(rows, baseline_pa)
        base = answer_metrics(base_rows)
        base["value_pa"] = baseline_pa
        same = [b for b, r in zip(base_rows, rows, strict=True) if not r.lower_bound_only]
        base["points_same_objects"] = point_metrics(same)
        base["per_decade_points_same_objects"] = answer_decades(same)
        out["baseline"] = base
    return out
