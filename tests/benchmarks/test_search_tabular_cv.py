"""benchmarks/bench_search_tabular.py cv: the CV folds never hold a test object, and the picks
follow the CV score (the best at the default's latency too); cv-fresh: its evaluation sets and
paired differences."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_search_tabular import (
    _cv_folds,
    _cv_seeds_done,
    cv_picks,
    cv_score,
    fresh_sets,
    paired_difference,
)

from tactile.search.tabular import Split


def test_cv_folds_cover_train_and_valid_objects_and_never_a_test_object() -> None:
    objects = np.repeat([f"o{i}" for i in range(50)], 2)  # 50 objects, 2 grasps each
    labels = np.repeat(np.linspace(4, 11, 50), 2)
    data = SimpleNamespace(object_ids=objects, log10_modulus=labels)
    idx = np.arange(100)
    split = Split(train=idx[:60], valid=idx[60:80], test=idx[80:])
    folds = _cv_folds(data, split, 5)
    held = np.concatenate([h for _, h in folds])
    assert sorted(held) == list(range(80))  # every train + valid grasp held out exactly once
    for train, h in folds:
        assert not set(objects[train]) & set(objects[h])  # objects never straddle
        assert not set(train) & set(split.test) and len(train) + len(h) == 80


def test_picks_follow_the_cv_score_and_the_latency_bound() -> None:
    def row(scores: list[float], latency: float) -> dict:
        cv = {str(s): {"log10_mae": v} for s, v in enumerate(scores)}
        return {"cv": cv, "latency_ms": latency}

    rows = {"default": row([1.0, 1.0], 0.4), "fast": row([0.95, 0.99], 0.3)}
    rows["slow"] = row([0.8, 1.2], 2.0)
    rows["partial"] = {"cv": {"0": {"log10_mae": 0.5}}, "latency_ms": 0.1}
    assert _cv_seeds_done(rows) == 1
    del rows["partial"]
    assert _cv_seeds_done(rows) == 2 and cv_score(rows["fast"], 2) == 0.97
    assert cv_picks(rows, 1, "default") == {
        "cv_best": "slow",
        "cv_best_at_default_latency": "fast",
    }
    assert cv_picks(rows, 2, "default")["cv_best"] == "fast"  # 0.97 < 1.0 = slow's mean


def test_fresh_sets_split_files_and_take_the_first_grasp_of_multi_grasp_files() -> None:
    ids = np.array(["a/o1", "a/o2", "b/o1", "b/o1", "b/o2", "b/o2"])
    sets = fresh_sets(ids)
    assert list(sets) == ["all", "a", "b", "b, first grasp"]
    assert list(sets["all"]) == list(range(6)) and list(sets["a"]) == [0, 1]
    assert list(sets["b, first grasp"]) == [2, 4]
    assert list(fresh_sets(ids[:2])) == ["all"]  # one 1-grasp file: nothing else


def test_paired_difference_counts_seeds_and_objects() -> None:
    base = np.ones((4, 5))
    err = base - np.array([[0.1], [0.2], [-0.1], [0.2]])  # better in 3 of 4 seeds
    err[:, 0] += 0.2  # one object worse
    r = paired_difference(err, base, 200)
    assert r["seeds_better"] == 3 and (r["objects_better"], r["objects_worse"]) == (4, 1)
    assert np.isclose(r["paired_mean"], np.mean(err) - 1.0)
    assert r["bootstrap_95"][0] <= r["paired_mean"] <= r["bootstrap_95"][1]
