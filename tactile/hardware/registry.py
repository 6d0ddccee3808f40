"""Backends chosen by URL, like pyserial's ``serial_for_url``.

``open_gripper(url)``, ``open_tactile_sensor(url)`` and ``open_force_sensor(url)`` return an
*unconnected* device; use it in a ``with`` block (or call ``connect()``). Backends are named by
``"module:function"`` strings and imported on first use, so opening a simulated gripper never
imports OpenCV and vice versa. A bare path (``/dev/ttyUSB0``, ``COM3``) or a camera index
(``0``) has no scheme; each role says which backend such a URL goes to.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import parse_qsl, urlsplit

from tactile.errors import ConfigError, UnknownSchemeError
from tactile.hardware.base import Device, ForceSensor, Gripper, TactileSensor

#: pyserial URL schemes that a serial backend hands to ``serial.serial_for_url`` unchanged.
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep")


@dataclass(frozen=True)
class DeviceUrl:
    """A parsed device URL: ``scheme://netloc/path?key=value#fragment``."""

    raw: str
    scheme: str  # "" for a bare path or index
    netloc: str = ""
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)
    fragment: str = ""

    @property
    def target(self) -> str:
        """Host and path together, without query or fragment (e.g. ``/dev/ttyUSB0``)."""
        return self.netloc + self.path

    def get_str(self, key: str, default: str) -> str:
        return self.params.get(key, default)

    def get_float(self, key: str, default: float) -> float:
        text = self.params.get(key)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError as exc:
            raise ConfigError(
                f"device URL {self.raw!r}: {key}={text!r} is not a number",
                hint=f"write e.g. ?{key}={default}",
            ) from exc
        if not math.isfinite(value):
            raise ConfigError(
                f"device URL {self.raw!r}: {key}={text!r} is not finite",
                hint=f"write a finite number, e.g. ?{key}={default}",
            )
        return value

    def get_int(self, key: str, default: int) -> int:
        value = self.get_float(key, float(default))
        if value != int(value):
            raise ConfigError(
                f"device URL {self.raw!r}: {key}={value} is not an integer",
                hint=f"write e.g. ?{key}={default}",
            )
        return int(value)

    def get_bool(self, key: str, default: bool) -> bool:
        text = self.params.get(key)
        if text is None:
            return default
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(
            f"device URL {self.raw!r}: {key}={text!r} is not a boolean",
            hint=f"write ?{key}=1 or ?{key}=0",
        )


def parse_device_url(url: str) -> DeviceUrl:
    """Split a device URL; a string without ``://`` is a bare path or index (scheme ``""``)."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(
            f"device URL {url!r} is empty", hint="give a URL such as sim:// or /dev/ttyUSB0"
        )
    url = url.strip()
    if "://" not in url:
        path, _, query = url.partition("?")
        return DeviceUrl(raw=url, scheme="", path=path, params=dict(parse_qsl(query)))
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    fragment, _, late_query = parts.fragment.partition("?")  # tolerate file.h5#id?speed=0
    params.update(parse_qsl(late_query, keep_blank_values=True))
    return DeviceUrl(
        raw=url,
        scheme=parts.scheme.lower(),
        netloc=parts.netloc,
        path=parts.path,
        params=params,
        fragment=fragment,
    )


_GRIPPERS: dict[str, str] = {
    "sim": "tactile.hardware.sim_gripper:SimGripper",
    "replay": "tactile.hardware.replay:ReplayGripper",
    "robotiq": "tactile.hardware.robotiq:RobotiqGripper",
    "robotiq-sim": "tactile.hardware.robotiq:RobotiqGripper",
    "": "tactile.hardware.robotiq:RobotiqGripper",
    **{s: "tactile.hardware.robotiq:RobotiqGripper" for s in PYSERIAL_SCHEMES},
}
_TACTILE: dict[str, str] = {
    "sim": "tactile.hardware.sim_camera:SimCamera",
    "replay": "tactile.hardware.replay:ReplayCamera",
    "opencv": "tactile.hardware.camera_opencv:OpenCVCamera",
    "file": "tactile.hardware.camera_opencv:OpenCVCamera",
    "": "tactile.hardware.camera_opencv:OpenCVCamera",
    "mjpeg": "tactile.hardware.camera_mjpeg:MjpegCamera",
    "http": "tactile.hardware.camera_mjpeg:MjpegCamera",
}
_FORCE: dict[str, str] = {
    "sim": "tactile.hardware.sim_force:SimForceSensor",
    "replay": "tactile.hardware.replay:ReplayForceSensor",
    "gauge": "tactile.hardware.force_gauge:SerialForceGauge",
    "": "tactile.hardware.force_gauge:SerialForceGauge",
    **{s: "tactile.hardware.force_gauge:SerialForceGauge" for s in PYSERIAL_SCHEMES},
}
_ROLES: dict[str, dict[str, str]] = {"gripper": _GRIPPERS, "tactile": _TACTILE, "force": _FORCE}


def register_backend(role: str, scheme: str, target: str) -> None:
    """Add or replace a backend: ``role`` in gripper/tactile/force, ``target`` "module:Class"."""
    if role not in _ROLES:
        raise ConfigError(f"unknown device role {role!r}", hint=f"use one of {sorted(_ROLES)}")
    _ROLES[role][scheme.lower()] = target


def known_schemes(role: str) -> list[str]:
    return sorted(s + "://" for s in _ROLES[role] if s)


def _load(target: str) -> Callable[[str], Device]:
    module_name, _, attr = target.partition(":")
    return cast(Callable[[str], Device], getattr(importlib.import_module(module_name), attr))


def _open(role: str, url: str, expected: type) -> Device:
    parsed = parse_device_url(url)
    table = _ROLES[role]
    if parsed.scheme not in table:
        raise UnknownSchemeError(
            f"no {role} backend handles {parsed.scheme + '://'!r} in {url!r}",
            hint=f"use one of {', '.join(known_schemes(role))} or a bare serial path / index",
        )
    device = _load(table[parsed.scheme])(url)
    if not isinstance(device, expected):  # a registered target of the wrong family
        raise ConfigError(
            f"backend {table[parsed.scheme]} for {url!r} is not a {expected.__name__}",
            hint="register a class derived from the matching interface",
        )
    return device


def open_gripper(url: str) -> Gripper:
    """A gripper for ``url`` (not yet connected)."""
    return cast(Gripper, _open("gripper", url, Gripper))


def open_tactile_sensor(url: str) -> TactileSensor:
    """A tactile camera for ``url`` (not yet connected)."""
    return cast(TactileSensor, _open("tactile", url, TactileSensor))


def open_force_sensor(url: str) -> ForceSensor:
    """A force sensor for ``url`` (not yet connected)."""
    return cast(ForceSensor, _open("force", url, ForceSensor))
