"""Per-object metrics for network evaluation (median over each object's grasps, in log10 E).

Used for early stopping and cross-validation inside training; the project's full evaluation
(plots, per-decade tables) lives in :mod:`tactile.evaluation`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr

HARD_THRESHOLD_PA = 1e8


def per_object(
    object_ids: np.ndarray, labels_log10: np.ndarray, pred_log10: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(objects, label, median prediction) per object; objects with only NaN predictions drop."""
    objs = np.unique(object_ids)
    lab = np.array([np.median(labels_log10[object_ids == o]) for o in objs])
    pred = np.array(
        [
            np.nanmedian(v) if np.isfinite(v := pred_log10[object_ids == o]).any() else np.nan
            for o in objs
        ]
    )
    ok = np.isfinite(pred)
    return objs[ok], lab[ok], pred[ok]


def object_metrics(
    object_ids: np.ndarray, labels_log10: np.ndarray, pred_log10: np.ndarray
) -> dict[str, float]:
    """Share within one / half a decade, log10 MAE, Spearman, hard/soft accuracy at 1e8 Pa."""
    objs, lab, pred = per_object(np.asarray(object_ids), np.asarray(labels_log10), pred_log10)
    n_all = len(np.unique(object_ids))
    if len(objs) == 0:
        return {"n_objects": 0.0, "coverage": 0.0}
    err = np.abs(pred - lab)
    rho = spearmanr(lab, pred).statistic if len(objs) > 2 and np.ptp(pred) > 0 else math.nan
    hard = math.log10(HARD_THRESHOLD_PA)
    return {
        "n_objects": float(len(objs)),
        "coverage": len(objs) / n_all,
        "within_1_decade": float(np.mean(err <= 1.0)),
        "within_half_decade": float(np.mean(err <= 0.5)),
        "log10_mae": float(np.mean(err)),
        "spearman": float(rho),
        "hard_soft_accuracy": float(np.mean((pred >= hard) == (lab >= hard))),
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
