"""Configuration of the multi-tower network (torch-free, so search and CLIs can import it cheaply).

A :class:`MultiTowerConfig` fully describes an architecture and its inputs; it is validated in
``__post_init__`` and round-trips through JSON (it is stored inside every checkpoint). Widths of 0
or ``enabled=False`` switch a tower off; the fusion head always exists.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from tactile.errors import ConfigError

CONFIG_SCHEMA_VERSION = 2  # 2: geometry tower, physics channels (inputs v5)

#: Frame-sampling rules over the loading phase (first contact .. peak force).
SAMPLING_MODES = ("force", "time")
TEMPORAL_MODES = ("concat", "mean")
POOLING_MODES = ("mean", "max")
ACTIVATIONS = ("gelu", "relu", "silu")
TOWERS = ("image", "force", "width", "analytical", "geometry")

#: Channels of the sequence towers (one value per sampled frame).
FORCE_CHANNELS = (
    "log_force",
    "log_area",
    "log_image_p99",
    "log_image_mean",
    "log_pressure",
    "log_depth",
)
WIDTH_CHANNELS = (
    "closure",
    "log_closure",
    "log_strain",
    "object_strain",
    "log10_flat_modulus",
    "log10_sphere_modulus",
    "excess_closure",  # closure minus the rig's rigid-press closure at the same force (mm)
    "log_closure_ratio",  # log((closure + 0.05 mm) / (rigid-press closure + 0.05 mm))
)
#: Inputs of the geometry tower: object size along the squeeze axis and optional shape metadata.
SHAPE_CATEGORIES = ("sphere", "cylinder", "flat", "irregular", "unknown")
GEOMETRY_CHANNELS = (
    "log_width_contact",
    *(f"shape_{c}" for c in SHAPE_CATEGORIES),
    "log10_radius",
    "radius_known",
    # the rig's rigid-press curve (SensorCalibration, `tactile calibrate rig`): one model
    # serves several rigs; NaN / known 0 when the rig is not calibrated
    "rig_closure_25n",
    "rig_closure_ratio_10_25",
    "rig_width_step",
    "rig_gel_thickness",
    "rig_known",
)
#: Inputs of the analytical-estimate tower.
ANALYTICAL_CHANNELS = ("log10_modulus", "log10_width68", "stiff", "available")


def _positive_int(owner: str, name: str, value: Any, *, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            f"{owner}.{name}={value!r} must be an integer >= {minimum}",
            hint=f"set {name} to a whole number of at least {minimum}",
        )


def _widths(owner: str, name: str, value: Any) -> tuple[int, ...]:
    try:
        out = tuple(value)
    except TypeError as exc:
        raise ConfigError(
            f"{owner}.{name}={value!r} must be a list of layer widths",
            hint=f"write {name} as e.g. [32, 32]",
        ) from exc
    for v in out:
        _positive_int(owner, name, v)
    return out


def _choice(owner: str, name: str, value: Any, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ConfigError(
            f"{owner}.{name}={value!r} is not one of {list(options)}",
            hint=f"choose {name} from {', '.join(options)}",
        )


@dataclass(frozen=True)
class ImageTowerConfig:
    """Shared CNN applied to each of the K sampled contact maps (1 channel, size x size)."""

    enabled: bool = True
    channels: tuple[int, ...] = (8, 16, 32)  # one conv block per entry
    embed: int = 32
    temporal: str = "concat"  # how the K frame embeddings are combined
    kernel: int = 3  # square conv kernel (odd), padding kernel // 2
    stride: int = 2  # of every conv block (1 or 2)
    pooling: str = "mean"  # global pooling of the last feature map

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", _widths("image", "channels", self.channels))
        if self.enabled and not self.channels:
            raise ConfigError(
                "image.channels is empty while the image tower is enabled",
                hint="give at least one conv width, or set image.enabled=false",
            )
        _positive_int("image", "embed", self.embed)
        _choice("image", "temporal", self.temporal, TEMPORAL_MODES)
        _positive_int("image", "kernel", self.kernel)
        if self.kernel % 2 == 0:
            raise ConfigError(f"image.kernel={self.kernel} must be odd", hint="use 3 or 5 (or 1)")
        if self.stride not in (1, 2) or isinstance(self.stride, bool):
            raise ConfigError(f"image.stride={self.stride!r} must be 1 or 2", hint="use 2")
        _choice("image", "pooling", self.pooling, POOLING_MODES)


@dataclass(frozen=True)
class MlpTowerConfig:
    """A small MLP tower (force, width or analytical inputs)."""

    enabled: bool = True
    hidden: tuple[int, ...] = (32,)
    embed: int = 16

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", _widths("tower", "hidden", self.hidden))
        _positive_int("tower", "embed", self.embed)


@dataclass(frozen=True)
class MultiTowerConfig:
    """Architecture and input description of one multi-tower network.

    ``k_frames`` frames are sampled over the loading phase, by force fraction (``sampling="force"``:
    frame where the force first reaches q * peak, q = 1/K .. 1, which makes the inputs independent
    of the squeeze speed) or uniformly in time. Images are ``image_size`` square single-channel
    contact maps (background-subtracted, per-grasp normalised).
    """

    name: str = "custom"
    k_frames: int = 6
    image_size: int = 32
    sampling: str = "force"
    image: ImageTowerConfig = field(default_factory=ImageTowerConfig)
    force: MlpTowerConfig = field(default_factory=MlpTowerConfig)
    width: MlpTowerConfig = field(default_factory=MlpTowerConfig)
    analytical: MlpTowerConfig = field(
        default_factory=lambda: MlpTowerConfig(hidden=(16,), embed=8)
    )
    geometry: MlpTowerConfig = field(default_factory=lambda: MlpTowerConfig(hidden=(16,), embed=8))
    fusion_hidden: tuple[int, ...] = (64, 32)
    dropout: float = 0.1
    activation: str = "gelu"

    def __post_init__(self) -> None:
        for name, cls in (
            ("image", ImageTowerConfig),
            ("force", MlpTowerConfig),
            ("width", MlpTowerConfig),
            ("analytical", MlpTowerConfig),
            ("geometry", MlpTowerConfig),
        ):
            value = getattr(self, name)
            if isinstance(value, dict):
                object.__setattr__(self, name, _tower_from_dict(cls, name, value))
            elif not isinstance(value, cls):
                raise ConfigError(
                    f"MultiTowerConfig.{name} must be a {cls.__name__} or a dict, got {value!r}",
                    hint=f"pass {name}={cls.__name__}(...) or a JSON object",
                )
        _positive_int("MultiTowerConfig", "k_frames", self.k_frames, minimum=2)
        _positive_int("MultiTowerConfig", "image_size", self.image_size, minimum=8)
        if self.image.enabled and self.image_size < self.image.stride ** len(self.image.channels):
            raise ConfigError(
                f"image_size={self.image_size} is too small for {len(self.image.channels)} "
                f"stride-{self.image.stride} conv blocks",
                hint="use a larger image_size or fewer image.channels",
            )
        _choice("MultiTowerConfig", "sampling", self.sampling, SAMPLING_MODES)
        _choice("MultiTowerConfig", "activation", self.activation, ACTIVATIONS)
        object.__setattr__(
            self, "fusion_hidden", _widths("MultiTowerConfig", "fusion_hidden", self.fusion_hidden)
        )
        if not (isinstance(self.dropout, int | float) and 0.0 <= self.dropout < 1.0):
            raise ConfigError(
                f"MultiTowerConfig.dropout={self.dropout!r} must be in [0, 1)",
                hint="use e.g. dropout=0.1, or 0 to switch it off",
            )
        if not self.enabled_towers:
            raise ConfigError(
                "every tower of the multi-tower network is switched off",
                hint="enable at least one of image, force, width, analytical, geometry",
            )

    @property
    def enabled_towers(self) -> tuple[str, ...]:
        return tuple(n for n in TOWERS if getattr(self, n).enabled)

    def with_overrides(self, **overrides: Any) -> MultiTowerConfig:
        """A copy with fields replaced; tower fields may be given as partial dicts."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(
                f"unknown MultiTowerConfig field(s): {unknown}",
                hint=f"valid fields are {sorted(known)}",
            )
        merged: dict[str, Any] = {}
        for key, value in overrides.items():
            current = getattr(self, key)
            if isinstance(value, dict) and not isinstance(current, dict):
                merged[key] = {**asdict(current), **value}
            else:
                merged[key] = value
        return replace(self, **merged)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_version"] = CONFIG_SCHEMA_VERSION
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MultiTowerConfig:
        if not isinstance(data, dict):
            raise ConfigError(
                f"a network config must be a JSON object, got {type(data).__name__}",
                hint='write the config as {"name": ..., "k_frames": ...}',
            )
        data = dict(data)
        version = data.pop("schema_version", CONFIG_SCHEMA_VERSION)
        if not isinstance(version, int) or version > CONFIG_SCHEMA_VERSION:
            raise ConfigError(
                f"network config schema {version!r} is newer than this tactile understands "
                f"({CONFIG_SCHEMA_VERSION})",
                hint="upgrade tactile",
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown network config field(s): {unknown}",
                hint=f"valid fields are {sorted(known)}",
            )
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> MultiTowerConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"network config is not valid JSON ({exc})",
                hint="check the quotes and commas, or write it with MultiTowerConfig.to_json",
            ) from exc
        return cls.from_dict(data)


def grasp_input_shapes(config: MultiTowerConfig) -> dict[str, tuple[int, ...]]:
    """The shape of each of the network's inputs for one grasp (a batch of one)."""
    k, s = config.k_frames, config.image_size
    return {
        "images": (1, k, s, s),
        "force": (1, len(FORCE_CHANNELS), k),
        "width": (1, len(WIDTH_CHANNELS), k),
        "analytical": (1, len(ANALYTICAL_CHANNELS)),
        "geometry": (1, len(GEOMETRY_CHANNELS)),
    }


def _tower_from_dict(cls: type[Any], name: str, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown field(s) {unknown} in tower {name!r}",
            hint=f"valid fields are {sorted(known)}",
        )
    return cls(**data)
