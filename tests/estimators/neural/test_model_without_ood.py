"""A model file without out-of-distribution statistics (an interrupted run's last.pt, an
ensemble member) is refused by name, and a network answer far outside the moduli the model was
trained on is not given as the network's (newuser42: last.pt answered 8.9 Pa unflagged)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import disk_grasp, tiny_untrained_setup

from tactile.errors import EstimatorError, ModelFileError
from tactile.estimators.neural.checkpoint import LoadedModel, save_checkpoint
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.estimator import (
    LABEL_RANGE_MARGIN_DEX,
    HybridEstimator,
    NeuralEstimator,
    label_range_reason,
)
from tactile.estimators.neural.inputs import stack_inputs
from tactile.estimators.neural.model import create_model
from tactile.estimators.neural.ood import OodReference
from tactile.estimators.neural.training import _label_range


def _model(info: dict[str, object] | None = None) -> LoadedModel:
    cfg, norm = tiny_untrained_setup()
    torch.manual_seed(0)
    model = create_model(cfg).eval()
    items = []
    for e in np.logspace(4, 9, 8):
        grasp, feats = disk_grasp(20, modulus_pa=float(e))
        items.append(
            prepare_grasp(grasp, cfg, calibration="sim-wedge-v1", analytical=None, features=feats)[
                0
            ]
        )
    arrays = stack_inputs(items)
    ood = OodReference.fit(arrays, arrays, n_ref=8, k=2).to_dict()
    return LoadedModel(
        model=model, config=cfg, normalization=norm, info={"ood": ood, **(info or {})}
    )


def test_a_training_state_is_refused_with_the_resume_fix(tmp_path: Path) -> None:
    loaded = _model()
    last = save_checkpoint(
        tmp_path / "run" / "last.pt",
        loaded.model,
        loaded.normalization,
        train_state={"epoch": 1},
        info={"finetuned_from": None},
    )
    for name in ("neural", "hybrid"):
        cls = NeuralEstimator if name == "neural" else HybridEstimator
        with pytest.raises(ModelFileError, match="is a training state") as err:
            cls(last)
        assert "--resume" in str(err.value.hint) and str(tmp_path / "run") in str(err.value.hint)
    member = save_checkpoint(
        tmp_path / "run" / "member_1.pt",
        loaded.model,
        loaded.normalization,
        info={"ensemble_member": 1},
    )
    with pytest.raises(ModelFileError, match="is an ensemble member"):
        NeuralEstimator(member)
    # a finished model file (with its statistics) loads as before
    done = save_checkpoint(
        tmp_path / "run" / "model.pt", loaded.model, loaded.normalization, info=loaded.info
    )
    assert NeuralEstimator(done).ood is not None


def test_an_answer_far_outside_the_training_labels_is_not_the_networks() -> None:
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    free = NeuralEstimator(_model()).estimate(grasp, feats, calibration="sim-wedge-v1")
    mu = float(free.details["network_log10_mean"])  # type: ignore[arg-type]
    assert math.isfinite(mu)
    # the labels recorded well above the untrained network's answer
    span = [mu + LABEL_RANGE_MARGIN_DEX + 1.0, mu + LABEL_RANGE_MARGIN_DEX + 3.0]
    far = _model({"label_range_log10": span})
    with pytest.raises(EstimatorError, match="outside the moduli it was trained on") as err:
        NeuralEstimator(far).estimate(grasp, feats, calibration="sim-wedge-v1")
    # auto refuses --model and otherwise uses the default network: not a fix (review55)
    hint = str(err.value.hint)
    assert "auto" not in hint and "--estimator hybrid" in hint and "hertz or mdr" in hint
    hybrid = HybridEstimator(far).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert hybrid.details["source"] == "analytical (network out of distribution)"
    assert "outside the moduli it was trained on" in str(hybrid.details["ood_reason"])
    # inside the range (with its margin): the network's answer, unchanged
    near = _model({"label_range_log10": [mu + 0.5, mu + 2.0]})
    same = NeuralEstimator(near).estimate(grasp, feats, calibration="sim-wedge-v1")
    assert same.modulus_pa == free.modulus_pa


def test_the_label_range_reason_and_what_training_records() -> None:
    assert label_range_reason({}, 1.0) is None  # not recorded: the default model's case
    assert label_range_reason({"label_range_log10": [5.8, 11.2]}, 5.0) is None
    reason = label_range_reason({"label_range_log10": [5.8, 11.2]}, 0.95)
    assert reason is not None and "8.91 Pa" in reason
    assert _label_range(np.array([6.0, 8.0, 7.0]), None) == [6.0, 8.0]
    base = _model({"label_range_log10": [4.0, 11.0]})
    assert _label_range(np.array([5.0, 12.0]), base) == [4.0, 12.0]
    assert _label_range(np.array([5.0, 6.0]), _model()) is None  # base without a range
