"""Record one grasp from a gripper, a tactile camera and a force sensor, safely.

The camera paces the recording: after each frame the gripper's state is read; the force sensor
is read continuously by a background thread. The grasp keeps every raw sample with its own time
stamp (``Grasp.streams``: ``force``, ``gripper``, ``tactile``) and, per frame, force and opening
interpolated to the frame times (linear in time, never extrapolated; isolated force spikes
left out). Per-device latencies (``latency_s``, from the hardware profile) are subtracted from
each device's arrival times first, so the streams line up in time.

Closing slows down near contact: the fingers travel at ``close_speed`` only where no object can
be - down to ``approach_margin_mm`` before the opening at which the previous grasp of this
recorder first touched (or ``approach_to_mm`` when given) - and at ``press_speed``, by default the
gripper's slowest, from there on, and from the first contact (the force passes
``contact_force_n``) whatever happens. The first grasp of a session, with no contact opening
known yet, closes slowly all the way. A motor does not stop at once: the faster the fingers
meet the object, the further they squeeze past the force setting, and the slow press also gives
the camera more frames of the loading phase.

Safety, enforced in two layers:

* the gripper's own force setting is the largest one whose grip force stays within
  ``max_force_n`` less ``force_margin`` (10 %, room for the overshoot of a motor that cannot stop
  at once; on a Robotiq the firmware stops the fingers there). A limit below the weakest grip the
  gripper can stop itself at (20 N on a 2F-85) cannot be honoured by the gripper and is refused,
  unless ``software_force_limit`` accepts the software check below as the only guard (the press
  then runs at the slowest speed);
* every force reading is checked as it arrives: ``confirm_samples`` (2) readings in a row above
  ``max_force_n`` open the gripper at once and end the grasp with
  :class:`~tactile.errors.SafetyLimitError` - a single spike does not, a real overload trips one
  sample period after it began. Closing for longer than ``max_closing_s`` also opens.

A gauge not zeroed (``prepare(tare=False)``, ``tactile collect --no-tare``) keeps its raw
readings in the grasp, but the limits act on the force it adds: with the gripper open and
nothing touched, before each grasp, the median of :data:`REST_SAMPLES` readings is the gauge's
rest level (``force_rest_n``, kept in ``meta.extra``), and

* the safety check trips on ``reading - min(0, lowest)`` above ``max_force_n``, ``lowest`` the
  lowest rest level read this session: a gauge reading -3 N at rest trips 3 N earlier on its
  readings, at the limit of the true force; one reading above zero at rest is left as it is - it
  already trips early, by its offset. A later rest read higher (a touch, a drift) only makes it
  trip earlier. It is as safe as the rest reading: a touch during the session's lowest rest read
  (a finger pressed while the gauge reads below zero) passes the limit by that touch;
* the target and contact forces, and what ``on_frame`` sees (``LiveFrame.force_n``, the stopping
  rules' force), are ``reading - rest``: the force the squeeze added; the gauge's spike filter
  range (``min_n`` / ``max_n``) is shifted by the rest level (:meth:`ForceSensor.shift_filter`),
  so a rest level below ``min_n`` is not clipped to it.

A rest level further than :data:`REST_WARN_N` from zero is worth a warning
(:func:`untared_rest_warning`); one that moves more than :data:`REST_MOVE_WARN_N` from the
session's first is warned of too (``warn``). The rest is refused (:class:`DeviceError`) when the
gripper reports an object at open or is more than :data:`REST_OPEN_TOLERANCE_MM` short of the
opening of the session's first, and when a reading is not finite; a positive rest level that
leaves no room for the target (``rest + target_force_n >= max_force_n``) is a
:class:`ConfigError` at :meth:`Recorder.prepare`. A tared gauge's rest level is 0 by definition:
nothing changes.

On *any* error (a device fault, a silent gauge, a camera that stops, Ctrl-C through
``stop_event``) the gripper is commanded open and what was recorded so far is kept:
:class:`GraspAbortedError` carries it.

Frames keep the camera's own JPEG bytes when it delivers them (``FrameSample.jpeg``, an MJPEG
stream): the grasp carries them as ``Grasp.camera_jpegs`` when every recorded frame has them,
so the store can keep them verbatim (``tactile collect``'s default) instead of the pixels.

``on_frame`` (a :data:`FrameCallback`) sees every frame as it is recorded, with the phase, the
gripper state and the latest force; returning True while the fingers close stops the closing
(the grasp goes on with its hold and release, ``stopped_by = "callback"``). A live preview, or a
policy that stops squeezing once an estimate is confident, plugs in there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tactile.errors import (
    ConfigError,
    DeviceError,
    InvalidGraspError,
    SafetyLimitError,
    TactileError,
)
from tactile.hardware.base import (
    ForceSample,
    ForceSensor,
    FrameSample,
    Gripper,
    GripperState,
    TactileSensor,
    now_s,
)
from tactile.hardware.force_gauge import isolated_spikes
from tactile.types import Grasp, GraspMetadata


@dataclass(frozen=True)
class RecorderConfig:
    """How one grasp is performed. Speeds are fractions 0..1 of the gripper's range."""

    max_force_n: float = 40.0
    target_force_n: float = 20.0
    max_closing_s: float = 10.0
    close_speed: float = 0.2
    press_speed: float | None = None  # after first contact; None: the slowest (module doc)
    contact_force_n: float = 0.5
    approach_to_mm: float | None = None  # fast down to here; None: learned (module doc)
    approach_margin_mm: float = 5.0
    close_to_mm: float = 0.0
    pre_s: float = 0.2
    hold_s: float = 0.5
    release_s: float = 1.5
    open_timeout_s: float = 10.0
    confirm_samples: int = 2
    spike_jump_n: float = 25.0  # an isolated reading this far from both neighbours is a spike
    force_margin: float = 0.1  # the gripper's force setting aims this fraction below the limit
    software_force_limit: bool = False  # accept a limit below the gripper's weakest grip

    def __post_init__(self) -> None:
        for name in (
            "max_force_n",
            "target_force_n",
            "max_closing_s",
            "open_timeout_s",
            "contact_force_n",
            "spike_jump_n",
        ):
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
        if self.contact_force_n >= self.target_force_n:
            raise ConfigError(
                f"contact force {self.contact_force_n} N must be below the target "
                f"{self.target_force_n} N",
                hint="contact is the first touch (0.5 N); the target is the squeeze",
            )
        for name in ("pre_s", "hold_s", "release_s", "close_to_mm", "approach_margin_mm"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"RecorderConfig.{name} must be >= 0", hint="use 0 to skip")
        if not 0 < self.close_speed <= 1:
            raise ConfigError(
                f"RecorderConfig.close_speed={self.close_speed} must be in (0, 1]",
                hint="a fraction of the gripper's speed range, e.g. 0.2",
            )
        if self.press_speed is not None and not 0 <= self.press_speed <= 1:
            raise ConfigError(
                f"RecorderConfig.press_speed={self.press_speed} must be in [0, 1]",
                hint="0 is the gripper's slowest speed",
            )
        if not 0 <= self.force_margin < 1:
            raise ConfigError(
                f"RecorderConfig.force_margin={self.force_margin} must be in [0, 1)",
                hint="0.1 leaves 10 % of the limit for the gripper's overshoot",
            )
        if not 1 <= self.confirm_samples <= 5:
            raise ConfigError(
                f"RecorderConfig.confirm_samples={self.confirm_samples} must be in 1..5",
                hint="2: one spike never trips, a real overload trips one sample later",
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


class RecordingInterruptedError(TactileError):
    """The user asked the recording to stop (Ctrl-C): not a device fault."""


@dataclass(frozen=True)
class LiveFrame:
    """What a :data:`FrameCallback` sees for each recorded frame."""

    grasp_id: str
    phase: str  # "pre", "closing", "hold", "release"
    frame: FrameSample
    state: GripperState
    force_n: float  # latest force reading (after spike rejection), less the rest level untared
    frames: Sequence[FrameSample]  # every frame of this grasp so far (do not modify)
    forces: Sequence[ForceSample]  # every force reading so far


#: Called for every frame; True while closing means "stop closing now".
FrameCallback = Callable[[LiveFrame], bool]


def plan_press_speed(config: RecorderConfig, gripper: Gripper) -> float:
    """The speed after first contact, or :class:`ConfigError` for a limit it cannot honour.

    Below the gripper's weakest grip only the host-side check guards the limit, one gauge
    reading plus one command late: refused unless ``software_force_limit`` accepts that, and
    then only with the slowest press.
    """
    press = 0.0 if config.press_speed is None else config.press_speed
    floor_n = gripper.min_grip_force_n
    if config.max_force_n >= floor_n:
        return press  # the gripper's own force setting caps the grip
    where = f"the {floor_n:.0f} N the gripper {gripper.url!r} can stop itself at"
    if not config.software_force_limit:
        raise ConfigError(
            f"max force {config.max_force_n} N is below {where}: the gripper cannot honour it "
            "(in simulation a 15.5 N limit at full speed reached 20 N)",
            hint=f"raise --max-force-n to {floor_n:.0f} N or more, or pass "
            "--software-force-limit to rely on the host-side check alone (the press then runs "
            "at the slowest speed; the limit holds only for objects soft enough)",
        )
    if press > 0:
        mm_s = gripper.speed_mm_s(press)
        speed = f" ({mm_s:.0f} mm/s)" if mm_s is not None else ""
        raise ConfigError(
            f"max force {config.max_force_n} N is below {where}, and press speed {press}{speed} "
            "is too fast for the software check to stop the fingers in time",
            hint="leave --press-speed unset (the slowest, 0) or raise --max-force-n",
        )
    return press


#: Readings of the gauge at rest (gripper open, nothing touched) whose median is the rest level
#: of a gauge not zeroed (the module docstring).
REST_SAMPLES = 10
#: A gauge not zeroed that reads further than this from zero at rest gets a warning (the offline
#: reading takes off a rest level further than this too: ``tactile.processing.loading``).
REST_WARN_N = 0.2
#: A rest level further than this from the session's first is warned of (a touch, a drift).
REST_MOVE_WARN_N = 0.5
#: Before each grasp the fingers must be open within this of the opening the session's first
#: rest read found (else something may touch them: the rest reading is refused).
REST_OPEN_TOLERANCE_MM = 1.0
#: A fully open gripper within this of its ``max_width_mm`` at the session's first rest read (an
#: uncalibrated Robotiq stops ~1 mm short; the driver's own "near open" tolerance is 3 mm).
OPEN_TOLERANCE_MM = 3.0


def untared_rest_warning(rest_n: float) -> str | None:
    """The warning for a gauge not zeroed whose rest level ``rest_n`` is off zero (None when
    within :data:`REST_WARN_N`)."""
    if abs(rest_n) <= REST_WARN_N:
        return None
    how = (
        f"the safety limit acts {-rest_n:.1f} N earlier on its readings, the target and the "
        "stopping rules on the force above rest"
        if rest_n < 0
        else f"the safety limit acts {rest_n:.1f} N early, on the raw readings; the target and "
        "the stopping rules on the force above rest"
    )
    return f"warning: the gauge reads {rest_n:+.2f} N at rest; not tared (--no-tare): {how}"


class SafetyMonitor:
    """Trips after ``confirm`` readings in a row above ``max_force_n``; a gauge's rest level
    ``rest_n`` below zero is added back first (the module docstring: always safe)."""

    def __init__(self, max_force_n: float, confirm: int, rest_n: float = 0.0) -> None:
        self.max_force_n, self.confirm = max_force_n, confirm
        self.offset_n = min(0.0, rest_n)  # taken off every reading before the check
        self._run = 0
        self.tripped: ForceSample | None = None

    def force_n(self, sample: ForceSample) -> float:
        """What the limit is checked on: the unfiltered reading less a negative rest level."""
        return sample.unfiltered_n - self.offset_n

    def __call__(self, sample: ForceSample) -> bool:
        """True exactly once: when this reading confirms an overload."""
        if self.tripped is not None:
            return False
        self._run = self._run + 1 if self.force_n(sample) > self.max_force_n else 0
        if self._run >= self.confirm:
            self.tripped = sample
            return True
        return False


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

    def latest_n(self, rest_n: float = 0.0) -> float:
        """The latest (filtered) reading less ``rest_n``; 0.0 before the first."""
        return self.samples[-1].force_n - rest_n if self.samples else 0.0

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class _Buffers:
    frames: list[FrameSample] = field(default_factory=list)
    states: list[GripperState] = field(default_factory=list)
    reference: np.ndarray | None = None
    stopped_by: str = ""
    contact_s: float | None = None


class Recorder:
    """Performs and records grasps with one set of connected devices."""

    def __init__(
        self,
        gripper: Gripper,
        camera: TactileSensor,
        force: ForceSensor,
        config: RecorderConfig | None = None,
        *,
        latency_s: Mapping[str, float] | None = None,
        on_frame: FrameCallback | None = None,
        stop_event: threading.Event | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.gripper, self.camera, self.force = gripper, camera, force
        #: where warnings during the grasps go (a rest level that moved); default: stderr
        self.warn = warn if warn is not None else lambda m: print(m, file=sys.stderr)
        self.config = config or RecorderConfig()
        self.latency_s = {k: float(v) for k, v in (latency_s or {}).items()}
        self.on_frame = on_frame
        self.stop_event = stop_event or threading.Event()
        self.press_speed = plan_press_speed(self.config, gripper)
        self._lock = threading.Lock()  # the gripper's port is shared with the force thread
        self._safety = SafetyMonitor(self.config.max_force_n, self.config.confirm_samples)
        self.tared = True  # prepare(tare=False): the gauge is not zeroed (module docstring)
        self.force_rest_n = 0.0  # the gauge's rest level (0 when tared), read before each grasp
        self.first_rest_n: float | None = None  # the session's first rest level (untared)
        self.lowest_rest_n = 0.0  # min(0, the session's rest levels): the safety check's
        self._open_width_mm: float | None = None  # the opening at the session's first rest read
        self._closing = threading.Event()
        self._pressing = threading.Event()
        self._held_at_target = threading.Event()
        self._contact_s: float | None = None
        self._approaching = threading.Event()
        self.contact_width_mm: float | None = None  # where the last grasp first touched
        cfg = self.config
        self.force_setting = gripper.force_setting_for(cfg.max_force_n * (1 - cfg.force_margin))

    def prepare(self, *, tare: bool) -> str | None:
        """Ready the rig for its first grasp: activate the gripper, open it and wait until it
        stops (``open_timeout_s``), then zero the force sensor when ``tare``; else read its rest
        level (:meth:`read_rest`) and return the warning for it, if any
        (:func:`untared_rest_warning`)."""
        self.gripper.activate()
        self.gripper.open()
        state = self.gripper.wait_until_stopped(self.config.open_timeout_s)
        self.tared = tare
        self.force_rest_n = self.lowest_rest_n = 0.0
        self.first_rest_n = self._open_width_mm = None
        if tare:
            self.force.tare()
            return None
        self._check_open(state)
        rest = self.read_rest()
        cfg = self.config
        if rest > 0 and rest + cfg.target_force_n >= cfg.max_force_n:
            raise ConfigError(
                f"the gauge reads {rest:+.2f} N at rest, not tared (--no-tare): the target "
                f"{cfg.target_force_n:g} N above it reaches the limit {cfg.max_force_n:g} N, "
                "which acts on its readings - every grasp would trip",
                hint="tare the gauge (drop --no-tare), or lower --target-force-n",
            )
        return untared_rest_warning(rest)

    def _check_open(self, state: GripperState) -> None:
        """Refuse to read the rest level when the gripper says something may touch the
        fingers: an object detected, or an opening short of the session's (module docstring)."""
        width = state.width_mm
        if self._open_width_mm is None:
            short = width < self.gripper.max_width_mm - OPEN_TOLERANCE_MM
            expected = self.gripper.max_width_mm
        else:
            short = width < self._open_width_mm - REST_OPEN_TOLERANCE_MM
            expected = self._open_width_mm
        if state.in_contact or short:
            raise DeviceError(
                f"cannot read the gauge's rest level (not tared): the gripper is "
                f"{'on an object' if state.in_contact else 'not fully open'} at {width:.1f} mm "
                f"(open: {expected:.1f} mm)",
                hint="nothing may touch the fingers while the rest level is read: clear them "
                "and run again, or tare the gauge (drop --no-tare)",
            )
        if self._open_width_mm is None:
            self._open_width_mm = width

    def read_rest(self) -> float:
        """The gauge's rest level, the gripper open (the caller's duty) and nothing touched:
        the median of :data:`REST_SAMPLES` unfiltered readings, kept as ``force_rest_n``; the
        gauge's spike filter is shifted by it, the session's lowest kept for the safety check,
        and a move from the session's first warned of (module docstring)."""
        values = [self.force.read().unfiltered_n for _ in range(REST_SAMPLES)]
        bad = [v for v in values if not math.isfinite(v)]
        if bad:
            raise DeviceError(
                f"the gauge read {bad[0]} N at rest: not a number of newtons",
                hint="check the gauge's cable and conversion (tactile calibrate gauge)",
            )
        rest = float(sorted(values)[len(values) // 2])
        self.force_rest_n = rest
        self.force.shift_filter(rest)
        self.lowest_rest_n = min(self.lowest_rest_n, rest)
        if self.first_rest_n is None:
            self.first_rest_n = rest
        elif abs(rest - self.first_rest_n) > REST_MOVE_WARN_N:
            self.warn(
                f"warning: the gauge reads {rest:+.2f} N at rest, {self.first_rest_n:+.2f} N "
                "at the session's first grasp (not tared): a touch or a drift? the safety limit "
                f"acts from the lowest ({self.lowest_rest_n:+.2f} N)"
            )
        return rest

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
        """Runs in the force thread on every reading: react within one gauge sample."""
        cfg = self.config
        if self._safety(sample):
            self._open_now()
            return
        if not self._closing.is_set():
            return
        force_n = sample.force_n - self.force_rest_n  # the force the squeeze added
        if force_n >= cfg.target_force_n:
            self._closing.clear()
            with contextlib.suppress(Exception):  # the recording thread sees gripper errors
                self._g(lambda g: g.hold())
            self._held_at_target.set()
        elif force_n >= cfg.contact_force_n and self._contact_s is None:
            self._contact_s = sample.t_s
            if not self._pressing.is_set():
                with contextlib.suppress(Exception):
                    self._g(self._press)

    def _press(self, g: Gripper) -> None:
        self._pressing.set()
        self._approaching.clear()
        g.move_to_mm(self.config.close_to_mm, speed=self.press_speed, force=self.force_setting)

    def approach_target_mm(self, start_width_mm: float) -> float | None:
        """Where the fast approach ends, or None when the whole closing must be slow."""
        cfg = self.config
        if cfg.approach_to_mm is not None:
            target = cfg.approach_to_mm
        elif self.contact_width_mm is not None:
            target = self.contact_width_mm + cfg.approach_margin_mm
        else:
            return None
        return target if cfg.close_to_mm < target < start_width_mm else None

    # --- one grasp --------------------------------------------------------------------------
    def record(self, grasp_id: str, meta: GraspMetadata) -> Grasp:
        """Open, close on the object to the target force, hold, release; return the grasp."""
        buf = _Buffers()
        self._safety = SafetyMonitor(self.config.max_force_n, self.config.confirm_samples)
        self._contact_s = None
        self._pressing.clear()
        self._approaching.clear()
        stream = ForceStream(self.force, self._check_force)
        try:
            self._g(lambda g: g.open())
            state = self._g(lambda g: g.wait_until_stopped(self.config.open_timeout_s))
            if not self.tared:  # the fingers open, nothing touched: the gauge's rest level
                self._check_open(state)
                self.read_rest()
            self._safety = SafetyMonitor(
                self.config.max_force_n, self.config.confirm_samples, self.lowest_rest_n
            )
            stream.start()
            self._phases(buf, stream, grasp_id)
        except BaseException as exc:
            stream.stop()
            opened = self._open_now()
            detail = exc.message if isinstance(exc, TactileError) else str(exc)
            partial = self._build(buf, stream, grasp_id, meta, aborted=detail)
            if not isinstance(exc, Exception):
                raise  # a second Ctrl-C (KeyboardInterrupt): the gripper was still opened
            kept = partial.n_frames if partial is not None else 0
            state = "commanded open" if opened else "could NOT be commanded open - check it"
            raise GraspAbortedError(
                f"grasp {grasp_id!r} aborted: {detail}; gripper {state}; kept {kept} frame(s)",
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

    def _sample(self, buf: _Buffers, stream: ForceStream, grasp_id: str, phase: str) -> bool:
        """Record one frame and gripper state; True when the callback asks to stop closing."""
        if self.stop_event.is_set():
            raise RecordingInterruptedError(
                "stopped by the user", hint="run the same command with --append to resume"
            )
        frame = self.camera.read()
        if buf.reference is None:
            buf.reference = frame.image
        state: GripperState = self._g(lambda g: g.state())
        buf.frames.append(frame)
        buf.states.append(state)
        stream.raise_if_failed()
        tripped = self._safety.tripped
        if tripped is not None:
            at_rest = ""
            if not self.tared:  # the rest level explains where it tripped
                lowest = (
                    f", the session's lowest {self.lowest_rest_n:+.2f} N"
                    if self.lowest_rest_n < min(0.0, self.force_rest_n)
                    else ""
                )
                at_rest = (
                    f" (the gauge read {tripped.unfiltered_n:.1f} N, {self.force_rest_n:+.2f} N "
                    f"at rest{lowest}; not tared)"
                )
            raise SafetyLimitError(
                f"force {self._safety.force_n(tripped):.1f} N{at_rest} exceeded the limit "
                f"{self.config.max_force_n} N for {self.config.confirm_samples} readings; "
                "the gripper was opened",
                hint="lower --target-force-n or --close-speed, or raise --max-force-n if safe",
            )
        if self.on_frame is None:
            return False
        latest = stream.latest_n(self.force_rest_n)
        live = LiveFrame(grasp_id, phase, frame, state, latest, buf.frames, stream.samples)
        return bool(self.on_frame(live))

    def _phases(self, buf: _Buffers, stream: ForceStream, grasp_id: str) -> None:
        cfg = self.config
        t0 = now_s()
        while now_s() - t0 < cfg.pre_s or not buf.frames:
            self._sample(buf, stream, grasp_id, "pre")
        start_width = buf.states[-1].width_mm
        self._held_at_target.clear()
        approach_to = self.approach_target_mm(start_width)
        self._closing.set()
        if approach_to is None:
            self._g(self._press)
        else:
            self._approaching.set()
            force, speed = self.force_setting, cfg.close_speed
            self._g(lambda g: g.move_to_mm(approach_to, speed=speed, force=force))
        try:
            self._close_phase(buf, stream, grasp_id, now_s())
        finally:
            self._closing.clear()
        t_hold = now_s()
        while now_s() - t_hold < cfg.hold_s:
            self._sample(buf, stream, grasp_id, "hold")
        self._g(lambda g: g.open())
        t_release = now_s()
        while now_s() - t_release < cfg.release_s:
            self._sample(buf, stream, grasp_id, "release")
            st = buf.states[-1]
            if not st.moving and st.width_mm >= start_width - 1.0:
                break

    def _close_phase(
        self, buf: _Buffers, stream: ForceStream, grasp_id: str, t_close: float
    ) -> None:
        cfg = self.config
        while True:
            stop = self._sample(buf, stream, grasp_id, "closing")
            st = buf.states[-1]
            if self._held_at_target.is_set():
                buf.stopped_by = "target_force"
                return
            if stop:
                self._closing.clear()
                self._g(lambda g: g.hold())
                buf.stopped_by = "callback"
                return
            if self._approaching.is_set() and not st.moving:  # near contact: slow down
                self._g(self._press)
                continue
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
    def _streams(
        self, buf: _Buffers, samples: list[ForceSample], n: int
    ) -> dict[str, dict[str, np.ndarray]]:
        lat = self.latency_s
        states = buf.states[:n]
        frames = buf.frames[:n]
        tactile: dict[str, np.ndarray] = {
            "t_s": np.array([f.t_s for f in frames]) - lat.get("tactile", 0.0),
            "t_arrival_s": np.array([f.t_s for f in frames]),
            "index": np.array([f.index for f in frames], np.int64),
            "dropped_before": np.array([f.dropped_before for f in frames], np.int64),
        }
        if any(f.t_device_s is not None for f in frames):
            tactile["t_device_s"] = np.array(
                [np.nan if f.t_device_s is None else f.t_device_s for f in frames]
            )
        nan = float("nan")
        return {
            "force": {
                "t_s": np.array([s.t_s for s in samples]) - lat.get("force", 0.0),
                "t_arrival_s": np.array([s.t_s for s in samples]),
                "force_n": np.array([s.unfiltered_n for s in samples]),
                "filtered_n": np.array([s.force_n for s in samples]),
                "raw": np.array([nan if s.raw is None else s.raw for s in samples]),
                "rejected": np.array([s.rejected for s in samples], np.bool_),
            },
            "gripper": {
                "t_s": np.array([s.t_s for s in states]) - lat.get("gripper", 0.0),
                "t_arrival_s": np.array([s.t_s for s in states]),
                "width_mm": np.array([s.width_mm for s in states]),
                "position": np.array([-1 if s.position is None else s.position for s in states]),
                "object_status": np.array([int(s.object_status) for s in states], np.int64),
                "fault_code": np.array([s.fault_code for s in states], np.int64),
                "current_ma": np.array(
                    [nan if s.current_ma is None else s.current_ma for s in states]
                ),
            },
            "tactile": tactile,
        }

    def _build(
        self,
        buf: _Buffers,
        stream: ForceStream,
        grasp_id: str,
        meta: GraspMetadata,
        aborted: str | None = None,
    ) -> Grasp | None:
        n = min(len(buf.frames), len(buf.states))
        if n < 2 or buf.reference is None:
            return None
        samples = list(stream.samples)
        streams = self._streams(buf, samples, n)
        t = streams["tactile"]["t_s"]
        g = streams["gripper"]
        width = np.interp(t, g["t_s"], g["width_mm"])
        f = streams["force"]
        spikes = isolated_spikes(f["force_n"], self.config.spike_jump_n)
        good = ~spikes
        force = np.interp(t, f["t_s"][good], f["force_n"][good]) if good.any() else np.zeros(n)
        extra = {
            **meta.extra,
            "n_force_samples": len(samples),
            "n_force_rejected": int(spikes.sum()),
            "n_force_filtered": int(f["rejected"].sum()),
            "peak_force_sample_n": float(f["force_n"][good].max()) if good.any() else 0.0,
            "n_dropped_frames": sum(fr.dropped_before for fr in buf.frames[:n]),
            "stopped_by": buf.stopped_by,
            **({} if self.tared else {"force_rest_n": self.force_rest_n}),
            "max_force_n": self.config.max_force_n,
            "target_force_n": self.config.target_force_n,
            "close_speed": self.config.close_speed,
            "press_speed": self.press_speed,
            "latency_s": dict(self.latency_s),
            "width_calibrated": bool(self.gripper.width_calibrated),
        }
        if self._contact_s is not None:
            t_contact = float(self._contact_s - self.latency_s.get("force", 0.0))
            extra["contact_t_s"] = t_contact
            extra["contact_width_mm"] = float(np.interp(t_contact, g["t_s"], g["width_mm"]))
            if aborted is None:
                self.contact_width_mm = extra["contact_width_mm"]
        if aborted is not None:
            extra["aborted"] = aborted
        if self._safety.tripped is not None:
            extra["safety_trip_t_s"] = self._safety.tripped.t_s - self.latency_s.get("force", 0.0)
        devices = {
            "gripper": self.gripper.url,
            "tactile": self.camera.url,
            "force": self.force.url,
            **meta.devices,
        }
        jpegs = [fr.jpeg for fr in buf.frames[:n]]
        return Grasp(
            grasp_id=grasp_id,
            frames=np.stack([fr.image for fr in buf.frames[:n]]),
            t_s=t,
            force_n=force,
            width_mm=width,
            meta=dataclasses.replace(meta, devices=devices, extra=extra),
            reference_frame=buf.reference,
            streams=streams,
            camera_jpegs=None if None in jpegs else tuple(b for b in jpegs if b is not None),
        )
