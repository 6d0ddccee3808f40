"""Cameras: OpenCV files, the MJPEG client against a real HTTP server, drop detection."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from hw_helpers import MjpegServer, avi_jpegs, synthetic_jpegs

from tactile.errors import DeviceError, DeviceTimeoutError
from tactile.hardware import open_tactile_sensor
from tactile.hardware.base import DropDetector, EndOfStreamError
from tactile.hardware.camera_mjpeg import MjpegCamera, boundary_of
from tactile.hardware.camera_opencv import OpenCVCamera, capture_source


def test_capture_source_forms() -> None:
    assert capture_source("opencv://0") == 0
    assert capture_source("2") == 2
    assert capture_source("opencv:///dev/video2") == "/dev/video2"
    assert capture_source("/data/g.avi") == "/data/g.avi"
    assert capture_source("file:///data/g.avi") == "/data/g.avi"


def test_video_file_plays_every_frame_then_ends(small_avi: Path) -> None:
    with open_tactile_sensor(str(small_avi)) as cam:
        assert isinstance(cam, OpenCVCamera)
        frames = [cam.read() for _ in range(10)]
        with pytest.raises(EndOfStreamError, match="no more frames"):
            cam.read()
    assert [f.index for f in frames] == list(range(10))
    assert frames[0].image.shape == (24, 32, 3) and frames[0].image.dtype == np.uint8
    assert frames[9].image.mean() > frames[1].image.mean()  # the clip brightens
    assert all(b.t_s >= a.t_s for a, b in itertools.pairwise(frames))


def test_reference_avi_through_opencv(reference_grasps_dir: Path) -> None:
    with open_tactile_sensor(f"file://{reference_grasps_dir / 'golf_ball_1.avi'}") as cam:
        f = cam.read()
    assert f.image.shape == (480, 640, 3)


def test_missing_camera_names_the_source() -> None:
    with pytest.raises(DeviceError, match=r"nope\.avi"):
        open_tactile_sensor("/tmp/nope.avi").connect()


def test_mjpeg_streams_real_avi_frames(reference_grasps_dir: Path) -> None:
    jpegs = avi_jpegs(reference_grasps_dir / "foam_brick_1.avi", 5)
    server = MjpegServer(jpegs, fps=60)
    try:
        with open_tactile_sensor(server.url + "&buffer=16") as cam:
            assert isinstance(cam, MjpegCamera)
            frames = [cam.read() for _ in range(5)]
    finally:
        server.close()
    for f, jpeg in zip(frames, jpegs, strict=True):
        expected = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert expected is not None
        assert f.image.shape == (480, 640, 3)
        assert np.array_equal(f.image, expected)  # decoded bit-exactly from the stream
    assert [f.index for f in frames] == list(range(5))


def test_mjpeg_without_content_length_and_reconnect() -> None:
    jpegs = synthetic_jpegs(4)
    server = MjpegServer(jpegs, fps=200, close_after=3, with_length=False)
    try:
        with open_tactile_sensor(server.url + "&buffer=64") as cam:
            assert isinstance(cam, MjpegCamera)
            frames = [cam.read() for _ in range(8)]
            assert cam.n_reconnects >= 2
    finally:
        server.close()
    means = [round(float(f.image.mean()) / 40) for f in frames[:3]]
    assert means == [0, 1, 2]
    assert server.connections >= 3


def test_mjpeg_unreachable_and_boundary_parsing() -> None:
    assert boundary_of("multipart/x-mixed-replace;boundary=--abc") == b"abc"
    with pytest.raises(DeviceError, match="cannot reach"):
        open_tactile_sensor("mjpeg://127.0.0.1:9/?action=stream&timeout_s=0.2").connect()


def test_drop_detector_counts_gaps_without_nominal_fps() -> None:
    det = DropDetector()
    t, drops = 0.0, []
    for gap in [0.033] * 8 + [0.099] + [0.033] * 3 + [0.066]:
        t += gap
        drops.append(det(t))
    assert drops[8] == 2 and drops[-1] == 1 and sum(drops) == 3


def test_mjpeg_slow_consumer_sees_dropped_frames() -> None:
    gate = threading.Event()
    server = MjpegServer(synthetic_jpegs(4), fps=500, stall_after=21, gate=gate)
    try:
        with open_tactile_sensor(server.url + "&buffer=2") as cam:
            assert isinstance(cam, MjpegCamera)
            first = cam.read()  # frame 0; the server waits for the gate before the rest
            gate.set()
            wait_for(lambda: cam._index == 21, "all 21 frames to arrive")  # a state, not a sleep
            later = cam.read()
    finally:
        server.close()
    assert (first.index, later.index) == (0, 19)  # the buffer kept the two newest: 19 and 20
    assert later.dropped_before >= 18 and cam.n_dropped == 18


def wait_for(condition: Callable[[], bool], what: str, limit_s: float = 30.0) -> None:
    """Wait for a state (not for a time): fails only if it never comes."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@pytest.mark.timeout(120)
def test_opencv_timeout_is_a_real_read_timeout() -> None:
    """A stream that stops sending (connection open) raises within ?timeout_s, not never."""
    server = MjpegServer(synthetic_jpegs(4), fps=200, stall_after=40)
    # 2 s: generous enough that a loaded machine's late frame is not taken for the stall
    url = f"opencv://http://127.0.0.1:{server.port}/?action=stream&timeout_s=2&reconnect=0"
    try:
        with open_tactile_sensor(url) as cam:
            assert isinstance(cam, OpenCVCamera) and cam.source.startswith("http://")
            first = cam.read()
            assert first.image.shape == (24, 32, 3)
            t0 = time.monotonic()
            with pytest.raises(DeviceTimeoutError, match=r"no frame for 2\.0 s"):
                for _ in range(100):  # the frames sent before the stall, then the timeout
                    cam.read()
            assert time.monotonic() - t0 < 30.0
    finally:
        server.close()


def test_mjpeg_chunked_transfer_from_an_ffmpeg_style_server() -> None:
    jpegs = synthetic_jpegs(4)
    server = MjpegServer(jpegs, fps=200, chunked=True, chunk_size=333)
    try:
        with open_tactile_sensor(server.url + "&buffer=64") as cam:
            frames = [cam.read() for _ in range(6)]
    finally:
        server.close()
    for i, f in enumerate(frames):
        expected = cv2.imdecode(np.frombuffer(jpegs[i % 4], np.uint8), cv2.IMREAD_COLOR)
        assert np.array_equal(f.image, expected)
        assert f.t_device_s is None  # FFmpeg sends no X-Timestamp


def test_mjpeg_keeps_the_x_timestamp() -> None:
    server = MjpegServer(synthetic_jpegs(4), fps=200)
    try:
        with open_tactile_sensor(server.url + "&buffer=64") as cam:
            frames = [cam.read() for _ in range(3)]
    finally:
        server.close()
    assert [f.t_device_s for f in frames] == pytest.approx([1.7e9, 1.7e9 + 0.01, 1.7e9 + 0.02])


def _by_id(
    tmp_path: Path, name: str, frames: int = 3, size_wh: tuple[int, int] = (112, 56)
) -> Path:
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, size_wh)
    for _ in range(frames):
        image = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
        image[8:-8, 16:-16] = 200  # bright inside a 1/7 border
        writer.write(image)
    writer.release()
    folder = tmp_path / "by-id"
    folder.mkdir(exist_ok=True)
    (folder / name).symlink_to(video)
    return folder


def test_gelsight_mini_found_by_usb_name_with_the_border_crop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _by_id(tmp_path, "usb-GelSight_Inc._GelSight_Mini_R0B_2BGJ-VG9J-video-index0")
    (folder / "usb-GelSight_Inc._GelSight_Mini_R0B_2BGJ-VG9J-video-index1").symlink_to("x")
    monkeypatch.setenv("TACTILE_V4L_BY_ID", str(folder))
    with open_tactile_sensor("gelsight-mini://") as cam:
        frame = cam.read()
    assert frame.image.shape == (240, 320, 3)  # the maker's 320 x 240 after the crop
    assert frame.image[20:-20, 20:-20].min() > 150  # the dark border was cut off
    assert frame.image.mean() > 150
    with open_tactile_sensor("gelsight-mini://2BGJ?crop_frac=0") as cam:
        assert cam.read().image.shape == (240, 320, 3) and cam.config.crop_frac == 0
    with pytest.raises(DeviceError, match="no gelsight-mini sensor 'NOPE'"):
        open_tactile_sensor("gelsight-mini://NOPE")


def test_digit_found_by_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _by_id(tmp_path, "usb-Facebook_DIGIT_D20001-video-index0", size_wh=(64, 48))
    monkeypatch.setenv("TACTILE_V4L_BY_ID", str(folder))
    with open_tactile_sensor("digit://D20001") as cam:
        assert cam.read().image.shape == (48, 64, 3)  # the whole frame: DIGIT is not cropped
    from tactile.hardware.discovery import tactile_sensors

    assert tactile_sensors() == [
        {
            "url": "digit://usb-Facebook_DIGIT_D20001-video-index0",
            "by_id": str(folder / "usb-Facebook_DIGIT_D20001-video-index0"),
            "kind": "digit",
        }
    ]
