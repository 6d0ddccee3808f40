"""GelSight Mini and DIGIT cameras, found by their USB names, with their makers' border crop.

Both are USB (UVC) cameras; which ``/dev/videoN`` they get changes with every plug-in, but udev
also links them under ``/dev/v4l/by-id/`` by vendor, product and serial, e.g.
``usb-GelSight_Inc._GelSight_Mini_R0B_2BGJ-VG9J-video-index0`` or
``usb-Facebook_DIGIT_D20001-video-index0``. These backends look the camera up there (the
``TACTILE_V4L_BY_ID`` environment variable names another folder, for tests) and open it through
:class:`~tactile.hardware.camera_opencv.OpenCVCamera`.

* ``gelsight-mini://`` (the only Mini), ``gelsight-mini://2BGJ-VG9J`` (serial, or any part of the
  by-id name): the frame is cropped by 1/7 of its height and width on every side and resized to
  320 x 240 px, as GelSight's own ``gsrobotics`` examples do (the border shows the sensor's
  housing and its unevenly lit rim).
* ``digit://D20001``: DIGIT (Meta / GelSight). Its makers' ``digit-interface`` uses the whole
  320 x 240 QVGA frame; so does this backend (no crop), requesting 320 x 240 at 60 fps.

Every :class:`~tactile.hardware.camera_opencv.OpenCVConfig` key may be added (``?timeout_s=2``,
``?crop_frac=0`` to keep the Mini's border).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

from tactile.errors import DeviceError
from tactile.hardware.camera_opencv import OpenCVCamera
from tactile.hardware.registry import parse_device_url

DEFAULT_BY_ID = Path("/dev/v4l/by-id")


def by_id_dir() -> Path:
    return Path(os.environ.get("TACTILE_V4L_BY_ID", str(DEFAULT_BY_ID)))


#: sensor kind -> (words every by-id name of it contains, lower case; maker's defaults)
SENSORS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "gelsight-mini": (
        ("gelsight", "mini"),
        {"crop_frac": "0.14285714285714285", "out_width_px": "320", "out_height_px": "240"},
    ),
    "digit": (("digit",), {"width_px": "320", "height_px": "240", "fps": "60"}),
}


def find_sensors(kind: str, directory: Path | None = None) -> list[Path]:
    """By-id links of ``kind`` sensors (capture nodes only: ``-video-index0``), sorted."""
    words, _ = SENSORS[kind]
    folder = directory or by_id_dir()
    if not folder.is_dir():
        return []
    found = []
    for link in sorted(folder.iterdir()):
        name = link.name.lower()
        if all(w in name for w in words) and not name.endswith(("-index1", "-index2", "-index3")):
            found.append(link)
    return found


def resolve(kind: str, serial: str) -> Path:
    """The by-id link of the ``kind`` sensor whose name contains ``serial`` (or the only one)."""
    found = [p for p in find_sensors(kind) if serial.lower() in p.name.lower()]
    if len(found) == 1:
        return found[0]
    what = f"{kind} sensor" + (f" {serial!r}" if serial else "")
    listing = ", ".join(p.name for p in find_sensors(kind)) or "none"
    if not found:
        raise DeviceError(
            f"no {what} under {by_id_dir()} (found: {listing})",
            hint=f"plug it in and check `tactile find-devices`; give its serial as {kind}://SERIAL",
        )
    raise DeviceError(
        f"{len(found)} {kind} sensors match {serial!r} under {by_id_dir()}: {listing}",
        hint=f"name one by its serial: {kind}://SERIAL",
    )


class _MakerCamera(OpenCVCamera):
    sensor = ""

    def __init__(self, url: str) -> None:
        p = parse_device_url(url)
        serial = (p.netloc + p.path).strip("/")
        self.by_id = resolve(self.sensor, serial)
        params = {**SENSORS[self.sensor][1], **p.params}
        super().__init__(f"{self.by_id}?{urlencode(params)}")
        self.url = url


class GelSightMiniCamera(_MakerCamera):
    sensor = "gelsight-mini"


class DigitCamera(_MakerCamera):
    sensor = "digit"
