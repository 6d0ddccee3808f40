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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlsplit

from tactile.errors import ConfigError, UnknownSchemeError
from tactile.hardware.base import Device, ForceSensor, Gripper, TactileSensor

if TYPE_CHECKING:
    from tactile.hardware.sim_world import SimRigs

#: pyserial URL schemes that a serial backend hands to ``serial.serial_for_url``.
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep")

#: each pyserial URL handler's own query options (pyserial 3.5, serial/urlhandler/*.py): kept
#: in the URL handed to pyserial, while the backend's own parameters are removed.
PYSERIAL_OPTIONS: dict[str, tuple[str, ...]] = {
    "socket": ("logging",),
    "loop": ("logging",),
    "rfc2217": ("logging", "ign_set_control", "poll_modem", "timeout"),
    "spy": ("file", "color", "raw", "all"),
    "alt": ("class",),
    "hwgrep": ("n", "skip_busy"),
}


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


def pyserial_port(url: DeviceUrl, own_keys: set[str]) -> str:
    """The string for ``serial.serial_for_url``: a bare path, or a pyserial URL that keeps the
    handler's own options (``spy://...?file=log.txt``) and drops the backend's (``own_keys``)."""
    if url.scheme not in PYSERIAL_SCHEMES:
        return url.target
    options = [
        key if value == "" else f"{key}={value}"
        for key, value in url.params.items()
        if key not in own_keys and key in PYSERIAL_OPTIONS.get(url.scheme, ())
    ]
    return f"{url.scheme}://{url.target}" + ("?" + "&".join(options) if options else "")


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
    "franka": "tactile.hardware.franka:FrankaHandGripper",
    "": "tactile.hardware.robotiq:RobotiqGripper",
    **{s: "tactile.hardware.robotiq:RobotiqGripper" for s in PYSERIAL_SCHEMES},
}
_TACTILE: dict[str, str] = {
    "sim": "tactile.hardware.sim_camera:SimCamera",
    "replay": "tactile.hardware.replay:ReplayCamera",
    "opencv": "tactile.hardware.camera_opencv:OpenCVCamera",
    "file": "tactile.hardware.camera_opencv:OpenCVCamera",
    "": "tactile.hardware.camera_opencv:OpenCVCamera",
    "gelsight-mini": "tactile.hardware.camera_gelsight:GelSightMiniCamera",
    "digit": "tactile.hardware.camera_gelsight:DigitCamera",
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


def _load(target: str) -> Callable[..., Device]:
    module_name, _, attr = target.partition(":")
    return cast(Callable[..., Device], getattr(importlib.import_module(module_name), attr))


def _open(role: str, url: str, expected: type, rigs: SimRigs | None) -> Device:
    parsed = parse_device_url(url)
    table = _ROLES[role]
    if parsed.scheme not in table:
        raise UnknownSchemeError(
            f"no {role} backend handles {parsed.scheme + '://'!r} in {url!r}",
            hint=f"use one of {', '.join(known_schemes(role))} or a bare serial path / index",
        )
    backend = _load(table[parsed.scheme])
    kwargs: dict[str, Any] = {}
    if rigs is not None and getattr(backend, "shares_rig", False):
        kwargs["rigs"] = rigs  # simulated devices of one program share their worlds through it
    device = backend(url, **kwargs)
    if not isinstance(device, expected):  # a registered target of the wrong family
        raise ConfigError(
            f"backend {table[parsed.scheme]} for {url!r} is not a {expected.__name__}",
            hint="register a class derived from the matching interface",
        )
    return device


def open_gripper(url: str, *, rigs: SimRigs | None = None) -> Gripper:
    """A gripper for ``url`` (not yet connected).

    ``rigs``: the :class:`~tactile.hardware.sim_world.SimRigs` that simulated devices share
    (devices opened without one get a simulated world of their own).
    """
    return cast(Gripper, _open("gripper", url, Gripper, rigs))


def open_tactile_sensor(url: str, *, rigs: SimRigs | None = None) -> TactileSensor:
    """A tactile camera for ``url`` (not yet connected); ``rigs`` as for :func:`open_gripper`."""
    return cast(TactileSensor, _open("tactile", url, TactileSensor, rigs))


def open_force_sensor(url: str, *, rigs: SimRigs | None = None) -> ForceSensor:
    """A force sensor for ``url`` (not yet connected); ``rigs`` as for :func:`open_gripper`."""
    return cast(ForceSensor, _open("force", url, ForceSensor, rigs))
