"""``tactile search``: one architecture search, from the data to the exported recipe.

:func:`run_search` opens (or resumes) the study in its storage, runs trials until it holds the
number asked for (here, or as Ray tasks), exports the best design as a training recipe
(``OUT/best.json``, and ``OUT/pareto.json`` for several objectives), draws the plots and returns
the summary ``tactile search`` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError
from tactile.search.objective import ObjectiveSettings
from tactile.search.space import SearchSpace


def check_out_study(out: Path, study_name: str) -> None:
    """Refuse an ``out`` whose ``best.json`` is the recipe of another study: exporting this
    study's best there would replace it (and its plots) with no word, however their scores
    compare (newuser42). A ``best.json`` that names no study, or this one, is this search's."""
    import json

    best = out / "best.json"
    if not best.is_file():
        return
    try:
        provenance = json.loads(best.read_text()).get("provenance") or {}
        owner = provenance.get("study") if isinstance(provenance, dict) else None
    except (OSError, ValueError, AttributeError):
        owner = None
    if isinstance(owner, str) and owner != study_name:
        raise ConfigError(
            f"{best} is the best recipe of study {owner!r}; this search (--study {study_name}) "
            "would replace it and the plots beside it",
            hint=f"give study {study_name!r} its own --out folder (e.g. --out runs/{study_name}), "
            f"or pass --study {owner} to continue that study",
        )


def run_search(
    data: Sequence[str | Path],
    out: str | Path,
    settings: ObjectiveSettings,
    *,
    space: SearchSpace | None = None,
    trials: int = 30,
    study_name: str = "tactile-search",
    storage: str | None = None,
    sampler: str = "tpe",
    sampler_seed: int | None = None,
    prune: bool = True,
    timeout_s: float | None = None,
    ray: str | None = None,
    workers: int = 2,
    cache_dir: str | Path | None = None,
    plots: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Search the tower design on the simulated grasp files ``data``; results go to ``out``.

    Every trial is scored with ``settings`` (folds, epochs, seed, objectives, the analytical
    tower) over ``space`` (default :class:`SearchSpace`). The study is stored at the Optuna
    URL ``storage`` (default: the journal file ``OUT/study.log``) under ``study_name`` and
    resumes there; ``trials`` is the number of finished trials it should hold, run here
    (``timeout_s`` stops early) or as Ray tasks at ``ray`` (``local``, ``auto``,
    ``ray://host:10001``) with ``workers`` in flight. ``sampler``: tpe, random, nsga2 or
    evolution, seeded with ``sampler_seed`` (default: the protocol's seed); ``prune``: median
    pruning. Returns the study summary, the best values, trial and recipe path, and the plots
    written (none without ``plots``).
    """
    import optuna

    from tactile.search.objective import DatasetCache, SearchObjective
    from tactile.search.report import study_summary, write_plots
    from tactile.search.storage import describe, storage_from_url
    from tactile.search.study import export_best, open_study, optimize

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the progress bar says it
    if trials < 1:
        raise ConfigError(f"--trials {trials} must be >= 1", hint="e.g. --trials 30")
    if ray is not None and workers < 1:
        raise ConfigError(f"--workers {workers} must be >= 1", hint="e.g. --workers 2")
    space = space if space is not None else SearchSpace()
    check_out_study(Path(out), study_name)  # before any trial runs (newuser42)
    # settings every trial would fail on are refused here, before a study exists
    cache = DatasetCache(data, analytical=settings.analytical, cache_dir=cache_dir)
    objective = SearchObjective(cache, settings, space)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    url = storage if storage is not None else str((out / "study.log").resolve())
    store = storage_from_url(url)
    study = open_study(
        study_name,
        store,
        settings,
        space,
        sampler=sampler,
        seed=settings.seed if sampler_seed is None else sampler_seed,
        pruner=prune,
    )
    if ray is not None:
        from tactile.search.ray_backend import optimize_on_ray

        optimize_on_ray(study, objective, trials, address=ray, workers=workers, progress=progress)
    else:
        optimize(study, objective, trials, timeout_s=timeout_s, progress=progress)
    result = export_best(study, space, settings, out)
    written = write_plots(study, settings, out) if plots else []
    return {
        **study_summary(study, settings),
        "storage": describe(url),
        "best": result.best_values,
        "best_trial": result.best.provenance["trial"],
        "best_user_attrs": result.best.provenance["user_attrs"],
        "best_json": str(out / "best.json"),
        "pareto_size": len(result.pareto) if settings.multi else None,
        "plots": [str(p) for p in written],
    }
