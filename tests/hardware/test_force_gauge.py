"""Serial/TCP load-cell gauge: line parsing, tare, scale, spike rejection, silence."""

from __future__ import annotations

import itertools
import time

import pytest

from tactile.errors import DeviceTimeoutError, ProtocolError
from tactile.hardware import open_force_sensor
from tactile.hardware.force_gauge import SerialForceGauge, SpikeFilter, parse_reading
from tactile.hardware.gauge_emulator import GaugeEmulator, LineServer
from tactile.hardware.pty_link import PtyLink


def test_parse_reading_takes_last_number() -> None:
    assert parse_reading(b"12.5") == 12.5
    assert parse_reading(b"F=-3.25 N") == -3.25
    assert parse_reading(b"1234,5.5e1") == 55.0
    assert parse_reading(b"HX711 ready") is None


def test_spike_filter_removes_isolated_glitches_but_follows_real_steps() -> None:
    f = SpikeFilter(min_n=-5, max_n=500, jump_n=25)
    stream = [0.1, 0.0, -0.1, -70.0, 0.1, 0.2, 5.0, 10.0, 15.0, 90.0, 91.0, 90.5, 90.2]
    out = [f(v) for v in stream]
    assert out[3] == (-0.1, True)  # the -70 N glitch is replaced by the last good value
    assert [v for v, _ in out[4:9]] == [0.1, 0.2, 5.0, 10.0, 15.0]  # a ramp passes
    values = [v for v, _ in out]
    assert values[-1] == 90.2  # a lasting step is accepted after max_run rejections
    assert f.n_rejected == 4


def _read_until_raw(gauge: SerialForceGauge, raw: float, limit_s: float = 60.0) -> None:
    """Read until the gauge reports ``raw``: lines sent before the load changed may still be
    buffered, as many as the machine was slow (wait for a state, not for a time)."""
    deadline = time.monotonic() + limit_s
    while gauge.read().raw != pytest.approx(raw, abs=1e-6):
        assert time.monotonic() < deadline, f"the gauge never read {raw}"


def test_gauge_over_pty_with_tare_scale_and_glitches() -> None:
    load = {"n": 0.0}
    emu = GaugeEmulator(lambda: load["n"], rate_hz=500, scale=0.01, offset=812.0, glitch_every=7)
    link = PtyLink(produce=emu.next_line, period_s=0.001)
    with link, open_force_sensor(f"{link.port}?scale=0.01&timeout_s=5") as gauge:
        assert isinstance(gauge, SerialForceGauge)
        removed = gauge.tare(9)
        assert gauge.offset == pytest.approx(812.0, abs=1e-3)
        assert removed == pytest.approx(8.12, abs=1e-4)
        load["n"] = 2.0
        _read_until_raw(gauge, 812.0 + 200.0)
        samples = [gauge.read() for _ in range(30)]
        good = [s for s in samples if not s.rejected]
        assert all(s.force_n == pytest.approx(2.0, abs=1e-3) for s in samples)
        assert len(samples) - len(good) >= 3  # the -70 N glitches were flagged
        assert all(b.t_s >= a.t_s for a, b in itertools.pairwise(samples))
        gauge.scale = 1.0
        load["n"] = 5.0
        _read_until_raw(gauge, 812.0 + 500.0)
        assert gauge.calibrate_scale(5.0, n_samples=5) == pytest.approx(0.01, rel=1e-3)


def test_gauge_over_tcp_socket_and_silence() -> None:
    emu = GaugeEmulator(lambda: 3.5, rate_hz=300)
    # silent for 2 s is an error (generous: a loaded machine can delay a line for a while)
    with LineServer(emu) as server, open_force_sensor(server.url + "?timeout_s=2") as gauge:
        readings = [gauge.read().force_n for _ in range(10)]
        assert readings == [3.5] * 10
        emu.silent.set()
        deadline = time.monotonic() + 60.0
        with pytest.raises(DeviceTimeoutError, match=r"no reading for 2\.0 s"):
            while time.monotonic() < deadline:  # drain what was buffered, however much
                gauge.read()


class _Garbage(GaugeEmulator):
    def next_line(self) -> bytes | None:
        return None if super().next_line() is None else b"ready ok\n"


def test_a_socket_gauge_sending_no_numbers_is_not_told_to_check_a_baud_rate() -> None:
    with (
        LineServer(_Garbage(lambda: 1.0, rate_hz=2000)) as server,
        open_force_sensor(server.url + "?timeout_s=5") as gauge,
        pytest.raises(ProtocolError, match="without a number") as err,
    ):
        gauge.read()
    assert err.value.hint is not None
    assert "baud" not in err.value.hint and "server" in err.value.hint


def test_gauge_filter_range_shifts_with_the_rest_level() -> None:
    """review51: a gauge not zeroed reading -8 N at rest (below min_n = -5 N) is not clipped
    once the filter's range is shifted by its rest level (the recorder does, untared)."""
    gauge = SerialForceGauge("/dev/ttyUSB9?min_n=-5&max_n=500")
    assert gauge.filter(-8.0) == (-5.0, True)
    gauge.shift_filter(-8.0)
    assert (gauge.filter.min_n, gauge.filter.max_n) == (-13.0, 492.0)
    assert gauge.filter(-8.0) == (-8.0, False)
    gauge.set_conversion(scale=2.0, offset=1.0)  # a new conversion keeps the shift
    assert gauge.filter.min_n == -13.0
