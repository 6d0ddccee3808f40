"""The multi-tower network and a registry of named architectures (``create_model(name)``).

Towers (each optional, sized by :class:`MultiTowerConfig`):

- image: one small CNN shared across the K sampled contact maps, embeddings concatenated (or
  averaged) over time;
- force: MLP over log force, contact area, image strength, pressure and gel depth at the K frames;
- width: MLP over the gripper closure, strains and size-normalised modulus scales at the K frames;
- analytical: MLP over the analytical (Hertz) estimate: log10 E, log10 width of its 68 % interval,
  its stiff flag, and whether it was available at all;
- geometry: MLP over the object's size along the squeeze axis (width at first contact) and the
  optional shape / radius metadata;
- fusion head: MLP over the concatenated embeddings, returning the mean and log-variance of the
  (standardised) log10 E, trained with a Gaussian negative log-likelihood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch
from torch import Tensor, nn

from tactile.errors import ConfigError
from tactile.estimators.neural.config import (
    ANALYTICAL_CHANNELS,
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    WIDTH_CHANNELS,
    ImageTowerConfig,
    MlpTowerConfig,
    MultiTowerConfig,
)

#: Log-variance is kept in this range so the NLL never divides by ~0 or explodes.
LOGVAR_MIN, LOGVAR_MAX = -9.0, 4.0

_ACTIVATIONS: dict[str, type[nn.Module]] = {"gelu": nn.GELU, "relu": nn.ReLU, "silu": nn.SiLU}


def _mlp(n_in: int, hidden: tuple[int, ...], n_out: int, act: str, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, h), _ACTIVATIONS[act]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


class ImageTower(nn.Module):
    """Shared per-frame CNN: (B, K, S, S) -> (B, embed * K) or (B, embed)."""

    def __init__(self, cfg: ImageTowerConfig, k_frames: int, act: str) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        c_in = 1
        for c in cfg.channels:
            blocks += [
                nn.Conv2d(
                    c_in, c, kernel_size=cfg.kernel, stride=cfg.stride, padding=cfg.kernel // 2
                ),
                nn.GroupNorm(1, c),
                _ACTIVATIONS[act](),
            ]
            c_in = c
        self.conv = nn.Sequential(*blocks)
        self.proj = nn.Linear(c_in, cfg.embed)
        self.temporal = cfg.temporal
        self.pooling = cfg.pooling
        self.out_features = cfg.embed * (k_frames if cfg.temporal == "concat" else 1)

    def forward(self, images: Tensor) -> Tensor:
        b, k, h, w = images.shape
        x = self.conv(images.reshape(b * k, 1, h, w))
        pooled = x.amax(dim=(2, 3)) if self.pooling == "max" else x.mean(dim=(2, 3))
        x = self.proj(pooled).reshape(b, k, -1)
        return x.flatten(1) if self.temporal == "concat" else x.mean(dim=1)


class MlpTower(nn.Module):
    """Flattens its input (B, ...) and maps it to an embedding."""

    def __init__(self, cfg: MlpTowerConfig, n_in: int, act: str) -> None:
        super().__init__()
        self.net = _mlp(n_in, cfg.hidden, cfg.embed, act, 0.0)
        self.out_features = cfg.embed
        self.act = _ACTIVATIONS[act]()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.net(x.flatten(1)))


class MultiTowerNet(nn.Module):
    """Inputs: a dict with ``images`` (B,K,S,S), ``force`` (B,6,K), ``width`` (B,6,K),
    ``analytical`` (B,4), ``geometry`` (B,8); only the keys of enabled towers are read.
    Output: (mean, logvar), each (B,), in standardised log10 E units."""

    def __init__(self, config: MultiTowerConfig) -> None:
        super().__init__()
        self.config = config
        k, act = config.k_frames, config.activation
        towers: dict[str, ImageTower | MlpTower] = {}
        if config.image.enabled:
            towers["images"] = ImageTower(config.image, k, act)
        if config.force.enabled:
            towers["force"] = MlpTower(config.force, len(FORCE_CHANNELS) * k, act)
        if config.width.enabled:
            towers["width"] = MlpTower(config.width, len(WIDTH_CHANNELS) * k, act)
        if config.analytical.enabled:
            towers["analytical"] = MlpTower(config.analytical, len(ANALYTICAL_CHANNELS), act)
        if config.geometry.enabled:
            towers["geometry"] = MlpTower(config.geometry, len(GEOMETRY_CHANNELS), act)
        self.towers = nn.ModuleDict(towers)
        n_fused = sum(t.out_features for t in towers.values())
        self.head = _mlp(n_fused, config.fusion_hidden, 2, act, config.dropout)

    @property
    def input_keys(self) -> tuple[str, ...]:
        return tuple(self.towers.keys())

    def forward(self, inputs: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        missing = [key for key in self.towers if key not in inputs]
        if missing:
            raise ConfigError(
                f"network inputs lack {missing} (enabled towers: {list(self.towers)})",
                hint="build inputs with tactile.estimators.neural.make_inputs",
            )
        fused = torch.cat([tower(inputs[key]) for key, tower in self.towers.items()], dim=1)
        out = self.head(fused)
        return out[:, 0], out[:, 1].clamp(LOGVAR_MIN, LOGVAR_MAX)

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


# --- registry --------------------------------------------------------------------------------

_REGISTRY: dict[str, Callable[[], MultiTowerConfig]] = {}


def register_model(
    name: str,
) -> Callable[[Callable[[], MultiTowerConfig]], Callable[[], MultiTowerConfig]]:
    """Decorator: register a function returning the :class:`MultiTowerConfig` of ``name``."""

    def deco(fn: Callable[[], MultiTowerConfig]) -> Callable[[], MultiTowerConfig]:
        if name in _REGISTRY:
            raise ConfigError(f"model {name!r} is already registered", hint="pick another name")
        _REGISTRY[name] = fn
        return fn

    return deco


def available_models() -> list[str]:
    return sorted(_REGISTRY)


def model_config(name: str, **overrides: object) -> MultiTowerConfig:
    """The config of a registered architecture, with fields overridden."""
    if name not in _REGISTRY:
        raise ConfigError(
            f"unknown network architecture {name!r}",
            hint=f"use one of {available_models()}",
        )
    return _REGISTRY[name]().with_overrides(**overrides)


def create_model(name: str | MultiTowerConfig, **overrides: object) -> MultiTowerNet:
    """Build a network by registered name (timm style) or from a config."""
    if isinstance(name, MultiTowerConfig):
        return MultiTowerNet(name.with_overrides(**overrides))
    return MultiTowerNet(model_config(name, **overrides))


@register_model("mt-tiny")
def _mt_tiny() -> MultiTowerConfig:
    return MultiTowerConfig(
        name="mt-tiny",
        k_frames=4,
        image_size=16,
        image=ImageTowerConfig(channels=(4, 8), embed=8),
        force=MlpTowerConfig(hidden=(8,), embed=4),
        width=MlpTowerConfig(hidden=(8,), embed=4),
        analytical=MlpTowerConfig(hidden=(8,), embed=4),
        geometry=MlpTowerConfig(hidden=(8,), embed=4),
        fusion_hidden=(16,),
        dropout=0.0,
    )


@register_model("mt-small")
def _mt_small() -> MultiTowerConfig:
    return MultiTowerConfig(name="mt-small")


@register_model("mt-base")
def _mt_base() -> MultiTowerConfig:
    return MultiTowerConfig(
        name="mt-base",
        k_frames=8,
        image_size=64,
        image=ImageTowerConfig(channels=(16, 32, 64, 64), embed=48),
        force=MlpTowerConfig(hidden=(64, 64), embed=32),
        width=MlpTowerConfig(hidden=(64, 64), embed=32),
        analytical=MlpTowerConfig(hidden=(32,), embed=16),
        geometry=MlpTowerConfig(hidden=(32,), embed=16),
        fusion_hidden=(128, 64),
    )


@register_model("mt-small-noimage")
def _mt_noimage() -> MultiTowerConfig:
    return MultiTowerConfig(name="mt-small-noimage", image=ImageTowerConfig(enabled=False))


@register_model("mt-small-noanalytical")
def _mt_noanalytical() -> MultiTowerConfig:
    return MultiTowerConfig(name="mt-small-noanalytical", analytical=MlpTowerConfig(enabled=False))


@register_model("mt-image-mean")
def _mt_image_mean() -> MultiTowerConfig:
    return MultiTowerConfig(name="mt-image-mean", image=ImageTowerConfig(temporal="mean"))


@register_model("mt-small-nogeometry")
def _mt_nogeometry() -> MultiTowerConfig:
    return MultiTowerConfig(
        name="mt-small-nogeometry",
        image=ImageTowerConfig(enabled=False),
        geometry=MlpTowerConfig(enabled=False),
    )


@register_model("mt-physics")
def _mt_physics() -> MultiTowerConfig:
    """No image tower; wider force/width towers over the physics channels (the default model)."""
    return MultiTowerConfig(
        name="mt-physics",
        image=ImageTowerConfig(enabled=False),
        force=MlpTowerConfig(hidden=(48,), embed=24),
        width=MlpTowerConfig(hidden=(48,), embed=24),
        geometry=MlpTowerConfig(hidden=(16,), embed=8),
        fusion_hidden=(64, 64),
    )


@register_model("mt-rig")
def _mt_rig() -> MultiTowerConfig:
    """Measurement-level inputs only (force, contact, image statistics, closure, the rig's
    calibration; shape/radius as an optional prior), no analytical tower and no image tower:
    the default model since issue 12 (its image-tower ablation: ``mt-rig-image``)."""
    return MultiTowerConfig(
        name="mt-rig",
        image=ImageTowerConfig(enabled=False),
        analytical=MlpTowerConfig(enabled=False),
        force=MlpTowerConfig(hidden=(48,), embed=24),
        width=MlpTowerConfig(hidden=(48,), embed=24),
        geometry=MlpTowerConfig(hidden=(24,), embed=12),
        fusion_hidden=(64, 64),
    )


@register_model("mt-rig-image")
def _mt_rig_image() -> MultiTowerConfig:
    """``mt-rig`` with the image tower on (6 contact maps of 32 x 32): its ablation."""
    return replace(_mt_rig(), name="mt-rig-image", image=ImageTowerConfig())
