"""``sim://`` tactile camera: renders the gel of a simulated rig at a steady frame rate.

Query parameters: ``rig`` and the world's object parameters, ``fps`` (30), ``height_px`` /
``width_px`` (120 x 160), ``drop_every`` (0: lose every n-th frame, reported in
``dropped_before``), ``stop_grasp`` (0: stop delivering frames once the fingers touch the object
for that grasp), ``timeout_s`` (0.5).
"""

from __future__ import annotations

import time

from tactile.errors import DeviceError, DeviceTimeoutError
from tactile.hardware.base import FrameSample, TactileSensor, now_s
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimWorld, world_for_url


class SimCamera(TactileSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.parsed = p = parse_device_url(url)
        self.period_s = 1.0 / p.get_float("fps", 30.0)
        self.shape = (p.get_int("height_px", 120), p.get_int("width_px", 160))
        self.drop_every = p.get_int("drop_every", 0)
        self.stop_grasp = p.get_int("stop_grasp", 0)
        self.timeout_s = p.get_float("timeout_s", 0.5)
        self.world: SimWorld | None = None
        self._next_s = 0.0
        self._index = 0
        self._produced = 0

    def _connect(self) -> None:
        self.world = world_for_url(self.parsed)
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
