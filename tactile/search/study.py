"""Create or resume a study, run trials, export the best design as a training recipe.

A study carries its protocol in a user attribute (``tactile_search``: objective settings and the
search space), so a resumed study or a second worker cannot silently change the rules half-way;
a mismatch raises :class:`~tactile.errors.ConfigError`. ``n_trials`` is the study's target
(finished trials, complete or pruned, over all workers), so a rerun of an interrupted command
carries on where it stopped and two workers with the same target share the work.

Seeding: the sampler's seed is ``seed + number of trials already in the study``, so a resumed
single-worker study neither repeats the draws it already made nor depends on when it was
interrupted; with several workers the order of trials (and so the result) depends on timing.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError, TactileError
from tactile.estimators.neural.recipe import TrainingRecipe
from tactile.search.evolution import make_sampler
from tactile.search.objective import ObjectiveSettings, SearchObjective
from tactile.search.space import SCHEDULE_KEYS, SearchSpace, suggest_recipe

PROTOCOL_ATTR = "tactile_search"
#: ObjectiveSettings fields added after studies existed, with the value those studies used
#: (scored given, cross-validated): left out of the recorded protocol at that value
_LATER_SETTINGS: dict[str, Any] = {"protocol": "given", "valid": ()}


def _protocol(settings: ObjectiveSettings, space: SearchSpace) -> dict[str, Any]:
    # schedule settings the space does not search are left out, so a study made before the
    # schedule could be searched resumes with the same protocol
    space_d = {k: v for k, v in asdict(space).items() if not (k in SCHEDULE_KEYS and not v)}
    # likewise settings added later, at the value every earlier study used
    settings_d = {
        k: v for k, v in asdict(settings).items() if _LATER_SETTINGS.get(k, object()) != v
    }
    return json.loads(json.dumps({"settings": settings_d, "space": space_d}))


def open_study(
    study_name: str,
    storage: Any,
    settings: ObjectiveSettings,
    space: SearchSpace,
    *,
    sampler: str = "tpe",
    seed: int = 0,
    pruner: bool = True,
) -> Any:
    """Create the study or load it (checking it was made with the same protocol)."""
    import optuna

    directions: list[Any] = ["minimize"] * len(settings.objectives)
    probe = optuna.create_study(
        study_name=study_name, storage=storage, directions=directions, load_if_exists=True
    )
    n_existing = len(probe.trials)
    want = _protocol(settings, space)
    have = probe.user_attrs.get(PROTOCOL_ATTR)
    if have is None:
        probe.set_user_attr(PROTOCOL_ATTR, want)
    elif have != want:
        diff = sorted(
            f"{part}.{k}"
            for part in ("settings", "space")
            for k in set(want[part]) | set(have.get(part, {}))
            if want[part].get(k) != have.get(part, {}).get(k)
        )
        raise ConfigError(
            f"study {study_name!r} was created with another protocol (differs in {diff})",
            hint="resume with the same settings, or give a new --study name and its own --out",
        )
    if [d.name.lower() for d in probe.directions] != directions:
        raise ConfigError(
            f"study {study_name!r} has {len(probe.directions)} objective(s), not {len(directions)}",
            hint="use the same --objectives, or a new --study name and its own --out",
        )
    use_pruner = pruner and not settings.multi
    return optuna.load_study(
        study_name=study_name,
        storage=storage if storage is not None else probe._storage,
        sampler=make_sampler(sampler, seed=seed + n_existing, multi=settings.multi),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
        if use_pruner
        else optuna.pruners.NopPruner(),
    )


def finished(study: Any) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))


def optimize(
    study: Any,
    objective: Callable[[Any], Any],
    n_trials: int,
    *,
    timeout_s: float | None = None,
    progress: bool = True,
) -> int:
    """Run trials until the study holds ``n_trials`` finished ones (all workers together).
    Returns how many this call ran."""
    import optuna
    from optuna.trial import TrialState
    from tqdm import tqdm

    done = finished(study)
    if done >= n_trials:
        return 0
    bar = tqdm(total=n_trials, initial=done, desc="search", unit="trial", disable=not progress)
    ran = 0

    def on_trial(study: Any, trial: Any) -> None:
        nonlocal ran
        ran += 1
        bar.n = min(finished(study), n_trials)
        if not study._is_multi_objective():
            with contextlib.suppress(ValueError):
                bar.set_postfix(best=f"{study.best_value:.3f}", last=trial.state.name.lower())
        bar.refresh()

    stop = optuna.study.MaxTrialsCallback(n_trials, states=(TrialState.COMPLETE, TrialState.PRUNED))
    try:
        study.optimize(
            objective,
            n_trials=n_trials - done,
            timeout=timeout_s,
            callbacks=[stop, on_trial],
            catch=(TactileError,),
            gc_after_trial=True,
        )
    finally:
        bar.close()
    return ran


def recipe_of(
    trial: Any, space: SearchSpace, settings: ObjectiveSettings, study: str
) -> TrainingRecipe:
    """The training recipe of a finished trial, replayed through the space with FixedTrial."""
    from optuna.trial import FixedTrial

    base = suggest_recipe(FixedTrial(trial.params), space, name=f"{study}-trial{trial.number}")
    train = settings.train_settings(base.train)
    values = list(trial.values) if trial.values is not None else []
    provenance = {
        "study": study,
        "trial": trial.number,
        "values": dict(zip(settings.objectives, values, strict=False)),
        "user_attrs": {k: v for k, v in trial.user_attrs.items() if k != "fold_mae"},
        "protocol": {"folds": settings.folds, "val_fraction": settings.val_fraction},
        "reproduce": f"tactile train DATA --config best.json --folds {settings.folds} "
        f"--val-fraction {settings.val_fraction}",
    }
    if settings.protocol != "given":  # held-out folds scored blind: train's CV scores them given
        provenance["protocol"]["held_out"] = settings.protocol
    if settings.valid:  # scored on validation files, not by the CV that train --folds runs
        provenance["protocol"]["valid"] = list(settings.valid)
        provenance["reproduce"] = (
            f"tactile train DATA --config best.json --val-fraction {settings.val_fraction} "
            f"--seed {settings.seed}, the network scored per object on the validation files"
            + (" without shape or radius" if settings.protocol == "blind" else "")
        )
    return TrainingRecipe(base.network, train, settings.analytical or "none", provenance)


def best_trials(study: Any) -> list[Any]:
    """Single objective: the best trial. Multi: the Pareto front, by ascending log10 MAE."""
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise ConfigError(
            f"study {study.study_name!r} has no completed trial yet",
            hint="run more trials (a pruned or failed trial has no design to export)",
        )
    if study._is_multi_objective():
        return sorted(study.best_trials, key=lambda t: t.values[0])
    return [study.best_trial]


@dataclass
class SearchResult:
    study_name: str
    n_trials: int
    best: TrainingRecipe
    best_values: dict[str, float]
    pareto: list[TrainingRecipe]


def export_best(
    study: Any, space: SearchSpace, settings: ObjectiveSettings, out_dir: str | Path | None
) -> SearchResult:
    """The best recipe (and the Pareto front's, in multi-objective mode); with ``out_dir``,
    written as ``best.json`` (and ``pareto.json``)."""
    front = [recipe_of(t, space, settings, study.study_name) for t in best_trials(study)]
    best = front[0]
    if out_dir is not None:
        out = Path(out_dir)
        best.save(out / "best.json")
        if settings.multi:
            (out / "pareto.json").write_text(
                json.dumps([r.to_dict() for r in front], indent=2, sort_keys=True) + "\n"
            )
    values = {k: float(v) for k, v in best.provenance["values"].items() if math.isfinite(v)}
    return SearchResult(study.study_name, finished(study), best, values, front)


def run_study(
    objective: SearchObjective,
    *,
    study_name: str,
    storage: Any,
    n_trials: int,
    sampler: str = "tpe",
    seed: int = 0,
    pruner: bool = True,
    out_dir: str | Path | None = None,
    timeout_s: float | None = None,
    progress: bool = True,
) -> SearchResult:
    """Open (or resume) the study, run it to ``n_trials``, export the best design."""
    if n_trials < 1:
        raise ConfigError(f"n_trials={n_trials} must be >= 1", hint="e.g. --trials 30")
    study = open_study(
        study_name,
        storage,
        objective.settings,
        objective.space,
        sampler=sampler,
        seed=seed,
        pruner=pruner,
    )
    optimize(study, objective, n_trials, timeout_s=timeout_s, progress=progress)
    return export_best(study, objective.space, objective.settings, out_dir)
