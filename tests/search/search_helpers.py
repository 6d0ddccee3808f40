"""Helpers shared by the search tests (the neural tests' synthetic dataset, loaded by path)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from optuna.trial import FixedTrial
from test_space import DESIGN

from tactile.estimators.neural.data import PreparedDataset
from tactile.estimators.neural.model import model_config
from tactile.estimators.neural.recipe import TrainingRecipe
from tactile.search.objective import DatasetCache, ObjectiveSettings, SearchObjective
from tactile.search.space import SearchSpace, suggest_recipe

_spec = importlib.util.spec_from_file_location(
    "neural_synthetic",
    Path(__file__).resolve().parents[1] / "estimators" / "neural" / "conftest.py",
)
assert _spec is not None and _spec.loader is not None
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
synthetic_dataset: Any = _mod.synthetic_dataset

#: A space small enough for tests: K=4, 16x16 images, small widths.
TINY_SPACE = SearchSpace(k_frames=(4,), image_size=16, max_params=30_000)
TINY_SETTINGS = ObjectiveSettings(folds=2, epochs=2, patience=2, batch_size=16)


def tiny_data(n_objects: int = 10, seed: int = 0) -> PreparedDataset:
    cfg = model_config("mt-tiny").with_overrides(k_frames=4, image_size=16)
    return synthetic_dataset(cfg, n_objects=n_objects, seed=seed)


def tiny_objective(**settings: Any) -> SearchObjective:
    from dataclasses import replace

    return SearchObjective(
        DatasetCache.of(tiny_data()), replace(TINY_SETTINGS, **settings), TINY_SPACE
    )


#: Settings and space for tests on the simulated fixture file (`sim_file`, K = 4).
SIM_SETTINGS = ObjectiveSettings(folds=2, epochs=2, patience=2, batch_size=8, threads=1)
SIM_SPACE = SearchSpace(k_frames=(4,), towers=("force", "width", "geometry"))


def geometry_recipe() -> TrainingRecipe:
    """A small design that reads the geometry inputs (force, width and geometry towers)."""
    params = {**DESIGN, "k_frames": 4, "image_on": False, "analytical_on": False}
    params.update({"width_on": True, "width_depth": 1, "width_width": 16, "width_embed": 8})
    params.update({"geometry_on": True, "geometry_width": 8, "geometry_embed": 4})
    return suggest_recipe(FixedTrial(params), SIM_SPACE)
