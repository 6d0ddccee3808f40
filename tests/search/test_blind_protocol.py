"""The search can score its held-out folds blind (no shape, radius or object hints), as a new
object arrives: the same grasps, the same training, only what the held-out grasps show."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from optuna.trial import FixedTrial
from search_helpers import SIM_SETTINGS as SETTINGS
from search_helpers import SIM_SPACE as SPACE
from search_helpers import geometry_recipe
from test_space import DESIGN

from tactile.errors import ConfigError
from tactile.estimators.neural.config import GEOMETRY_CHANNELS
from tactile.estimators.neural.data import PreparedDataset
from tactile.estimators.neural.recipe import TrainingRecipe
from tactile.search.objective import (
    DatasetCache,
    ObjectiveSettings,
    SearchObjective,
    cross_validate_design,
)
from tactile.search.storage import storage_from_url
from tactile.search.study import open_study


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One input cache for the module: the fixture file is prepared once per protocol."""
    return tmp_path_factory.mktemp("blind-cache")


@pytest.fixture(scope="module")
def prepared(
    sim_file: Path, cache_dir: Path
) -> tuple[TrainingRecipe, PreparedDataset, PreparedDataset]:
    """A geometry-reading design and the fixture file prepared for it, given and blind."""
    cache = DatasetCache([sim_file], cache_dir=cache_dir)
    recipe = geometry_recipe()
    return recipe, cache.get(recipe.network), cache.get(recipe.network, blind=True)


def test_blind_data_are_the_same_grasps_without_their_geometry(
    sim_file: Path,
    cache_dir: Path,
    prepared: tuple[TrainingRecipe, PreparedDataset, PreparedDataset],
) -> None:
    recipe, given, blind = prepared
    assert np.array_equal(given.grasp_ids, blind.grasp_ids)
    assert np.array_equal(given.log10_modulus, blind.log10_modulus)
    known = GEOMETRY_CHANNELS.index("radius_known")
    assert given.arrays["geometry"][:, known].min() == 1.0  # every fixture grasp has a radius
    assert blind.arrays["geometry"][:, known].max() == 0.0
    # the signals themselves are not touched
    assert np.array_equal(given.arrays["force"], blind.arrays["force"], equal_nan=True)
    # prepared once, then from the cache folder
    assert any(p.name.endswith("-blind.npz") for p in cache_dir.iterdir())
    again = DatasetCache([sim_file], cache_dir=cache_dir).get(recipe.network, blind=True)
    assert np.array_equal(again.arrays["geometry"], blind.arrays["geometry"], equal_nan=True)


def test_blind_held_out_folds_change_the_score_not_the_training(
    prepared: tuple[TrainingRecipe, PreparedDataset, PreparedDataset],
) -> None:
    recipe, data, blind = prepared
    given_score = cross_validate_design(data, recipe, SETTINGS)
    again = cross_validate_design(data, recipe, SETTINGS, held_out=data)
    assert again.log10_mae == given_score.log10_mae  # held_out=data is the default
    blind_score = cross_validate_design(data, recipe, SETTINGS, held_out=blind)
    assert blind_score.log10_mae != pytest.approx(given_score.log10_mae, abs=1e-9)
    with pytest.raises(ConfigError, match="same order"):
        cross_validate_design(data, recipe, SETTINGS, held_out=blind.subset(np.arange(4)))


def test_a_blind_search_runs_and_is_another_protocol(
    sim_file: Path, cache_dir: Path, tmp_path: Path
) -> None:
    blind = replace(SETTINGS, protocol="blind")
    objective = SearchObjective(DatasetCache([sim_file], cache_dir=cache_dir), blind, SPACE)

    class Trial(FixedTrial):
        number = 0

        def __init__(self) -> None:
            params = {**DESIGN, "k_frames": 4, "force_on": False, "width_on": True}
            params.update({"width_depth": 1, "width_width": 16, "width_embed": 8})
            params.update({"geometry_on": False})
            super().__init__(params)
            self.attrs: dict[str, object] = {}

        def set_user_attr(self, key: str, value: object) -> None:
            self.attrs[key] = value

        def report(self, value: float, step: int) -> None:
            pass

        def should_prune(self) -> bool:
            return False

    value = objective(Trial())
    assert np.isfinite(value)
    storage = storage_from_url(tmp_path / "study.log")
    open_study("s", storage, SETTINGS, SPACE)  # "given": the protocol earlier studies recorded
    with pytest.raises(ConfigError, match=r"another protocol.*settings\.protocol"):
        open_study("s", storage, blind, SPACE)
    with pytest.raises(ConfigError, match="blind"):
        ObjectiveSettings(protocol="sighted")
