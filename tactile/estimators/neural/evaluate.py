"""Held-out evaluation: object-grouped K-fold cross-validation and a trained model on new files.

Every report puts the network beside two baselines on the *same* objects: a constant prediction
(the median training label, in log10) and the analytical estimate alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.data import (
    PreparedDataset,
    build_dataset,
    object_folds,
    split_objects,
)
from tactile.estimators.neural.metrics import interval_coverage, object_metrics, per_object
from tactile.estimators.neural.predict import (
    Z95_ONE_SIDED,
    estimate_from_prediction,
    predict_log10,
)
from tactile.sensor import SensorCalibration
from tactile.types import ModulusEstimate


def prediction_records(
    loaded: LoadedModel, data: PreparedDataset, *, constant_log10: float | None = None
) -> list[dict[str, Any]]:
    """One dict per grasp: ids, label, network mean/sigma, analytical estimate, constant."""
    mu, sigma = predict_log10(loaded, data.arrays)
    const = loaded.normalization.target_mean if constant_log10 is None else constant_log10
    return [
        {
            "grasp_id": str(data.grasp_ids[i]),
            "object_id": str(data.object_ids[i]),
            "label_log10": float(data.log10_modulus[i]),
            "pred_log10": float(mu[i]),
            "sigma_log10": float(sigma[i]),
            "analytical_log10": float(data.analytical_log10[i]),
            "analytical_stiff": bool(data.analytical_stiff[i]),
            "constant_log10": float(const),
        }
        for i in range(len(data))
    ]


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per-object metrics of the network and both baselines, plus 68 % interval coverage."""
    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    col = {
        k: np.array([r[k] for r in records], dtype=float)
        for k in ("pred_log10", "sigma_log10", "analytical_log10", "constant_log10")
    }
    net = object_metrics(obj, lab, col["pred_log10"])
    net["coverage_68_grasps"] = interval_coverage(lab, col["pred_log10"], col["sigma_log10"])
    return {
        "network": net,
        "analytical": object_metrics(obj, lab, col["analytical_log10"]),
        "constant": object_metrics(obj, lab, col["constant_log10"]),
    }


def evaluate_model(
    ckpt: str | Path | LoadedModel,
    data_paths: Sequence[str | Path],
    *,
    calibration: SensorCalibration | str | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Per-grasp prediction records of a trained model on labelled grasp files (see
    :func:`prediction_records`; :func:`summarize` turns them into per-object metrics)."""
    from tactile.estimators.neural.estimator import resolve_model

    loaded = ckpt if isinstance(ckpt, LoadedModel) else resolve_model(ckpt)
    data = build_dataset(
        data_paths, loaded.config, calibration=calibration, cache_dir=cache_dir, progress=progress
    )
    return prediction_records(loaded, data)


@dataclass
class CrossValidation:
    records: list[dict[str, Any]]  # out-of-fold predictions, one per grasp
    summary: dict[str, dict[str, float]]
    fold_epochs: list[int]


def cross_validate(
    data: PreparedDataset,
    model_config: MultiTowerConfig,
    cfg: Any,
    n_folds: int,
    *,
    val_fraction: float = 0.15,
    progress: bool = True,
) -> CrossValidation:
    """Object-grouped K-fold: each fold's objects are predicted by a model that never saw them
    (early stopping on a separate validation split of the remaining objects)."""
    from tactile.estimators.neural.train import train_model

    records: list[dict[str, Any]] = []
    epochs: list[int] = []
    for k, test_idx in enumerate(
        object_folds(data.object_ids, data.log10_modulus, n_folds, seed=cfg.seed)
    ):
        rest = np.setdiff1d(np.arange(len(data)), test_idx)
        part = data.subset(rest)
        tr, va = split_objects(part.object_ids, part.log10_modulus, val_fraction, seed=cfg.seed + k)
        result = train_model(
            part.subset(tr),
            part.subset(va),
            model_config,
            replace(cfg, seed=cfg.seed + k),
            progress=progress,
        )
        const = float(np.median(part.log10_modulus))
        fold_records = prediction_records(
            result.loaded, data.subset(test_idx), constant_log10=const
        )
        for r in fold_records:
            r["fold"] = k
        records += fold_records
        epochs.append(result.best_epoch)
    return CrossValidation(records, summarize(records), epochs)


def stiff_limit_from_records(
    records: Sequence[dict[str, Any]], *, bin_decades: float = 0.5, tolerance: float = 0.25
) -> float | None:
    """The resolvable-stiffness limit (Pa): where held-out predictions stop rising with E.

    Objects are binned by label (``bin_decades`` wide, from the softest). The limit is the lower
    edge of the first bin whose median prediction is already within ``tolerance`` decades of the
    median prediction of *all* stiffer objects (which must span at least one decade): above it
    the network answers the same whatever the modulus. None when no such plateau is seen.
    """
    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    pred = np.array([r["pred_log10"] for r in records], dtype=float)
    _, lab_o, pred_o = per_object(obj, lab, pred)
    if len(lab_o) < 4:
        return None
    for lo in np.arange(np.floor(lab_o.min()), lab_o.max(), bin_decades):
        in_bin = (lab_o >= lo) & (lab_o < lo + bin_decades)
        stiffer = lab_o >= lo
        if in_bin.sum() < 2 or np.ptp(lab_o[stiffer]) < 1.0:
            continue
        if np.median(pred_o[in_bin]) >= np.median(pred_o[stiffer]) - tolerance:
            return float(10**lo)
    return None


def accuracy_limit_from_records(
    records: Sequence[dict[str, Any]],
    *,
    bin_decades: float = 0.5,
    min_within: float = 0.9,
    max_mae: float = 0.5,
    min_objects: int = 3,
) -> float | None:
    """The stiffness up to which held-out estimates keep their accuracy (Pa).

    Objects are binned by label (``bin_decades`` wide, from the softest); the limit is the
    lower edge of the first bin (with at least ``min_objects``) whose share within one decade
    falls below ``min_within`` or whose log10 MAE exceeds ``max_mae``. Below it every bin meets
    both; above it the estimator should answer with a lower bound only. None when every bin
    meets them (nothing to flag).
    """
    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    pred = np.array([r["pred_log10"] for r in records], dtype=float)
    _, lab_o, pred_o = per_object(obj, lab, pred)
    if len(lab_o) < min_objects:
        return None
    err = np.abs(pred_o - lab_o)
    start = np.floor(lab_o.min() / bin_decades) * bin_decades
    for lo in np.arange(start, lab_o.max(), bin_decades):
        in_bin = (lab_o >= lo) & (lab_o < lo + bin_decades)
        if in_bin.sum() < min_objects:
            continue
        if np.mean(err[in_bin] <= 1.0) < min_within or np.mean(err[in_bin]) > max_mae:
            return float(10**lo)
    return None


def record_estimates(
    records: Sequence[dict[str, Any]],
    *,
    stiff_limit_pa: float | None = None,
    require_agreement: bool = False,
    estimator: str = "neural",
    lower_bound_z: float = Z95_ONE_SIDED,
) -> list[tuple[str, str, float, ModulusEstimate]]:
    """(object_id, grasp_id, label_pa, estimate) per record, for :mod:`tactile.evaluation`."""
    out = []
    for r in records:
        analytical = None
        if np.isfinite(r["analytical_log10"]):
            ana_pa = 10 ** r["analytical_log10"]
            # only whether the physics answered with a bound matters downstream
            analytical = ModulusEstimate(
                ana_pa,
                (ana_pa, ana_pa),
                (ana_pa, ana_pa),
                "analytical",
                lower_bound_only=bool(r["analytical_stiff"]),
            )
        est = estimate_from_prediction(
            r["pred_log10"],
            r["sigma_log10"],
            estimator=estimator,
            analytical=analytical,
            stiff_limit_pa=stiff_limit_pa,
            require_agreement=require_agreement,
            lower_bound_z=lower_bound_z,
        )
        out.append((r["object_id"], r["grasp_id"], 10 ** r["label_log10"], est))
    return out


def limit_report(
    records: Sequence[dict[str, Any]],
    stiff_limit_pa: float | None,
    *,
    lower_bound_z: float = Z95_ONE_SIDED,
) -> dict[str, dict[str, float]]:
    """Per-object metrics on each side of the resolvable limit (median over each object's grasps).

    ``below``: the network, analytical and constant baselines on objects softer than the limit,
    plus the share of them the network wrongly answers with a lower bound only. ``above``:
    the share of stiffer objects answered with a lower bound, and the share of those whose
    one-sided 95 % bound (mean - ``lower_bound_z`` sigma) is at or below the label.
    """
    if stiff_limit_pa is None or not records:
        return {}
    limit = math.log10(stiff_limit_pa)
    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    col = {
        k: np.array([r[k] for r in records], dtype=float)
        for k in ("pred_log10", "sigma_log10", "analytical_log10", "constant_log10")
    }
    lower = col["pred_log10"] - max(lower_bound_z, Z95_ONE_SIDED) * col["sigma_log10"]
    soft = lab < limit
    below: dict[str, float] = {}
    for name, key in (("network", "pred_log10"), ("analytical", "analytical_log10")):
        m = object_metrics(obj[soft], lab[soft], col[key][soft])
        below |= {f"{name}_{k}": v for k, v in m.items() if k != "coverage"}
    m = object_metrics(obj[soft], lab[soft], col["constant_log10"][soft])
    below |= {f"constant_{k}": m[k] for k in ("within_1_decade", "log10_mae") if k in m}
    _, _, pred_soft = per_object(obj[soft], lab[soft], col["pred_log10"][soft])
    below["wrongly_flagged"] = float(np.mean(pred_soft >= limit)) if len(pred_soft) else math.nan
    below["coverage_68"] = interval_coverage(
        lab[soft], col["pred_log10"][soft], col["sigma_log10"][soft]
    )
    _, lab_h, pred_h = per_object(obj[~soft], lab[~soft], col["pred_log10"][~soft])
    _, _, lb_h = per_object(obj[~soft], lab[~soft], lower[~soft])
    flagged = pred_h >= limit
    above = {
        "n_objects": float(len(lab_h)),
        "flagged": float(np.mean(flagged)) if len(lab_h) else math.nan,
        "bound_holds": float(np.mean(lb_h[flagged] <= lab_h[flagged]))
        if flagged.any()
        else math.nan,
        "median_bound_log10": float(np.median(lb_h[flagged])) if flagged.any() else math.nan,
    }
    return {"below": below, "above": above}


def fit_lower_bound_z(
    records: Sequence[dict[str, Any]], stiff_limit_pa: float | None, *, target: float = 0.975
) -> float:
    """Sigma factor of the one-sided lower bound, calibrated on held-out records: the smallest
    ``z >= 1.645`` for which ``mean - z sigma <= label`` on ``target`` of the grasps whose
    estimate is beyond the limit (the nominal Gaussian bound is too bold where the network's
    errors are skewed, near the limit)."""
    if stiff_limit_pa is None:
        return Z95_ONE_SIDED
    pred = np.array([r["pred_log10"] for r in records], dtype=float)
    lab = np.array([r["label_log10"] for r in records], dtype=float)
    sig = np.array([r["sigma_log10"] for r in records], dtype=float)
    beyond = pred >= math.log10(stiff_limit_pa)
    if beyond.sum() < 5:
        return Z95_ONE_SIDED
    z = (pred[beyond] - lab[beyond]) / np.maximum(sig[beyond], 1e-6)
    return float(max(np.quantile(z, target), Z95_ONE_SIDED))
