"""Per-object evaluation metrics for modulus estimates (pure functions, no I/O).

A *record* is ``(object_id, grasp_id, label_pa, ModulusEstimate)``. Grasps of one object are
combined into one :class:`ObjectRow` by the median in log10 space (objects, not grasps, are the
unit of evaluation: grasps of one object are not independent). Metrics over rows:

* ``within_one_decade`` / ``within_half_decade``: share of objects with |log10(est/label)| ≤ 1
  (≤ 0.5);
* ``log10_mae``: mean |log10(est/label)|;
* ``spearman``: rank correlation of estimate and label (None when undefined, e.g. a constant);
* ``soft_hard_accuracy``: share on the right side of 1e8 Pa (soft: label < 1e8);
* ``coverage_68`` / ``coverage_95``: share of objects whose interval contains the label;
* ``per_decade``: the above per label decade.

A lower-bound-only estimate (deformation not resolved) is scored at its bound — conservative: a
stiff label far above a correct bound still counts as a miss — and ``bound_holds`` reports the
share of those objects whose label is at or above the bound.
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
    "SOFT_HARD_THRESHOLD_PA",
    "EstimateRecord",
    "ObjectRow",
    "constant_baseline_pa",
    "constant_rows",
    "per_decade",
    "per_object_table",
    "summary_metrics",
]


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


def _core_metrics(rows: Sequence[ObjectRow]) -> dict[str, Any]:
    est = np.log10([r.estimate_pa for r in rows])
    lab = np.log10([r.label_pa for r in rows])
    return {
        "n_objects": len(rows),
        **log10_scores(lab, est),
        "coverage_68": float(np.mean([r.covers(68) for r in rows])),
        "coverage_95": float(np.mean([r.covers(95) for r in rows])),
    }


def per_decade(rows: Sequence[ObjectRow]) -> list[dict[str, Any]]:
    """Metrics per label decade ``[10^k, 10^(k+1))``, ascending."""
    by_decade: dict[int, list[ObjectRow]] = defaultdict(list)
    for r in rows:
        by_decade[math.floor(math.log10(r.label_pa))].append(r)
    out = []
    for k in sorted(by_decade):
        sub = by_decade[k]
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


def summary_metrics(
    rows: Sequence[ObjectRow], *, baseline_pa: float | None = None
) -> dict[str, Any]:
    """Metrics over object rows; with ``baseline_pa``, the constant baseline's beside them."""
    if not rows:
        raise ConfigError("no objects to evaluate", hint="check that the grasps carry labels")
    out = _core_metrics(rows)
    bounded = [r for r in rows if r.lower_bound_only]
    out["n_lower_bound_only"] = len(bounded)
    out["bound_holds"] = (
        float(np.mean([r.label_pa >= r.estimate_pa for r in bounded])) if bounded else None
    )
    out["per_decade"] = per_decade(rows)
    if baseline_pa is not None:
        base_rows = constant_rows(rows, baseline_pa)
        base = _core_metrics(base_rows)
        base["value_pa"] = baseline_pa
        base["per_decade"] = per_decade(base_rows)
        out["baseline"] = base
    return out
