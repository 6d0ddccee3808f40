"""``evaluate_dataset``: estimate every grasp at a path and score the estimates per object
beside a constant-prediction baseline (what ``tactile evaluate`` runs).

Labels come from a label table, or, without one, from each grasp's own metadata
(``label_modulus_pa``: simulated grasps, or grasps recorded with ``--label-pa``).

The constant baseline predicts one value for every object (:func:`choose_baseline`). With no
training set at hand it is the median of log10 E over every usable row of the label table
(the label distribution the objects are drawn from), unless a value is given. Without a table it
is the median label of the evaluated objects: a baseline that has seen the test labels' median,
so it flatters the baseline, never the estimator.

Grasps that carry simulation truth (a simulated rig's true gel) add a ``simulated_truth`` block
to each protocol's metrics (:func:`simulated_truth_block`): BENCHMARKS.md's simulated criteria,
counted by :mod:`tactile.evaluation.simulated` as the benchmark scripts count them. Real grasps
add nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError, TactileError
from tactile.estimators import Estimator, get_estimator
from tactile.evaluation.metrics import (
    ObjectRow,
    constant_baseline_pa,
    per_object_table,
    summary_metrics,
)
from tactile.evaluation.runner import GraspResult, estimate_dataset
from tactile.evaluation.simulated import grasp_row, simulated_truth_counts, stiffer_fields
from tactile.io.labels import LabelRow, read_label_table
from tactile.sensor import SensorCalibration, get_calibration, resolve_calibration


@dataclass(frozen=True)
class Baseline:
    """The constant prediction and where its value came from."""

    value_pa: float
    source: str


@dataclass(frozen=True)
class Evaluation:
    """The per-object table, its metrics beside the baseline's, and what could not be scored."""

    estimator: str
    rows: list[ObjectRow]
    metrics: dict[str, Any]
    baseline: Baseline
    calibration_ids: list[str]
    failed: list[GraspResult]
    unlabelled: list[GraspResult]
    protocol: str = "given"
    beside: dict[str, dict[str, Any]] | None = None  # other protocols' metrics

    @property
    def ok(self) -> bool:
        """Every grasp was estimated."""
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        """The ``tactile evaluate --json`` object."""
        return {
            "estimator": self.estimator,
            "protocol": self.protocol,
            "beside": self.beside or {},
            "calibration": self.calibration_ids,
            "objects": [r.to_json() for r in self.rows],
            "summary": self.metrics,
            "baseline_source": self.baseline.source,
            "failed": [{"grasp_id": r.grasp_id, "error": r.error} for r in self.failed],
            "unlabelled": [r.grasp_id for r in self.unlabelled],
        }


def choose_baseline(
    rows: Sequence[ObjectRow],
    *,
    baseline_pa: float | None = None,
    labels: Mapping[str, LabelRow] | None = None,
    labels_name: str = "the label table",
) -> Baseline:
    """The constant baseline: ``baseline_pa`` if given; else the median log10 E of the label
    table (the distribution the objects come from); else the evaluated objects' median label
    (optimistic for the baseline: it has seen the test labels)."""
    if baseline_pa is not None:
        return Baseline(baseline_pa, "given")
    if labels:
        value = constant_baseline_pa(r.modulus_pa for r in labels.values())
        return Baseline(value, f"median label of {labels_name}")
    value = constant_baseline_pa(r.label_pa for r in rows if r.label_pa)
    return Baseline(value, "median label of the evaluated objects: optimistic for the baseline")


def _with_gel(
    rows: list[ObjectRow], calibration: SensorCalibration | str | None
) -> list[ObjectRow]:
    """Rows whose estimates did not name the gel modulus get the given calibration's (the one
    every grasp was estimated with); without one they stay unknown."""
    if calibration is None or all(r.gel_modulus_pa is not None for r in rows):
        return rows
    try:
        cal = (
            calibration
            if isinstance(calibration, SensorCalibration)
            else get_calibration(calibration)
        )
    except TactileError:
        return rows
    gel = cal.gel_modulus_pa if cal.gel_modulus_pa and cal.gel_modulus_pa > 0 else None
    return [r if r.gel_modulus_pa is not None else replace(r, gel_modulus_pa=gel) for r in rows]


def evaluate_dataset(
    path: str | Path,
    estimator: str | Estimator = "auto",
    *,
    labels: str | Path | Mapping[str, LabelRow] | None = None,
    calibration: SensorCalibration | str | None = None,
    baseline_pa: float | None = None,
    plot: str | Path | None = None,
    protocol: str = "given",
    beside: Sequence[str] = (),
) -> Evaluation:
    """Estimate every grasp at ``path``, combine grasps per object (median in log10), and score
    the objects against their labels beside a constant baseline (:func:`choose_baseline`).

    ``labels``: a label table (CSV path or rows; default: the labels stored in the grasps).
    ``plot``: write the estimate-vs-label figure there. ``protocol``: ``given`` (shape and
    radius from the grasps or the table) or ``blind`` (nothing but the grasp; the label only
    scores, :mod:`tactile.evaluation.protocol`); ``beside``: other protocols whose summary
    metrics are computed too (``tactile evaluate`` runs blind with given beside). Raises
    :class:`~tactile.errors.ConfigError` when no grasp could be both estimated and labelled.
    """
    if isinstance(labels, str | Path):
        labels_name = Path(labels).name
        table: Mapping[str, LabelRow] | None = read_label_table(labels)
    else:
        labels_name, table = "the label table", labels
    results = estimate_dataset(
        path, estimator, calibration=calibration, labels=table, protocol=protocol
    )
    failed = [r for r in results if not r.ok]
    unlabelled = [r for r in results if r.ok and not r.label_pa]
    records = [
        (r.object_id, r.grasp_id, r.label_pa, r.estimate)
        for r in results
        if r.estimate is not None and r.label_pa
    ]
    if not records:
        # review25 (F2): when the estimates failed, say why (the first failure), not "no labels"
        first = next((r for r in failed if r.error), None)
        raise ConfigError(
            f"no grasp at {path} could be estimated and labelled "
            f"({len(failed)} failed, {len(unlabelled)} without a label)"
            + (f"; the first failure ({first.grasp_id}): {first.error}" if first else ""),
            hint="`tactile estimate` on the data gives every grasp's reason"
            if failed and not unlabelled
            else "check the label table's object names and `tactile estimate` on the data"
            if table is not None
            else "pass a label table (--labels CSV): these grasps carry no labels",
        )
    rows = _with_gel(per_object_table(records), calibration)
    baseline = choose_baseline(rows, baseline_pa=baseline_pa, labels=table, labels_name=labels_name)
    name = estimator if isinstance(estimator, str) else estimator.name
    if plot is not None:
        from tactile.evaluation.plots import plot_evaluation

        plot_evaluation(rows, Path(plot), baseline_pa=baseline.value_pa, title=f"{name} estimator")
    limits = _truth_limits(path, results, protocol, calibration, table)
    others: dict[str, dict[str, Any]] = {}
    for other in beside:
        more = estimate_dataset(
            path, estimator, calibration=calibration, labels=table, protocol=other
        )
        recs = [(r.object_id, r.grasp_id, r.label_pa, r.estimate) for r in more]
        kept = [(o, g, lab, e) for o, g, lab, e in recs if e is not None and lab]
        if kept:
            other_rows = _with_gel(per_object_table(kept), calibration)
            others[other] = _with_truth(
                summary_metrics(other_rows, baseline_pa=baseline.value_pa),
                more,
                limits,
                calibration,
            )
    metrics = summary_metrics(rows, baseline_pa=baseline.value_pa)
    return Evaluation(
        protocol=protocol,
        beside=others,
        estimator=name,
        rows=rows,
        metrics=_with_truth(metrics, results, limits, calibration),
        baseline=baseline,
        calibration_ids=sorted({str(e.details.get("calibration_id")) for *_, e in records}),
        failed=failed,
        unlabelled=unlabelled,
    )


#: What the ``simulated_truth`` block scores against (its ``basis``).
SIMULATED_TRUTH_BASIS = (
    "simulated truth: each grasp's own rig gel (extra['true_gel_modulus_pa']) and the "
    "network's resolvable limit of each grasp, BENCHMARKS.md's criteria "
    "(tactile.evaluation.simulated)"
)


@dataclass(frozen=True)
class _Limits:
    """The grasps' resolvable limits (Pa, by grasp id) and where they came from; None when the
    grasps carry no simulation truth."""

    values: dict[str, float]
    source: str


def _limits_of(results: Sequence[GraspResult]) -> dict[str, float]:
    out = {}
    for r in results:
        value = r.estimate.details.get("resolvable_limit_pa") if r.estimate is not None else None
        if isinstance(value, float):
            out[r.grasp_id] = value
    return out


def _truth_limits(
    path: str | Path,
    results: Sequence[GraspResult],
    protocol: str,
    calibration: SensorCalibration | str | None,
    table: Mapping[str, LabelRow] | None,
) -> _Limits | None:
    """The resolvable limits that score the ``simulated_truth`` block (None without simulation
    truth): BENCHMARKS.md's, the network's limits of each grasp under the blind protocol — the
    estimates' own when they carry them (``neural``, ``hybrid`` scored blind), else those of a
    ``hybrid`` pass with the shipped model over the simulated grasps (an estimator without
    limits, e.g. ``blind``, is scored with the network's, as the benchmarks score it). Without
    the network (the ``nn`` extra) the limits are empty and the source says why."""
    ids = [r.grasp_id for r in results if r.simulation_meta is not None]
    if not ids:
        return None
    own = _limits_of(results)
    if protocol == "blind" and own:
        return _Limits(own, "the estimates' own (details['resolvable_limit_pa'])")
    try:
        hybrid = get_estimator("hybrid")
        more = estimate_dataset(
            path, hybrid, grasp_ids=ids, calibration=calibration, labels=table, protocol="blind"
        )
    except (TactileError, ImportError) as exc:
        return _Limits({}, f"unavailable: the network could not run ({exc})")
    values = _limits_of(more)
    source = "a hybrid pass (blind protocol, the shipped model)"
    return _Limits(values, source if values else f"unavailable: {source} returned no limit")


def _calibration_gel(meta: Any, calibration: SensorCalibration | str | None) -> float:
    """The gel modulus of the calibration the grasp is estimated with (NaN when unknown)."""
    try:
        gel = resolve_calibration(meta, calibration).gel_modulus_pa
    except TactileError:
        return math.nan
    return float(gel) if gel and gel > 0 else math.nan


def simulated_truth_block(
    results: Sequence[GraspResult],
    limits: Mapping[str, float],
    calibration: SensorCalibration | str | None = None,
    *,
    limits_source: str = "given",
) -> dict[str, Any] | None:
    """Issue 11's simulated criteria (:func:`~tactile.evaluation.simulated.simulated_truth_counts`:
    BENCHMARKS.md's and ``score_rigid_points.py``'s figures) over the labelled grasps that carry
    simulation truth; None when none does. Adds ``basis`` (what it scores against),
    ``limits_from`` and ``below_limit_hits`` (the count behind ``below_within_decade``, a share;
    both None when no object is below its limit or no limit is known)."""
    sim = [r for r in results if r.simulation_meta is not None and r.label_pa]
    if not sim:
        return None
    rows = [
        grasp_row(
            r.grasp_id, r.simulation_meta, r.estimate, label_pa=r.label_pa, fields=stiffer_fields
        )
        for r in sim
        if r.simulation_meta is not None
    ]
    cal_gel = {r.grasp_id: _calibration_gel(r.simulation_meta, calibration) for r in sim}
    counts = simulated_truth_counts(rows, limits, cal_gel)
    known = bool(limits)
    share = counts["below_within_decade"]
    n_below = counts["below_limit_objects"]
    hits = round(share * n_below) if known and math.isfinite(share) else None
    return {
        "basis": SIMULATED_TRUTH_BASIS,
        "limits_from": limits_source,
        **counts,
        "below_limit_objects": n_below if known else None,
        "below_within_decade": share if known and math.isfinite(share) else None,
        "below_limit_hits": hits,
    }


def _with_truth(
    metrics: dict[str, Any],
    results: Sequence[GraspResult],
    limits: _Limits | None,
    calibration: SensorCalibration | str | None,
) -> dict[str, Any]:
    """``metrics`` with ``simulated_truth`` added when the grasps carry simulation truth
    (unchanged otherwise: a real session's output stays as it was)."""
    if limits is None:
        return metrics
    block = simulated_truth_block(results, limits.values, calibration, limits_source=limits.source)
    return metrics if block is None else {**metrics, "simulated_truth": block}
