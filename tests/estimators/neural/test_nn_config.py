"""MultiTowerConfig: validation with fixes in the message, JSON round trip, overrides."""

from __future__ import annotations

import json

import pytest

from tactile.errors import ConfigError
from tactile.estimators.neural.config import (
    CONFIG_SCHEMA_VERSION,
    ImageTowerConfig,
    MlpTowerConfig,
    MultiTowerConfig,
)
from tactile.estimators.neural.model import available_models, model_config


@pytest.mark.parametrize("name", available_models())
def test_registered_configs_round_trip_through_json(name: str) -> None:
    cfg = model_config(name)
    again = MultiTowerConfig.from_json(cfg.to_json())
    assert again == cfg
    assert json.loads(cfg.to_json())["schema_version"] == CONFIG_SCHEMA_VERSION == 2


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"k_frames": 1}, "k_frames"),
        ({"k_frames": True}, "k_frames"),
        ({"image_size": 4}, "image_size"),
        ({"dropout": 1.5}, "dropout"),
        ({"sampling": "random"}, "sampling"),
        ({"activation": "tanh"}, "activation"),
        ({"fusion_hidden": (32, 0)}, "fusion_hidden"),
        ({"image_size": 8, "image": ImageTowerConfig(channels=(4, 4, 4, 4))}, "too small"),
        ({"image": {"channels": [4], "embed": 0}}, "embed"),
        ({"image": {"colour": True}}, "colour"),
        ({"force": "big"}, "force"),
    ],
)
def test_invalid_configs_name_the_field_and_the_fix(kwargs: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        MultiTowerConfig(**kwargs)
    assert needle in str(err.value)
    assert err.value.hint


def test_all_towers_off_is_refused() -> None:
    off = MlpTowerConfig(enabled=False)
    with pytest.raises(ConfigError, match="every tower"):
        MultiTowerConfig(
            image=ImageTowerConfig(enabled=False),
            force=off,
            width=off,
            analytical=off,
            geometry=off,
        )


def test_overrides_merge_partial_tower_dicts() -> None:
    cfg = model_config("mt-small", k_frames=4, image={"embed": 7})
    assert cfg.k_frames == 4
    assert cfg.image.embed == 7
    assert cfg.image.channels == model_config("mt-small").image.channels
    with pytest.raises(ConfigError, match="unknown"):
        model_config("mt-small", kframes=4)
    with pytest.raises(ConfigError, match="mt-small"):
        model_config("no-such-net")


def test_from_json_rejects_bad_text_unknown_fields_and_newer_schema() -> None:
    with pytest.raises(ConfigError, match="not valid JSON"):
        MultiTowerConfig.from_json("{nope")
    with pytest.raises(ConfigError, match="unknown network config"):
        MultiTowerConfig.from_json('{"k_frame": 3}')
    with pytest.raises(ConfigError, match="newer"):
        MultiTowerConfig.from_json('{"schema_version": 99}')
    with pytest.raises(ConfigError, match="JSON object"):
        MultiTowerConfig.from_json("[1, 2]")
