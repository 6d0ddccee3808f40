"""``sim://`` force sensor: the contact force of a simulated rig, sampled like a load cell.

Query parameters: ``rig`` and the world's object parameters, ``rate_hz`` (100),
``glitch_every`` (0: inject a -70 N spike every n-th reading, as the reference gauge did),
``silent_grasp`` (0: stop answering once the fingers touch the object for that grasp),
``timeout_s`` (0.5), and the spike filter limits ``min_n`` / ``max_n`` / ``jump_n``.
"""

from __future__ import annotations

import time

from tactile.errors import DeviceError, DeviceTimeoutError
from tactile.hardware.base import ForceSample, ForceSensor, now_s
from tactile.hardware.force_gauge import SpikeFilter
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimWorld, world_for_url


class SimForceSensor(ForceSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.parsed = p = parse_device_url(url)
        self.period_s = 1.0 / p.get_float("rate_hz", 100.0)
        self.glitch_every = p.get_int("glitch_every", 0)
        self.silent_grasp = p.get_int("silent_grasp", 0)
        self.timeout_s = p.get_float("timeout_s", 0.5)
        self._limits = (p.get_float("min_n", -5.0), p.get_float("max_n", 500.0))
        self._jump_n = p.get_float("jump_n", 25.0)
        self.offset_n = 0.0
        self.world: SimWorld | None = None
        self._next_s = 0.0
        self._n = 0

    def _connect(self) -> None:
        self.world = world_for_url(self.parsed)
        self.filter = SpikeFilter(min_n=self._limits[0], max_n=self._limits[1], jump_n=self._jump_n)
        self._next_s = time.monotonic()

    def _close(self) -> None:
        self.world = None

    def _raw(self) -> tuple[float, float]:
        self._require_connected()
        world = self.world
        if world is None:
            raise DeviceError(f"{self.name} has no world", hint="reconnect the device")
        delay = self._next_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_s = max(self._next_s + self.period_s, time.monotonic())
        if self.silent_grasp and world.in_grasp(self.silent_grasp):
            time.sleep(self.timeout_s)
            raise DeviceTimeoutError(
                f"force gauge {self.url!r} sent no reading for {self.timeout_s} s",
                hint="check the gauge's power and cable",
            )
        self._n += 1
        force = world.force_n()
        if self.glitch_every and self._n % self.glitch_every == 0:
            force = -70.0
        return force, now_s()

    def read(self) -> ForceSample:
        raw, t = self._raw()
        force = raw - self.offset_n
        value, rejected = self.filter(force)
        return ForceSample(t_s=t, force_n=value, raw=raw, rejected=rejected, measured_n=force)

    def tare(self, n_samples: int = 10) -> float:
        self._require_connected()
        values = sorted(self._raw()[0] for _ in range(n_samples))
        self.offset_n = values[len(values) // 2]
        return self.offset_n
