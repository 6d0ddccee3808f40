"""How ``tactile collect`` stores frames: an MJPEG camera's own bytes, else JPEG, or raw pixels.

The stored frames must read back as exactly the pixels the recorder (and any live estimator)
saw: for an MJPEG camera its bytes are kept verbatim and decoded with the same libjpeg call.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest
from rec_helpers import FAST, rig

from tactile.hardware import open_tactile_sensor
from tactile.io import GraspReader
from tactile.io.avi_mjpeg import read_mjpeg_video
from tactile.io.frame_codec import decode_jpeg, encode_jpeg
from tactile.recording import LiveFrame, SessionConfig, run_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardware"))
from hw_helpers import MjpegServer


def noisy_jpegs(n: int = 6, shape: tuple[int, int] = (48, 64)) -> list[bytes]:
    """Textured frames (noise decodes differently under a different IDCT), as a camera's JPEG."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        img = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
        img[:, : 8 * i] //= 2
        out.append(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    return out


def config(tmp_path: Path, urls: dict[str, str], **kw: object) -> SessionConfig:
    return SessionConfig(
        object_id="ball",
        n_grasps=1,
        output=tmp_path / "session.h5",
        gripper_url=urls["gripper"],
        camera_url=urls["tactile"],
        force_url=urls["force"],
        recorder=FAST,
        max_attempts=2,
        **kw,  # type: ignore[arg-type]
    )


class Seen:
    """An ``on_frame`` callback keeping every recorded frame, as the recorder saw it."""

    def __init__(self) -> None:
        self.frames: dict[str, list[np.ndarray]] = {}
        self.jpegs: dict[str, list[bytes | None]] = {}

    def __call__(self, live: LiveFrame) -> bool:
        self.frames.setdefault(live.grasp_id, []).append(live.frame.image)
        self.jpegs.setdefault(live.grasp_id, []).append(live.frame.jpeg)
        return False


def stored_grasp(cfg: SessionConfig) -> tuple[Path, str]:
    """The file and id of the one grasp the session wrote (accepted, else rejected)."""
    for path in (cfg.output, cfg.rejects_path):
        if path.exists() and GraspReader(path).ids():
            return path, GraspReader(path).ids()[0]
    raise AssertionError("the session stored no grasp")


def test_mjpeg_camera_hands_over_its_bytes() -> None:
    jpegs = noisy_jpegs(4)
    server = MjpegServer(jpegs, fps=200)
    try:
        with open_tactile_sensor(server.url + "&buffer=64") as cam:
            frames = [cam.read() for _ in range(4)]
    finally:
        server.close()
    for f, sent in zip(frames, jpegs, strict=True):
        assert f.jpeg == sent  # verbatim
        assert np.array_equal(f.image, decode_jpeg(sent))  # the store's decoder gives the same


def test_collect_from_mjpeg_keeps_the_camera_bytes_and_reads_back_what_was_seen(
    tmp_path: Path,
) -> None:
    jpegs = noisy_jpegs()
    server = MjpegServer(jpegs, fps=60)
    urls = {**rig("mj"), "tactile": server.url + "&buffer=4"}
    seen = Seen()
    cfg = config(tmp_path, urls)
    try:
        run_session(cfg, progress=False, on_frame=seen)
    finally:
        server.close()
    path, gid = stored_grasp(cfg)
    back = GraspReader(path).read(gid)
    recorded = np.stack(seen.frames[gid][: back.n_frames])
    assert back.n_frames == len(seen.frames[gid]) and back.n_frames > 5
    assert np.array_equal(back.frames, recorded)  # exactly the pixels the recorder saw
    assert back.reference_frame is not None and np.array_equal(back.reference_frame, recorded[0])
    with h5py.File(path, "r") as f:  # the documented layout: the camera's bytes, verbatim
        g = f[f"grasps/{gid}"]
        assert "frames" not in g and "reference_frame" not in g
        assert g["frames_jpeg"].attrs["origin"] == "camera"
        assert g["reference_frame_jpeg"].attrs["origin"] == "camera"
        blob, offsets = g["frames_jpeg"][()], g["frames_jpeg_offsets"][()]
    stored = [blob[a:b].tobytes() for a, b in itertools.pairwise(offsets)]
    assert stored == seen.jpegs[gid]
    assert set(stored) <= set(jpegs)


def test_collect_from_a_real_wedge_stream_is_lossless(
    tmp_path: Path, reference_grasps_dir: Path
) -> None:
    video = read_mjpeg_video(reference_grasps_dir / "foam_brick_1.avi")
    assert video is not None
    jpegs = video.images[:8]  # the Wedge's own MJPG frames, served as mjpg_streamer would
    server = MjpegServer(jpegs, fps=60)
    urls = {**rig("wedge"), "tactile": server.url + "&buffer=4"}
    seen = Seen()
    cfg = config(tmp_path, urls)
    try:
        run_session(cfg, progress=False, on_frame=seen)
    finally:
        server.close()
    path, gid = stored_grasp(cfg)
    back = GraspReader(path).read(gid)
    assert back.frames.shape[1:] == (480, 640, 3)
    assert np.array_equal(back.frames, np.stack(seen.frames[gid]))
    assert path.stat().st_size < 40_000 * back.n_frames  # ~15 kB a frame, not ~200 kB of gzip


def test_collect_sim_grasp_round_trips_as_encoded_jpeg(tmp_path: Path) -> None:
    seen = Seen()
    cfg = config(tmp_path, rig("enc"))
    run_session(cfg, progress=False, on_frame=seen)
    path, gid = stored_grasp(cfg)
    back = GraspReader(path).read(gid)
    recorded = np.stack(seen.frames[gid])
    assert set(seen.jpegs[gid]) == {None}  # a simulated camera sends pixels
    assert back.frames.shape == recorded.shape
    for stored, original in zip(back.frames, recorded, strict=True):
        assert np.array_equal(stored, decode_jpeg(encode_jpeg(original)))  # the Wedge's table
    assert back.reference_frame is not None
    with h5py.File(path, "r") as f:
        g = f[f"grasps/{gid}"]
        assert g["frames_jpeg"].attrs["origin"] == "encoded" and "frames" not in g
        assert "reference_frame_jpeg" in g


@pytest.mark.parametrize("how", ["config", "cli"])
def test_raw_frames_on_request(tmp_path: Path, how: str) -> None:
    seen = Seen()
    cfg = config(tmp_path, rig(f"raw{how}"), frame_codec="raw")
    if how == "cli":
        from tactile.cli.collect_cmd import build_config
        from tactile.cli.main import build_parser

        urls = rig(f"raw{how}")
        args = build_parser().parse_args(
            [
                *("collect", "ball", "-n", "1", "-o", str(cfg.output), "--frames", "raw"),
                *("--gripper", urls["gripper"], "--tactile", urls["tactile"]),
                *("--force", urls["force"]),
            ]
        )
        built = build_config(args)
        assert built.frame_codec == "raw"
        defaults = build_parser().parse_args(["collect", "ball", "-o", "x.h5"])
        assert defaults.frames == "jpeg"
        cfg = dataclasses.replace(built, recorder=FAST, max_attempts=2)
    run_session(cfg, progress=False, on_frame=seen)
    path, gid = stored_grasp(cfg)
    back = GraspReader(path).read(gid)
    assert np.array_equal(back.frames, np.stack(seen.frames[gid]))
    with h5py.File(path, "r") as f:
        assert "frames" in f[f"grasps/{gid}"] and "frames_jpeg" not in f[f"grasps/{gid}"]


def test_unknown_frame_codec_is_a_config_error(tmp_path: Path) -> None:
    from tactile.errors import ConfigError

    with pytest.raises(ConfigError, match="frame_codec"):
        config(tmp_path, rig("bad"), frame_codec="png")


def test_an_mjpg_avi_file_plays_its_jpeg_bytes(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (64, 48))
    rng = np.random.default_rng(3)
    for _ in range(5):
        writer.write(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    writer.release()
    video = read_mjpeg_video(path)
    assert video is not None and len(video.images) == 5
    with open_tactile_sensor(str(path)) as cam:
        frames = [cam.read() for _ in range(5)]
    for f, jpeg in zip(frames, video.images, strict=True):
        assert f.jpeg == jpeg and np.array_equal(f.image, decode_jpeg(jpeg))
    with open_tactile_sensor(f"{path}?crop_frac=0.25") as cam:  # cropped: not the JPEG's image
        cropped = cam.read()
    assert cropped.jpeg is None and cropped.image.shape == (24, 32, 3)


def test_a_grasp_carries_one_camera_jpeg_per_frame(tmp_path: Path) -> None:
    from tactile.errors import InvalidGraspError
    from tactile.types import Grasp, GraspMetadata

    jpegs = noisy_jpegs(3)
    frames = np.stack([decode_jpeg(b) for b in jpegs])
    kw = {"t_s": np.arange(3.0), "force_n": np.zeros(3), "width_mm": np.ones(3)}
    meta = GraspMetadata(object_id="o")
    g = Grasp("g", frames, meta=meta, camera_jpegs=jpegs, **kw)  # type: ignore[arg-type]
    assert g.camera_jpegs == tuple(jpegs)
    assert dataclasses.replace(g, grasp_id="h").camera_jpegs == tuple(jpegs)
    with pytest.raises(InvalidGraspError, match="2 camera JPEG images for 3 frames"):
        Grasp("g", frames, meta=meta, camera_jpegs=jpegs[:2], **kw)  # type: ignore[arg-type]
