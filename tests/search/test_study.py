"""A tiny search completes, resumes where it stopped, exports a recipe; storage by URL."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from search_helpers import TINY_SETTINGS, TINY_SPACE, tiny_objective

from tactile.errors import ConfigError
from tactile.estimators.neural.recipe import load_recipe
from tactile.search.evolution import RegularizedEvolutionSampler, make_sampler
from tactile.search.storage import describe, storage_from_url
from tactile.search.study import export_best, open_study, optimize, run_study


def test_tiny_search_completes_resumes_and_exports(tmp_path: Path) -> None:
    url = str(tmp_path / "study.log")
    objective = tiny_objective()
    first = run_study(
        objective,
        study_name="s",
        storage=storage_from_url(url),
        n_trials=3,
        seed=1,
        out_dir=tmp_path,
        progress=False,
    )
    assert first.n_trials == 3
    # a fresh process would reopen the journal file: resume to 5 trials
    again = run_study(
        objective,
        study_name="s",
        storage=storage_from_url(url),
        n_trials=5,
        seed=1,
        out_dir=tmp_path,
        progress=False,
    )
    assert again.n_trials == 5
    study = optuna.load_study(study_name="s", storage=storage_from_url(url))
    assert len(study.trials) == 5
    params = [json.dumps(t.params, sort_keys=True) for t in study.trials]
    assert len(set(params)) == 5  # the resumed sampler did not replay the first draws
    # already at its target: a rerun runs nothing
    assert optimize(study, objective, 5, progress=False) == 0
    recipe = load_recipe(tmp_path / "best.json")
    best = min((t for t in study.trials if t.state == TrialState.COMPLETE), key=lambda t: t.value)
    assert recipe.provenance["trial"] == best.number
    assert recipe.train["lr"] == best.params["lr"] and recipe.train["epochs"] == 2
    assert recipe.network.k_frames == 4


def test_resuming_with_another_protocol_is_refused(tmp_path: Path) -> None:
    storage = storage_from_url(tmp_path / "study.log")
    open_study("s", storage, TINY_SETTINGS, TINY_SPACE)
    from dataclasses import replace

    with pytest.raises(ConfigError, match=r"another protocol.*settings\.epochs"):
        open_study("s", storage, replace(TINY_SETTINGS, epochs=9), TINY_SPACE)


def test_multi_objective_search_gives_a_pareto_front(tmp_path: Path) -> None:
    objective = tiny_objective(objectives=("log10_mae", "params"))
    study = open_study("m", None, objective.settings, objective.space, sampler="nsga2")
    optimize(study, objective, 4, progress=False)
    result = export_best(study, objective.space, objective.settings, tmp_path)
    front = json.loads((tmp_path / "pareto.json").read_text())
    assert len(front) == len(result.pareto) >= 1
    maes = [r["provenance"]["values"]["log10_mae"] for r in front]
    assert maes == sorted(maes)
    for t in study.trials:
        if t.state == TrialState.COMPLETE:
            assert t.values[1] == t.user_attrs["params"]


def test_infeasible_designs_are_pruned_with_their_reason() -> None:
    objective = tiny_objective()
    trial = optuna.trial.FixedTrial(
        {
            "k_frames": 4,
            **{f"{t}_on": False for t in ("image", "force", "width", "analytical", "geometry")},
        }
    )
    with pytest.raises(optuna.TrialPruned, match="every tower is off"):
        objective(trial)
    assert trial.user_attrs["infeasible"] == "every tower is off"


def test_storage_urls() -> None:
    assert storage_from_url(None) is None and storage_from_url("memory") is None
    with pytest.raises(ConfigError, match="unknown storage URL"):
        storage_from_url("redis://localhost")
    with pytest.raises(ConfigError, match="absolute path"):
        storage_from_url("journal://relative.log")
    assert describe("postgresql://bob:secret@db:5432/x") == "postgresql://bob:***@db:5432/x"


def test_regularized_evolution_mutates_one_choice_of_a_good_parent() -> None:
    choices = {f"x{i}": list(range(4)) for i in range(5)}

    def objective(trial: optuna.Trial) -> float:
        return float(sum(trial.suggest_categorical(k, v) for k, v in choices.items()))

    sampler = RegularizedEvolutionSampler(population_size=8, sample_size=3, seed=0)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=60)
    trials = study.trials
    # after the random phase, each child differs from its parent in exactly one choice
    for child in trials[8:]:
        diffs = [
            sum(child.params[k] != p.params[k] for k in choices) for p in trials[: child.number]
        ]
        assert 1 in diffs
    assert study.best_value < min(t.value for t in trials[:8])
    with pytest.raises(ConfigError):
        make_sampler("evolution", seed=0, multi=True)
    with pytest.raises(ConfigError, match="unknown sampler"):
        make_sampler("annealing", seed=0, multi=False)
