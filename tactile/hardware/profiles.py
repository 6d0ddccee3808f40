"""Hardware profiles: a rig's device URLs and grasp settings in one TOML file.

Profiles live in ``hardware/<name>.toml`` (searched in ``$TACTILE_HARDWARE_DIR``, then
``./hardware``, then the repository's ``hardware/``), or anywhere given by path. Schema
(documented in ``docs/hardware.md``)::

    name = "robotiq-2f85-wedge"
    description = "..."
    calibration = "wedge-reference-v1"     # optional sensor calibration id or path
    [devices]
    gripper = "/dev/ttyUSB0?model=2f85"
    tactile = "mjpeg://192.168.1.20:8080/?action=stream"
    force = "socket://192.168.1.21:5000"
    [recorder]                              # optional RecorderConfig fields
    max_force_n = 40.0
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactile._paths import artifact_dir
from tactile.errors import ConfigError

_REPO_HARDWARE = artifact_dir("hardware")
ROLES = ("gripper", "tactile", "force")


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    devices: dict[str, str]
    description: str = ""
    calibration: str | None = None
    recorder: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        missing = [r for r in ROLES if not self.devices.get(r)]
        if missing:
            raise ConfigError(
                f"hardware profile {self.name!r} lacks device URL(s) for {', '.join(missing)}",
                hint="add them under [devices] (gripper, tactile, force)",
            )


def profile_dirs() -> list[Path]:
    dirs = (
        [Path(os.environ["TACTILE_HARDWARE_DIR"])] if "TACTILE_HARDWARE_DIR" in os.environ else []
    )
    return [*dirs, Path.cwd() / "hardware", _REPO_HARDWARE]


def list_profiles() -> dict[str, Path]:
    """Profile name -> file, first directory wins."""
    found: dict[str, Path] = {}
    for d in profile_dirs():
        for p in sorted(d.glob("*.toml")) if d.is_dir() else []:
            found.setdefault(p.stem, p)
    return found


def load_profile(name_or_path: str | Path) -> HardwareProfile:
    """A profile by name (``robotiq-2f85-wedge``) or by path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        known = list_profiles()
        if str(name_or_path) not in known:
            raise ConfigError(
                f"unknown hardware profile {str(name_or_path)!r}",
                hint=f"use one of {sorted(known)} or a path to a .toml file",
            )
        path = known[str(name_or_path)]
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"hardware profile {path} does not exist", hint="check the path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"hardware profile {path} is not valid TOML ({exc})",
            hint="see docs/hardware.md for the format",
        ) from exc
    devices = data.get("devices", {})
    if not isinstance(devices, dict):
        raise ConfigError(f"{path}: [devices] must be a table", hint="see docs/hardware.md")
    return HardwareProfile(
        name=str(data.get("name", path.stem)),
        devices={k: str(v) for k, v in devices.items()},
        description=str(data.get("description", "")),
        calibration=data.get("calibration") or None,
        recorder=dict(data.get("recorder", {})),
        path=path,
    )
