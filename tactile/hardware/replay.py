"""``replay://file.h5#grasp_0003``: play a recorded grasp back as devices.

The camera returns the recorded frames, the force sensor the recorded forces, the gripper the
recorded openings. Query parameters: ``speed`` (1.0 = the recorded timing, 2.0 twice as fast,
0 = as fast as read), ``loop`` (0; 1 restarts at the end instead of raising
:class:`~tactile.hardware.base.EndOfStreamError`). Without ``#id`` the first grasp is played.
Devices replaying the same grasp share one clock, started by the first one to connect, so a
replayed rig stays in sync. Timestamps are fresh monotonic times, as from live devices.

The gripper plays the recorded openings and ignores motion commands, so nothing that records
a new grasp can drive it: ``tactile collect``, ``tactile sort`` on a rig and ``tactile
calibrate gripper`` refuse replay devices (:func:`refuse_for_recording`). Replays serve device
tests and code that opens devices (``tactile.hardware.open_*``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError
from tactile.hardware.base import (
    EndOfStreamError,
    ForceSample,
    ForceSensor,
    FrameSample,
    Gripper,
    GripperState,
    ObjectStatus,
    TactileSensor,
    now_s,
)
from tactile.hardware.registry import DeviceUrl, parse_device_url
from tactile.hardware.url_config import config_from_url
from tactile.types import Grasp


def refuse_for_recording(
    devices: dict[str, str], command: str, hint: str, does: str = "records new grasps"
) -> None:
    """Raise :class:`~tactile.errors.ConfigError` when any of ``devices`` (role -> URL) is a
    replay: ``command`` ``does`` (records new grasps, moves the gripper), which a replay (its
    own clock, no motion) cannot."""
    replayed = [f"{r} {u}" for r, u in devices.items() if u.startswith("replay:")]
    if replayed:
        raise ConfigError(
            f"{command} {does} and cannot use replay:// devices "
            f"({', '.join(replayed)}): a replay plays a recorded grasp on its own clock and "
            "does not close or open on command",
            hint=hint,
        )


def load_grasp(url: DeviceUrl) -> Grasp:
    from tactile.io import GraspReader  # the store is only needed when replaying

    if not url.target:
        raise ConfigError(
            f"replay URL {url.raw!r} names no file", hint="write replay://path/to/file.h5#grasp_id"
        )
    reader = GraspReader(url.target)
    ids = reader.ids()
    if not ids:
        raise ConfigError(f"{url.target} holds no grasps", hint="record some with tactile collect")
    return reader.read(url.fragment or ids[0])


@dataclass(frozen=True)
class ReplayConfig:
    speed: float = 1.0
    loop: bool = False

    def __post_init__(self) -> None:
        if not self.speed >= 0:
            raise ConfigError(f"replay speed={self.speed} must be >= 0", hint="0 = as fast as read")


@dataclass
class _Clock:
    t0_s: float
    users: int = 0


_CLOCKS: dict[tuple[str, str], _Clock] = {}
_LOCK = threading.Lock()


class _Replay:
    """Shared playback logic: which recorded sample is due now."""

    def __init__(self, url: str) -> None:
        self.parsed = parse_device_url(url)
        config = config_from_url(ReplayConfig, self.parsed)
        self.speed = config.speed
        self.loop = config.loop
        self.grasp: Grasp | None = None
        self._key = (self.parsed.target, self.parsed.fragment)
        self._i = 0

    def start(self) -> None:
        self.grasp = load_grasp(self.parsed)
        self._i = 0
        with _LOCK:
            clock = _CLOCKS.setdefault(self._key, _Clock(time.monotonic()))
            clock.users += 1
            self._clock = clock

    def stop(self) -> None:
        with _LOCK:
            self._clock.users -= 1
            if self._clock.users <= 0:
                _CLOCKS.pop(self._key, None)

    def _grasp(self) -> Grasp:
        if self.grasp is None:
            raise ConfigError("replay not started", hint="connect the device first")
        return self.grasp

    def recorded_s(self) -> float:
        """Recorded time (relative to the first frame) that is playing now."""
        g = self._grasp()
        elapsed = (time.monotonic() - self._clock.t0_s) * self.speed
        if self.loop and g.duration_s > 0:
            elapsed %= g.duration_s
        return elapsed

    def next_index(self, what: str) -> int:
        """Index of the next sample, waiting until it is due (speed > 0)."""
        g = self._grasp()
        if self._i >= g.n_frames:
            if not self.loop:
                raise EndOfStreamError(
                    f"replayed grasp {g.grasp_id!r} has no more {what} ({g.n_frames} played)",
                    hint="add ?loop=1 to the replay URL to start over",
                )
            self._i = 0
            with _LOCK:
                self._clock.t0_s = time.monotonic()
        i = self._i
        self._i += 1
        if self.speed > 0:
            due = self._clock.t0_s + (g.t_s[i] - g.t_s[0]) / self.speed
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return i


class _PlaysBack:
    """Connecting starts the shared playback clock; closing leaves it."""

    replay: _Replay

    def _connect(self) -> None:
        self.replay.start()

    def _close(self) -> None:
        self.replay.stop()


class ReplayCamera(_PlaysBack, TactileSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.replay = _Replay(url)

    def read(self) -> FrameSample:
        self._require_connected()
        i = self.replay.next_index("frames")
        return FrameSample(now_s(), self.replay._grasp().frames[i].copy(), i)


class ReplayForceSensor(_PlaysBack, ForceSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.replay = _Replay(url)

    def read(self) -> ForceSample:
        self._require_connected()
        i = self.replay.next_index("force samples")
        return ForceSample(now_s(), float(self.replay._grasp().force_n[i]))


class ReplayGripper(_PlaysBack, Gripper):
    """Reports the recorded opening at the playback time; motion commands are only logged."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.replay = _Replay(url)
        self.commands: list[tuple[float, float]] = []

    @property
    def max_width_mm(self) -> float:
        g = self.replay.grasp
        return float(np.max(g.width_mm)) if g is not None else 85.0

    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        self._require_connected()
        self.commands.append((now_s(), width_mm))

    def state(self) -> GripperState:
        self._require_connected()
        g = self.replay._grasp()
        t_rec = g.t_s[0] + self.replay.recorded_s()
        width = float(np.interp(t_rec, g.t_s, g.width_mm))
        done = t_rec >= g.t_s[-1]
        return GripperState(
            t_s=now_s(),
            width_mm=width,
            activated=True,
            object_status=ObjectStatus.AT_POSITION if done else ObjectStatus.MOVING,
        )
