"""Cameras through ``cv2.VideoCapture``: a device index, a device path, a video file, a stream.

URLs: ``opencv://0``, ``opencv:///dev/video2``, ``0``, ``/dev/video2``, ``grasp.avi``,
``file:///data/grasp.avi``, or any URL FFmpeg opens after ``opencv://``
(``opencv://http://10.0.0.5:8080/stream.mjpg``; keys that are not ours stay in that URL).
Query parameters (:class:`OpenCVConfig`): ``width_px`` / ``height_px`` / ``fps`` (requested from
a live device; the real rate is measured, not trusted), ``timeout_s`` (1.0), ``reconnect`` (3
attempts for live devices; files never reconnect), ``realtime`` (files: 1 to pace playback at
the file's nominal rate, default 0 = as fast as decoded), ``crop_frac`` (0: cut this fraction of
the height and width off every border) and ``out_width_px`` / ``out_height_px`` (resize after
the crop) - what the GelSight Mini and DIGIT backends set.

An MJPG AVI file is played from its JPEG images (:func:`tactile.io.avi_mjpeg.read_mjpeg_video`),
decoded with libjpeg as ``tactile import`` decodes them (OpenCV's default FFmpeg decoder rounds
differently), and each frame keeps its JPEG bytes (``FrameSample.jpeg``) unless it is cropped or
resized, so a recording from the file can store them verbatim.

Live sources are read by a background thread, so ``?timeout_s`` is a real read timeout: a
camera (or stream) that stops delivering raises :class:`~tactile.errors.DeviceTimeoutError`
after that long instead of blocking ``read()`` for ever. The thread keeps only the newest frame;
frames the consumer never took count as dropped, as do gaps in the arrival times
(:class:`~tactile.hardware.base.DropDetector`). Live devices get ``CAP_PROP_BUFFERSIZE=1`` so
each frame is as fresh as the driver allows. Timestamps are the monotonic time a frame arrived.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import cv2
import numpy as np

from tactile.errors import ConfigError, CorruptFileError, DeviceError, DeviceTimeoutError
from tactile.hardware.base import DropDetector, EndOfStreamError, FrameSample, TactileSensor, now_s
from tactile.hardware.registry import DeviceUrl, parse_device_url
from tactile.hardware.url_config import config_from_url, url_fields


@dataclass(frozen=True)
class OpenCVConfig:
    width_px: float = 0.0
    height_px: float = 0.0
    fps: float = 0.0
    timeout_s: float = 1.0
    reconnect: int = 3
    realtime: bool = False
    crop_frac: float = 0.0
    out_width_px: int = 0
    out_height_px: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.timeout_s) and self.timeout_s > 0):
            raise ConfigError(
                f"camera timeout_s={self.timeout_s} must be positive", hint="e.g. ?timeout_s=1"
            )
        if not 0 <= self.crop_frac < 0.5:
            raise ConfigError(
                f"camera crop_frac={self.crop_frac} must be in [0, 0.5)",
                hint="the fraction of height and width cut off each border, e.g. 0.142857",
            )
        if (self.out_width_px > 0) != (self.out_height_px > 0) or self.reconnect < 0:
            raise ConfigError(
                "camera out_width_px and out_height_px go together; reconnect must be >= 0",
                hint="e.g. ?out_width_px=320&out_height_px=240",
            )


def _nested(url: DeviceUrl) -> str | None:
    """The inner URL of ``opencv://http://...`` (None for indices, paths and files)."""
    if url.scheme != "opencv":
        return None
    rest = url.raw.split("://", 1)[1]
    return rest.partition("?")[0] if "://" in rest else None


def capture_source(url: str) -> int | str:
    """The argument for ``cv2.VideoCapture``: an int index, a path or a stream URL."""
    p = parse_device_url(url)
    nested = _nested(p)
    if nested is not None:
        own = set(url_fields(OpenCVConfig))
        rest = {k: v for k, v in p.params.items() if k not in own}
        return nested + ("?" + urlencode(rest) if rest else "")
    target = p.target if p.scheme in ("opencv", "file", "") else p.raw
    if p.scheme == "opencv" and p.netloc and not p.path:
        target = p.netloc
    return int(target) if target.isdigit() else target


def crop_and_resize(image: np.ndarray, crop_frac: float, out_wh: tuple[int, int]) -> np.ndarray:
    """Cut ``crop_frac`` of the height and width off every border, then resize to ``out_wh``."""
    if crop_frac > 0:
        h, w = image.shape[:2]
        dy, dx = int(h * crop_frac), int(w * crop_frac)
        image = image[dy : h - dy, dx : w - dx]
    if out_wh[0] > 0:
        image = cv2.resize(image, out_wh, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


class OpenCVCamera(TactileSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = parse_device_url(url)
        passthrough = tuple(p.params) if _nested(p) is not None else ()
        self.config = c = config_from_url(OpenCVConfig, p, passthrough=passthrough)
        self.source = capture_source(url)
        self.is_file = isinstance(self.source, str) and Path(self.source).is_file()
        self.timeout_s = c.timeout_s
        self.reconnect_attempts = 0 if self.is_file else c.reconnect
        self.realtime = c.realtime
        self.request = {
            cv2.CAP_PROP_FRAME_WIDTH: c.width_px,
            cv2.CAP_PROP_FRAME_HEIGHT: c.height_px,
            cv2.CAP_PROP_FPS: c.fps,
        }
        self._cap: cv2.VideoCapture | None = None
        self._jpegs: list[bytes] | None = None  # an MJPG AVI file's frames, as recorded
        self._drops = DropDetector()
        self._index = 0
        self._period_s = 0.0
        self._next_s = 0.0
        # live sources: the grabber thread's newest frame
        self._cond = threading.Condition()
        self._latest: tuple[float, np.ndarray] | None = None
        self._seq = 0
        self._taken = 0
        self._error: Exception | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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
        self._jpegs = None
        if self.is_file:
            from tactile.io.avi_mjpeg import read_mjpeg_video

            video = read_mjpeg_video(str(self.source))
            if video is not None:
                self._jpegs = video.images
        self._period_s = 1.0 / fps if self.realtime and fps > 0 else 0.0
        self._next_s = time.monotonic()
        self._index = 0
        if not self.is_file:
            self._stop.clear()
            self._error, self._latest, self._seq, self._taken = None, None, 0, 0
            self._thread = threading.Thread(
                target=self._grab_loop, args=(self._cap,), name=f"camera {self.source}", daemon=True
            )
            self._thread.start()

    def _close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=0.5)
            if thread.is_alive():
                # blocked inside cap.read() on a stalled source: releasing the capture under it
                # is unsafe in FFmpeg; the thread releases it when (if) the read returns
                self._cap = None
                return
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    # --- live sources: a grabber thread ------------------------------------------------------
    def _grab_loop(self, cap: cv2.VideoCapture) -> None:
        failures = 0
        while not self._stop.is_set():
            ok, image = cap.read()
            if self._stop.is_set():
                break
            if ok and image is not None:
                failures = 0
                self._deliver(now_s(), image)
                continue
            failures += 1
            if failures > self.reconnect_attempts:
                self._fail(
                    DeviceTimeoutError(
                        f"camera {self.source!r} gave no frame after {failures - 1} reconnect(s)",
                        hint="check the USB cable and that no other program holds the camera",
                    )
                )
                break
            cap.release()
            self._stop.wait(min(0.1 * failures, self.timeout_s))
            try:
                cap = self._open_capture()
            except DeviceError:
                continue
            self._cap = cap
        if self._stop.is_set() and self._cap is None:
            cap.release()  # _close left it to us (we were blocked in read)

    def _deliver(self, t: float, image: np.ndarray) -> None:
        with self._cond:
            self._latest = (t, image)
            self._seq += 1
            self._cond.notify_all()

    def _fail(self, exc: Exception) -> None:
        with self._cond:
            self._error = exc
            self._cond.notify_all()

    def _read_live(self) -> tuple[float, np.ndarray, int]:
        with self._cond:
            fresh = self._cond.wait_for(
                lambda: self._seq > self._taken or self._error is not None, self.timeout_s
            )
            if self._seq > self._taken and self._latest is not None:
                unseen = self._seq - self._taken - 1  # overwritten before anyone took them
                self._taken = self._seq
                t, image = self._latest
                return t, image, unseen
            if self._error is not None:
                raise self._error
        if not fresh:
            raise DeviceTimeoutError(
                f"camera {self.source!r} delivered no frame for {self.timeout_s} s",
                hint="check the camera's cable / stream, or raise ?timeout_s=",
            )
        raise DeviceError(f"{self.name}: no frame", hint="reconnect the camera")

    # --- files: decoded in the caller's thread ------------------------------------------------
    def _read_file(self) -> tuple[np.ndarray, bytes | None]:
        if self._cap is None:
            self._require_connected()
            raise DeviceError(f"{self.name} has no capture", hint="reconnect the camera")
        if self._period_s:
            delay = self._next_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_s = max(self._next_s + self._period_s, time.monotonic())
        if self._jpegs is None:
            ok, image = self._cap.read()
            if ok and image is not None:
                return image, None
        elif self._index < len(self._jpegs):
            from tactile.io.frame_codec import decode_jpeg  # as tactile import decodes them

            jpeg = self._jpegs[self._index]
            try:
                return decode_jpeg(jpeg), jpeg
            except CorruptFileError as exc:
                raise DeviceError(
                    f"frame {self._index} of video file {self.source!r} is not a valid JPEG",
                    hint="the file is damaged; re-record it or cut the frame out",
                ) from exc
        raise EndOfStreamError(
            f"video file {self.source!r} has no more frames (read {self._index})",
            hint="record longer, or stop reading at the end of the file",
        )

    def read(self) -> FrameSample:
        self._require_connected()
        jpeg: bytes | None = None
        if self.is_file:
            (image, jpeg), t, dropped = self._read_file(), now_s(), 0  # a file loses nothing
        else:
            t, image, unseen = self._read_live()
            dropped = max(self._drops(t), unseen)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        c = self.config
        if c.crop_frac > 0 or c.out_width_px > 0:
            jpeg = None  # the image is no longer what the JPEG holds
        image = crop_and_resize(image, c.crop_frac, (c.out_width_px, c.out_height_px))
        self._index += 1
        return FrameSample(t, image, self._index - 1, dropped, jpeg=jpeg)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._stop.set()
