"""Training as one library call: data, folds, training, baselines, limit, checkpoint.

:func:`train_network` is what ``tactile train`` runs, what ``tactile search`` retrains its best
design with, and what a Python user calls::

    from tactile.estimators.neural import train_network, TrainConfig
    result = train_network(["sim.h5"], "mt-physics", TrainConfig(epochs=100), folds=5,
                           out_dir="models/mine")
    print(result.cross_validation.summary["network"], result.warnings)

The sequence: prepare the labelled grasps (cached), optionally run object-grouped K-fold
cross-validation (network beside the constant and analytical baselines on the same held-out
objects), measure the resolvable-stiffness limit and lower-bound factor on those held-out
predictions, train the final model on all objects with a validation split of objects for early
stopping, and write ``model.pt`` / ``config.json`` / ``metrics.json`` (and ``cv_records.json``).
With ``ensemble=K`` it then trains K - 1 further members on the same data with seeds
``seed + 1 .. seed + K - 1`` (each with its own validation split of objects for early stopping
and its own ``sigma_scale``; no cross-validation of their own), writes them beside ``model.pt``
as ``member_<k>.pt`` and lists them in its ``info["ensemble"]`` (:mod:`.checkpoint`).

A model whose limit or metrics are degenerate is still returned, but with :attr:`warnings` that
say what is wrong and how to fix it (the CLI prints them on stderr; the checkpoint keeps them in
``info["training_warnings"]``): a limit that answers "stiffer than the gel" for most objects, a
network no better than a constant, metrics that could not be computed, or no limit at all.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.estimators.neural.checkpoint import LoadedModel, ensemble_entry, save_checkpoint
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.data import PreparedDataset, build_dataset, split_objects
from tactile.estimators.neural.envelope import INFO_KEY, CalibrationEnvelope, training_envelope
from tactile.estimators.neural.evaluate import (
    CrossValidation,
    accuracy_limit_from_records,
    cross_validate,
    fit_lower_bound_z,
    limit_report,
    stiff_limit_from_records,
)
from tactile.estimators.neural.metrics import per_object
from tactile.estimators.neural.ood import OodReference
from tactile.estimators.neural.train import (
    TrainConfig,
    TrainResult,
    finetune_config,
    mark_finished,
    set_threads,
    train_model,
)
from tactile.sensor import SensorCalibration

#: A limit is degenerate when more than this share of the held-out objects is answered with a
#: lower bound only ("stiffer than the gel") ...
MAX_FLAGGED_SHARE = 0.5
#: ... or when more than this share of the objects softer than the limit is wrongly flagged.
MAX_WRONGLY_FLAGGED = 0.2
#: Fewest objects below the limit for the metrics there to mean anything.
MIN_OBJECTS_BELOW = 3


class TrainingWarning(UserWarning):
    """A trained model whose limit or metrics are degenerate (see :func:`training_warnings`)."""


@dataclass
class TrainingRun:
    """Everything :func:`train_network` measured, and the trained model."""

    model: LoadedModel
    architecture: str
    n_grasps: int
    n_objects: int
    skipped: list[str]
    stiff_limit_pa: float | None
    final: TrainResult
    cross_validation: CrossValidation | None = None
    information_limit_pa: float | None = None
    lower_bound_z: float | None = None
    limit_report: dict[str, dict[str, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    members: list[TrainResult] = field(default_factory=list)  # ensemble members beyond the first

    @property
    def checkpoint(self) -> Path | None:
        return self.model.path

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of ``tactile train --json``."""
        out: dict[str, Any] = {
            "n_grasps": self.n_grasps,
            "n_objects": self.n_objects,
            "skipped": len(self.skipped),
            "architecture": self.architecture,
        }
        if self.cross_validation is not None:
            out["cross_validation"] = self.cross_validation.summary
            out["information_limit_pa"] = self.information_limit_pa
            out["lower_bound_z"] = self.lower_bound_z
            out["limit_report"] = self.limit_report
        out.update(
            val=self.final.val_metrics,
            best_epoch=self.final.best_epoch,
            stiff_limit_pa=self.stiff_limit_pa,
            # whether the model applies that limit (given explicitly) or answers from each
            # grasp's physics, the measured limit only a report
            limit_applied=self.model.info.get("stiff_limit_pa") is not None,
            checkpoint=str(self.checkpoint) if self.checkpoint is not None else None,
            warnings=list(self.warnings),
        )
        if self.members:
            out["ensemble"] = [
                {
                    "seed": m.loaded.info.get("seed"),
                    "val": m.val_metrics,
                    "best_epoch": m.best_epoch,
                    "checkpoint": str(m.loaded.path) if m.loaded.path is not None else None,
                }
                for m in self.members
            ]
        return out


def _check_folds(folds: int, finetune: object = None) -> None:
    if isinstance(folds, bool) or not isinstance(folds, int) or folds == 1 or folds < 0:
        raise ConfigError(
            f"folds={folds!r}: cross-validation needs at least 2 folds",
            hint="use --folds 5 (or 0 to skip cross-validation)",
        )
    if folds >= 2 and finetune is not None:
        # cross_validate trains each fold from scratch: with the fine-tune's short, slow
        # schedule it measures networks that never saw the base, and its lower-bound factor
        # would replace the base's (review41)
        raise ConfigError(
            "cross-validation trains each fold from scratch, so with --finetune it would "
            "measure networks that never started from the base model",
            hint="fine-tune with --folds 0 (the base's limits and lower-bound factor apply) and "
            "score it on labelled grasps it did not see (e.g. another session, tactile evaluate)",
        )


def _check_ensemble(ensemble: int, finetune: object) -> None:
    if isinstance(ensemble, bool) or not isinstance(ensemble, int) or ensemble < 1:
        raise ConfigError(
            f"ensemble={ensemble!r}: an ensemble needs at least one member",
            hint="use --ensemble 1 (a single model) or e.g. --ensemble 5",
        )
    if ensemble > 1 and finetune is not None:
        raise ConfigError(
            "fine-tuning trains one network from one checkpoint; it does not build an ensemble",
            hint="drop --ensemble with --finetune (fine-tuning an ensemble starts from its "
            "first member and gives a single model)",
        )


def _resolve_network(network: MultiTowerConfig | str) -> MultiTowerConfig:
    if isinstance(network, MultiTowerConfig):
        return network
    from tactile.estimators.neural.model import model_config

    return model_config(network)


def train_network(
    data: Sequence[str | Path] | PreparedDataset,
    network: MultiTowerConfig | str = "mt-physics",
    train: TrainConfig | None = None,
    *,
    out_dir: str | Path | None = None,
    folds: int = 0,
    val_fraction: float = 0.15,
    stiff_limit_pa: float | None = None,
    finetune: str | Path | LoadedModel | None = None,
    resume: bool = False,
    calibration: SensorCalibration | str | None = None,
    analytical: str | None = "hertz",
    cache_dir: str | Path | None = None,
    progress: bool = True,
    info: dict[str, Any] | None = None,
    ensemble: int = 1,
) -> TrainingRun:
    """Train a multi-tower network on labelled grasps and measure it honestly.

    ``data``: grasp files / folders (prepared and cached), or an already prepared dataset.
    ``network``: a registered name or a config (ignored with ``finetune``, whose config is used).
    ``folds``: 0 (no cross-validation) or K >= 2 object-grouped folds; with K, the resolvable
    limit is measured on the held-out predictions unless ``stiff_limit_pa`` is given.
    ``out_dir``: where the checkpoint goes (None: nothing written, the model is returned).
    ``resume``: continue an interrupted final training from ``out_dir/last.pt``.
    ``info``: extra entries for the checkpoint's ``info`` (e.g. the search that found it).
    ``ensemble``: K >= 1 networks trained with seeds ``seed .. seed + K - 1``; the first is the
    model above (cross-validated with ``folds``), the others are its ensemble members.
    Degenerate results are reported in :attr:`TrainingRun.warnings` and as a
    :class:`TrainingWarning`; errors in the arguments raise :class:`ConfigError`.
    """
    from tactile.estimators.neural.estimator import refuse_partial_model, resolve_model

    _check_folds(folds, finetune)
    _check_ensemble(ensemble, finetune)
    if not 0 < val_fraction < 1:
        raise ConfigError(f"val_fraction={val_fraction} must be in (0, 1)", hint="use e.g. 0.15")
    if stiff_limit_pa is not None and not (math.isfinite(stiff_limit_pa) and stiff_limit_pa > 0):
        raise ConfigError(
            f"stiff_limit_pa={stiff_limit_pa!r} must be a positive modulus in Pa",
            hint="e.g. 1e8, or leave it out to measure it with folds",
        )
    cfg = train if train is not None else TrainConfig()
    set_threads(cfg.num_threads)
    init = None
    if finetune is not None:
        init = finetune if isinstance(finetune, LoadedModel) else resolve_model(finetune)
        if not isinstance(finetune, LoadedModel) and init.info.get("ood") is None:
            refuse_partial_model(init, flag="--finetune")  # as --model does (review55)
        cfg = finetune_config(cfg)
    net_cfg = init.config if init is not None else _resolve_network(network)
    if isinstance(data, PreparedDataset):
        dataset, sources = data, ["<prepared dataset>"]
    else:
        sources = [str(p) for p in data]
        dataset = build_dataset(
            data,
            net_cfg,
            calibration=calibration,
            analytical=analytical,
            cache_dir=cache_dir,
            progress=progress,
        )
    n_objects = len(set(dataset.object_ids.tolist()))
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)

    cv: CrossValidation | None = None
    limit = stiff_limit_pa
    info_limit = None
    lower_z = None
    lim_report: dict[str, dict[str, float]] = {}
    if folds >= 2:
        cv = cross_validate(
            dataset, net_cfg, cfg, folds, val_fraction=val_fraction, progress=progress
        )
        if out is not None:
            (out / "cv_records.json").write_text(json.dumps(cv.records) + "\n")
        info_limit = stiff_limit_from_records(cv.records)
        if limit is None:
            limit = accuracy_limit_from_records(cv.records)
        lower_z = fit_lower_bound_z(cv.records, limit)
        lim_report = limit_report(cv.records, limit, lower_bound_z=lower_z)
    if init is not None:
        if limit is None:
            limit = init.info.get("stiff_limit_pa")
        if lower_z is None:
            lower_z = init.info.get("lower_bound_z")

    run_warnings = training_warnings(
        cv,
        limit,
        lim_report,
        folds=folds,
        limit_given=stiff_limit_pa is not None,
        inherited_lower_z=lower_z if init is not None and cv is None else None,
    )
    tr, va = split_objects(dataset.object_ids, dataset.log10_modulus, val_fraction, seed=cfg.seed)
    # issue 12: the resolvable limit comes from the rig's physics per grasp (neural/limits.py);
    # the held-out accuracy boundary is reported, stored only when given explicitly
    # a fine-tune keeps its base's reference and scale (a few real grasps scaled on one
    # validation object measure nothing, ft40) and adds its own training grasps to it (a
    # fine-tune on another rig's grasps must not refuse that rig, review41)
    base_ood = OodReference.from_dict(init.info.get("ood")) if init is not None else None
    ood = (
        base_ood.extended(dataset.subset(tr).arrays, seed=cfg.seed)
        if base_ood is not None
        else OodReference.fit(dataset.subset(tr).arrays, dataset.subset(va).arrays, seed=cfg.seed)
    )
    # the gels of the training rigs (ood36): a measured gel outside them is refused
    files = [] if isinstance(data, PreparedDataset) else sources
    envelope = training_envelope(files, dataset.subset(tr).grasp_ids.tolist(), calibration)
    if init is not None:
        envelope = envelope.union(CalibrationEnvelope.of_info(init.info))
    ckpt_info: dict[str, Any] = {
        "ood": ood.to_dict(),
        # the moduli trained on (log10 Pa): an answer far outside them is refused (newuser42)
        "label_range_log10": _label_range(dataset.subset(tr).log10_modulus, init),
        INFO_KEY: envelope.to_dict(),
        "sim_to_real_log10_sd": init.info.get("sim_to_real_log10_sd") if init else None,
        "cv_accuracy_limit_pa": limit,
        "data": sources,
        "n_grasps": len(dataset),
        "n_objects": n_objects,
        "calibration": calibration if not isinstance(calibration, SensorCalibration) else None,
        "analytical": analytical,
        "stiff_limit_pa": stiff_limit_pa,
        "finetuned_from": str(init.path) if init is not None else None,
        "cross_validation": cv.summary if cv is not None else None,
        "limit_report": lim_report or None,
        "information_limit_pa": info_limit,
        "lower_bound_z": lower_z,
        "training_warnings": run_warnings,
        **(info or {}),
    }
    if init is not None:
        # the hybrid's physics sigma scale belongs to the physics and the simulated validation
        # set, not to the weights: a fine-tuned model keeps its base's (ft40)
        for key in ("analytical_sigma_scale", "analytical_sigma_scale_fitted_on"):
            if key in init.info:
                ckpt_info[key] = init.info[key]
    final = train_model(
        dataset.subset(tr),
        dataset.subset(va),
        net_cfg,
        cfg,
        out_dir=out,
        resume=resume,
        init=init,
        info=ckpt_info,
        progress=progress,
    )
    val_warnings = _val_warnings(final.val_metrics)
    members = [
        _train_member(dataset, net_cfg, cfg, k, val_fraction, sources, out, progress)
        for k in range(1, ensemble)
    ]
    for k, member in enumerate(members, start=1):
        val_warnings += [f"ensemble member {k}: {w}" for w in _val_warnings(member.val_metrics)]
    if members:
        final.loaded.members = [m.loaded for m in members]
        written = [(m.loaded.path, cfg.seed + k) for k, m in enumerate(members, start=1)]
        if out is not None:
            final.loaded.info["ensemble"] = ensemble_entry(
                [(p, seed) for p, seed in written if p is not None]
            )
    if val_warnings:
        run_warnings += val_warnings
        final.loaded.info["training_warnings"] = run_warnings
    if out is not None and (val_warnings or members):
        _rewrite_info(final.loaded)  # the late warnings and the ensemble's members
    if out is not None:
        mark_finished(out / "last.pt")  # --resume refuses it from now on (review55)
    for message in run_warnings:
        warnings.warn(message, TrainingWarning, stacklevel=2)
    return TrainingRun(
        model=final.loaded,
        architecture=net_cfg.name,
        n_grasps=len(dataset),
        n_objects=n_objects,
        skipped=list(dataset.skipped),
        stiff_limit_pa=limit,
        final=final,
        cross_validation=cv,
        information_limit_pa=info_limit,
        lower_bound_z=lower_z,
        limit_report=lim_report,
        warnings=run_warnings,
        members=members,
    )


def _train_member(
    dataset: PreparedDataset,
    net_cfg: MultiTowerConfig,
    cfg: TrainConfig,
    k: int,
    val_fraction: float,
    sources: list[str],
    out: Path | None,
    progress: bool,
) -> TrainResult:
    """Ensemble member ``k``: the same data and recipe with seed ``cfg.seed + k`` (its own
    validation split, initialisation, batches and augmentation), written as ``member_<k>.pt``.
    It carries no OOD reference or limits of its own: the first network's apply."""
    seed = cfg.seed + k
    member_cfg = replace(cfg, seed=seed)
    tr, va = split_objects(dataset.object_ids, dataset.log10_modulus, val_fraction, seed=seed)
    info = {"ensemble_member": k, "seed": seed, "data": sources, "n_grasps": len(dataset)}
    result = train_model(
        dataset.subset(tr), dataset.subset(va), net_cfg, member_cfg, info=info, progress=progress
    )
    if out is not None:
        loaded = result.loaded
        loaded.path = save_checkpoint(
            out / f"member_{k}.pt",
            loaded.model,
            loaded.normalization,
            sigma_scale=loaded.sigma_scale,
            metrics=loaded.metrics,
            info=loaded.info,
        )
    return result


def _label_range(log10_modulus: Any, init: LoadedModel | None) -> list[float] | None:
    """[min, max] of the training labels (log10 Pa), widened by a fine-tune's base's range
    (None for a fine-tune of a base that records none: its range is unknown, and a few real
    grasps' labels alone would refuse answers the base learned)."""
    values = [float(v) for v in log10_modulus if math.isfinite(float(v))]
    if init is not None:
        base = init.info.get("label_range_log10")
        if not (isinstance(base, list) and len(base) == 2):
            return None
        values += [float(base[0]), float(base[1])]
    return [min(values), max(values)] if values else None


def _rewrite_info(loaded: LoadedModel) -> None:
    assert loaded.path is not None
    save_checkpoint(
        loaded.path,
        loaded.model,
        loaded.normalization,
        sigma_scale=loaded.sigma_scale,
        metrics=loaded.metrics,
        info=loaded.info,
    )


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def training_warnings(
    cv: CrossValidation | None,
    stiff_limit_pa: float | None,
    lim_report: dict[str, dict[str, float]],
    *,
    folds: int,
    limit_given: bool = False,
    inherited_lower_z: float | None = None,
) -> list[str]:
    """What is degenerate about a training run's limit and held-out metrics (empty: nothing).

    Each message names the problem and a fix. Checked: cross-validation metrics that are NaN or
    no better than a constant prediction; a given (applied) limit that answers "stiffer than the
    gel" for most held-out objects, that wrongly flags soft objects, or that leaves too few
    objects below it for its metrics to mean anything; a measured accuracy boundary (reported,
    not applied: the model flags from each grasp's physics) with too few objects below it; no
    cross-validation at all.
    """
    out: list[str] = []
    fix_data = "train longer (--epochs), on more simulated objects, or check the data"
    if cv is None:
        if stiff_limit_pa is None and folds == 0:
            factor = (
                f"the lower-bound factor {inherited_lower_z:.2f} stored in the model it was "
                "fine-tuned from, not one fitted on these grasps"
                if inherited_lower_z is not None
                else "the default one-sided 95 % factor, not one fitted on held-out predictions"
            )
            fix = (
                "score it on labelled grasps it did not see, e.g. another session"
                if inherited_lower_z is not None
                else "train with --folds 5"
            )
            out.append(
                "no cross-validation (--folds 0): nothing was measured on held-out objects, so "
                f"the model's accuracy on new objects is unknown and its lower bounds use {factor} "
                "(its 'stiffer than the gel' comes from each grasp's physics either way) "
                f"(fix: {fix})"
            )
        return out
    net, const = cv.summary.get("network", {}), cv.summary.get("constant", {})
    mae, const_mae = net.get("log10_mae", math.nan), const.get("log10_mae", math.nan)
    if not _finite(mae) or not _finite(net.get("within_1_decade")):
        out.append(
            "cross-validation produced no finite held-out metrics (every prediction NaN or no "
            f"objects predicted) (fix: {fix_data})"
        )
    elif _finite(const_mae) and mae >= const_mae:
        out.append(
            f"on held-out objects the network (log10 MAE {mae:.2f}) is no better than a constant "
            f"prediction ({const_mae:.2f}) (fix: {fix_data})"
        )
    if stiff_limit_pa is None:
        return out
    obj = np.array([r["object_id"] for r in cv.records])
    lab = np.array([r["label_log10"] for r in cv.records])
    if not limit_given:
        # the measured boundary is a report: the model's stiff flag comes from each grasp's
        # physics (neural/limits.py), so what this boundary would flag is no claim about it;
        # every held-out object counts, predicted or not
        _, lab_all, _ = per_object(obj, lab, lab)
        return out + _boundary_warnings(lab_all, stiff_limit_pa, fix_data)
    pred = np.array([r["pred_log10"] for r in cv.records], dtype=float)
    _, lab_o, pred_o = per_object(obj, lab, pred)
    limit = math.log10(stiff_limit_pa)
    n_below = int(np.sum(lab_o < limit))
    flagged = float(np.mean(pred_o >= limit)) if len(pred_o) else math.nan
    fix_limit = f"{fix_data}; or set the limit with --stiff-limit-pa"
    if _finite(flagged) and flagged > MAX_FLAGGED_SHARE:
        out.append(
            f"the resolvable limit {stiff_limit_pa:.3g} Pa (given) makes the model answer "
            f"'stiffer than the gel' (a lower bound only) for {flagged:.0%} of the held-out "
            f"objects (fix: {fix_limit})"
        )
    if n_below < MIN_OBJECTS_BELOW:
        out.append(
            f"only {n_below} of {len(lab_o)} held-out objects are softer than the resolvable "
            f"limit {stiff_limit_pa:.3g} Pa, so the metrics below it mean nothing "
            f"(fix: {fix_limit})"
        )
    wrong = lim_report.get("below", {}).get("wrongly_flagged", math.nan)
    if _finite(wrong) and wrong > MAX_WRONGLY_FLAGGED:
        out.append(
            f"{wrong:.0%} of the held-out objects softer than the limit are wrongly answered "
            f"'stiffer than the gel' (fix: {fix_limit})"
        )
    return out


def _boundary_warnings(lab_o: np.ndarray, boundary_pa: float, fix_data: str) -> list[str]:
    """The held-out accuracy boundary (measured, not applied) when too few of the held-out
    objects (labels ``lab_o``, log10 Pa) lie below it for the report's metrics below it to
    mean anything."""
    n_below = int(np.sum(lab_o < math.log10(boundary_pa)))
    if n_below >= MIN_OBJECTS_BELOW:
        return []
    return [
        f"the held-out estimates miss the accuracy rule (90 % within a decade, log10 MAE <= "
        f"0.5) from {boundary_pa:.3g} Pa up, with only {n_below} of {len(lab_o)} held-out "
        "objects below it, so the metrics reported below that boundary mean nothing (it is "
        "reported, not applied: the model's 'stiffer than the gel' comes from each grasp's "
        f"physics) (fix: {fix_data}; or give --stiff-limit-pa to apply a fixed limit)"
    ]


def _val_warnings(val_metrics: dict[str, float]) -> list[str]:
    if not val_metrics or not _finite(val_metrics.get("log10_mae")):
        return [
            "the final model's validation metrics could not be computed (no validation "
            "objects, or every prediction NaN) (fix: use more objects or a larger --val-fraction)"
        ]
    return []
