"""Evaluation of modulus estimates: per-object metrics, a constant baseline, tables and plots."""

from tactile.evaluation.metrics import (
    SOFT_HARD_THRESHOLD_PA,
    EstimateRecord,
    ObjectRow,
    constant_baseline_pa,
    constant_rows,
    per_decade,
    per_object_table,
    summary_metrics,
)
from tactile.evaluation.plots import plot_evaluation
from tactile.evaluation.report import (
    format_object_table,
    format_simulated_truth,
    format_summary,
)
from tactile.evaluation.workflow import (
    Baseline,
    Evaluation,
    choose_baseline,
    evaluate_dataset,
    simulated_truth_block,
)

__all__ = [
    "SOFT_HARD_THRESHOLD_PA",
    "Baseline",
    "EstimateRecord",
    "Evaluation",
    "ObjectRow",
    "choose_baseline",
    "constant_baseline_pa",
    "constant_rows",
    "evaluate_dataset",
    "format_object_table",
    "format_simulated_truth",
    "format_summary",
    "per_decade",
    "per_object_table",
    "plot_evaluation",
    "simulated_truth_block",
    "summary_metrics",
]
