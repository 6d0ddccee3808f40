"""Inference's per-model cache of the normalisation tensors (``LoadedModel.norm_tensors``)
never outlives the normalisation it was built from, and gives the uncached numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from conftest import synthetic_dataset, tiny_untrained_setup

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.model import create_model
from tactile.estimators.neural.predict import predict_log10


def test_a_replaced_normalisation_is_read_not_the_cached_one() -> None:
    cfg, norm = tiny_untrained_setup()
    torch.manual_seed(0)
    model = create_model(cfg).eval()
    arrays = synthetic_dataset(cfg, n_objects=4).arrays
    loaded = LoadedModel(model=model, config=cfg, normalization=norm)
    before, _ = predict_log10(loaded, arrays)
    assert loaded.norm_tensors is not None and loaded.norm_tensors[0] is norm
    assert np.array_equal(predict_log10(loaded, arrays)[0], before)  # from the cache: the same

    shifted = Normalization(
        {k: [v + 1.0 for v in vs] for k, vs in norm.mean.items()},
        {k: [2.0 * v for v in vs] for k, vs in norm.std.items()},
        norm.target_mean,
        norm.target_std,
    )
    loaded.normalization = shifted
    after, _ = predict_log10(loaded, arrays)
    fresh = LoadedModel(model=model, config=cfg, normalization=shifted)
    assert np.array_equal(after, predict_log10(fresh, arrays)[0])
    assert not np.allclose(after, before)
    # a copy with the first normalisation back (the cache tuple copied with it) reads that one
    back = dataclasses.replace(loaded, normalization=norm)
    assert np.array_equal(predict_log10(back, arrays)[0], before)
    # float64 inputs: their own cached statistics, the numbers of an uncached model
    wide = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in arrays.items()}
    cold = LoadedModel(model=model, config=cfg, normalization=norm)
    assert np.array_equal(predict_log10(back, wide)[0], predict_log10(cold, wide)[0])
