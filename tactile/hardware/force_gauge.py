"""Serial load-cell gauge: one reading per line (e.g. an HX711 board on a microcontroller).

URLs: a bare port (``/dev/ttyACM0``), ``gauge:///dev/ttyACM0``, or a TCP line stream
``socket://host:port`` (what the reference rig used: a small server printing readings), all
opened through ``serial.serial_for_url``. Query parameters: ``baud`` (115200), ``scale``
(newtons per raw unit, 1.0 when the board already prints newtons), ``offset`` (raw units read at
no load; see :meth:`SerialForceGauge.tare`), ``timeout_s`` (0.5: a gauge silent that long is an
error), ``min_n`` / ``max_n`` / ``jump_n`` (spike rejection, see :class:`SpikeFilter`),
``sign`` (-1 when the cell reads tension positive), ``rate_hz`` (the board's reading rate, used
to time-stamp readings that arrive queued in one chunk; 0 = estimated from the stream). A
pyserial URL handler's own options (``spy://...?file=log.txt``) are handed on to it; any other
key is an error.

Time stamps: a reading gets the monotonic time its line arrived. When several lines arrive in
one read (the OS or a TCP bridge queued them), the last gets the arrival time and the earlier
ones are spaced back by the reading period, never before the previous reading: queued readings
never share one time stamp.

Each line's *last* number is the reading, so ``"12.5"``, ``"F=12.5 N"`` and ``"1234,12.5"`` all
work; lines without a standalone number are skipped (boot banners such as "HX711 ready").
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import serial

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError, ProtocolError
from tactile.hardware.base import ForceSample, ForceSensor, now_s
from tactile.hardware.registry import PYSERIAL_OPTIONS, DeviceUrl, parse_device_url, pyserial_port
from tactile.hardware.url_config import config_from_url, url_fields

_NUMBER = re.compile(rb"(?<![A-Za-z0-9_.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_reading(line: bytes) -> float | None:
    """The last number on a line, or None when there is none."""
    found = _NUMBER.findall(line)
    return float(found[-1]) if found else None


class SpikeFilter:
    """Reject isolated glitches in a force stream.

    A value is rejected when it lies outside ``[min_n, max_n]`` or differs from the median of the
    last ``window`` accepted values by more than ``jump_n``. After ``max_run`` rejections in a
    row a jump is accepted anyway (the level really changed, e.g. a sudden load); a value out of
    range never is (it is reported clipped and flagged). Rejected values are replaced by the last
    accepted one. Safety checks must look at :attr:`ForceSample.unfiltered_n`, not only the
    filtered value: a real, fast force rise looks like a jump for up to ``max_run`` readings.
    The reference rig's logs contain single-sample readings near -70 N between rest values of
    about 0 N; these are what it removes.
    """

    def __init__(
        self,
        *,
        min_n: float = -5.0,
        max_n: float = 500.0,
        jump_n: float = 25.0,
        window: int = 5,
        max_run: int = 3,
    ) -> None:
        if not min_n < max_n or jump_n <= 0 or window < 1 or max_run < 1:
            raise ConfigError(
                f"spike filter limits min_n={min_n}, max_n={max_n}, jump_n={jump_n} are invalid",
                hint="need min_n < max_n and jump_n > 0",
            )
        self.min_n, self.max_n, self.jump_n, self.max_run = min_n, max_n, jump_n, max_run
        self._recent: deque[float] = deque(maxlen=window)
        self._run = 0
        self.n_rejected = 0

    def __call__(self, value: float) -> tuple[float, bool]:
        """(value to use, whether the raw value was rejected)."""
        out_of_range = not self.min_n <= value <= self.max_n
        jump = bool(self._recent) and abs(value - statistics.median(self._recent)) > self.jump_n
        if (out_of_range or jump) and self._recent and self._run < self.max_run:
            self._run += 1
            self.n_rejected += 1
            return self._recent[-1], True
        self._run = 0
        if out_of_range:  # never a plausible reading: report it clipped, and flagged
            self.n_rejected += 1
            return min(max(value, self.min_n), self.max_n), True
        self._recent.append(value)
        return value, False


def isolated_spikes(values: np.ndarray, jump_n: float) -> np.ndarray:
    """Mask of readings that jump more than ``jump_n`` away from *both* neighbours, in the same
    direction, while the neighbours agree with each other: a glitch, not a change of load.

    A real step (a load applied faster than the gauge samples) moves the level for good and is
    never marked, however large; this is what validation counts as "spikes". The first and last
    readings are compared with their one neighbour and a continuation of it.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size < 3:
        return np.zeros(v.shape, bool)
    padded = np.concatenate([[v[1]], v, [v[-2]]])
    before, here, after = padded[:-2], padded[1:-1], padded[2:]
    up = (here - before > jump_n) & (here - after > jump_n)
    down = (before - here > jump_n) & (after - here > jump_n)
    return (up | down) & (np.abs(before - after) <= jump_n)


@dataclass(frozen=True)
class GaugeConfig:
    """Port, conversion and filter settings of a line-per-reading gauge (built from its URL)."""

    port: str = field(default="", metadata={"url": False})
    baud: int = 115200
    scale: float = 1.0
    offset: float = 0.0
    sign: float = 1.0
    timeout_s: float = 0.5
    min_n: float = -5.0
    max_n: float = 500.0
    jump_n: float = 25.0
    rate_hz: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_hz) and self.rate_hz >= 0):
            raise ConfigError(
                f"force gauge rate_hz={self.rate_hz} must be >= 0", hint="0 = estimate it"
            )
        if self.baud not in serial.SerialBase.BAUDRATES and self.baud not in (230400, 460800):
            raise ConfigError(
                f"force gauge baud rate {self.baud} is not a standard rate",
                hint="use the rate your board's sketch sets, e.g. ?baud=115200 or 57600",
            )
        if not (math.isfinite(self.scale) and self.scale != 0):
            raise ConfigError(
                f"force gauge scale {self.scale} must be a non-zero number (N per raw unit)",
                hint="calibrate it with a known weight (SerialForceGauge.calibrate_scale)",
            )
        if self.sign not in (1.0, -1.0):
            raise ConfigError(f"force gauge sign {self.sign} must be 1 or -1", hint="?sign=-1")
        if not (math.isfinite(self.timeout_s) and self.timeout_s > 0):
            raise ConfigError(
                f"force gauge timeout {self.timeout_s} s must be positive", hint="?timeout_s=0.5"
            )

    @classmethod
    def from_url(cls, url: DeviceUrl) -> GaugeConfig:
        return config_from_url(
            cls,
            url,
            passthrough=PYSERIAL_OPTIONS.get(url.scheme, ()),
            port=pyserial_port(url, set(url_fields(cls))),
        )


class SerialForceGauge(ForceSensor):
    """A line-per-reading force gauge on a serial port or a TCP stream."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.config = c = GaugeConfig.from_url(parse_device_url(url))
        self.port, self.baud, self.timeout_s = c.port, c.baud, c.timeout_s
        self.scale, self.offset, self.sign = c.scale, c.offset, c.sign
        self._limits = (c.min_n, c.max_n)
        self._jump_n = c.jump_n
        self.filter_shift_n = 0.0  # shift_filter: the rest level of a gauge not zeroed
        self.filter = self._new_filter()
        self._serial: serial.SerialBase | None = None
        self._buffer = b""
        self._queue: deque[tuple[bytes, float]] = deque()
        self._last_t: float | None = None
        self._gaps: deque[float] = deque(maxlen=31)  # arrival gaps of lone lines

    def _new_filter(self) -> SpikeFilter:
        lo, hi = self._limits
        shift = self.filter_shift_n
        return SpikeFilter(min_n=lo + shift, max_n=hi + shift, jump_n=self._jump_n)

    def shift_filter(self, rest_n: float) -> None:
        self.filter_shift_n = float(rest_n)
        self.filter = self._new_filter()

    def _connect(self) -> None:
        try:
            self._serial = serial.serial_for_url(self.port, baudrate=self.baud, timeout=0.02)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceError(
                f"cannot open force gauge {self.port!r}: {exc}",
                hint="check the board is plugged in (`tactile find-devices`) or the TCP "
                "server is running",
            ) from exc
        self._buffer = b""
        self._queue.clear()
        self._last_t = None
        self.filter = self._new_filter()

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def _read_line(self) -> tuple[bytes, float]:
        if self._serial is None:
            self._require_connected()
            raise DeviceError(f"{self.name} has no open port", hint="reconnect the device")
        deadline = time.monotonic() + self.timeout_s
        while not self._queue:
            if time.monotonic() > deadline:
                raise DeviceTimeoutError(
                    f"force gauge {self.port!r} sent no reading for {self.timeout_s} s",
                    hint="check the gauge's power and cable, and that it streams one reading "
                    "per line; raise ?timeout_s= for slow boards",
                )
            try:
                chunk = self._serial.read(max(1, self._serial.in_waiting))
            except (serial.SerialException, OSError) as exc:
                raise DeviceError(
                    f"force gauge {self.port!r} disconnected: {exc}",
                    hint="check the cable, then reconnect",
                ) from exc
            if chunk:
                self._take(chunk, now_s())
        return self._queue.popleft()

    def _take(self, chunk: bytes, t_arrival: float) -> None:
        """Split complete lines off the buffer and give each its own time stamp."""
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        if not lines:
            return
        for line, t in zip(lines, self._stamps(len(lines), t_arrival), strict=True):
            self._queue.append((line.strip(), t))

    def _period_s(self) -> float:
        if self.config.rate_hz > 0:
            return 1.0 / self.config.rate_hz
        return statistics.median(self._gaps) if len(self._gaps) >= 3 else 0.0

    def _stamps(self, n: int, t_arrival: float) -> list[float]:
        prev, period = self._last_t, self._period_s()
        if n == 1 and prev is not None:
            self._gaps.append(t_arrival - prev)
        stamps = []
        for i in range(n):
            t = t_arrival - (n - 1 - i) * period
            if prev is not None:  # strictly after the previous reading, evenly if need be
                t = max(t, prev + (t_arrival - prev) * (i + 1) / n)
            stamps.append(t)
        self._last_t = t_arrival
        return stamps

    def read_raw(self) -> tuple[float, float]:
        """(raw reading, arrival time) of the next line that carries a number."""
        self._require_connected()
        for _ in range(50):
            line, t = self._read_line()
            value = parse_reading(line)
            if value is not None:
                return value, t
        raise ProtocolError(
            f"force gauge {self.port!r} sent 50 lines without a number",
            hint=(
                "check that the server at that address sends one reading (a number) per line"
                if self.port.startswith(("socket://", "rfc2217://"))
                else "check the baud rate (?baud=) and that the board prints one reading per line"
            ),
        )

    def read(self) -> ForceSample:
        raw, t = self.read_raw()
        force = self.sign * (raw - self.offset) * self.scale
        value, rejected = self.filter(force)
        return ForceSample(t_s=t, force_n=value, raw=raw, rejected=rejected, measured_n=force)

    def _mean_raw(self, n_samples: int) -> float:
        values = [self.read_raw()[0] for _ in range(n_samples)]
        return statistics.median(values)

    def tare(self, n_samples: int = 10) -> float:
        """Set the offset to the median of ``n_samples`` raw readings at no load."""
        self._require_connected()
        old = self.offset
        self.offset = self._mean_raw(n_samples)
        self.filter_shift_n = 0.0  # the rest level is taken off
        self.filter = self._new_filter()
        return (self.offset - old) * self.scale * self.sign

    def set_conversion(self, *, scale: float, offset: float) -> None:
        if not (math.isfinite(scale) and scale != 0 and math.isfinite(offset)):
            raise ConfigError(
                f"force gauge conversion scale={scale}, offset={offset} is invalid",
                hint="re-run `tactile calibrate gauge`",
            )
        self.scale, self.offset = scale, offset
        self.filter = self._new_filter()

    def calibrate_scale(self, known_force_n: float, n_samples: int = 10) -> float:
        """With a known load on the cell (after :meth:`tare`), set newtons per raw unit."""
        self._require_connected()
        delta = self._mean_raw(n_samples) - self.offset
        if abs(delta) < 1e-12 or known_force_n == 0:
            raise ConfigError(
                f"force gauge {self.port!r}: the raw reading did not change under "
                f"{known_force_n} N",
                hint="tare with no load first, then put a known weight on the cell",
            )
        self.scale = known_force_n / delta * self.sign
        return self.scale
