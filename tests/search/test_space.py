"""The define-by-run space: FixedTrial replays a design, constraints hold, sizes are exact."""

from __future__ import annotations

import optuna
import pytest
import torch
from optuna.trial import FixedTrial

from tactile.errors import ConfigError
from tactile.estimators.neural.config import FORCE_CHANNELS, ImageTowerConfig, MultiTowerConfig
from tactile.estimators.neural.model import MultiTowerNet
from tactile.search.space import (
    InfeasibleDesignError,
    SearchSpace,
    count_parameters,
    suggest_config,
    suggest_recipe,
)

DESIGN = {
    "k_frames": 6,
    "image_on": True,
    "image_stride": 2,
    "image_depth": 2,
    "image_base_width": 8,
    "image_growth": 2,
    "image_embed": 16,
    "image_temporal": "mean",
    "image_kernel": 5,
    "image_pooling": "max",
    "force_on": True,
    "force_depth": 2,
    "force_width": 32,
    "force_embed": 16,
    "width_on": False,
    "analytical_on": True,
    "analytical_width": 8,
    "analytical_embed": 4,
    "geometry_on": False,
    "fusion_depth": 3,
    "fusion_width": 64,
    "fusion_shape": "funnel",
    "dropout": 0.2,
    "activation": "silu",
    "lr": 3e-3,
    "weight_decay": 1e-5,
}


def test_fixed_trial_replays_a_design_exactly() -> None:
    recipe = suggest_recipe(FixedTrial(DESIGN))
    cfg = recipe.network
    assert cfg.k_frames == 6 and cfg.image_size == 32
    assert cfg.image == ImageTowerConfig(
        channels=(8, 16), embed=16, temporal="mean", kernel=5, stride=2, pooling="max"
    )
    assert cfg.force.hidden == (32, 32) and cfg.force.embed == 16
    assert not cfg.width.enabled and not cfg.geometry.enabled
    assert cfg.analytical.hidden == (8,) and cfg.analytical.embed == 4
    assert cfg.fusion_hidden == (64, 32, 16)
    assert cfg.dropout == 0.2 and cfg.activation == "silu"
    assert recipe.train == {"lr": 3e-3, "weight_decay": 1e-5}
    # the design round-trips through JSON and builds a working network
    assert MultiTowerConfig.from_json(cfg.to_json()) == cfg
    net = MultiTowerNet(cfg)
    mu, logvar = net(
        {
            "images": torch.rand(3, 6, 32, 32),
            "force": torch.rand(3, len(FORCE_CHANNELS), 6),
            "analytical": torch.rand(3, 4),
        }
    )
    assert mu.shape == logvar.shape == (3,)


#: The default model's design (``mt-rig``, models/default) and recipe, as search parameters.
MT_RIG = {
    "k_frames": 6,
    "image_on": False,
    "force_on": True,
    "force_depth": 1,
    "force_width": 48,
    "force_embed": 24,
    "width_on": True,
    "width_depth": 1,
    "width_width": 48,
    "width_embed": 24,
    "analytical_on": False,
    "geometry_on": True,
    "geometry_width": 24,
    "geometry_embed": 12,
    "fusion_depth": 2,
    "fusion_width": 64,
    "fusion_shape": "constant",
    "dropout": 0.1,
    "activation": "gelu",
    "lr": 2e-3,
    "weight_decay": 1e-4,
}


def test_the_space_reaches_the_default_design() -> None:
    """A search compared with the default must be able to find it: FixedTrial replays
    ``mt-rig`` (towers, widths, the rig inputs of its geometry tower) and its recipe."""
    from dataclasses import replace

    from tactile.estimators.neural.config import GEOMETRY_CHANNELS
    from tactile.estimators.neural.model import model_config

    recipe = suggest_recipe(FixedTrial(MT_RIG), name="mt-rig")
    default = model_config("mt-rig")
    assert recipe.network == replace(default, name="mt-rig")
    assert recipe.train == {"lr": 2e-3, "weight_decay": 1e-4}
    assert "rig_closure_25n" in GEOMETRY_CHANNELS and recipe.network.geometry.enabled
    assert count_parameters(recipe.network) == MultiTowerNet(default).n_parameters()
    # a one-layer fusion head asks no shape; a bad shape list is refused
    one = {k: v for k, v in MT_RIG.items() if k != "fusion_shape"}
    assert suggest_config(FixedTrial({**one, "fusion_depth": 1})).fusion_hidden == (64,)
    with pytest.raises(ConfigError, match="fusion_shape"):
        SearchSpace(fusion_shape=("pyramid",))


def test_switched_off_towers_ask_nothing_about_their_shape() -> None:
    """Define-by-run: a tower that is off has no width parameters at all."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(30):
        trial = study.ask()
        try:
            cfg = suggest_config(trial)
        except InfeasibleDesignError:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            continue
        for tower in ("image", "force", "width", "analytical", "geometry"):
            shaped = [p for p in trial.params if p.startswith(tower + "_") and p != f"{tower}_on"]
            assert bool(shaped) == getattr(cfg, tower).enabled
        study.tell(trial, 0.0)


def test_a_design_with_every_tower_off_is_infeasible() -> None:
    params = {**DESIGN, "image_on": False, "force_on": False, "analytical_on": False}
    with pytest.raises(InfeasibleDesignError, match="every tower is off"):
        suggest_config(FixedTrial(params))


def test_too_deep_stride_two_and_parameter_budget_are_infeasible() -> None:
    space = SearchSpace(image_size=8, image_depth=(1, 3))
    with pytest.raises(InfeasibleDesignError, match="2x2"):
        suggest_config(FixedTrial({**DESIGN, "image_depth": 3}), space)
    with pytest.raises(InfeasibleDesignError, match="budget"):
        suggest_config(FixedTrial(DESIGN), SearchSpace(max_params=1000))
    with pytest.raises(ConfigError, match="unknown towers"):
        SearchSpace(towers=("image", "wheels"))


def test_parameter_count_matches_torch_for_sampled_designs() -> None:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    checked = 0
    while checked < 15:
        trial = study.ask()
        try:
            cfg = suggest_config(trial, SearchSpace(max_params=10**9))
        except InfeasibleDesignError:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            continue
        assert count_parameters(cfg) == MultiTowerNet(cfg).n_parameters()
        study.tell(trial, 0.0)
        checked += 1


def test_image_tower_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="odd"):
        ImageTowerConfig(kernel=4)
    with pytest.raises(ConfigError, match="stride"):
        ImageTowerConfig(stride=3)
    with pytest.raises(ConfigError, match="pooling"):
        ImageTowerConfig(pooling="median")
    # stride 1 keeps the map: any depth fits a small image
    MultiTowerConfig(image_size=8, image=ImageTowerConfig(channels=(4, 4, 4, 4), stride=1))
    with pytest.raises(ConfigError, match="too small"):
        MultiTowerConfig(image_size=8, image=ImageTowerConfig(channels=(4, 4, 4, 4)))
