"""The search objective: object-grouped cross-validation of one sampled design on simulated grasps.

For each trial: sample a recipe (:func:`~tactile.search.space.suggest_recipe`), prepare the
dataset for its input settings (frames K; prepared once per setting and cached in memory and on
disk), and train it on each of ``folds`` object-grouped folds with the *same* folds, seeds and
training schedule for every trial (the identical protocol that makes trials comparable and a
random-architecture baseline meaningful). The value is the per-object log10 MAE of the pooled
held-out predictions (median over an object's grasps); after each fold the running value is
reported so a pruner can stop a poor design early. In multi-objective mode the second value is
the network's CPU latency (ms, one grasp, one thread) or its parameter count.

Only simulated grasps are accepted: real grasps are for evaluating the searched design after
the search (``tactile evaluate``), never for choosing it.
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.estimators.neural.config import MultiTowerConfig, grasp_input_shapes
from tactile.estimators.neural.data import PreparedDataset
from tactile.estimators.neural.recipe import TrainingRecipe
from tactile.search.space import (
    InfeasibleDesignError,
    SearchSpace,
    count_parameters,
    suggest_recipe,
)
from tactile.sensor import SensorCalibration

#: Names of the values a study can minimise.
OBJECTIVES = ("log10_mae", "latency_ms", "params")
#: What a held-out fold's grasps show the network (ObjectiveSettings.protocol).
PROTOCOLS = ("given", "blind")


@dataclass(frozen=True)
class ObjectiveSettings:
    """The identical protocol every trial is trained and scored with."""

    folds: int = 3
    epochs: int = 60
    patience: int = 15
    batch_size: int = 64
    val_fraction: float = 0.2
    seed: int = 0
    objectives: tuple[str, ...] = ("log10_mae",)
    threads: int | None = 1
    analytical: str | None = "hertz"
    #: what the held-out folds are scored with: "given" (each grasp's stored metadata, as
    #: training sees it) or "blind" (no shape, radius or object hints: how a new object
    #: arrives, ``tactile evaluate --protocol blind``); training always sees the stored data
    protocol: str = "given"
    #: simulated grasp files of other objects: when given, each trial trains once on all of
    #: the search data (as ``tactile train`` trains its final network) and is scored on these
    #: instead of by cross-validation (no selection on the training objects, no smaller
    #: training folds); empty: K-fold cross-validation
    valid: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.objectives, str):
            object.__setattr__(self, "objectives", tuple(self.objectives.split(",")))
        bad = [o for o in self.objectives if o not in OBJECTIVES]
        if bad or not self.objectives or self.objectives[0] != "log10_mae":
            raise ConfigError(
                f"objectives {list(self.objectives)}: the first must be log10_mae, the others "
                f"from {list(OBJECTIVES[1:])}",
                hint="e.g. log10_mae or log10_mae,latency_ms",
            )
        files = (self.valid,) if isinstance(self.valid, str | Path) else self.valid
        object.__setattr__(self, "valid", tuple(str(Path(v).resolve()) for v in files))
        if self.protocol not in PROTOCOLS:
            raise ConfigError(
                f"protocol {self.protocol!r}: the held-out folds are scored 'given' or 'blind'",
                hint="use --protocol blind to score designs as a new object arrives",
            )
        if self.folds < 2:
            raise ConfigError(f"folds={self.folds}: the search needs >= 2 folds", hint="use 3")
        for name, example in (("epochs", 60), ("patience", 15), ("batch_size", 64)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"{name}={value!r}: every trial would fail (it must be a whole number >= 1)",
                    hint=f"use e.g. --{name.replace('_', '-')} {example}",
                )
        if not 0 < self.val_fraction < 1:
            raise ConfigError(
                f"val_fraction={self.val_fraction}: every trial would fail (it must be in (0, 1))",
                hint="use e.g. --val-fraction 0.15",
            )

    def check_objects(self, n_objects: int) -> None:
        """Refuse folds that ``n_objects`` labelled objects cannot fill: each fold holds out
        whole objects and trains on the rest, of which at least one object validates (so the
        rest needs >= 2). Found here, before a study exists, not in every trial."""
        n, k = n_objects, self.folds
        if n < 3:
            raise ConfigError(
                f"the search data hold {n} labelled object(s); object-grouped folds need at "
                "least 3 (better 10 or more)",
                hint="simulate more objects (tactile simulate --objects 30)",
            )
        if k > n or n - math.ceil(n / k) < 2:
            allowed = "3" if n == 3 else f"2 to {n}"
            raise ConfigError(
                f"folds={k} cannot be filled from {n} labelled objects (each fold holds out "
                "whole objects and trains on at least 2 of the others)",
                hint=f"use --folds {allowed}, or simulate more objects",
            )

    @property
    def multi(self) -> bool:
        return len(self.objectives) > 1

    def train_settings(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """A trial's training settings: the protocol's schedule under the recipe's own."""
        return {
            "epochs": self.epochs,
            "patience": self.patience,
            "batch_size": self.batch_size,
            "seed": self.seed,
            **overrides,
        }


def require_simulated(paths: Sequence[str | Path], *, check: bool = True) -> set[str]:
    """Refuse any file holding a grasp that is not simulated (the search never sees real ones);
    the ids of the labelled objects (as the prepared data group them)."""
    from tactile.estimators.neural.data import object_key
    from tactile.io import GraspReader

    objects: set[str] = set()
    for p in paths:
        reader = GraspReader(p)
        try:
            for gid in reader.ids():
                meta = reader.metadata(gid)
                source = meta.source
                if meta.label_modulus_pa is not None:
                    objects.add(object_key(Path(p), SimpleNamespace(meta=meta)))
                if check and source != "sim":
                    raise ConfigError(
                        f"{p} holds grasp {gid!r} from source {source!r}: the architecture "
                        "search runs on simulated grasps only",
                        hint="search on `tactile simulate` output; evaluate the searched design "
                        "on real grasps afterwards with `tactile evaluate --model`",
                    )
        finally:
            reader.close()
    return objects


class DatasetCache:
    """Prepared datasets by input setting (k_frames, image_size, sampling), built once."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        *,
        calibration: SensorCalibration | str | None = None,
        analytical: str | None = "hertz",
        cache_dir: str | Path | None = None,
        check_simulated: bool = True,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise ConfigError("no data for the search", hint="pass a `tactile simulate` file")
        self.n_objects = len(require_simulated(self.paths, check=check_simulated))
        self.calibration = calibration
        self.analytical = analytical
        self.cache_dir = cache_dir
        self._data: dict[tuple[int, int, str, bool], PreparedDataset] = {}

    @classmethod
    def of(cls, data: PreparedDataset) -> DatasetCache:
        """A cache around an already prepared dataset (every setting must match it)."""
        cache = cls.__new__(cls)
        cache.paths, cache.calibration, cache.analytical, cache.cache_dir = [], None, None, None
        k, s = data.arrays["images"].shape[1], data.arrays["images"].shape[2]
        cache._data = {(int(k), int(s), "force", False): data}
        cache.n_objects = len(np.unique(data.object_ids))
        return cache

    def get(self, config: MultiTowerConfig, *, blind: bool = False) -> PreparedDataset:
        """The prepared data for ``config``'s input setting; ``blind``: every grasp as it
        arrives without its shape, radius or object hints (the same grasps in the same order,
        for scoring held-out folds blind)."""
        from tactile.estimators.neural.data import build_dataset
        from tactile.evaluation.protocol import blind_metadata

        key = (config.k_frames, config.image_size, config.sampling, blind)
        if key not in self._data:
            if not self.paths:
                raise ConfigError(
                    f"no prepared {'blind ' if blind else ''}data for k_frames={key[0]}, "
                    f"image_size={key[1]}",
                    hint="give the search grasp files, or fix k_frames in the space",
                )
            prepared = build_dataset(
                self.paths,
                config,
                calibration=self.calibration,
                analytical=self.analytical,
                cache_dir=self.cache_dir,
                progress=False,
                meta_of=blind_metadata if blind else None,
                cache_tag="blind" if blind else "",
            )
            if blind:
                _check_same_grasps(prepared, self.get(config))
            self._data[key] = prepared
        return self._data[key]


def _check_same_grasps(blind: PreparedDataset, given: PreparedDataset) -> None:
    """The blind data must be the given data's grasps in the same order (the same folds)."""
    if not np.array_equal(blind.grasp_ids, given.grasp_ids):
        missing = sorted(set(given.grasp_ids.tolist()) - set(blind.grasp_ids.tolist()))
        raise ConfigError(
            f"{len(missing)} grasp(s) prepare with their metadata but not blind "
            f"(e.g. {missing[:3]}): the blind protocol cannot score the same folds",
            hint="search with --protocol given, or drop those grasps from the data",
        )


def measure_latency_ms(config: MultiTowerConfig, *, repeats: int = 30, threads: int = 1) -> float:
    """Median CPU time (ms) of one forward pass of one grasp, ``threads`` torch threads."""
    import torch

    from tactile.estimators.neural.model import MultiTowerNet

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(0)
        model = MultiTowerNet(config).eval()
        x = {key: torch.rand(*shape) for key, shape in grasp_input_shapes(config).items()}
        times = []
        with torch.inference_mode():
            for i in range(repeats + 3):
                t0 = time.perf_counter()
                model(x)
                if i >= 3:
                    times.append(time.perf_counter() - t0)
        return float(np.median(times) * 1e3)
    finally:
        torch.set_num_threads(previous)


@dataclass
class FoldScore:
    """Held-out result of one design (pooled over folds)."""

    log10_mae: float
    within_1_decade: float
    fold_mae: list[float]
    constant_mae: float


def cross_validate_design(
    data: PreparedDataset,
    recipe: TrainingRecipe,
    settings: ObjectiveSettings,
    *,
    report: Any = None,
    held_out: PreparedDataset | None = None,
) -> FoldScore:
    """Object-grouped K-fold of one design; ``report(step, running_mae)`` after each fold may
    raise to stop (an Optuna pruner's ``TrialPruned``). ``held_out``: the same grasps in the
    same order as ``data``, as the held-out folds are scored (blind; default ``data``)."""
    from tactile.estimators.neural.data import object_folds

    scored = data if held_out is None else held_out
    if held_out is not None and not np.array_equal(held_out.grasp_ids, data.grasp_ids):
        raise ConfigError(
            "the held-out data are not the training data's grasps in the same order",
            hint="prepare both with DatasetCache.get(config) / get(config, blind=True)",
        )
    records: list[dict[str, Any]] = []
    fold_mae = []
    folds = object_folds(data.object_ids, data.log10_modulus, settings.folds, seed=settings.seed)
    for k, test_idx in enumerate(folds):
        rest = np.setdiff1d(np.arange(len(data)), test_idx)
        fold_records = _train_and_predict(
            data.subset(rest), scored.subset(test_idx), recipe, settings, settings.seed + k
        )
        records += fold_records
        fold_mae.append(_mae(fold_records, "pred_log10"))
        if report is not None:
            report(k, _mae(records, "pred_log10"))
    m = _object_metrics(records, "pred_log10")
    return FoldScore(
        log10_mae=float(m.get("log10_mae", math.inf)),
        within_1_decade=float(m.get("within_1_decade", 0.0)),
        fold_mae=fold_mae,
        constant_mae=_mae(records, "constant_log10"),
    )


def validate_design(
    data: PreparedDataset,
    valid: PreparedDataset,
    recipe: TrainingRecipe,
    settings: ObjectiveSettings,
) -> FoldScore:
    """One design trained once on all of ``data`` (early stopping on ``settings.val_fraction``
    of its objects, as ``tactile train`` trains its final network) and scored per object on
    ``valid`` (grasps of other objects; blind if prepared blind)."""
    shared = sorted(set(data.object_ids.tolist()) & set(valid.object_ids.tolist()))
    if shared:
        raise ConfigError(
            f"{len(shared)} validation object(s) are also in the search data (e.g. {shared[:3]})",
            hint="validate on a file of other objects (tactile simulate with another --seed)",
        )
    records = _train_and_predict(data, valid, recipe, settings, settings.seed)
    m = _object_metrics(records, "pred_log10")
    mae = float(m.get("log10_mae", math.inf))
    return FoldScore(
        log10_mae=mae,
        within_1_decade=float(m.get("within_1_decade", 0.0)),
        fold_mae=[mae],
        constant_mae=_mae(records, "constant_log10"),
    )


def _train_and_predict(
    train: PreparedDataset,
    scored: PreparedDataset,
    recipe: TrainingRecipe,
    settings: ObjectiveSettings,
    seed: int,
) -> list[dict[str, Any]]:
    """``recipe`` trained on ``train`` with training seed ``seed`` (early stopping on
    ``settings.val_fraction`` of its objects), its prediction records on ``scored`` beside the
    constant (``train``'s median label): one CV fold, or the one training of a ``--valid``
    trial."""
    from tactile.estimators.neural.data import split_objects
    from tactile.estimators.neural.evaluate import prediction_records
    from tactile.estimators.neural.train import TrainConfig, train_model

    cfg = TrainConfig(**settings.train_settings(recipe.train), num_threads=settings.threads)
    tr, va = split_objects(train.object_ids, train.log10_modulus, settings.val_fraction, seed=seed)
    result = train_model(
        train.subset(tr), train.subset(va), recipe.network, replace(cfg, seed=seed), progress=False
    )
    const = float(np.median(train.log10_modulus))
    return prediction_records(result.loaded, scored, constant_log10=const)


def _object_metrics(records: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Per-object metrics of the prediction ``key`` (``pred_log10``, ``constant_log10``)."""
    from tactile.estimators.neural.metrics import object_metrics

    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    pred = np.array([r[key] for r in records], dtype=float)
    return object_metrics(obj, lab, pred)


def _mae(records: list[dict[str, Any]], key: str) -> float:
    value = _object_metrics(records, key).get("log10_mae", math.inf)
    return float(value) if math.isfinite(value) else math.inf


class SearchObjective:
    """``objective(trial) -> value(s)`` for ``study.optimize`` (picklable, for Ray workers)."""

    def __init__(
        self,
        data: DatasetCache,
        settings: ObjectiveSettings | None = None,
        space: SearchSpace | None = None,
    ) -> None:
        self.data = data
        self.settings = settings or ObjectiveSettings()
        self.space = space or SearchSpace()
        self.settings.check_objects(data.n_objects)
        # the validation files (other objects), prepared like the search data
        self.valid = (
            DatasetCache(
                list(self.settings.valid),
                calibration=data.calibration,
                analytical=data.analytical,
                cache_dir=data.cache_dir,
            )
            if self.settings.valid
            else None
        )

    def __call__(self, trial: Any) -> float | tuple[float, ...]:
        import optuna

        try:
            recipe = suggest_recipe(trial, self.space, name=f"trial-{trial.number}")
        except InfeasibleDesignError as exc:
            trial.set_user_attr("infeasible", exc.message)
            raise optuna.TrialPruned(exc.message) from exc
        data = self.data.get(recipe.network)
        blind = self.settings.protocol == "blind"
        held_out = self.data.get(recipe.network, blind=True) if blind and not self.valid else None
        n_params = count_parameters(recipe.network)
        trial.set_user_attr("params", n_params)
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")

        def report(step: int, value: float) -> None:
            if self.settings.multi:
                return  # Optuna does not prune multi-objective studies
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned(f"log10 MAE {value:.3f} after fold {step + 1}")

        started = time.perf_counter()
        if self.valid is not None:
            valid = self.valid.get(recipe.network, blind=blind)
            # one training, nothing to save by pruning it
            score = validate_design(data, valid, recipe, self.settings)
        else:
            score = cross_validate_design(
                data, recipe, self.settings, report=report, held_out=held_out
            )
        trial.set_user_attr("train_s", round(time.perf_counter() - started, 2))
        trial.set_user_attr("within_1_decade", score.within_1_decade)
        trial.set_user_attr("fold_mae", score.fold_mae)
        trial.set_user_attr("constant_mae", score.constant_mae)
        latency = measure_latency_ms(recipe.network)
        trial.set_user_attr("latency_ms", latency)
        values: list[float] = [score.log10_mae]
        for name in self.settings.objectives[1:]:
            values.append(latency if name == "latency_ms" else float(n_params))
        return values[0] if len(values) == 1 else tuple(values)
