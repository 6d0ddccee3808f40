"""Scores of log10 modulus predictions against labels, per object (pure numpy, no I/O).

The one implementation behind both the evaluation's per-object tables
(:mod:`tactile.evaluation.metrics`) and the network's training and cross-validation
(:mod:`tactile.estimators.neural.metrics`): objects, not grasps, are the unit (grasps of one
object are not independent), combined by the median in log10 E.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Labels below this are "soft", at or above it "hard" (the soft/hard accuracy).
SOFT_HARD_THRESHOLD_PA = 1.0e8


def per_object_log10(
    object_ids: np.ndarray, labels_log10: np.ndarray, pred_log10: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(objects, label, median prediction) per object, in log10 Pa; objects whose predictions
    are all NaN drop out."""
    object_ids, labels_log10 = np.asarray(object_ids), np.asarray(labels_log10)
    pred_log10 = np.asarray(pred_log10, dtype=np.float64)
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


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Rank correlation, or None when undefined (fewer than 3 values, or a constant)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    from scipy.stats import spearmanr

    rho = float(spearmanr(x, y).statistic)
    return rho if math.isfinite(rho) else None


def log10_scores(labels_log10: np.ndarray, pred_log10: np.ndarray) -> dict[str, Any]:
    """Per-object scores: share within one / half a decade, log10 MAE and bias (positive: too
    stiff), Spearman rank correlation (None when undefined), and the share on the right side
    of 1e8 Pa."""
    lab = np.asarray(labels_log10, dtype=np.float64)
    pred = np.asarray(pred_log10, dtype=np.float64)
    err = pred - lab
    hard = math.log10(SOFT_HARD_THRESHOLD_PA)
    return {
        "within_one_decade": float(np.mean(np.abs(err) <= 1.0)),
        "within_half_decade": float(np.mean(np.abs(err) <= 0.5)),
        "log10_mae": float(np.mean(np.abs(err))),
        "log10_bias": float(np.mean(err)),
        "spearman": spearman(pred, lab),
        "soft_hard_accuracy": float(np.mean((pred < hard) == (lab < hard))),
    }
