"""The define-by-run search space over the multi-tower network (Optuna, torch-free).

:func:`suggest_config` asks an Optuna trial for every architectural choice and returns a
validated :class:`MultiTowerConfig`; :func:`suggest_recipe` adds the optimisation settings
(learning rate, weight decay) and, where the space lists choices for them, the training schedule
(epochs, batch size, augmentation on or off; by default these stay at the search protocol's
fixed values, :class:`~tactile.search.objective.ObjectiveSettings`). Choices are conditional:
the image tower's depth, widths, kernel, stride, pooling and embedding exist only when the
tower is on, an MLP tower's widths only when that tower is on. Because the space is
define-by-run, any fixed design can be replayed with ``optuna.trial.FixedTrial(params)``.

Constraints (a trial that breaks one raises :class:`InfeasibleDesignError`, which the objective
turns into a pruned trial with the reason in its ``infeasible`` user attribute; nothing trains):

- at least one tower is on;
- stride-2 image towers keep at least a 2x2 map: depth <= log2(image_size) - 1;
- the network's parameter count stays within ``SearchSpace.max_params``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

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
from tactile.estimators.neural.recipe import TrainingRecipe

#: Training-schedule settings a space may search (:class:`SearchSpace`; fields of
#: :class:`~tactile.estimators.neural.train.TrainConfig`, ``augment`` as on/off).
SCHEDULE_KEYS = ("epochs", "batch_size", "augment")


class TrialLike(Protocol):
    """What the space asks of a trial (an ``optuna.Trial`` or ``optuna.trial.FixedTrial``)."""

    def suggest_categorical(self, name: str, choices: Any) -> Any: ...
    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False) -> int: ...
    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float: ...


class InfeasibleDesignError(ConfigError):
    """A sampled design breaks a constraint of the space (no tower, too deep, too big)."""


@dataclass(frozen=True)
class SearchSpace:
    """Ranges of the search (defaults: a space whose designs train in seconds on CPU)."""

    towers: tuple[str, ...] = ("image", "force", "width", "analytical", "geometry")
    k_frames: tuple[int, ...] = (4, 6, 8)
    image_size: int = 32
    image_depth: tuple[int, int] = (1, 3)
    image_base_width: tuple[int, ...] = (4, 8, 16)
    image_growth: tuple[int, ...] = (1, 2)  # channel multiplier per block
    image_kernel: tuple[int, ...] = (3, 5)
    image_stride: tuple[int, ...] = (1, 2)
    image_pooling: tuple[str, ...] = ("mean", "max")
    image_embed: tuple[int, ...] = (8, 16, 32)
    image_temporal: tuple[str, ...] = ("concat", "mean")
    seq_depth: tuple[int, int] = (1, 2)  # force / width tower hidden layers
    # the widths include the default model's (``mt-rig``: force/width 48 -> 24, geometry
    # 24 -> 12, fusion 64-64), so the search can reach the design it is compared with
    seq_width: tuple[int, ...] = (16, 32, 48, 64)
    seq_embed: tuple[int, ...] = (8, 16, 24, 32)
    small_width: tuple[int, ...] = (8, 16, 24, 32)  # analytical / geometry tower hidden width
    small_embed: tuple[int, ...] = (4, 8, 12, 16)
    fusion_depth: tuple[int, int] = (1, 3)
    fusion_width: tuple[int, ...] = (16, 32, 64, 128)
    fusion_shape: tuple[str, ...] = ("funnel", "constant")  # asked when fusion_depth >= 2
    dropout: tuple[float, float] = (0.0, 0.3)
    activation: tuple[str, ...] = ("gelu", "relu", "silu")
    lr: tuple[float, float] = (3e-4, 1e-2)
    weight_decay: tuple[float, float] = (1e-6, 1e-2)
    # the training schedule, searched only where choices are listed (empty: the protocol's
    # fixed value for every trial, as before these existed); ``tactile search
    # --search-epochs 30,60,150 --search-batch-size 32,64 --search-augment``
    epochs: tuple[int, ...] = ()
    batch_size: tuple[int, ...] = ()
    augment: tuple[bool, ...] = ()
    max_params: int = 200_000

    def __post_init__(self) -> None:
        unknown = sorted(set(self.towers) - {"image", "force", "width", "analytical", "geometry"})
        if unknown or not self.towers:
            raise ConfigError(
                f"search space towers {list(self.towers)} name unknown towers {unknown}",
                hint="choose from image, force, width, analytical, geometry",
            )
        bad_shapes = sorted(set(self.fusion_shape) - {"funnel", "constant"})
        if bad_shapes or not self.fusion_shape:
            raise ConfigError(
                f"search space fusion_shape {list(self.fusion_shape)} names unknown shapes "
                f"{bad_shapes}",
                hint="choose from funnel, constant",
            )
        for name in ("epochs", "batch_size"):
            values = getattr(self, name)
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
                raise ConfigError(
                    f"search space {name} {list(values)}: every choice must be a whole number >= 1",
                    hint="e.g. --search-epochs 30,60,150 or --search-batch-size 32,64",
                )
        if any(not isinstance(v, bool) for v in self.augment):
            raise ConfigError(
                f"search space augment {list(self.augment)}: the choices are true/false",
                hint="use --search-augment (searches on and off)",
            )

    def schedule(self) -> dict[str, tuple[Any, ...]]:
        """The schedule settings this space searches (name -> choices); empty: none."""
        return {name: tuple(getattr(self, name)) for name in SCHEDULE_KEYS if getattr(self, name)}


def _tower_on(trial: TrialLike, space: SearchSpace, name: str) -> bool:
    if name not in space.towers:
        return False
    return bool(trial.suggest_categorical(f"{name}_on", [True, False]))


def _image_tower(trial: TrialLike, space: SearchSpace) -> ImageTowerConfig:
    if not _tower_on(trial, space, "image"):
        return ImageTowerConfig(enabled=False)
    stride = int(trial.suggest_categorical("image_stride", list(space.image_stride)))
    depth = trial.suggest_int("image_depth", *space.image_depth)
    if stride == 2 and depth > int(math.log2(space.image_size)) - 1:
        raise InfeasibleDesignError(
            f"{depth} stride-2 conv blocks leave less than a 2x2 map of a "
            f"{space.image_size}x{space.image_size} image",
            hint="fewer blocks or stride 1",
        )
    base = int(trial.suggest_categorical("image_base_width", list(space.image_base_width)))
    growth = int(trial.suggest_categorical("image_growth", list(space.image_growth)))
    return ImageTowerConfig(
        enabled=True,
        channels=tuple(base * growth**i for i in range(depth)),
        embed=int(trial.suggest_categorical("image_embed", list(space.image_embed))),
        temporal=str(trial.suggest_categorical("image_temporal", list(space.image_temporal))),
        kernel=int(trial.suggest_categorical("image_kernel", list(space.image_kernel))),
        stride=stride,
        pooling=str(trial.suggest_categorical("image_pooling", list(space.image_pooling))),
    )


def _sequence_tower(trial: TrialLike, space: SearchSpace, name: str) -> MlpTowerConfig:
    if not _tower_on(trial, space, name):
        return MlpTowerConfig(enabled=False)
    depth = trial.suggest_int(f"{name}_depth", *space.seq_depth)
    width = int(trial.suggest_categorical(f"{name}_width", list(space.seq_width)))
    embed = int(trial.suggest_categorical(f"{name}_embed", list(space.seq_embed)))
    return MlpTowerConfig(enabled=True, hidden=(width,) * depth, embed=embed)


def _small_tower(trial: TrialLike, space: SearchSpace, name: str) -> MlpTowerConfig:
    if not _tower_on(trial, space, name):
        return MlpTowerConfig(enabled=False)
    width = int(trial.suggest_categorical(f"{name}_width", list(space.small_width)))
    embed = int(trial.suggest_categorical(f"{name}_embed", list(space.small_embed)))
    return MlpTowerConfig(enabled=True, hidden=(width,), embed=embed)


def suggest_config(
    trial: TrialLike, space: SearchSpace | None = None, *, name: str = "searched"
) -> MultiTowerConfig:
    """Sample one architecture (define-by-run); raises :class:`InfeasibleDesignError` when a
    constraint is broken."""
    space = space or SearchSpace()
    k_frames = int(trial.suggest_categorical("k_frames", list(space.k_frames)))
    image = _image_tower(trial, space)
    force = _sequence_tower(trial, space, "force")
    width = _sequence_tower(trial, space, "width")
    analytical = _small_tower(trial, space, "analytical")
    geometry = _small_tower(trial, space, "geometry")
    if not any(t.enabled for t in (image, force, width, analytical, geometry)):
        raise InfeasibleDesignError("every tower is off", hint="at least one tower must be on")
    fusion_depth = trial.suggest_int("fusion_depth", *space.fusion_depth)
    fusion_width = int(trial.suggest_categorical("fusion_width", list(space.fusion_width)))
    fusion_shape = "funnel"
    if fusion_depth >= 2:
        fusion_shape = str(trial.suggest_categorical("fusion_shape", list(space.fusion_shape)))
    # funnel: each fusion layer half as wide as the one before (at least 8); constant: all alike
    halving = 2 if fusion_shape == "funnel" else 1
    config = MultiTowerConfig(
        name=name,
        k_frames=k_frames,
        image_size=space.image_size,
        image=image,
        force=force,
        width=width,
        analytical=analytical,
        geometry=geometry,
        fusion_hidden=tuple(max(8, fusion_width // halving**i) for i in range(fusion_depth)),
        dropout=trial.suggest_float("dropout", *space.dropout),
        activation=str(trial.suggest_categorical("activation", list(space.activation))),
    )
    n = count_parameters(config)
    if n > space.max_params:
        raise InfeasibleDesignError(
            f"{n} parameters exceed the space's budget of {space.max_params}",
            hint="raise SearchSpace.max_params",
        )
    return config


def suggest_train(trial: TrialLike, space: SearchSpace | None = None) -> dict[str, Any]:
    """Learning rate and weight decay (log-uniform), then each schedule setting the space
    lists choices for (epochs, batch size, augmentation; categorical)."""
    space = space or SearchSpace()
    train: dict[str, Any] = {
        "lr": trial.suggest_float("lr", *space.lr, log=True),
        "weight_decay": trial.suggest_float("weight_decay", *space.weight_decay, log=True),
    }
    for name, choices in space.schedule().items():
        value = trial.suggest_categorical(name, list(choices))
        train[name] = bool(value) if name == "augment" else int(value)
    return train


def suggest_recipe(
    trial: TrialLike, space: SearchSpace | None = None, *, name: str = "searched"
) -> TrainingRecipe:
    """:func:`suggest_config` plus :func:`suggest_train`, as an exportable recipe."""
    config = suggest_config(trial, space, name=name)
    return TrainingRecipe(config, suggest_train(trial, space))


def _mlp_params(n_in: int, hidden: tuple[int, ...], n_out: int) -> int:
    total, width = 0, n_in
    for h in (*hidden, n_out):
        total += width * h + h
        width = h
    return total


def count_parameters(config: MultiTowerConfig) -> int:
    """The network's parameter count, computed without torch (equals
    ``MultiTowerNet(config).n_parameters()``; tested)."""
    k = config.k_frames
    total, fused = 0, 0
    img = config.image
    if img.enabled:
        c_in = 1
        for c in img.channels:
            total += c_in * c * img.kernel**2 + c + 2 * c  # conv weight+bias, GroupNorm affine
            c_in = c
        total += c_in * img.embed + img.embed
        fused += img.embed * (k if img.temporal == "concat" else 1)
    for tower, n_in in (
        (config.force, len(FORCE_CHANNELS) * k),
        (config.width, len(WIDTH_CHANNELS) * k),
        (config.analytical, len(ANALYTICAL_CHANNELS)),
        (config.geometry, len(GEOMETRY_CHANNELS)),
    ):
        if tower.enabled:
            total += _mlp_params(n_in, tower.hidden, tower.embed)
            fused += tower.embed
    return total + _mlp_params(fused, config.fusion_hidden, 2)
