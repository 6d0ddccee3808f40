"""make_inputs on real (synthetic) frames, force-fraction sampling, normalisation, augmentation."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from conftest import disk_grasp, synthetic_dataset

from tactile.errors import ConfigError, ModelFileError
from tactile.estimators.neural.config import (
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    SHAPE_CATEGORIES,
    WIDTH_CHANNELS,
    MultiTowerConfig,
)
from tactile.estimators.neural.inputs import (
    Normalization,
    analytical_vector,
    destair,
    geometry_vector,
    make_inputs,
    sample_indices,
)
from tactile.estimators.neural.tensors import (
    AugmentConfig,
    augment,
    normalize,
    to_tensors,
    width_channels,
)
from tactile.types import Flag, ModulusEstimate


def test_inputs_have_the_configured_shapes_and_grow_with_the_press() -> None:
    grasp, feats = disk_grasp(20)
    x = make_inputs(grasp, feats, None, k_frames=5, image_size=16)
    assert x.images.shape == (5, 16, 16)
    assert x.force.shape == (len(FORCE_CHANNELS), 5) and x.width.shape == (len(WIDTH_CHANNELS), 5)
    assert x.geometry.shape == (len(GEOMETRY_CHANNELS),)
    assert x.geometry[0] == pytest.approx(math.log(60.0), abs=1e-3)  # D: width at contact
    assert x.geometry[1 + SHAPE_CATEGORIES.index("unknown")] == 1.0  # no shape in the metadata
    assert math.isnan(x.geometry[-2]) and x.geometry[-1] == 0.0
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


def test_modulus_scales_rise_with_stiffness_and_strain_falls_with_size() -> None:
    soft = make_inputs(*disk_grasp(20, modulus_pa=1e4), k_frames=4, image_size=16)
    stiff = make_inputs(*disk_grasp(20, modulus_pa=1e8), k_frames=4, image_size=16)
    flat, sphere = (
        WIDTH_CHANNELS.index("log10_flat_modulus"),
        WIDTH_CHANNELS.index("log10_sphere_modulus"),
    )
    assert np.all(stiff.width[flat] > soft.width[flat] + 1.0)
    assert np.all(stiff.width[sphere] > soft.width[sphere] + 1.0)
    grasp, feats = disk_grasp(20)
    thick = replace(grasp, width_mm=grasp.width_mm + 40.0)  # same press, thicker object
    thick_f = replace(feats, width_mm=feats.width_mm + 40.0)
    a = make_inputs(grasp, feats, k_frames=4, image_size=16)
    b = make_inputs(thick, thick_f, k_frames=4, image_size=16)
    strain = WIDTH_CHANNELS.index("log_strain")
    np.testing.assert_allclose(b.width[strain], a.width[strain] - math.log(100 / 60), atol=1e-5)
    assert np.all(b.width[flat] > a.width[flat])  # same force and closure over more length
    np.testing.assert_allclose(b.width[sphere], a.width[sphere])  # Hertz: size-free


@pytest.mark.parametrize(
    ("shape", "category"),
    [("sphere", "sphere"), ("Cylinder", "cylinder"), ("cylinder_end", "flat"),
     ("box", "flat"), ("ellipsoid", "irregular"), ("irregular", "irregular"),
     (None, "unknown"), ("blob", "unknown")],
)  # fmt: skip
def test_geometry_vector_maps_shapes_and_optional_radius(shape: str | None, category: str) -> None:
    v = geometry_vector(25.0, shape, 12.5)
    assert v[0] == pytest.approx(math.log(25.0))
    onehot = v[1 : 1 + len(SHAPE_CATEGORIES)]
    assert onehot.sum() == 1.0 and onehot[SHAPE_CATEGORIES.index(category)] == 1.0
    assert v[-2] == pytest.approx(math.log10(12.5)) and v[-1] == 1.0
    no_radius = geometry_vector(25.0, shape, None)
    assert math.isnan(no_radius[-2]) and no_radius[-1] == 0.0


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


def test_metadata_dropout_hides_shape_and_radius_and_size_noise_is_consistent(
    tiny_config: MultiTowerConfig,
) -> None:
    batch = to_tensors(synthetic_dataset(tiny_config, n_objects=8).arrays)
    n_shapes = len(SHAPE_CATEGORIES)
    unknown = 1 + SHAPE_CATEGORIES.index("unknown")
    cfg = AugmentConfig(metadata_dropout=0.99, size_noise=0.2, timing_jitter=0.0, force_noise=0.0)
    out = augment(batch, cfg, torch.Generator().manual_seed(3))
    geo = out["geometry"]
    assert (geo[:, unknown] == 1).float().mean() > 0.9
    assert torch.all(geo[:, 1 : 1 + n_shapes].sum(dim=1) == 1)  # still exactly one category
    radius = GEOMETRY_CHANNELS.index("log10_radius")
    hidden = geo[:, radius + 1] == 0
    assert hidden.float().mean() > 0.9 and torch.isnan(geo[hidden, radius]).all()
    assert not torch.allclose(geo[:, 0], batch["geometry"][:, 0])
    # log D + log strain is the log closure: unchanged by the size noise
    strain = WIDTH_CHANNELS.index("log_strain")
    before = batch["geometry"][:, 0, None] + batch["width"][:, strain]
    after = geo[:, 0, None] + out["width"][:, strain]
    assert torch.allclose(before, after, atol=1e-5)
    kept = augment(
        batch,
        AugmentConfig(metadata_dropout=0.0, radius_dropout=0.0, rig_dropout=0.0),
        torch.Generator(),
    )
    torch.testing.assert_close(kept["geometry"][:, 1:], batch["geometry"][:, 1:])


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


def _disk_inputs() -> dict[str, torch.Tensor]:
    grasp, feats = disk_grasp(20)
    depth = np.linspace(0.0, 0.8, feats.force_n.size)
    feats = replace(feats, depth_mm=depth)
    x = make_inputs(grasp, feats, k_frames=4, image_size=16)
    return {k: torch.from_numpy(v[None]) for k, v in x.arrays().items()}


def test_torch_width_channels_match_make_inputs() -> None:
    x = _disk_inputs()
    force, width, geo = x["force"], x["width"], x["geometry"]
    rebuilt = width_channels(
        torch.expm1(force[:, 0]),
        torch.expm1(force[:, 1]),
        width[:, 0],
        torch.exp(force[:, FORCE_CHANNELS.index("log_depth")]),
        torch.exp(geo[:, 0]),
    )
    torch.testing.assert_close(rebuilt, width[:, :6], rtol=1e-4, atol=1e-4)


def test_compliant_fingers_add_closure_and_lower_the_modulus_scales() -> None:
    x = _disk_inputs()
    batch = {k: v.repeat(64, *([1] * (v.dim() - 1))) for k, v in x.items()}
    quiet = AugmentConfig(
        timing_jitter=0.0, force_noise=0.0, closure_noise_mm=0.0, size_noise=0.0, scale=0.0
    )
    cfg = replace(quiet, compliant_prob=1.0, finger_stiffness_n_per_mm=(10.0, 10.0))
    out = augment(batch, cfg, torch.Generator().manual_seed(0))
    force_n = torch.expm1(batch["force"][:, 0])
    torch.testing.assert_close(out["width"][:, 0], batch["width"][:, 0] + 2 * force_n / 10.0)
    flat = WIDTH_CHANNELS.index("log10_flat_modulus")
    assert torch.all(out["width"][:, flat, -1] < batch["width"][:, flat, -1])
    offset = augment(batch, replace(quiet, size_offset_mm=3.0), torch.Generator())
    grown = torch.exp(offset["geometry"][:, 0]) - torch.exp(batch["geometry"][:, 0])
    assert torch.all((grown >= 0) & (grown <= 3.0 + 1e-4)) and grown.max() > 1.0
    torch.testing.assert_close(offset["width"][:, 0], batch["width"][:, 0])  # closure unchanged
    with pytest.raises(ConfigError, match="finger_stiffness"):
        AugmentConfig(finger_stiffness_n_per_mm=(0.0, 5.0))


def test_known_finger_compliance_is_taken_out_of_the_closure() -> None:
    grasp, feats = disk_grasp(20)
    rigid = make_inputs(grasp, feats, k_frames=4, image_size=16)
    soft = make_inputs(grasp, feats, k_frames=4, image_size=16, finger_stiffness_n_per_mm=50.0)
    force_n = np.expm1(rigid.force[0])
    expected = np.maximum(rigid.width[0] - 2 * force_n / 50.0, 0.0)
    np.testing.assert_allclose(soft.width[0], expected, rtol=1e-5, atol=1e-5)
    assert np.all(soft.width[0] <= rigid.width[0]) and soft.width[0, -1] < rigid.width[0, -1]
    flat = WIDTH_CHANNELS.index("log10_flat_modulus")
    assert np.all(soft.width[flat] >= rigid.width[flat])  # less closure reads stiffer
