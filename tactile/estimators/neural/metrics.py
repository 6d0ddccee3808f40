"""Per-object metrics for network evaluation (median over each object's grasps, in log10 E).

Used for early stopping and cross-validation inside training, on arrays of grasps; the scores
are :mod:`tactile.scores`' (the same as the evaluation's tables, :mod:`tactile.evaluation`),
under the key names the training records and model cards use.
"""

from __future__ import annotations

import math

import numpy as np

from tactile.scores import SOFT_HARD_THRESHOLD_PA, log10_scores
from tactile.scores import per_object_log10 as per_object

HARD_THRESHOLD_PA = SOFT_HARD_THRESHOLD_PA

__all__ = [
    "HARD_THRESHOLD_PA",
    "fit_sigma_scale",
    "interval_coverage",
    "object_metrics",
    "per_object",
]


def object_metrics(
    object_ids: np.ndarray, labels_log10: np.ndarray, pred_log10: np.ndarray
) -> dict[str, float]:
    """Share within one / half a decade, log10 MAE, Spearman, hard/soft accuracy at 1e8 Pa."""
    objs, lab, pred = per_object(np.asarray(object_ids), np.asarray(labels_log10), pred_log10)
    n_all = len(np.unique(object_ids))
    if len(objs) == 0:
        return {"n_objects": 0.0, "coverage": 0.0}
    scores = log10_scores(lab, pred)
    rho = scores["spearman"]
    return {
        "n_objects": float(len(objs)),
        "coverage": len(objs) / n_all,
        "within_1_decade": scores["within_one_decade"],
        "within_half_decade": scores["within_half_decade"],
        "log10_mae": scores["log10_mae"],
        "spearman": math.nan if rho is None else float(rho),
        "hard_soft_accuracy": scores["soft_hard_accuracy"],
    }


def interval_coverage(
    labels_log10: np.ndarray, mean_log10: np.ndarray, sigma_log10: np.ndarray, z: float = 0.994458
) -> float:
    """Share of grasps whose label lies within mean ± z·sigma (68 % for the default z)."""
    return float(np.mean(np.abs(labels_log10 - mean_log10) <= z * sigma_log10))


def fit_sigma_scale(
    labels_log10: np.ndarray, mean_log10: np.ndarray, sigma_log10: np.ndarray
) -> float:
    """Factor on sigma that makes the 68 % interval cover 68 % of the given (validation) grasps."""
    if len(labels_log10) < 5:
        return 1.0
    z = np.abs(labels_log10 - mean_log10) / np.maximum(sigma_log10, 1e-6)
    return float(np.clip(np.quantile(z, 0.68) / 0.994458, 0.5, 5.0))
