"""The same objective as Ray tasks, and `tactile simulate --ray`, on a local Ray instance."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from search_helpers import tiny_objective

from tactile.io import GraspReader

# in CI a missing Ray is an error, not a skip (the same rule as tests/search/conftest.py; not
# imported from there: another directory's conftest may be first on the path)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
if not IN_CI:
    pytest.importorskip("ray", reason='Ray is not installed (pip install "tactile[ray]")')


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    from tactile.ray_support import init_ray

    ray = init_ray("local", num_cpus=2)
    yield
    ray.shutdown()


def test_search_trials_run_as_ray_tasks(ray_local: None, tmp_path: Path) -> None:
    from optuna.trial import TrialState

    from tactile.search.ray_backend import optimize_on_ray
    from tactile.search.storage import storage_from_url
    from tactile.search.study import export_best, open_study

    objective = tiny_objective()
    storage = storage_from_url(tmp_path / "study.log")
    study = open_study("r", storage, objective.settings, objective.space, seed=3)
    ran = optimize_on_ray(study, objective, 4, address="local", workers=2, progress=False)
    assert ran == 4
    states = [t.state for t in study.trials]
    assert states.count(TrialState.COMPLETE) + states.count(TrialState.PRUNED) == 4
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert complete and all(np.isfinite(t.value) for t in complete)
    assert all("worker" in t.user_attrs for t in complete)  # run in Ray worker processes
    result = export_best(study, objective.space, objective.settings, tmp_path)
    assert (tmp_path / "best.json").is_file() and result.n_trials == 4


def test_simulate_fans_grasps_out_over_ray(ray_local: None, tmp_path: Path) -> None:
    from tactile.ray_support import ray_pool
    from tactile.recording.synthetic import generate_dataset
    from tactile.sim import SimGraspConfig

    config = SimGraspConfig(size_hw=(60, 80))
    local = generate_dataset(
        tmp_path / "local.h5", n_objects=2, grasps_per_object=1, seed=4, workers=1, config=config
    )
    pool = ray_pool("local", 2)
    try:
        remote = generate_dataset(
            tmp_path / "ray.h5",
            n_objects=2,
            grasps_per_object=1,
            seed=4,
            workers=2,
            config=config,
            pool=pool,
        )
    finally:
        pool.terminate()
    assert remote.grasp_ids == local.grasp_ids
    a, b = GraspReader(local.path), GraspReader(remote.path)
    for gid in local.grasp_ids:
        np.testing.assert_array_equal(a.read_signals(gid).force_n, b.read_signals(gid).force_n)
