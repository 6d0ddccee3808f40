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
    [gripper_calibration]                   # written by `tactile calibrate gripper`
    open_pos = 3
    open_mm = 85.0
    closed_pos = 230
    closed_mm = 0.0
    [force_calibration]                     # written by `tactile calibrate gauge`
    scale = 0.0098
    offset = 812.0
    [latency_s]                             # per-device delay from event to arrival
    gripper = 0.004
    tactile = 0.05
    force = 0.006

:func:`write_profile_table` replaces one such table in the file and keeps everything else,
comments included.
"""

from __future__ import annotations

import datetime
import math
import os
import re
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
    gripper_calibration: dict[str, Any] = field(default_factory=dict)
    force_calibration: dict[str, Any] = field(default_factory=dict)
    latency_s: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [r for r in ROLES if not self.devices.get(r)]
        if missing:
            raise ConfigError(
                f"hardware profile {self.name!r} lacks device URL(s) for {', '.join(missing)}",
                hint="add them under [devices] (gripper, tactile, force)",
            )
        for role, value in self.latency_s.items():
            if role not in ROLES or not (isinstance(value, int | float) and math.isfinite(value)):
                raise ConfigError(
                    f"hardware profile {self.name!r}: [latency_s] {role} = {value!r} is invalid",
                    hint=f"give seconds (e.g. 0.05) for any of {', '.join(ROLES)}",
                )

    def width_calibration(self) -> Any:
        """The gripper's measured count <-> mm map, or None when the profile has none."""
        if not self.gripper_calibration:
            return None
        from tactile.hardware.robotiq_protocol import PositionCalibration

        c = self.gripper_calibration
        try:
            return PositionCalibration(
                open_position=int(c["open_pos"]),
                open_mm=float(c["open_mm"]),
                closed_position=int(c["closed_pos"]),
                closed_mm=float(c["closed_mm"]),
                points=tuple((int(p), float(w)) for p, w in c.get("points", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"hardware profile {self.name!r}: [gripper_calibration] is incomplete ({exc})",
                hint="re-run `tactile calibrate gripper --profile ...`",
            ) from exc

    def force_conversion(self) -> dict[str, float] | None:
        if not self.force_calibration:
            return None
        try:
            return {k: float(self.force_calibration[k]) for k in ("scale", "offset")}
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"hardware profile {self.name!r}: [force_calibration] is incomplete ({exc})",
                hint="re-run `tactile calibrate gauge --profile ...`",
            ) from exc


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
        gripper_calibration=dict(data.get("gripper_calibration", {})),
        force_calibration=dict(data.get("force_calibration", {})),
        latency_s=dict(data.get("latency_s", {})),
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_profile_table(path: Path, table: str, values: dict[str, Any], comment: str = "") -> None:
    """Replace (or append) ``[table]`` in the profile at ``path``; the rest stays as it was.

    Written atomically (temporary file + rename). Values: numbers, strings, booleans, lists.
    """
    text = path.read_text()
    header = re.compile(rf"^\[{re.escape(table)}\]\s*(#.*)?$", re.M)
    match = header.search(text)
    if match:  # drop the old table: up to the next [table] header or the end of the file
        following = re.compile(r"^\[", re.M).search(text, match.end())
        end = following.start() if following else len(text)
        text = text[: match.start()] + text[end:]
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    lines = [f"[{table}]" + (f"  # {comment}" if comment else ""), f'updated_utc = "{stamp}"']
    lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write a profile that no longer parses
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
