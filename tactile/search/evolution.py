"""Regularised (ageing) evolution as an Optuna sampler (Real et al., "Regularized Evolution for
Image Classifier Architecture Search", AAAI 2019).

The population is the ``population_size`` most recent finished trials (the oldest dies, whatever
its score: the "ageing" that regularises). Each new trial is a child of the best of
``sample_size`` population members drawn at random (tournament selection), with exactly one of
the parent's parameters mutated: redrawn from its distribution, a different value where the
distribution allows. It works with a define-by-run space: parameters the parent never had (a
tower switched on by the mutation) are drawn at random. Until the population is full, trials
are random. Single-objective only.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from tactile.errors import ConfigError


class RegularizedEvolutionSampler(BaseSampler):
    """Ageing evolution with tournament selection and single-parameter mutation."""

    def __init__(
        self, population_size: int = 20, sample_size: int = 5, seed: int | None = None
    ) -> None:
        if population_size < 2 or not 1 <= sample_size <= population_size:
            raise ConfigError(
                f"population_size={population_size}, sample_size={sample_size}: need "
                "population >= 2 and 1 <= sample <= population",
                hint="e.g. population_size=20, sample_size=5",
            )
        self.population_size = population_size
        self.sample_size = sample_size
        self._rng = np.random.default_rng(seed)
        self._random = RandomSampler(seed=seed)
        self._plan: dict[int, tuple[dict[str, Any], str]] = {}
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._random.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if study._is_multi_objective():
            raise ConfigError(
                "regularised evolution is single-objective",
                hint="use nsga2 for a multi-objective search",
            )
        done = [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.value is not None
        ]
        if len(done) < self.population_size:
            return
        population = sorted(done, key=lambda t: t.number)[-self.population_size :]
        picks = self._rng.choice(len(population), self.sample_size, replace=False)
        contenders = [population[i] for i in picks]
        sign = 1.0 if study.direction == StudyDirection.MINIMIZE else -1.0
        parent = min(contenders, key=lambda t: sign * float(t.value or 0.0))
        if not parent.params:
            return
        mutated = str(self._rng.choice(sorted(parent.params)))
        with self._lock:
            self._plan[trial.number] = (dict(parent.params), mutated)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        plan = self._plan.get(trial.number)
        if plan is not None:
            params, mutated = plan
            value = params.get(param_name)
            if (
                param_name in params
                and param_name != mutated
                and param_distribution._contains(param_distribution.to_internal_repr(value))
            ):
                return value
            if param_name == mutated and isinstance(param_distribution, CategoricalDistribution):
                others = [c for c in param_distribution.choices if c != value]
                if others:
                    return others[int(self._rng.integers(len(others)))]
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Any,
    ) -> None:
        with self._lock:
            self._plan.pop(trial.number, None)


def make_sampler(name: str, *, seed: int | None, multi: bool) -> optuna.samplers.BaseSampler:
    """A sampler by name: random, tpe, nsga2, evolution. (CMA-ES is not offered: it models
    continuous parameters only, and this space is mostly categorical, so it would be random
    search on most choices.)"""
    samplers = ("random", "tpe", "nsga2", "evolution")
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=20)
    if name == "evolution":
        if multi:
            raise ConfigError("regularised evolution is single-objective", hint="use nsga2")
        return RegularizedEvolutionSampler(seed=seed)
    raise ConfigError(f"unknown sampler {name!r}", hint=f"use one of {', '.join(samplers)}")
