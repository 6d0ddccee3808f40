"""Device URLs: typed configs that reject unknown keys; pyserial handlers keep their options."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import serial

from tactile.errors import ConfigError
from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
from tactile.hardware.force_gauge import GaugeConfig, SerialForceGauge
from tactile.hardware.gauge_emulator import GaugeEmulator
from tactile.hardware.pty_link import PtyLink
from tactile.hardware.registry import parse_device_url
from tactile.hardware.robotiq import RobotiqConfig
from tactile.hardware.sim_camera import SimCamera


@pytest.mark.parametrize(
    ("opener", "url", "key", "guess"),
    [
        (open_tactile_sensor, "sim://?fsp=200", "fsp", "fps"),
        (open_force_sensor, "sim://?rate_hx=200", "rate_hx", "rate_hz"),
        (open_gripper, "sim://?modulus_p=5e4", "modulus_p", "modulus_pa"),
        (open_gripper, "robotiq-sim://?radius=20", "radius", "radius_mm"),
        (open_gripper, "/dev/ttyUSB0?slaveid=9", "slaveid", "slave"),
        (open_force_sensor, "/dev/ttyACM0?bauds=9600", "bauds", "baud"),
        (open_tactile_sensor, "opencv://0?timeout=2", "timeout", "timeout_s"),
        (open_tactile_sensor, "replay://x.h5?sped=2", "sped", "speed"),
    ],
)
def test_unknown_keys_are_errors_naming_the_key_and_the_known_ones(
    opener: object, url: str, key: str, guess: str
) -> None:
    with pytest.raises(ConfigError, match=rf"unknown parameter {key!r}") as info:
        opener(url)  # type: ignore[operator]
    assert info.value.hint is not None
    assert f"did you mean {guess!r}" in info.value.hint and "known parameters" in info.value.hint


def test_sim_camera_takes_its_fps_and_the_worlds_keys() -> None:
    cam = open_tactile_sensor("sim://?fps=200&modulus_pa=5e4&rig=a")
    assert isinstance(cam, SimCamera) and cam.period_s == pytest.approx(1 / 200)
    assert cam.world_config.modulus_pa == 5e4 and cam.world_config.rig == "a"


def test_pyserial_handler_options_are_kept() -> None:
    cfg = RobotiqConfig.from_url(
        parse_device_url("spy:///dev/ttyUSB0?file=/tmp/spy.txt&raw&slave=9&timeout_s=0.2")
    )
    assert cfg.port == "spy:///dev/ttyUSB0?file=/tmp/spy.txt&raw" and cfg.timeout_s == 0.2
    gauge = GaugeConfig.from_url(parse_device_url("socket://h:5000?logging=debug&min_n=-3"))
    assert gauge.port == "socket://h:5000?logging=debug" and gauge.min_n == -3
    with pytest.raises(ConfigError, match="unknown parameter 'file'"):  # spy's, not socket's
        GaugeConfig.from_url(parse_device_url("socket://h:5000?file=x"))


def test_spy_url_logs_real_traffic(tmp_path: Path) -> None:
    """``spy://`` wraps the real port and writes its hexdump where its own ``?file=`` says."""
    log = tmp_path / "spy.txt"
    emu = GaugeEmulator(lambda: 2.5, rate_hz=300)
    with PtyLink(produce=emu.next_line, period_s=0.001) as link:
        url = f"spy://{link.port}?file={log}&timeout_s=1"
        with pytest.raises(ConfigError, match="unknown parameter 'oops'"):
            open_force_sensor(url + "&oops=1")
        gauge = open_force_sensor(url)
        assert isinstance(gauge, SerialForceGauge) and gauge.port == f"spy://{link.port}?file={log}"
        with gauge:
            assert gauge.read().force_n == 2.5
    assert " RX " in log.read_text()  # the handler got its option: the traffic was logged


def test_queued_gauge_readings_get_distinct_times() -> None:
    """Readings that arrive in one chunk are spaced back by the period, never share a stamp."""
    lines = [f"{v:.1f}\n".encode() for v in range(10)]
    loop = serial.serial_for_url("loop://", timeout=0.05)
    gauge = SerialForceGauge("loop://?rate_hz=100&timeout_s=0.5")
    gauge._serial = loop
    gauge._connected = True
    loop.write(b"".join(lines[:5]))  # five readings queued by the OS before we look
    first = [gauge.read() for _ in range(5)]
    loop.write(b"".join(lines[5:]))
    later = [gauge.read() for _ in range(5)]
    stamps = [s.t_s for s in first + later]
    assert all(b > a for a, b in itertools.pairwise(stamps))
    gaps = [b - a for a, b in itertools.pairwise(stamps[:5])]
    assert gaps == pytest.approx([0.01] * 4)  # the stated 100 Hz period
    assert [s.force_n for s in first + later] == [float(v) for v in range(10)]
    loop.close()
