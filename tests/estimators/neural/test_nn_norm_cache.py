"""Inference's per-model cache of the normalisation tensors (``LoadedModel.norm_tensors``)
never outlives the normalisation it was built from, and gives the uncached numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
from conftest import tiny_untrained_model

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.predict import predict_log10


def test_a_replaced_normalisation_is_read_not_the_cached_one() -> None:
    loaded, arrays = tiny_untrained_model()
    norm = loaded.normalization
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
    fresh = LoadedModel(model=loaded.model, config=loaded.config, normalization=shifted)
    assert np.array_equal(after, predict_log10(fresh, arrays)[0])
    assert not np.allclose(after, before)
    # a copy with the first normalisation back (the cache tuple copied with it) reads that one
    back = dataclasses.replace(loaded, normalization=norm)
    assert np.array_equal(predict_log10(back, arrays)[0], before)
    # float64 inputs: their own cached statistics, the numbers of an uncached model
    wide = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in arrays.items()}
    cold = LoadedModel(model=loaded.model, config=loaded.config, normalization=norm)
    assert np.array_equal(predict_log10(back, wide)[0], predict_log10(cold, wide)[0])
