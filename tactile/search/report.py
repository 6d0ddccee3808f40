"""Plots of a study (optimisation history, Pareto front, parameter importances) and a summary.

Importances use Optuna's PED-ANOVA evaluator (no scikit-learn needed); they say which choices
moved the held-out error *within this study's trials*, not a general truth about the network.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from tactile.search.objective import ObjectiveSettings


def write_plots(study: Any, settings: ObjectiveSettings, out_dir: str | Path) -> list[Path]:
    """PNG plots into ``out_dir``; returns the files written (plots that cannot be drawn, e.g.
    importances with fewer than two complete trials, are skipped)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna
    from optuna.visualization import matplotlib as ovm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(settings.objectives)
    first = (lambda t: t.values[0]) if settings.multi else None
    jobs: list[tuple[str, Any]] = [
        (
            "history.png",
            lambda: ovm.plot_optimization_history(study, target=first, target_name=names[0]),
        ),
        (
            "importances.png",
            lambda: ovm.plot_param_importances(
                study,
                evaluator=optuna.importance.PedAnovaImportanceEvaluator(),
                target=first,
                target_name=names[0],
            ),
        ),
    ]
    if settings.multi:
        jobs.append(("pareto.png", lambda: ovm.plot_pareto_front(study, target_names=names)))
    written = []
    for name, draw in jobs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's "experimental" notices
            try:
                ax = draw()
            except (ValueError, RuntimeError, ZeroDivisionError):
                continue
        fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(out / name)
    return written


def study_summary(study: Any, settings: ObjectiveSettings) -> dict[str, Any]:
    """Counts by state, the best value(s), and the random-phase vs later average (a quick look;
    the honest comparison is the random-sampler baseline under the same protocol)."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    maes = [t.values[0] for t in complete if math.isfinite(t.values[0])]
    summary: dict[str, Any] = {"study": study.study_name, "trials": counts}
    if maes:
        summary["best_log10_mae"] = min(maes)
        summary["mean_log10_mae"] = sum(maes) / len(maes)
        constants = [t.user_attrs.get("constant_mae") for t in complete]
        constants = [c for c in constants if isinstance(c, float)]
        if constants:
            summary["constant_log10_mae"] = constants[0]
    return summary
