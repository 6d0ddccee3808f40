"""Training reduces the loss, early stopping keeps the best epoch, --resume continues exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import synthetic_dataset

from tactile.errors import ConfigError
from tactile.estimators.neural import train as train_mod
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.data import object_folds, split_objects
from tactile.estimators.neural.evaluate import (
    accuracy_limit_from_records,
    cross_validate,
    fit_lower_bound_z,
    limit_report,
    stiff_limit_from_records,
)
from tactile.estimators.neural.tensors import AugmentConfig
from tactile.estimators.neural.train import TrainConfig, eval_loss, train_model

FAST = TrainConfig(epochs=40, batch_size=16, lr=5e-3, patience=40, num_threads=1)


def test_training_on_a_tiny_dataset_reduces_the_loss(tiny_config: MultiTowerConfig) -> None:
    data = synthetic_dataset(tiny_config, n_objects=24)
    tr, va = split_objects(data.object_ids, data.log10_modulus, 0.25, seed=0)
    result = train_model(data.subset(tr), data.subset(va), tiny_config, FAST, progress=False)
    first, best = result.history[0]["val_loss"], min(h["val_loss"] for h in result.history)
    assert best < first - 0.3
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    # the kept weights are those of the best validation epoch
    kept = eval_loss(result.loaded.model, data.subset(va), result.loaded.normalization, 0.5)
    assert kept == pytest.approx(best, abs=1e-4)
    assert result.val_metrics["log10_mae"] < 1.5
    assert 0.5 <= result.loaded.sigma_scale <= 5.0


def test_early_stopping_stops_after_patience(tiny_config: MultiTowerConfig) -> None:
    data = synthetic_dataset(tiny_config, n_objects=12)
    tr, va = split_objects(data.object_ids, data.log10_modulus, 0.25, seed=1)
    cfg = TrainConfig(epochs=200, batch_size=16, lr=0.0 + 1e-9, patience=3, num_threads=1)
    result = train_model(data.subset(tr), data.subset(va), tiny_config, cfg, progress=False)
    assert len(result.history) <= result.best_epoch + 5
    assert len(result.history) < 200


def test_resume_continues_where_training_stopped(
    tiny_config: MultiTowerConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = synthetic_dataset(tiny_config, n_objects=12)
    tr, va = split_objects(data.object_ids, data.log10_modulus, 0.25, seed=0)
    train, val = data.subset(tr), data.subset(va)
    cfg = TrainConfig(epochs=5, batch_size=16, patience=50, num_threads=1)
    fresh = train_model(train, val, tiny_config, cfg, progress=False)

    real_epoch, calls = train_mod._epoch, []

    def interrupted(*args: object, **kwargs: object) -> float:
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt  # Ctrl-C during the 4th epoch
        return real_epoch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(train_mod, "_epoch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_model(train, val, tiny_config, cfg, out_dir=tmp_path, progress=False)
    monkeypatch.setattr(train_mod, "_epoch", real_epoch)
    assert (tmp_path / "last.pt").is_file() and not (tmp_path / "model.pt").exists()
    resumed = train_model(
        train, val, tiny_config, cfg, out_dir=tmp_path, resume=True, progress=False
    )
    assert [h["epoch"] for h in resumed.history] == [0, 1, 2, 3, 4]
    # same seed and data: the interrupted + resumed run equals the uninterrupted one
    np.testing.assert_allclose(
        [h["train_loss"] for h in resumed.history],
        [h["train_loss"] for h in fresh.history],
        rtol=1e-5,
    )
    assert (tmp_path / "model.pt").is_file()
    other = tiny_config.with_overrides(k_frames=5)
    with pytest.raises(ConfigError, match="another network config"):
        train_model(train, val, other, cfg, out_dir=tmp_path, resume=True, progress=False)


def test_object_folds_never_split_an_object_and_cover_everything() -> None:
    objects = np.repeat([f"o{i}" for i in range(10)], 3)
    labels = np.repeat(np.linspace(4, 11, 10), 3)
    folds = object_folds(objects, labels, 5, seed=3)
    assert sorted(np.concatenate(folds).tolist()) == list(range(30))
    seen: set[str] = set()
    for f in folds:
        objs = set(objects[f].tolist())
        assert not objs & seen
        seen |= objs
        assert len(objs) == 2
        assert np.ptp(labels[f]) > 1.0  # stratified: a fold is not one stiffness block
    with pytest.raises(ConfigError, match="folds"):
        object_folds(objects, labels, 11)
    tr, va = split_objects(objects, labels, 0.2, seed=0)
    assert not set(objects[tr]) & set(objects[va])


def test_cross_validation_reports_network_beside_baselines(tiny_config: MultiTowerConfig) -> None:
    data = synthetic_dataset(tiny_config, n_objects=15)
    cfg = TrainConfig(
        epochs=15, batch_size=16, lr=5e-3, num_threads=1, augment=AugmentConfig(enabled=False)
    )
    cv = cross_validate(data, tiny_config, cfg, 3, val_fraction=0.25, progress=False)
    assert len(cv.records) == len(data)
    assert {r["fold"] for r in cv.records} == {0, 1, 2}
    assert set(cv.summary) == {"network", "analytical", "constant"}
    assert cv.summary["constant"]["n_objects"] == 15
    assert 0 <= cv.summary["network"]["within_1_decade"] <= 1


def test_stiff_limit_is_where_errors_grow() -> None:
    records = []
    for i, lab in enumerate(np.linspace(4, 11, 29)):
        pred = lab if lab < 8.5 else 8.5  # saturates above 10^8.5 Pa
        records.append({"object_id": f"o{i}", "label_log10": lab, "pred_log10": pred})
    limit = stiff_limit_from_records(records)
    assert limit is not None and 1e8 <= limit <= 10**9.5
    resolved = [dict(r, pred_log10=r["label_log10"]) for r in records]
    assert stiff_limit_from_records(resolved) is None


def _records(pred_of: Callable[[float], float]) -> list[dict[str, Any]]:
    return [
        {
            "object_id": f"o{i}",
            "label_log10": lab,
            "pred_log10": pred_of(lab),
            "sigma_log10": 0.3,
            "analytical_log10": lab + 0.5,
            "constant_log10": 7.0,
        }
        for i, lab in enumerate(np.linspace(4, 11, 57))
    ]


def test_accuracy_limit_is_the_first_bin_that_misses_and_the_bound_holds_above() -> None:
    def pred(lab: float) -> float:  # exact up to 10^6 Pa, then two decades too high, then flat
        return lab if lab < 6.0 else max(lab + 2.0, 9.0) if lab < 8 else 9.0

    records = _records(pred)
    limit = accuracy_limit_from_records(records)
    assert limit == pytest.approx(1e6)
    rep = limit_report(records, limit)
    assert rep["below"]["network_within_1_decade"] == 1.0
    assert rep["below"]["network_log10_mae"] == 0.0 and rep["below"]["wrongly_flagged"] == 0.0
    assert rep["below"]["analytical_log10_mae"] == pytest.approx(0.5)
    assert rep["above"]["flagged"] == 1.0
    above = [r for r in records if r["label_log10"] >= 6.0]
    holds = np.mean([r["pred_log10"] - 1.645 * 0.3 <= r["label_log10"] for r in above])
    assert rep["above"]["bound_holds"] == pytest.approx(holds)
    assert accuracy_limit_from_records(_records(lambda lab: lab + 0.1)) is None
    assert limit_report(records, None) == {}


def test_lower_bound_factor_is_calibrated_on_held_out_records() -> None:
    def pred(lab: float) -> float:  # beyond 10^6 Pa: over-confident, 1 decade too high
        return lab if lab < 6.0 else lab + 1.0

    records = _records(pred)  # sigma 0.3: the nominal bound mean - 1.645 sigma misses
    assert limit_report(records, 1e6)["above"]["bound_holds"] == 0.0
    z = fit_lower_bound_z(records, 1e6)
    assert z == pytest.approx(1.0 / 0.3, rel=1e-6)
    assert limit_report(records, 1e6, lower_bound_z=z)["above"]["bound_holds"] == 1.0
    exact = _records(lambda lab: lab)
    assert fit_lower_bound_z(exact, 1e6) == pytest.approx(1.644854)  # never bolder than nominal
    assert fit_lower_bound_z(records, None) == pytest.approx(1.644854)
