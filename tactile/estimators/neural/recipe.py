"""A training recipe: a network config plus the optimisation settings that go with it (torch-free).

``tactile search`` exports its best design as a recipe (``best.json``) and ``tactile train --config
best.json`` reads it back, so the searched design is retrained with the learning rate, weight
decay, dropout and schedule it was found with. A plain :class:`MultiTowerConfig` JSON (no
``"network"`` key) is read as a recipe with no training settings::

    {
      "format": "tactile-train-recipe", "version": 1,
      "network": {... MultiTowerConfig.to_dict() ...},
      "train": {"lr": 0.003, "weight_decay": 1e-05, "epochs": 200, ...},
      "analytical": "hertz",
      "provenance": {"study": "...", "trial": 17, ...}
    }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError
from tactile.estimators.neural.config import MultiTowerConfig

RECIPE_FORMAT = "tactile-train-recipe"
RECIPE_VERSION = 1
#: Keys of ``train`` a recipe may set (fields of :class:`~.train.TrainConfig`).
RECIPE_FIELDS = ("format", "version", "network", "train", "analytical", "provenance")
TRAIN_KEYS = (
    "epochs",
    "batch_size",
    "lr",
    "weight_decay",
    "patience",
    "mse_weight",
    "seed",
    "augment",  # true/false: the default sim-to-real augmentation on or off
)


@dataclass(frozen=True)
class TrainingRecipe:
    """What ``tactile train --config`` needs to reproduce a design."""

    network: MultiTowerConfig
    train: dict[str, Any] = field(default_factory=dict)
    analytical: str | None = None  # None: the caller's default
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.train) - set(TRAIN_KEYS))
        if unknown:
            raise ConfigError(
                f"unknown training setting(s) {unknown} in the recipe",
                hint=f"valid settings are {list(TRAIN_KEYS)}",
            )
        if "augment" in self.train and not isinstance(self.train["augment"], bool):
            raise ConfigError(
                f"recipe train.augment={self.train['augment']!r} must be true or false",
                hint='e.g. "augment": false',
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": RECIPE_FORMAT,
            "version": RECIPE_VERSION,
            "network": self.network.to_dict(),
            "train": dict(self.train),
            "analytical": self.analytical,
            "provenance": self.provenance,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json() + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def from_dict(cls, data: Any) -> TrainingRecipe:
        if not isinstance(data, dict):
            raise ConfigError(
                f"a network config must be a JSON object, got {type(data).__name__}",
                hint='write it as {"network": {...}, "train": {...}} or a MultiTowerConfig',
            )
        if "network" not in data:  # a bare MultiTowerConfig
            return cls(MultiTowerConfig.from_dict(data))
        fmt = data.get("format", RECIPE_FORMAT)
        version = data.get("version", RECIPE_VERSION)
        if fmt != RECIPE_FORMAT or not isinstance(version, int) or version > RECIPE_VERSION:
            raise ConfigError(
                f"training recipe format {fmt!r} version {version!r} is not one this tactile "
                f"reads ({RECIPE_FORMAT} <= {RECIPE_VERSION})",
                hint="upgrade tactile, or export the recipe again",
            )
        extra = sorted(set(data) - {*RECIPE_FIELDS})
        if extra:
            raise ConfigError(
                f"unknown recipe field(s) {extra}",
                hint="valid fields are network, train, analytical, provenance",
            )
        train = data.get("train") or {}
        if not isinstance(train, dict):
            raise ConfigError("recipe 'train' must be a JSON object", hint='e.g. {"lr": 0.002}')
        analytical = data.get("analytical")
        if analytical is not None and not isinstance(analytical, str):
            raise ConfigError(
                f"recipe 'analytical'={analytical!r} must be an estimator name or null",
                hint='e.g. "hertz", or "none" for no analytical tower input',
            )
        return cls(
            MultiTowerConfig.from_dict(data["network"]),
            dict(train),
            analytical,
            dict(data.get("provenance") or {}),
        )

    @classmethod
    def from_json(cls, text: str) -> TrainingRecipe:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"network config is not valid JSON ({exc})",
                hint="check the quotes and commas, or export it with tactile search",
            ) from exc
        return cls.from_dict(data)


def load_recipe(text_or_path: str | Path) -> TrainingRecipe:
    """A recipe from a file path or from JSON text (a MultiTowerConfig JSON is accepted too)."""
    text = str(text_or_path)
    if not text.lstrip().startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise ConfigError(
                f"network config {text!r} is neither a file nor JSON", hint="pass a .json file"
            )
        text = path.read_text()
    return TrainingRecipe.from_json(text)


def recipe_for(config: str | Path | None, model: str = "mt-rig") -> TrainingRecipe:
    """``tactile train``'s recipe: ``config`` (a recipe or network config, JSON file or text:
    :func:`load_recipe`), else the registered architecture ``model`` with default settings."""
    from tactile.estimators.neural.model import model_config

    if config is None:
        return TrainingRecipe(model_config(model))
    return load_recipe(config)


def train_config(
    recipe: TrainingRecipe,
    overrides: dict[str, Any] | None = None,
    *,
    num_threads: int | None = None,
    augment: bool | None = None,
) -> Any:
    """The :class:`~tactile.estimators.neural.train.TrainConfig` of a run: explicit
    ``overrides`` (epochs, batch_size, lr, weight_decay, patience, seed; None values are
    ignored) win over the recipe's settings, which win over the defaults. ``augment``: on or
    off explicitly (``tactile train --no-augment``); None: the recipe's ``augment``, else on."""
    from tactile.estimators.neural.train import TrainConfig

    settings: dict[str, Any] = {"augment": True, **recipe.train}
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if augment is not None:
        settings["augment"] = augment
    return TrainConfig(**settings, num_threads=num_threads)  # on/off -> AugmentConfig there
