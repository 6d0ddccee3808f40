"""Every registered architecture (and towers switched off): forward, backward, every gradient."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from tactile.errors import ConfigError
from tactile.estimators.neural.config import (
    ANALYTICAL_CHANNELS,
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    WIDTH_CHANNELS,
    MultiTowerConfig,
)
from tactile.estimators.neural.model import available_models, create_model, model_config


def random_inputs(cfg: MultiTowerConfig, batch: int = 3) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    k, s = cfg.k_frames, cfg.image_size
    return {
        "images": torch.rand(batch, k, s, s, generator=g),
        "force": torch.randn(batch, len(FORCE_CHANNELS), k, generator=g),
        "width": torch.randn(batch, len(WIDTH_CHANNELS), k, generator=g),
        "analytical": torch.randn(batch, len(ANALYTICAL_CHANNELS), generator=g),
        "geometry": torch.randn(batch, len(GEOMETRY_CHANNELS), generator=g),
    }


def _check_forward_backward(cfg: MultiTowerConfig) -> None:
    model = create_model(cfg)
    model.train()
    mean, logvar = model(random_inputs(cfg))
    assert mean.shape == (3,) and logvar.shape == (3,)
    assert torch.isfinite(mean).all() and torch.isfinite(logvar).all()
    (mean.square().sum() + logvar.sum()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"{cfg.name}: {name} got no gradient"
        assert torch.isfinite(p.grad).all(), f"{cfg.name}: {name} has a non-finite gradient"
        assert p.grad.abs().sum() > 0, f"{cfg.name}: {name} has an all-zero gradient"


@pytest.mark.parametrize("name", available_models())
def test_every_registered_architecture_trains_every_parameter(name: str) -> None:
    cfg = model_config(name)
    # shrink the big ones so the test stays fast; the wiring is what is under test
    if cfg.image_size > 32:
        cfg = cfg.with_overrides(image_size=32)
    _check_forward_backward(cfg)


@pytest.mark.parametrize("off", ["image", "force", "width", "analytical", "geometry"])
def test_each_tower_can_be_switched_off(off: str) -> None:
    cfg = model_config("mt-tiny", **{off: {"enabled": False}})
    assert off not in cfg.enabled_towers
    _check_forward_backward(cfg)
    key = "images" if off == "image" else off
    assert key not in create_model(cfg).towers


def test_single_tower_and_mean_pooling_variants() -> None:
    off = {"enabled": False}
    _check_forward_backward(model_config("mt-tiny", image=off, force=off, width=off, geometry=off))
    _check_forward_backward(model_config("mt-tiny", image={"temporal": "mean"}))


def test_tower_sizes_change_the_parameter_count() -> None:
    small = create_model("mt-tiny").n_parameters()
    wider = create_model("mt-tiny", force={"hidden": [64, 64]}).n_parameters()
    assert wider > small


def test_missing_input_names_the_tower() -> None:
    cfg = model_config("mt-tiny")
    inputs = random_inputs(cfg)
    del inputs["width"]
    with pytest.raises(ConfigError, match="width"):
        create_model(cfg)(inputs)


def test_logvar_is_clamped_for_extreme_inputs() -> None:
    cfg = model_config("mt-tiny")
    inputs = {k: v * 1e4 for k, v in random_inputs(cfg).items()}
    with torch.no_grad():
        _, logvar = create_model(cfg).eval()(inputs)
    assert np.all(np.isfinite(logvar.detach().numpy()))
    assert float(logvar.max()) <= 4.0 and float(logvar.min()) >= -9.0


def test_importing_estimators_and_neural_config_does_not_import_torch() -> None:
    code = (
        "import sys, tactile.estimators, tactile.estimators.neural as n; "
        "from tactile.estimators import available_estimators; "
        "names = available_estimators(); n.MultiTowerConfig(); "
        "assert 'neural' in names and 'hybrid' in names, names; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
