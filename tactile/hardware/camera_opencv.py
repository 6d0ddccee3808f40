"""Cameras through ``cv2.VideoCapture``: a device index, a device path, or a video file.

URLs: ``opencv://0``, ``opencv:///dev/video2``, ``0``, ``/dev/video2``, ``grasp.avi``,
``file:///data/grasp.avi``. Query parameters: ``width_px`` / ``height_px`` / ``fps`` (requested
from a live device; the real rate is measured, not trusted), ``timeout_s`` (1.0),
``reconnect`` (3 attempts for live devices; files never reconnect), ``realtime`` (files: 1 to
pace playback at the file's nominal rate, default 0 = as fast as decoded).

Live devices get ``CAP_PROP_BUFFERSIZE=1`` so each frame is as fresh as the driver allows.
Timestamps are the monotonic time a frame left ``read()``; dropped frames are inferred from the
gaps (:class:`~tactile.hardware.base.DropDetector`).
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from tactile.errors import DeviceError, DeviceTimeoutError
from tactile.hardware.base import DropDetector, EndOfStreamError, FrameSample, TactileSensor, now_s
from tactile.hardware.registry import parse_device_url


def capture_source(url: str) -> int | str:
    """The argument for ``cv2.VideoCapture``: an int index or a path."""
    p = parse_device_url(url)
    target = p.target if p.scheme in ("opencv", "file", "") else p.raw
    if p.scheme == "opencv" and p.netloc and not p.path:
        target = p.netloc
    return int(target) if target.isdigit() else target


class OpenCVCamera(TactileSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = parse_device_url(url)
        self.source = capture_source(url)
        self.is_file = isinstance(self.source, str) and Path(self.source).is_file()
        self.timeout_s = p.get_float("timeout_s", 1.0)
        self.reconnect_attempts = 0 if self.is_file else p.get_int("reconnect", 3)
        self.realtime = p.get_bool("realtime", False)
        self.request = {
            cv2.CAP_PROP_FRAME_WIDTH: p.get_float("width_px", 0.0),
            cv2.CAP_PROP_FRAME_HEIGHT: p.get_float("height_px", 0.0),
            cv2.CAP_PROP_FPS: p.get_float("fps", 0.0),
        }
        self._cap: cv2.VideoCapture | None = None
        self._drops = DropDetector()
        self._index = 0
        self._period_s = 0.0
        self._next_s = 0.0

    def _open_capture(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(self.source)
        if not cap.isOpened():
            cap.release()
            raise DeviceError(
                f"cannot open camera {self.source!r}",
                hint="check the index/path with `tactile find-devices`, or that the file exists",
            )
        if not self.is_file:
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
            for prop, value in self.request.items():
                if value > 0:
                    cap.set(prop, value)
        return cap

    def _connect(self) -> None:
        self._cap = self._open_capture()
        fps = self._cap.get(cv2.CAP_PROP_FPS) if self.is_file else 0.0
        self._period_s = 1.0 / fps if self.realtime and fps > 0 else 0.0
        self._next_s = time.monotonic()
        self._index = 0

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _grab(self) -> np.ndarray | None:
        if self._cap is None:
            self._require_connected()
            raise DeviceError(f"{self.name} has no capture", hint="reconnect the camera")
        ok, image = self._cap.read()
        return image if ok and image is not None else None

    def read(self) -> FrameSample:
        self._require_connected()
        if self._period_s:
            delay = self._next_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_s = max(self._next_s + self._period_s, time.monotonic())
        image = self._grab()
        attempts = 0
        while image is None:
            if self.is_file:
                raise EndOfStreamError(
                    f"video file {self.source!r} has no more frames (read {self._index})",
                    hint="record longer, or stop reading at the end of the file",
                )
            if attempts >= self.reconnect_attempts:
                raise DeviceTimeoutError(
                    f"camera {self.source!r} gave no frame after {attempts} reconnect(s)",
                    hint="check the USB cable and that no other program holds the camera",
                )
            attempts += 1
            self._close()
            time.sleep(min(0.1 * attempts, self.timeout_s))
            self._cap = self._open_capture()
            image = self._grab()
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        t = now_s()
        self._index += 1
        dropped = 0 if self.is_file else self._drops(t)  # a file loses nothing; decode jitters
        return FrameSample(t, np.ascontiguousarray(image), self._index - 1, dropped)
