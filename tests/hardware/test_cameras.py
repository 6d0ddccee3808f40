"""Cameras: OpenCV files, the MJPEG client against a real HTTP server, drop detection."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from hw_helpers import MjpegServer, avi_jpegs, synthetic_jpegs

from tactile.errors import DeviceError
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
    server = MjpegServer(synthetic_jpegs(4), fps=200)
    try:
        with open_tactile_sensor(server.url + "&buffer=2") as cam:
            assert isinstance(cam, MjpegCamera)
            first = cam.read()
            time.sleep(0.1)  # ~20 frames arrive, the buffer keeps the 2 newest
            later = cam.read()
    finally:
        server.close()
    assert later.dropped_before >= later.index - first.index - 1 >= 5
    assert cam.n_dropped >= 5
