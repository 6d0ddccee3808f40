"""make_inputs on real (synthetic) frames, force-fraction sampling, normalisation, augmentation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import disk_grasp, synthetic_dataset

from tactile.errors import ModelFileError
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.inputs import (
    Normalization,
    analytical_vector,
    destair,
    make_inputs,
    sample_indices,
)
from tactile.estimators.neural.tensors import AugmentConfig, augment, normalize, to_tensors
from tactile.types import Flag, ModulusEstimate


def test_inputs_have_the_configured_shapes_and_grow_with_the_press() -> None:
    grasp, feats = disk_grasp(20)
    x = make_inputs(grasp, feats, None, k_frames=5, image_size=16)
    assert x.images.shape == (5, 16, 16) and x.force.shape == (4, 5) and x.width.shape == (2, 5)
    assert np.all(np.isfinite(x.images)) and x.images.dtype == np.float32
    lit = (x.images > 0.5).sum(axis=(1, 2))
    assert np.all(np.diff(lit) >= 0) and lit[-1] > lit[0]  # the contact patch grows
    assert np.all(np.diff(x.force[0]) > 0)  # force rises over the samples
    assert np.all(np.diff(x.width[0]) >= 0) and x.width[0, -1] > 0  # closure rises
    assert math.isnan(x.analytical[0]) and x.analytical[3] == 0.0


def test_force_sampling_does_not_depend_on_squeeze_speed() -> None:
    slow_g, slow_f = disk_grasp(61)
    fast_g, fast_f = disk_grasp(16)
    slow = make_inputs(slow_g, slow_f, k_frames=4, image_size=16, sampling="force")
    fast = make_inputs(fast_g, fast_f, k_frames=4, image_size=16, sampling="force")
    np.testing.assert_allclose(slow.force[0], fast.force[0], rtol=1e-6)
    np.testing.assert_allclose(slow.width[0], fast.width[0], atol=0.02)


def test_sample_indices_stay_in_the_loading_phase() -> None:
    _, feats = disk_grasp(30)
    for mode in ("force", "time"):
        idx, pos = sample_indices(feats, 6, sampling=mode)
        assert idx.min() >= feats.contact_index and idx.max() <= feats.peak_index
        assert np.all(np.diff(idx) >= 0) and idx[-1] == feats.peak_index
        assert pos[-1] == pytest.approx(feats.peak_index)


def test_a_stiffer_object_closes_less_at_the_same_force() -> None:
    soft = make_inputs(*disk_grasp(20, modulus_pa=1e4), k_frames=4, image_size=16)
    stiff = make_inputs(*disk_grasp(20, modulus_pa=1e8), k_frames=4, image_size=16)
    assert np.all(stiff.width[0] < soft.width[0])


def test_analytical_vector_marks_stiff_and_caps_open_intervals() -> None:
    est = ModulusEstimate(
        1e9,
        (1e8, math.inf),
        (1e7, math.inf),
        "hertz",
        flags=frozenset({Flag.STIFFER_THAN_GEL}),
        lower_bound_only=True,
    )
    v = analytical_vector(est)
    assert v[0] == pytest.approx(9.0) and v[1] == 3.0 and v[2] == 1.0 and v[3] == 1.0
    soft = analytical_vector(ModulusEstimate(1e5, (5e4, 2e5), (2e4, 5e5), "hertz"))
    assert soft[2] == 0.0 and soft[1] == pytest.approx(math.log10(4))


def test_normalization_standardises_and_zeroes_missing(tiny_config: MultiTowerConfig) -> None:
    data = synthetic_dataset(tiny_config, n_objects=10)
    data.arrays["analytical"][0, :3] = np.nan
    norm = Normalization.fit(data.arrays, data.log10_modulus)
    z = normalize(to_tensors(data.arrays), norm)
    assert torch.isfinite(z["analytical"]).all() and float(z["analytical"][0, 0]) == 0.0
    assert abs(float(z["force"][:, 0].mean())) < 1e-4
    assert float(z["width"][:, 0].std()) == pytest.approx(1.0, rel=0.05)
    again = Normalization.from_dict(norm.to_dict())
    assert again == norm
    with pytest.raises(ModelFileError):
        Normalization.from_dict({"mean": {}})
    with pytest.raises(ModelFileError):
        Normalization.from_dict([1, 2])


def test_augmentation_perturbs_but_keeps_shapes_and_is_seeded(
    tiny_config: MultiTowerConfig,
) -> None:
    batch = to_tensors(synthetic_dataset(tiny_config, n_objects=8).arrays)
    cfg = AugmentConfig(blur_prob=0.9, analytical_dropout=0.5)
    a = augment(batch, cfg, torch.Generator().manual_seed(1))
    b = augment(batch, cfg, torch.Generator().manual_seed(1))
    for key in batch:
        assert a[key].shape == batch[key].shape
        torch.testing.assert_close(a[key], b[key], equal_nan=True)
    assert not torch.allclose(a["images"], batch["images"])
    assert torch.isfinite(a["images"]).all() and (a["images"] >= 0).all()
    assert (a["width"][:, 0] >= 0).all()
    dropped = a["analytical"][:, 3] == 0
    assert dropped.any() and torch.isnan(a["analytical"][dropped, 0]).all()
    off = augment(batch, AugmentConfig(enabled=False), torch.Generator())
    assert off is batch


def test_destair_interpolates_a_slow_encoder_and_keeps_smooth_signals() -> None:
    t = np.linspace(0.0, 1.0, 31)
    true = 50.0 - 20.0 * t
    stairs = true.copy()
    for i in range(len(t)):
        stairs[i] = true[(i // 4) * 4]  # a new reading every 4th frame
    rebuilt = destair(stairs, t)
    fresh_span = slice(0, 29)  # up to the last fresh reading
    assert np.max(np.abs(rebuilt[fresh_span] - true[fresh_span])) < 1e-9
    assert np.max(np.abs(stairs - true)) > 1.5  # the raw steps were far off
    np.testing.assert_array_equal(destair(true, t), true)
