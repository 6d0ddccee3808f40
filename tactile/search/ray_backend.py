"""The same objective on a Ray cluster: Ray tasks feeding an Optuna study (ask-and-tell).

The driver (``tactile search --ray ADDRESS``) owns the study: it asks Optuna for a trial, lets
the space sample its parameters (cheap, no training; infeasible designs are told ``PRUNED``
at once), and sends the parameters to a Ray task. The task replays them through the same space
with ``optuna.trial.FixedTrial`` and runs the same object-grouped cross-validation; the driver
tells the study the result. At most ``workers`` tasks are in flight; Ray decides where they
run. The study lives in whatever storage the driver opened (a journal file on the driver's
machine is enough), so a Ray search is resumable like any other. Trials are not pruned (a
task's intermediate values do not reach the study while it runs).

Workers read the grasp files by the paths the driver gives, so on a multi-machine cluster the
data must be at the same path on every node (shared or copied), as must the input cache if
one is to be reused.
"""

from __future__ import annotations

from typing import Any

from tactile.errors import ConfigError, TactileError
from tactile.ray_support import init_ray
from tactile.search.objective import SearchObjective
from tactile.search.space import InfeasibleDesignError, suggest_recipe


def evaluate_params(
    objective: SearchObjective, params: dict[str, Any], number: int
) -> dict[str, Any]:
    """Run one design (given by its parameters) in this process: values or the reason it
    failed, and its user attributes."""
    import optuna
    from optuna.trial import FixedTrial

    trial = FixedTrial(params, number)
    try:
        values = objective(trial)
    except optuna.TrialPruned as exc:
        return {"state": "pruned", "reason": str(exc), "user_attrs": trial.user_attrs}
    except TactileError as exc:
        return {"state": "fail", "reason": str(exc), "user_attrs": trial.user_attrs}
    vals = list(values) if isinstance(values, tuple) else [values]
    return {"state": "complete", "values": vals, "user_attrs": trial.user_attrs}


def optimize_on_ray(
    study: Any,
    objective: SearchObjective,
    n_trials: int,
    *,
    address: str = "local",
    workers: int = 2,
    progress: bool = True,
) -> int:
    """Run trials as Ray tasks until the study holds ``n_trials`` finished ones; returns how
    many were run here."""
    from optuna.trial import TrialState
    from tqdm import tqdm

    from tactile.search.study import finished

    if workers < 1:
        raise ConfigError(f"workers={workers}: no trial would run", hint="use e.g. --workers 2")
    ray = init_ray(address, num_cpus=workers if address == "local" else None)
    remote = ray.remote(num_cpus=1)(evaluate_params)
    objective_ref = ray.put(objective)
    done = finished(study)
    bar = tqdm(
        total=n_trials, initial=done, desc="search (ray)", unit="trial", disable=not progress
    )
    pending: dict[Any, Any] = {}
    ran = 0

    def submit() -> None:
        nonlocal ran
        trial = study.ask()
        try:
            suggest_recipe(trial, objective.space, name=f"trial-{trial.number}")
        except InfeasibleDesignError as exc:
            trial.set_user_attr("infeasible", exc.message)
            study.tell(trial, state=TrialState.PRUNED)
            ran += 1
            return
        pending[remote.remote(objective_ref, dict(trial.params), trial.number)] = trial

    try:
        while True:
            while len(pending) < workers and finished(study) + len(pending) < n_trials:
                submit()
            if not pending:
                break
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                trial = pending.pop(ref)
                out = ray.get(ref)
                for key, value in out["user_attrs"].items():
                    trial.set_user_attr(key, value)
                if out["state"] == "complete":
                    study.tell(trial, out["values"])
                else:
                    trial.set_user_attr("reason", out["reason"])
                    state = TrialState.PRUNED if out["state"] == "pruned" else TrialState.FAIL
                    study.tell(trial, state=state)
                ran += 1
                bar.n = min(finished(study), n_trials)
                bar.refresh()
    finally:
        for ref, trial in pending.items():  # interrupted: cancel and record as failed
            ray.cancel(ref)
            study.tell(trial, state=TrialState.FAIL)
        bar.close()
    return ran
