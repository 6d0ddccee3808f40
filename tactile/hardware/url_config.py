"""Device URL query parameters -> a typed, validated config dataclass.

Every backend describes its query parameters as a frozen dataclass (``SimCameraConfig``,
``RobotiqConfig``, ...). :func:`config_from_url` fills it from a URL and **rejects any key it does
not know**, naming the key, the closest known one and the full list: ``sim://?fsp=200`` is an
error, not a silent 30 fps. Backends built from several parts (a simulated camera also takes the
simulated object's parameters) pass the other parts' classes as ``shared``: their keys are
accepted here and validated by their own class.

Fields whose metadata says ``{"url": False}`` (e.g. the serial port) are not settable by query.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

from tactile.errors import ConfigError
from tactile.hardware.registry import DeviceUrl

T = TypeVar("T")


def url_fields(cls: type) -> dict[str, Any]:
    """Settable field name -> type of a config dataclass."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(cls)
        if f.init and f.metadata.get("url", True)
    }


def known_keys(*classes: type, extra: Iterable[str] = ()) -> set[str]:
    keys = set(extra)
    for cls in classes:
        keys |= set(url_fields(cls))
    return keys


def reject_unknown(url: DeviceUrl, known: set[str], what: str) -> None:
    """Raise :class:`ConfigError` for the first query key not in ``known``."""
    for key in url.params:
        if key in known:
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"device URL {url.raw!r}: unknown parameter {key!r} for {what}",
            hint=f"{guess}known parameters: {', '.join(sorted(known)) or '(none)'}",
        )


def _base_type(tp: Any) -> Any:
    """``float | None`` -> float; other types unchanged."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else str
    return tp


def _convert(url: DeviceUrl, key: str, tp: Any) -> Any:
    base = _base_type(tp)
    text = url.params[key]
    if base is bool:
        return url.get_bool(key, False)
    if base is float:
        return url.get_float(key, 0.0)
    if base is int:
        try:
            return int(text, 0)  # accepts 9, 0x0E, 0b101
        except ValueError:
            return url.get_int(key, 0)
    return text


def config_from_url(
    cls: type[T],
    url: DeviceUrl,
    *,
    shared: Iterable[type] = (),
    passthrough: Iterable[str] = (),
    what: str | None = None,
    **fixed: Any,
) -> T:
    """``cls`` filled from ``url``'s query; unknown keys raise.

    ``shared``: config classes whose keys are also accepted (and left to them);
    ``passthrough``: further accepted keys handled elsewhere (e.g. a pyserial handler's own);
    ``fixed``: values that do not come from the query (e.g. ``port=...``).
    """
    own = url_fields(cls)
    reject_unknown(
        url,
        known_keys(cls, *shared, extra=passthrough),
        what or f"{cls.__name__} ({url.scheme}://)",
    )
    kwargs = {key: _convert(url, key, tp) for key, tp in own.items() if key in url.params}
    kwargs.update(fixed)
    return cls(**kwargs)
