"""Multi-tower network estimators (torch). Importing this package does not import torch: the
names below are loaded on first use, and ``neural`` / ``hybrid`` are registered with the
estimator registry as lazy ``"module:attribute"`` factories."""

from __future__ import annotations

import importlib
from typing import Any

from tactile.estimators.neural.config import ImageTowerConfig, MlpTowerConfig, MultiTowerConfig
from tactile.estimators.registry import register_estimator

_LAZY = {
    "AugmentConfig": "tensors",
    "CalibrationEnvelope": "envelope",
    "CrossValidation": "evaluate",
    "GraspInputs": "inputs",
    "HybridEstimator": "estimator",
    "LoadedModel": "checkpoint",
    "MultiTowerNet": "model",
    "NeuralEstimator": "estimator",
    "Normalization": "inputs",
    "PreparedDataset": "data",
    "TrainConfig": "train",
    "TrainResult": "train",
    "TrainingRecipe": "recipe",
    "TrainingRun": "training",
    "TrainingWarning": "training",
    "available_models": "model",
    "build_dataset": "data",
    "create_model": "model",
    "cross_validate": "evaluate",
    "evaluate_model": "evaluate",
    "load_checkpoint": "checkpoint",
    "load_recipe": "recipe",
    "make_inputs": "inputs",
    "model_config": "model",
    "object_folds": "data",
    "register_model": "model",
    "resolve_model": "estimator",
    "save_checkpoint": "checkpoint",
    "split_objects": "data",
    "summarize": "evaluate",
    "train_model": "train",
    "train_network": "training",
    "training_warnings": "training",
}

register_estimator("neural", "tactile.estimators.neural.estimator:NeuralEstimator", overwrite=True)
register_estimator("hybrid", "tactile.estimators.neural.estimator:HybridEstimator", overwrite=True)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = ["ImageTowerConfig", "MlpTowerConfig", "MultiTowerConfig", *sorted(_LAZY)]
