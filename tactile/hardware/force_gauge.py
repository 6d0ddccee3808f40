"""Serial load-cell gauge: one reading per line (e.g. an HX711 board on a microcontroller).

URLs: a bare port (``/dev/ttyACM0``), ``gauge:///dev/ttyACM0``, or a TCP line stream
``socket://host:port`` (what the reference rig used: a small server printing readings), all
opened through ``serial.serial_for_url``. Query parameters: ``baud`` (115200), ``scale``
(newtons per raw unit, 1.0 when the board already prints newtons), ``offset`` (raw units read at
no load; see :meth:`SerialForceGauge.tare`), ``timeout_s`` (0.5: a gauge silent that long is an
error), ``min_n`` / ``max_n`` / ``jump_n`` (spike rejection, see :class:`SpikeFilter`),
``sign`` (-1 when the cell reads tension positive).

Each line's *last* number is the reading, so ``"12.5"``, ``"F=12.5 N"`` and ``"1234,12.5"`` all
work; lines without a standalone number are skipped (boot banners such as "HX711 ready").
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import deque
from dataclasses import dataclass

import serial

from tactile.errors import ConfigError, DeviceError, DeviceTimeoutError, ProtocolError
from tactile.hardware.base import ForceSample, ForceSensor, now_s
from tactile.hardware.registry import PYSERIAL_SCHEMES, DeviceUrl, parse_device_url

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


@dataclass(frozen=True)
class GaugeConfig:
    """Port, conversion and filter settings of a line-per-reading gauge (built from its URL)."""

    port: str
    baud: int = 115200
    scale: float = 1.0
    offset: float = 0.0
    sign: float = 1.0
    timeout_s: float = 0.5
    min_n: float = -5.0
    max_n: float = 500.0
    jump_n: float = 25.0

    def __post_init__(self) -> None:
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
        port = f"{url.scheme}://{url.target}" if url.scheme in PYSERIAL_SCHEMES else url.target
        return cls(
            port=port,
            baud=url.get_int("baud", 115200),
            scale=url.get_float("scale", 1.0),
            offset=url.get_float("offset", 0.0),
            sign=url.get_float("sign", 1.0),
            timeout_s=url.get_float("timeout_s", 0.5),
            min_n=url.get_float("min_n", -5.0),
            max_n=url.get_float("max_n", 500.0),
            jump_n=url.get_float("jump_n", 25.0),
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
        self.filter = self._new_filter()
        self._serial: serial.SerialBase | None = None
        self._buffer = b""

    def _new_filter(self) -> SpikeFilter:
        return SpikeFilter(min_n=self._limits[0], max_n=self._limits[1], jump_n=self._jump_n)

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
        while b"\n" not in self._buffer:
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
            self._buffer += chunk
        t = now_s()
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.strip(), t

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
            hint="check the baud rate (?baud=) and that the board prints one reading per line",
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
        self.filter = self._new_filter()
        return (self.offset - old) * self.scale * self.sign

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
