"""The training schedule in the search space: searched only where choices are listed, replayed
by FixedTrial, carried by the exported recipe into `tactile train --config`, and old studies
resume unchanged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from optuna.trial import FixedTrial
from search_helpers import TINY_SETTINGS, TINY_SPACE, tiny_data
from test_space import DESIGN

from tactile.errors import ConfigError
from tactile.estimators.neural.recipe import TrainingRecipe, load_recipe, train_config
from tactile.search.objective import DatasetCache, SearchObjective, cross_validate_design
from tactile.search.space import SearchSpace, suggest_recipe, suggest_train
from tactile.search.storage import storage_from_url
from tactile.search.study import open_study, run_study

SCHEDULE = replace(TINY_SPACE, epochs=(1, 2), batch_size=(8, 16), augment=(True, False))


def test_the_default_space_asks_no_schedule() -> None:
    class Recorder:
        def __init__(self) -> None:
            self.names: list[str] = []

        def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float:
            self.names.append(name)
            return low

        def suggest_categorical(self, name: str, choices: list[object]) -> object:
            self.names.append(name)
            return choices[0]

        def suggest_int(self, name: str, low: int, high: int, *, log: bool = False) -> int:
            self.names.append(name)
            return low

    rec = Recorder()
    assert set(suggest_train(rec)) == {"lr", "weight_decay"}
    assert rec.names == ["lr", "weight_decay"]
    rec = Recorder()
    train = suggest_train(rec, SCHEDULE)
    assert rec.names == ["lr", "weight_decay", "epochs", "batch_size", "augment"]
    assert train["epochs"] == 1 and train["batch_size"] == 8 and train["augment"] is True


def test_fixed_trial_replays_the_schedule() -> None:
    params = {**DESIGN, "k_frames": 4, "epochs": 2, "batch_size": 16, "augment": False}
    space = replace(SCHEDULE, image_size=32, max_params=200_000)
    recipe = suggest_recipe(FixedTrial(params), space)
    assert recipe.train == {
        "lr": 3e-3,
        "weight_decay": 1e-5,
        "epochs": 2,
        "batch_size": 16,
        "augment": False,
    }
    # without schedule choices the same params train with the protocol's schedule
    assert set(
        suggest_recipe(
            FixedTrial(params), replace(space, epochs=(), batch_size=(), augment=())
        ).train
    ) == {"lr", "weight_decay"}


@pytest.mark.parametrize(
    ("field", "bad"),
    [("epochs", (0, 30)), ("batch_size", (True,)), ("augment", (1, 0))],
)
def test_bad_schedule_choices_are_refused(field: str, bad: tuple[object, ...]) -> None:
    with pytest.raises(ConfigError, match=field):
        SearchSpace(**{field: bad})  # type: ignore[arg-type]


def test_recipe_augment_reaches_the_training_config(tmp_path: Path) -> None:
    net = suggest_recipe(FixedTrial({**DESIGN, "k_frames": 4})).network
    recipe = TrainingRecipe(net, {"lr": 1e-3, "epochs": 3, "augment": False})
    path = recipe.save(tmp_path / "best.json")
    loaded = load_recipe(path)
    assert loaded.train["augment"] is False
    cfg = train_config(loaded, {"epochs": None, "seed": 4})
    assert cfg.augment.enabled is False and cfg.epochs == 3 and cfg.seed == 4
    # the command line's --no-augment wins; a recipe without the key trains with augmentation
    assert (
        train_config(TrainingRecipe(net, {"augment": True}), augment=False).augment.enabled is False
    )
    assert train_config(TrainingRecipe(net, {})).augment.enabled is True
    with pytest.raises(ConfigError, match="augment"):
        TrainingRecipe(net, {"augment": "no"})


def test_a_trial_trains_with_its_own_schedule() -> None:
    """Each trial's searched epochs win over the protocol's: a 1-epoch and a 2-epoch trial of
    the same design score differently, and the 2-epoch one equals the protocol's 2 epochs."""
    data = tiny_data()
    net = suggest_recipe(
        FixedTrial({**DESIGN, "k_frames": 4}), replace(TINY_SPACE, image_size=16, max_params=10**6)
    ).network
    settings = replace(TINY_SETTINGS, epochs=2)
    one = cross_validate_design(data, TrainingRecipe(net, {"epochs": 1}), settings)
    two = cross_validate_design(data, TrainingRecipe(net, {"epochs": 2}), settings)
    protocol = cross_validate_design(data, TrainingRecipe(net, {}), settings)
    assert two.log10_mae == pytest.approx(protocol.log10_mae, abs=1e-12)
    assert one.log10_mae != pytest.approx(two.log10_mae, abs=1e-9)


def test_a_schedule_search_exports_its_schedule_and_old_studies_resume(tmp_path: Path) -> None:
    storage = storage_from_url(tmp_path / "study.log")
    objective = SearchObjective(DatasetCache.of(tiny_data()), TINY_SETTINGS, SCHEDULE)
    result = run_study(
        objective, study_name="s", storage=storage, n_trials=3, seed=0, out_dir=tmp_path,
        progress=False,
    )  # fmt: skip
    assert result.n_trials == 3
    recipe = load_recipe(tmp_path / "best.json")
    assert recipe.train["epochs"] in (1, 2) and recipe.train["batch_size"] in (8, 16)
    assert isinstance(recipe.train["augment"], bool)
    # a study made without schedule choices has the same stored protocol as before they
    # existed, so it resumes; switching the schedule search on is another protocol
    open_study("plain", storage, TINY_SETTINGS, TINY_SPACE)
    open_study("plain", storage, TINY_SETTINGS, TINY_SPACE)
    with pytest.raises(ConfigError, match=r"another protocol.*space\.epochs"):
        open_study("plain", storage, TINY_SETTINGS, SCHEDULE)
