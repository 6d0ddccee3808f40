"""Synthetic dataset plans: the per-grasp settings and the bounded-ahead parallel run."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from typing import Any

import pytest
from sim_helpers import SMALL_CAL

from tactile.errors import ConfigError
from tactile.sim import SimGraspConfig, dataset


def test_plan_mixes_presets_per_grasp_and_checks_its_counts() -> None:
    configs = [SimGraspConfig.clean(calibration=SMALL_CAL), SimGraspConfig(calibration=SMALL_CAL)]
    plan = dataset.plan_dataset(n_objects=2, grasps_per_object=3, seed=4, config=configs)
    assert len(plan.objects) == 2 and len(plan.jobs) == 6
    presets = [job[1].preset for job in plan.jobs]
    assert presets == ["clean", "ideal", "clean", "ideal", "clean", "ideal"]
    assert plan.settings(workers=1)["presets"] == ["clean", "ideal"]
    with pytest.raises(ConfigError, match="at least one"):
        dataset.plan_dataset(n_objects=0, grasps_per_object=1)
    with pytest.raises(ConfigError, match="workers"):
        dataset.simulate_plan(plan, workers=0)


def _square(i: int) -> int:
    return i * i


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="patches the job function in the parent; only forked workers inherit it",
)
def test_parallel_workers_stay_a_bounded_window_ahead_of_the_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow writer must not make finished grasps pile up in memory (back-pressure): however
    fast the workers, no more jobs are queued than the window while the writer holds one."""
    submitted: list[Any] = []
    real = multiprocessing.pool.Pool.apply_async

    def counting(self: multiprocessing.pool.Pool, func: Any, args: Any = (), *a: Any) -> Any:
        submitted.append(args)
        return real(self, func, args, *a)

    monkeypatch.setattr(multiprocessing.pool.Pool, "apply_async", counting)
    monkeypatch.setattr(dataset, "_job", _square)  # forked workers inherit it
    results = dataset._run(list(range(20)), workers=2)
    assert next(results) == 0
    assert len(submitted) == dataset.AHEAD_PER_WORKER * 2  # none queued past the window
    assert next(results) == 1
    assert len(submitted) == dataset.AHEAD_PER_WORKER * 2 + 1  # one more per one written
    assert list(results) == [i * i for i in range(2, 20)]  # all of them, in job order
