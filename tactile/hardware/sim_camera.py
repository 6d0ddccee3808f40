"""``sim://`` tactile camera: renders the gel of a simulated rig at a steady frame rate.

Query parameters (:class:`SimCameraConfig` plus the world's): ``fps`` (30), ``height_px`` /
``width_px`` (120 x 160), ``drop_every`` (0: lose every n-th frame, reported in
``dropped_before``), ``stop_grasp`` (0: stop delivering frames once the fingers touch the object
for that grasp), ``timeout_s`` (0.5).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError
from tactile.hardware.base import FrameSample, TactileSensor, now_s
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimRigs, SimWorld, WorldConfig, world_config
from tactile.hardware.url_config import config_from_url


@dataclass(frozen=True)
class SimCameraConfig:
    fps: float = 30.0
    height_px: int = 120
    width_px: int = 160
    drop_every: int = 0
    stop_grasp: int = 0
    timeout_s: float = 0.5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ConfigError(f"sim camera fps={self.fps} must be positive", hint="e.g. ?fps=30")
        if self.height_px < 8 or self.width_px < 8:
            raise ConfigError(
                f"sim camera frame {self.height_px}x{self.width_px} px is too small",
                hint="use at least 8x8, e.g. ?height_px=240&width_px=320",
            )
        if self.drop_every < 0 or self.stop_grasp < 0 or not self.timeout_s > 0:
            raise ConfigError(
                "sim camera drop_every/stop_grasp must be >= 0 and timeout_s > 0",
                hint="use 0 to disable drops and stops",
            )


class SimCamera(TactileSensor):
    shares_rig = True

    def __init__(self, url: str, *, rigs: SimRigs | None = None) -> None:
        super().__init__(url)
        parsed = parse_device_url(url)
        self.config = c = config_from_url(SimCameraConfig, parsed, shared=(WorldConfig,))
        self.world_config = world_config(parsed)
        self.rigs = rigs if rigs is not None else SimRigs()
        self.period_s = 1.0 / c.fps
        self.shape = (c.height_px, c.width_px)
        self.drop_every = c.drop_every
        self.stop_grasp = c.stop_grasp
        self.timeout_s = c.timeout_s
        self.world: SimWorld | None = None
        self._next_s = 0.0
        self._index = 0
        self._produced = 0

    def _connect(self) -> None:
        self.world = self.rigs.world(self.world_config)
        self._next_s = time.monotonic()
        self._index = 0
        self._produced = 0

    def _close(self) -> None:
        self.world = None

    def read(self) -> FrameSample:
        self._require_connected()
        world = self.world
        if world is None:
            raise DeviceError(f"{self.name} has no world", hint="reconnect the device")
        dropped = 0
        while True:
            delay = self._next_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_s = max(self._next_s + self.period_s, time.monotonic())
            if self.stop_grasp and world.in_grasp(self.stop_grasp):
                time.sleep(self.timeout_s)
                raise DeviceTimeoutError(
                    f"camera {self.url!r} delivered no frame for {self.timeout_s} s",
                    hint="check the camera's USB cable / stream, then reconnect",
                )
            self._produced += 1
            if self.drop_every and self._produced % self.drop_every == 0:
                dropped += 1
                continue
            image = world.frame(*self.shape)
            self._index += 1
            return FrameSample(now_s(), image, self._index - 1, dropped_before=dropped)
