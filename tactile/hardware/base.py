"""Device interfaces: one abstract class per device family, samples with monotonic timestamps.

Every device is a context manager. Calling a method that talks to the device before
:meth:`Device.connect` (or after :meth:`Device.close`) raises
:class:`~tactile.errors.DeviceNotConnectedError` naming the device and the remedy.
Timestamps come from :func:`time.monotonic` at the moment a sample reached this process; they
are never derived from a nominal rate.
"""

from __future__ import annotations

import enum
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import numpy as np

from tactile.errors import DeviceError, DeviceNotConnectedError, DeviceTimeoutError


def now_s() -> float:
    """The one clock used for every sample (monotonic seconds)."""
    return time.monotonic()


class ObjectStatus(enum.IntEnum):
    """Object detection as the Robotiq firmware reports it (gOBJ); other grippers map onto it."""

    MOVING = 0  # fingers moving towards the requested position, no object detected
    CONTACT_OPENING = 1  # fingers stopped by contact while opening
    CONTACT_CLOSING = 2  # fingers stopped by contact while closing
    AT_POSITION = 3  # fingers at the requested position, no object (or object lost)


@dataclass(frozen=True)
class GripperState:
    """One status reading of a gripper."""

    t_s: float
    width_mm: float
    activated: bool
    object_status: ObjectStatus
    fault_code: int = 0
    position: int | None = None  # raw position counts, when the gripper has them
    current_ma: float | None = None

    @property
    def moving(self) -> bool:
        return self.object_status == ObjectStatus.MOVING

    @property
    def in_contact(self) -> bool:
        return self.object_status in (ObjectStatus.CONTACT_OPENING, ObjectStatus.CONTACT_CLOSING)


@dataclass(frozen=True)
class ForceSample:
    """One force reading: newtons, compression positive."""

    t_s: float
    force_n: float
    raw: float | None = None  # the value before tare and scale, when there is one
    rejected: bool = False  # a spike that was replaced by the previous good value
    measured_n: float | None = None  # newtons before spike rejection (safety checks use it)

    @property
    def unfiltered_n(self) -> float:
        """The reading before spike rejection (``force_n`` when there was no filter)."""
        return self.force_n if self.measured_n is None else self.measured_n


@dataclass(frozen=True, eq=False)
class FrameSample:
    """One camera frame (H, W, 3) uint8 BGR with the time it arrived.

    ``jpeg``: the camera's own JPEG image of this frame, as it came (an MJPEG stream's part),
    when the camera delivers JPEG; ``image`` is then exactly its decoding
    (:func:`tactile.io.frame_codec.decode_jpeg`), so a store can keep these bytes instead of the
    pixels and give back the same pixels.
    """

    t_s: float
    image: np.ndarray
    index: int  # sequence number of frames delivered by this device
    dropped_before: int = 0  # frames known to be lost just before this one
    t_device_s: float | None = None  # the sender's own timestamp (MJPEG X-Timestamp), if any
    jpeg: bytes | None = field(default=None, repr=False)  # the camera's bytes, if JPEG


class Device(ABC):
    """Common lifecycle: connect/close, context manager, and the not-connected guard."""

    kind: str = "device"

    def __init__(self, url: str) -> None:
        self.url = url
        self._connected = False

    @property
    def name(self) -> str:
        return f"{self.kind} {type(self).__name__} at {self.url!r}"

    @property
    def is_connected(self) -> bool:
        return self._connected

    def connect(self) -> None:
        if not self._connected:
            self._connect()
            self._connected = True

    def close(self) -> None:
        if self._connected:
            self._connected = False
            self._close()

    def _require_connected(self) -> None:
        if not self._connected:
            raise DeviceNotConnectedError(
                f"{self.name} is not connected",
                hint="call .connect() first, or use the device in a `with` block",
            )

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _connect(self) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...


class Gripper(Device):
    """A parallel gripper commanded by finger opening in millimetres."""

    kind = "gripper"

    @property
    @abstractmethod
    def max_width_mm(self) -> float:
        """Opening when fully open."""

    @property
    def min_grip_force_n(self) -> float:
        """The weakest grip force the gripper can stop itself at (0: no force control)."""
        return 0.0

    @property
    def width_calibrated(self) -> bool:
        """Whether ``width_mm`` comes from a measured calibration (see ``calibrate gripper``)."""
        return True

    def speed_mm_s(self, speed: float) -> float | None:
        """Finger speed for a speed setting 0..1 (None when the gripper does not say)."""
        return None

    def activate(self) -> None:
        """Bring the gripper into a state that accepts motion commands (no-op by default)."""
        self._require_connected()

    @abstractmethod
    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        """Start moving towards ``width_mm`` (non-blocking).

        ``speed`` and ``force`` are fractions 0..1 of the gripper's range.
        """

    @abstractmethod
    def state(self) -> GripperState:
        """Read the current status."""

    def force_setting_for(self, force_n: float) -> float:
        """The largest force setting (0..1) whose grip force stays at or below ``force_n``.

        Grippers that cannot limit their force by setting return 0 (their weakest grip).
        """
        return 0.0

    def hold(self) -> None:
        """Stop where the fingers are now (keeps gripping an object in contact)."""
        st = self.state()
        self.move_to_mm(st.width_mm, speed=0.0, force=0.0)

    def open(self, *, speed: float = 1.0) -> None:
        """Command the fingers fully open (non-blocking)."""
        self.move_to_mm(self.max_width_mm, speed=speed, force=1.0)

    def wait_until_stopped(self, timeout_s: float = 5.0, poll_s: float = 0.01) -> GripperState:
        """Poll until the fingers stop (at the target or on an object); returns that state."""
        deadline = time.monotonic() + timeout_s
        while True:
            st = self.state()
            if not st.moving:
                return st
            if time.monotonic() > deadline:
                raise DeviceTimeoutError(
                    f"{self.name} still moving after {timeout_s} s (at {st.width_mm:.1f} mm)",
                    hint="raise the timeout or the speed; check nothing blocks the fingers",
                )
            time.sleep(poll_s)


class TactileSensor(Device):
    """A camera looking at a gel pad."""

    kind = "tactile sensor"

    @abstractmethod
    def read(self) -> FrameSample:
        """Block until the next frame arrives and return it."""


class ForceSensor(Device):
    """A grip-force sensor (load cell, or the gripper's own estimate)."""

    kind = "force sensor"

    @abstractmethod
    def read(self) -> ForceSample:
        """Block until the next reading arrives and return it."""

    def tare(self, n_samples: int = 10) -> float:
        """Make the current load read as zero; returns the offset removed (newtons)."""
        self._require_connected()
        return 0.0

    def shift_filter(self, rest_n: float) -> None:
        """Move the spike filter's range ``[min_n, max_n]`` by ``rest_n``: a gauge not zeroed
        reads its rest level on every sample, so the range holds for the force above it (a
        tare sets the shift back to 0). A sensor without a filter ignores it."""

    def read_raw(self) -> tuple[float, float]:
        """(reading in the sensor's own units, arrival time), for calibration."""
        raise DeviceError(
            f"{self.name} gives no raw readings", hint="calibrate a serial or simulated gauge"
        )

    def set_conversion(self, *, scale: float, offset: float) -> None:
        """Newtons = (raw - offset) * scale, e.g. from ``tactile calibrate gauge``."""
        raise DeviceError(
            f"{self.name} has no adjustable scale", hint="calibrate a serial or simulated gauge"
        )


class EndOfStreamError(DeviceError):
    """A finite source (video file, replayed grasp) has no more samples."""


class DropDetector:
    """Counts frames lost between arrivals from the gaps in monotonic arrival times.

    Never trusts a nominal frame rate: the period is the median of the last ``window``
    inter-arrival gaps, and a gap of ``k`` periods (k >= 1.5, rounded) means ``k - 1`` lost frames.
    """

    def __init__(self, window: int = 31) -> None:
        self._gaps: list[float] = []
        self._window = window
        self._last: float | None = None
        self.total_dropped = 0

    def __call__(self, t_s: float) -> int:
        last, self._last = self._last, t_s
        if last is None:
            return 0
        gap = t_s - last
        dropped = 0
        if len(self._gaps) >= 5:
            period = float(np.median(self._gaps))
            if period > 0 and gap > 1.5 * period:
                dropped = round(gap / period) - 1
        if not dropped:
            self._gaps = [*self._gaps[-(self._window - 1) :], gap]
        self.total_dropped += dropped
        return dropped
