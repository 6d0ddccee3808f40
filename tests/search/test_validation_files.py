"""`tactile search --valid`: each trial trains once on all of the search data and is scored on
simulated grasps of other objects, instead of by cross-validation on the training objects."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from search_helpers import SIM_SETTINGS as SETTINGS
from search_helpers import SIM_SPACE as SPACE
from search_helpers import geometry_recipe

from tactile.cli.main import main
from tactile.errors import ConfigError
from tactile.estimators.neural.recipe import load_recipe
from tactile.io import GraspWriter
from tactile.search.objective import (
    DatasetCache,
    ObjectiveSettings,
    SearchObjective,
    cross_validate_design,
    validate_design,
)
from tactile.search.storage import storage_from_url
from tactile.search.study import open_study
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 other simulated objects x 1 grasp (a sphere, a cylinder, a sphere)."""
    path = tmp_path_factory.mktemp("valid") / "valid.h5"
    with GraspWriter(path, overwrite=True) as writer:
        for i, modulus_pa in enumerate((4e4, 1e6, 8e8)):
            shape = "sphere" if i != 1 else "cylinder"
            obj = SimObject(
                shape=shape, radius_mm=15.0 + 3 * i, modulus_pa=modulus_pa, name=f"v{i}"
            )
            writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=900 + i))
    return path


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("valid-cache")


def test_a_trial_is_scored_on_the_validation_objects(
    sim_file: Path, valid_file: Path, cache_dir: Path
) -> None:
    recipe = geometry_recipe()
    data = DatasetCache([sim_file], cache_dir=cache_dir).get(recipe.network)
    valid = DatasetCache([valid_file], cache_dir=cache_dir)
    score = validate_design(data, valid.get(recipe.network), recipe, SETTINGS)
    assert np.isfinite(score.log10_mae) and score.fold_mae == [score.log10_mae]
    assert score.log10_mae != pytest.approx(
        cross_validate_design(data, recipe, SETTINGS).log10_mae, abs=1e-9
    )
    blind = validate_design(data, valid.get(recipe.network, blind=True), recipe, SETTINGS)
    assert blind.log10_mae != pytest.approx(score.log10_mae, abs=1e-9)
    # the objective does the same with settings.valid (blind with --protocol blind)
    settings = replace(SETTINGS, valid=(str(valid_file),), protocol="blind")
    objective = SearchObjective(DatasetCache([sim_file], cache_dir=cache_dir), settings, SPACE)
    assert objective.valid is not None
    again = validate_design(data, objective.valid.get(recipe.network, blind=True), recipe, settings)
    assert again.log10_mae == blind.log10_mae
    # the search data are not a validation set of themselves
    with pytest.raises(ConfigError, match="also in the search data"):
        validate_design(data, data, recipe, SETTINGS)


def test_the_protocol_records_the_validation_files(tmp_path: Path, valid_file: Path) -> None:
    storage = storage_from_url(tmp_path / "study.log")
    open_study("cv", storage, SETTINGS, SPACE)  # no files: the protocol earlier studies recorded
    open_study("cv", storage, SETTINGS, SPACE)
    with pytest.raises(ConfigError, match=r"another protocol.*settings\.valid"):
        open_study("cv", storage, replace(SETTINGS, valid=(str(valid_file),)), SPACE)
    # relative and absolute names of the same file are the same protocol
    assert ObjectiveSettings(valid=(str(valid_file),)).valid == (str(valid_file.resolve()),)


def test_search_with_validation_files_end_to_end(
    sim_file: Path, valid_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    args = ["search", str(sim_file), "--out", str(out), "--trials", "2", "--epochs", "2"]
    args += ["--patience", "2", "--k-frames", "4", "--threads", "1", "--towers", "width,geometry"]
    args += ["--valid", str(valid_file), "--protocol", "blind", "--no-plots", "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["trials"]["complete"] == 2  # nothing pruned: one training per trial
    recipe = load_recipe(out / "best.json")
    assert recipe.provenance["protocol"]["valid"] == [str(valid_file.resolve())]
    assert recipe.provenance["protocol"]["held_out"] == "blind"
    # how the score was made: one training on all of DATA, not train's --folds CV
    assert "--folds" not in recipe.provenance["reproduce"]
    assert "validation files without shape" in recipe.provenance["reproduce"]
    # a real (non-simulated) validation file is refused like real search data
    from search_helpers import _mod

    grasp, _ = _mod.disk_grasp()
    real = tmp_path / "real.h5"
    with GraspWriter(real, overwrite=True) as writer:
        writer.append(grasp)
    bad = [a if a != str(valid_file) else str(real) for a in args]
    bad[bad.index(str(out))] = str(tmp_path / "run2")
    assert main(bad) == 2
    assert "simulated grasps only" in capsys.readouterr().err
