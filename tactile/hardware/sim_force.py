"""``sim://`` force sensor: the contact force of a simulated rig, sampled like a load cell.

Query parameters (:class:`SimForceConfig` plus the world's): ``rate_hz`` (100),
``glitch_every`` (0: inject a spike every n-th reading, ``glitch_n`` = -70 N as the reference
gauge did; a positive value makes positive spikes), ``silent_grasp`` (0: stop answering once the
fingers touch the object for that grasp), ``timeout_s`` (0.5), ``offset_n`` (0: what the cell
reads with no load, added to every reading; a gauge not zeroed, e.g. ``sim://?offset_n=-3``; a
tare takes it off), and the spike filter limits ``min_n`` / ``max_n`` / ``jump_n``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError
from tactile.hardware.base import ForceSample, ForceSensor, now_s
from tactile.hardware.force_gauge import SpikeFilter
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimRigs, SimWorld, WorldConfig, world_config
from tactile.hardware.url_config import config_from_url


@dataclass(frozen=True)
class SimForceConfig:
    rate_hz: float = 100.0
    glitch_every: int = 0
    glitch_n: float = -70.0
    silent_grasp: int = 0
    timeout_s: float = 0.5
    offset_n: float = 0.0  # the reading at no load (a gauge not zeroed)
    min_n: float = -5.0
    max_n: float = 500.0
    jump_n: float = 25.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_hz) and self.rate_hz > 0):
            raise ConfigError(
                f"sim force rate_hz={self.rate_hz} must be positive", hint="e.g. ?rate_hz=200"
            )
        if self.glitch_every < 0 or self.silent_grasp < 0 or not self.timeout_s > 0:
            raise ConfigError(
                "sim force glitch_every/silent_grasp must be >= 0 and timeout_s > 0",
                hint="use 0 to disable glitches and silences",
            )
        if not math.isfinite(self.offset_n):
            raise ConfigError(
                f"sim force offset_n={self.offset_n} must be a finite number",
                hint="the reading at no load in newtons, e.g. ?offset_n=-3",
            )


class SimForceSensor(ForceSensor):
    shares_rig = True

    def __init__(self, url: str, *, rigs: SimRigs | None = None) -> None:
        super().__init__(url)
        parsed = parse_device_url(url)
        self.config = c = config_from_url(SimForceConfig, parsed, shared=(WorldConfig,))
        self.world_config = world_config(parsed)
        self.rigs = rigs if rigs is not None else SimRigs()
        self.period_s = 1.0 / c.rate_hz
        self.glitch_every = c.glitch_every
        self.silent_grasp = c.silent_grasp
        self.timeout_s = c.timeout_s
        self.offset_n = 0.0
        self.scale = 1.0
        self.world: SimWorld | None = None
        self.filter_shift_n = 0.0  # shift_filter: the rest level of a gauge not zeroed
        self.filter = self._new_filter()
        self._next_s = 0.0
        self._n = 0

    def _new_filter(self) -> SpikeFilter:
        c, shift = self.config, self.filter_shift_n
        return SpikeFilter(min_n=c.min_n + shift, max_n=c.max_n + shift, jump_n=c.jump_n)

    def shift_filter(self, rest_n: float) -> None:
        self.filter_shift_n = float(rest_n)
        self.filter = self._new_filter()

    def _connect(self) -> None:
        self.world = self.rigs.world(self.world_config)
        self.filter = self._new_filter()
        self._next_s = time.monotonic()

    def _close(self) -> None:
        self.world = None

    def read_raw(self) -> tuple[float, float]:
        """(reading in sensor units, arrival time); the simulated cell reads newtons."""
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
        force = world.force_n() + self.config.offset_n
        if self.glitch_every and self._n % self.glitch_every == 0:
            force = self.config.glitch_n
        return force, now_s()

    def read(self) -> ForceSample:
        raw, t = self.read_raw()
        force = (raw - self.offset_n) * self.scale
        value, rejected = self.filter(force)
        return ForceSample(t_s=t, force_n=value, raw=raw, rejected=rejected, measured_n=force)

    def tare(self, n_samples: int = 10) -> float:
        self._require_connected()
        values = sorted(self.read_raw()[0] for _ in range(n_samples))
        self.offset_n = values[len(values) // 2]
        self.filter_shift_n = 0.0  # the rest level is taken off
        self.filter = self._new_filter()
        return self.offset_n

    def set_conversion(self, *, scale: float, offset: float) -> None:
        self.scale, self.offset_n = scale, offset
        self.filter = self._new_filter()
