"""``evaluate_dataset``: estimate every grasp at a path and score the estimates per object
beside a constant-prediction baseline (what ``tactile evaluate`` runs).

Labels come from a label table, or, without one, from each grasp's own metadata
(``label_modulus_pa``: simulated grasps, or grasps recorded with ``--label-pa``).

The constant baseline predicts one value for every object (:func:`choose_baseline`). With no
training set at hand it is the median of log10 E over every usable row of the label table
(the label distribution the objects are drawn from), unless a value is given. Without a table it
is the median label of the evaluated objects: a baseline that has seen the test labels' median,
so it flatters the baseline, never the estimator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError, TactileError
from tactile.estimators import Estimator
from tactile.evaluation.metrics import (
    ObjectRow,
    constant_baseline_pa,
    per_object_table,
    summary_metrics,
)
from tactile.evaluation.runner import GraspResult, estimate_dataset
from tactile.io.labels import LabelRow, read_label_table
from tactile.sensor import SensorCalibration, get_calibration


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
        raise ConfigError(
            f"no grasp at {path} could be estimated and labelled "
            f"({len(failed)} failed, {len(unlabelled)} without a label)",
            hint="check the label table's object names and `tactile estimate` on the data"
            if table is not None
            else "pass a label table (--labels CSV): these grasps carry no labels",
        )
    rows = _with_gel(per_object_table(records), calibration)
    baseline = choose_baseline(rows, baseline_pa=baseline_pa, labels=table, labels_name=labels_name)
    name = estimator if isinstance(estimator, str) else estimator.name
    if plot is not None:
        from tactile.evaluation.plots import plot_evaluation

        plot_evaluation(rows, Path(plot), baseline_pa=baseline.value_pa, title=f"{name} estimator")
    others: dict[str, dict[str, Any]] = {}
    for other in beside:
        more = estimate_dataset(
            path, estimator, calibration=calibration, labels=table, protocol=other
        )
        recs = [(r.object_id, r.grasp_id, r.label_pa, r.estimate) for r in more]
        kept = [(o, g, lab, e) for o, g, lab, e in recs if e is not None and lab]
        if kept:
            other_rows = _with_gel(per_object_table(kept), calibration)
            others[other] = summary_metrics(other_rows, baseline_pa=baseline.value_pa)
    return Evaluation(
        protocol=protocol,
        beside=others,
        estimator=name,
        rows=rows,
        metrics=summary_metrics(rows, baseline_pa=baseline.value_pa),
        baseline=baseline,
        calibration_ids=sorted({str(e.details.get("calibration_id")) for *_, e in records}),
        failed=failed,
        unlabelled=unlabelled,
    )
