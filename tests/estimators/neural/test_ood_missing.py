"""A feature the training grasps never lacked is out of distribution (issue 12): a calibration
without a rigid-press curve on a network trained only on rigs calibrated with one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import disk_grasp, rig_calibration, tiny_untrained_setup

from tactile.errors import EstimatorError
from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator
from tactile.estimators.neural.inputs import stack_inputs
from tactile.estimators.neural.ood import (
    REFUSE_SCORE,
    OodReference,
    is_rig_feature,
    missing_share_from_reference,
    ood_feature_names,
    ood_features,
)
from tactile.sensor import get_calibration

RIG_COLUMNS = [i for i, name in enumerate(ood_feature_names()) if is_rig_feature(name)]


def _arrays(n: int, seed: int, *, rig: bool = True) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {
        "force": rng.normal(0.0, 1.0, (n, 6, 4)).astype(np.float32),
        "width": rng.normal(0.0, 1.0, (n, 8, 4)).astype(np.float32),
        "geometry": rng.normal(0.0, 1.0, (n, 13)).astype(np.float32),
    }
    if not rig:  # the rig channels of a calibration without a rigid-press curve
        out["width"][:, 6:8] = np.nan
        out["geometry"][:, 8:12] = np.nan
    return out


def test_the_rig_features_are_the_ones_a_calibration_without_curve_lacks() -> None:
    names = ood_feature_names()
    assert len(names) == ood_features(_arrays(2, 0)).shape[1] == 22
    missing = np.isnan(ood_features(_arrays(3, 0, rig=False))).all(axis=0)
    assert list(np.flatnonzero(missing)) == RIG_COLUMNS and len(RIG_COLUMNS) == 7


def test_a_rig_missing_only_at_inference_is_refused_with_the_fix() -> None:
    ref = OodReference.fit(_arrays(300, 0), _arrays(60, 1), n_ref=200)
    assert ref.missing is not None and not ref.missing.any()
    inside = ref.scores(_arrays(20, 2))
    assert np.all(np.isfinite(inside)) and ref.missing_reason(_arrays(20, 2)) == [None] * 20
    no_rig = _arrays(5, 3, rig=False)
    assert np.all(ref.scores(no_rig) == math.inf)
    # the distance alone calls these grasps typical (the old reading of a missing feature)
    assert np.all(ref.raw_scores(no_rig) / ref.scale < REFUSE_SCORE)
    reasons = ref.missing_reason(no_rig)
    assert all(r is not None and "no rigid-press curve" in r for r in reasons)
    assert all(r is not None and "rig inputs are missing" in r for r in reasons)
    # another feature never missing in training: named
    no_depth = _arrays(1, 4)
    no_depth["force"][:, 5, 2] = np.nan
    assert ref.missing_reason(no_depth) == [
        "the grasp lacks log_depth@mid, which no training grasp lacked"
    ]
    # stored and read back: the same
    again = OodReference.from_dict(ref.to_dict())
    assert again is not None and again.missing is not None
    assert np.all(again.scores(no_rig) == math.inf)


def test_a_model_trained_without_rig_curves_is_unchanged() -> None:
    ref = OodReference.fit(_arrays(300, 0, rig=False), _arrays(60, 1, rig=False), n_ref=200)
    assert ref.missing is not None and np.all(ref.missing[RIG_COLUMNS] == 1.0)
    no_rig = _arrays(10, 2, rig=False)
    np.testing.assert_array_equal(ref.scores(no_rig), ref.raw_scores(no_rig) / ref.scale)
    assert ref.missing_reason(no_rig) == [None] * 10
    # some training grasps without a curve: a missing rig is as typical as before
    with_curve, without = _arrays(200, 5), _arrays(100, 6, rig=False)
    mixed = {k: np.concatenate([with_curve[k], without[k]]) for k in with_curve}
    ref = OodReference.fit(mixed, _arrays(60, 1), n_ref=200)
    assert ref.missing is not None and np.allclose(ref.missing[RIG_COLUMNS], 1 / 3)
    assert np.all(np.isfinite(ref.scores(no_rig)))


def test_an_older_checkpoint_derives_the_missing_share_from_its_reference_rows() -> None:
    ref = OodReference.fit(_arrays(300, 0), _arrays(60, 1), n_ref=200)
    old = ref.to_dict()
    del old["missing"]
    loaded = OodReference.from_dict(old)
    assert loaded is not None and loaded.missing is None
    # a rounded reference value of exactly 0 counts as possibly missing (conservative)
    share = loaded.training_missing
    np.testing.assert_array_equal(share, (np.asarray(old["reference"]) == 0.0).mean(axis=0))
    never = share == 0.0
    assert never.sum() >= 15
    no_rig = _arrays(3, 2, rig=False)
    expect_inf = bool(never[RIG_COLUMNS].any())
    assert np.all(np.isinf(loaded.scores(no_rig))) == expect_inf
    # an older model trained without rigs: every missing row is 0, the share 1, nothing changes
    rows = np.asarray(old["reference"])
    rows[:, RIG_COLUMNS] = 0.0
    assert np.all(missing_share_from_reference(rows)[RIG_COLUMNS] == 1.0)
    loaded = OodReference.from_dict({**old, "reference": rows.tolist()})
    assert loaded is not None
    np.testing.assert_array_equal(loaded.scores(no_rig), loaded.raw_scores(no_rig) / loaded.scale)


def _tiny_model(train_rig: bool) -> LoadedModel:
    """An untrained ``mt-tiny`` network whose OOD reference was fitted on disk grasps made
    with (``train_rig``) or without a rigid-press curve in their calibration."""
    cfg, norm = tiny_untrained_setup()
    import torch

    from tactile.estimators.neural.model import create_model

    torch.manual_seed(0)
    model = create_model(cfg).eval()
    cal = rig_calibration() if train_rig else get_calibration("sim-wedge-v1")
    items = []
    for e in np.logspace(4, 9, 12):
        grasp, feats = disk_grasp(20, modulus_pa=float(e))
        items.append(prepare_grasp(grasp, cfg, calibration=cal, analytical=None, features=feats)[0])
    arrays = stack_inputs(items)
    ood = OodReference.fit(arrays, arrays, n_ref=12, k=2)
    return LoadedModel(model=model, config=cfg, normalization=norm, info={"ood": ood.to_dict()})


def test_a_calibration_without_curve_on_a_model_trained_with_curves() -> None:
    loaded = _tiny_model(train_rig=True)
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    with_rig = NeuralEstimator(loaded).estimate(grasp, feats, calibration=rig_calibration())
    assert math.isfinite(with_rig.details["ood_score"])  # type: ignore[arg-type]
    # the fix names the calibration in use and keeps its gel (review20)
    with pytest.raises(
        EstimatorError,
        match=r"no rigid-press curve.*'sim-wedge-v1'.*tactile calibrate rig.*"
        r"--calibration sim-wedge-v1 --id NEW",
    ):
        NeuralEstimator(loaded).estimate(grasp, feats, calibration="sim-wedge-v1")
    hybrid = HybridEstimator(loaded).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert hybrid.details["source"] == "analytical (network out of distribution)"
    assert hybrid.details["ood_score"] == math.inf
    assert "no rigid-press curve" in str(hybrid.details["ood_reason"])


def test_a_calibration_without_curve_on_a_model_trained_without_curves() -> None:
    loaded = _tiny_model(train_rig=False)
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    est = NeuralEstimator(loaded)
    answer = est.estimate(grasp, feats, calibration="sim-wedge-v1")
    assert est.ood is not None
    inputs = prepare_grasp(grasp, loaded.config, calibration="sim-wedge-v1", features=feats,
                           analytical=None)[0]  # fmt: skip
    arrays = {k: v[None] for k, v in inputs.arrays().items()}
    assert answer.details["ood_score"] == pytest.approx(
        float(est.ood.raw_scores(arrays)[0] / est.ood.scale)
    )
    assert "ood_reason" not in answer.details


def test_a_reference_extended_by_another_rigs_grasps_accepts_them_and_scores_no_higher() -> None:
    # review41: a fine-tune keeps its base's reference and adds its own training grasps
    base = OodReference.fit(_arrays(300, 0), _arrays(60, 1), n_ref=200)
    new_rig = _arrays(40, 4, rig=False)  # another rig: no rigid-press curve
    assert np.all(base.scores(new_rig) == math.inf)
    ext = base.extended(new_rig, seed=0)
    assert ext.scale == base.scale and np.array_equal(ext.mean, base.mean)
    assert len(ext.reference) == len(base.reference) + 40
    assert ext.missing is not None and np.all(ext.missing[RIG_COLUMNS] > 0)
    assert np.all(np.isfinite(ext.scores(_arrays(10, 5, rig=False))))
    others = _arrays(50, 6)
    assert np.all(ext.scores(others) <= base.scores(others) + 1e-12)
    back = OodReference.from_dict(ext.to_dict())
    assert back is not None and len(back.reference) == len(ext.reference)
