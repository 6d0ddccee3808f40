"""Record one grasp from a gripper, a tactile camera and a force sensor, safely.

The camera paces the recording: after each frame the gripper's state is read; the force sensor
is read continuously by a background thread. Forces and openings are interpolated to the frame
times (linear in time, never extrapolated beyond the first/last sample).

Safety, enforced in two layers:

* the gripper's own force setting is the largest one whose grip force stays within
  ``max_force_n`` (on a Robotiq the firmware stops the fingers there);
* every force reading is checked as it arrives: above ``max_force_n`` the gripper is commanded
  open at once and the grasp ends with :class:`~tactile.errors.SafetyLimitError`; closing for
  longer than ``max_closing_s`` does the same.

On *any* error (a device fault, a silent gauge, a camera that stops, Ctrl-C) the gripper is
commanded open and what was recorded so far is kept: :class:`GraspAbortedError` carries it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tactile.errors import ConfigError, DeviceError, InvalidGraspError, SafetyLimitError
from tactile.hardware.base import (
    ForceSample,
    ForceSensor,
    FrameSample,
    Gripper,
    GripperState,
    TactileSensor,
    now_s,
)
from tactile.types import Grasp, GraspMetadata


@dataclass(frozen=True)
class RecorderConfig:
    """How one grasp is performed. Speeds are fractions 0..1 of the gripper's range."""

    max_force_n: float = 40.0
    target_force_n: float = 20.0
    max_closing_s: float = 10.0
    close_speed: float = 0.2
    close_to_mm: float = 0.0
    pre_s: float = 0.2
    hold_s: float = 0.5
    release_s: float = 1.5
    open_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        for name in ("max_force_n", "target_force_n", "max_closing_s", "open_timeout_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"RecorderConfig.{name}={value!r} must be positive",
                    hint="forces in newtons, times in seconds",
                )
        if self.target_force_n >= self.max_force_n:
            raise ConfigError(
                f"target force {self.target_force_n} N must be below the safety limit "
                f"{self.max_force_n} N",
                hint="lower --target-force-n or raise --max-force-n",
            )
        for name in ("pre_s", "hold_s", "release_s", "close_to_mm"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"RecorderConfig.{name} must be >= 0", hint="use 0 to skip")
        if not 0 < self.close_speed <= 1:
            raise ConfigError(
                f"RecorderConfig.close_speed={self.close_speed} must be in (0, 1]",
                hint="a fraction of the gripper's speed range, e.g. 0.2",
            )


class GraspAbortedError(DeviceError):
    """A grasp ended early; ``partial`` holds what was recorded (None if under 2 frames)."""

    def __init__(
        self,
        message: str,
        *,
        partial: Grasp | None,
        cause: BaseException,
        gripper_opened: bool,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial
        self.cause = cause
        self.gripper_opened = gripper_opened


class ForceStream:
    """Reads a force sensor in a thread; ``on_sample`` sees every reading as it arrives."""

    def __init__(self, sensor: ForceSensor, on_sample: Callable[[ForceSample], None]) -> None:
        self.sensor = sensor
        self.samples: list[ForceSample] = []
        self.error: BaseException | None = None
        self._on_sample = on_sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="force stream", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sample = self.sensor.read()
            except BaseException as exc:  # handed to the recording thread
                self.error = exc
                return
            self.samples.append(sample)
            self._on_sample(sample)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class _Buffers:
    frames: list[FrameSample] = field(default_factory=list)
    states: list[GripperState] = field(default_factory=list)
    reference: np.ndarray | None = None
    stopped_by: str = ""


class Recorder:
    """Performs and records grasps with one set of connected devices."""

    def __init__(
        self,
        gripper: Gripper,
        camera: TactileSensor,
        force: ForceSensor,
        config: RecorderConfig | None = None,
    ) -> None:
        self.gripper, self.camera, self.force = gripper, camera, force
        self.config = config or RecorderConfig()
        self._lock = threading.Lock()  # the gripper's port is shared with the force thread
        self._tripped: ForceSample | None = None
        self._closing = threading.Event()
        self._held_at_target = threading.Event()
        self.force_setting = self.gripper.force_setting_for(self.config.max_force_n)

    # --- gripper access (serialised) -------------------------------------------------------
    def _g(self, fn: Callable[[Gripper], Any]) -> Any:
        with self._lock:
            return fn(self.gripper)

    def _open_now(self) -> bool:
        try:
            self._g(lambda g: g.open())
            return True
        except Exception:
            return False

    def _check_force(self, sample: ForceSample) -> None:
        """Runs in the force thread on every reading: react within one gauge sample.

        Uses the reading *before* spike rejection: a real fast rise must not be filtered out
        of the safety check (a positive glitch only opens the gripper early: safe).
        """
        force = sample.unfiltered_n
        if force > self.config.max_force_n and not self._tripped:
            self._tripped = sample
            self._open_now()
        elif self._closing.is_set() and force >= self.config.target_force_n:
            self._closing.clear()
            with contextlib.suppress(Exception):  # the recording thread sees gripper errors
                self._g(lambda g: g.hold())
            self._held_at_target.set()

    # --- one grasp --------------------------------------------------------------------------
    def record(self, grasp_id: str, meta: GraspMetadata) -> Grasp:
        """Open, close on the object to the target force, hold, release; return the grasp."""
        buf = _Buffers()
        self._tripped = None
        stream = ForceStream(self.force, self._check_force)
        try:
            self._g(lambda g: g.open())
            self._g(lambda g: g.wait_until_stopped(self.config.open_timeout_s))
            stream.start()
            self._phases(buf, stream)
        except BaseException as exc:
            stream.stop()
            opened = self._open_now()
            partial = self._build(buf, stream, grasp_id, meta, aborted=str(exc))
            if not isinstance(exc, Exception):
                raise  # Ctrl-C: the gripper was still commanded open
            kept = partial.n_frames if partial is not None else 0
            state = "commanded open" if opened else "could NOT be commanded open - check it"
            raise GraspAbortedError(
                f"grasp {grasp_id!r} aborted: {exc}; gripper {state}; kept {kept} frame(s)",
                partial=partial,
                cause=exc,
                gripper_opened=opened,
                hint=getattr(exc, "hint", None),
            ) from exc
        stream.stop()
        grasp = self._build(buf, stream, grasp_id, meta)
        if grasp is None:
            raise InvalidGraspError(
                f"grasp {grasp_id!r} recorded fewer than 2 frames",
                hint="check the camera delivers frames (tactile find-devices)",
            )
        return grasp

    def _sample(self, buf: _Buffers, stream: ForceStream) -> GripperState:
        frame = self.camera.read()
        if buf.reference is None:
            buf.reference = frame.image
        state: GripperState = self._g(lambda g: g.state())
        buf.frames.append(frame)
        buf.states.append(state)
        stream.raise_if_failed()
        if self._tripped is not None:
            raise SafetyLimitError(
                f"force {self._tripped.unfiltered_n:.1f} N exceeded the limit "
                f"{self.config.max_force_n} N; the gripper was opened",
                hint="lower --target-force-n or --close-speed, or raise --max-force-n if safe",
            )
        return state

    def _phases(self, buf: _Buffers, stream: ForceStream) -> None:
        cfg = self.config
        t0 = now_s()
        while now_s() - t0 < cfg.pre_s or not buf.frames:
            open_state = self._sample(buf, stream)
        start_width = open_state.width_mm
        self._held_at_target.clear()
        self._closing.set()
        force = self.force_setting
        self._g(lambda g: g.move_to_mm(cfg.close_to_mm, speed=cfg.close_speed, force=force))
        try:
            self._close_phase(buf, stream, now_s())
        finally:
            self._closing.clear()
        t_hold = now_s()
        while now_s() - t_hold < cfg.hold_s:
            self._sample(buf, stream)
        self._g(lambda g: g.open())
        t_release = now_s()
        while now_s() - t_release < cfg.release_s:
            st = self._sample(buf, stream)
            if not st.moving and st.width_mm >= start_width - 1.0:
                break

    def _close_phase(self, buf: _Buffers, stream: ForceStream, t_close: float) -> None:
        cfg = self.config
        while True:
            st = self._sample(buf, stream)
            if self._held_at_target.is_set():
                buf.stopped_by = "target_force"
                return
            if st.in_contact:  # the gripper stopped itself on the object (force setting)
                self._g(lambda g: g.hold())
                buf.stopped_by = "gripper_contact"
                return
            if not st.moving:
                buf.stopped_by = "closed_without_contact"
                return
            if now_s() - t_close > cfg.max_closing_s:
                raise SafetyLimitError(
                    f"closing took longer than {cfg.max_closing_s} s without reaching "
                    f"{cfg.target_force_n} N",
                    hint="raise --close-speed or --max-closing-s; check the object is there",
                )

    # --- assembling the Grasp ---------------------------------------------------------------
    def _build(
        self,
        buf: _Buffers,
        stream: ForceStream,
        grasp_id: str,
        meta: GraspMetadata,
        aborted: str | None = None,
    ) -> Grasp | None:
        n = len(buf.frames)
        if n < 2 or buf.reference is None:
            return None
        t = np.array([f.t_s for f in buf.frames])
        t_state = np.array([s.t_s for s in buf.states[:n]])
        width = np.interp(t, t_state, [s.width_mm for s in buf.states[:n]])
        samples = list(stream.samples)
        if samples:
            force = np.interp(t, [s.t_s for s in samples], [s.force_n for s in samples])
        else:
            force = np.zeros(n)
        extra = {
            **meta.extra,
            "n_force_samples": len(samples),
            "n_force_rejected": sum(s.rejected for s in samples),
            "peak_force_sample_n": max((s.force_n for s in samples), default=0.0),
            "n_dropped_frames": sum(f.dropped_before for f in buf.frames),
            "stopped_by": buf.stopped_by,
            "max_force_n": self.config.max_force_n,
            "target_force_n": self.config.target_force_n,
        }
        if aborted is not None:
            extra["aborted"] = aborted
        devices = {
            "gripper": self.gripper.url,
            "tactile": self.camera.url,
            "force": self.force.url,
            **meta.devices,
        }
        return Grasp(
            grasp_id=grasp_id,
            frames=np.stack([f.image for f in buf.frames]),
            t_s=t,
            force_n=force,
            width_mm=width,
            meta=dataclasses.replace(meta, devices=devices, extra=extra),
            reference_frame=buf.reference,
        )
