"""Hardware profiles and ``tactile find-devices``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.errors import ConfigError
from tactile.hardware import parse_device_url
from tactile.hardware.profiles import list_profiles, load_profile
from tactile.recording import RecorderConfig


@pytest.mark.parametrize("name", ["robotiq-2f85-wedge", "robotiq-2f85-mini", "sim"])
def test_shipped_profiles_are_complete(name: str) -> None:
    profile = load_profile(name)
    assert set(profile.devices) >= {"gripper", "tactile", "force"}
    for url in profile.devices.values():
        parse_device_url(url)
    RecorderConfig(**profile.recorder)  # every recorder setting is a real field


def test_profile_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown hardware profile"):
        load_profile("no-such-rig")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[devices]\ngripper = "sim://"\n')
    with pytest.raises(ConfigError, match="tactile, force"):
        load_profile(bad)


def test_profile_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.toml").write_text(
        '[devices]\ngripper = "sim://"\ntactile = "sim://"\nforce = "sim://"\n'
    )
    monkeypatch.setenv("TACTILE_HARDWARE_DIR", str(tmp_path))
    assert "mine" in list_profiles()
    assert load_profile("mine").name == "mine"


def test_find_devices_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find-devices", "--no-cameras", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert isinstance(result["serial_ports"], list) and result["cameras"] == []
    assert "robotiq-2f85-wedge" in result["profiles"]
