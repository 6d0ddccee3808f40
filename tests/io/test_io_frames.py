"""Compact frame storage: camera JPEG bytes kept verbatim, simulated frames as JPEG, old files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest
from io_helpers import make_grasp

from tactile.cli.main import main
from tactile.errors import CorruptFileError, InvalidGraspError
from tactile.io import GraspReader, GraspWriter, frame_store
from tactile.io.avi_mjpeg import read_mjpeg_video
from tactile.io.frame_codec import WEDGE_MJPEG_QTABLE, decode_jpeg, encode_jpeg
from tactile.io.reference import load_reference_recording


def _opencv_mjpeg_frames(avi: Path) -> np.ndarray:
    """Every frame as OpenCV's own MJPEG reader (libjpeg) decodes the AVI."""
    cap = cv2.VideoCapture(str(avi), cv2.CAP_OPENCV_MJPEG)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return np.stack(frames)


def test_import_keeps_the_camera_bytes_and_decodes_bit_exact(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    avi = reference_grasps_dir / "purple_ball_hardest_2.avi"
    dest = tmp_path / "one.h5"
    assert main(["import", str(avi), str(dest)]) == 0
    video = read_mjpeg_video(avi)
    assert video is not None
    with h5py.File(dest, "r") as f:  # plain h5py: the documented layout
        g = f["grasps/purple_ball_hardest_2"]
        blob, offsets = g["frames_jpeg"][()], g["frames_jpeg_offsets"][()]
        assert g["frames_jpeg"].attrs["origin"] == "camera" and "frames" not in g
        n = offsets.size - 1
        for i in range(n):  # the AVI's JPEG images, byte for byte
            assert blob[offsets[i] : offsets[i + 1]].tobytes() == video.images[i]
    expected = _opencv_mjpeg_frames(avi)[:n]
    with GraspReader(dest) as reader:
        grasp = reader.read("purple_ball_hardest_2")
        assert np.array_equal(grasp.frames, expected)  # bit-exact, every frame
        assert np.array_equal(reader.read_frames("purple_ball_hardest_2", [7, 2]), expected[[7, 2]])
    assert dest.stat().st_size < 1.5 * avi.stat().st_size  # not 14x the recording any more


def test_raw_frames_on_request_are_the_same_pixels(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    avi = reference_grasps_dir / "golf_ball_2.avi"
    jpeg, raw = tmp_path / "jpeg.h5", tmp_path / "raw.h5"
    assert main(["import", str(avi), str(jpeg), "--json"]) == 0
    assert main(["import", str(avi), str(raw), "--frames", "raw", "--json"]) == 0
    a, b = GraspReader(jpeg).read("golf_ball_2"), GraspReader(raw).read("golf_ball_2")
    assert np.array_equal(a.frames, b.frames)
    assert raw.stat().st_size > 5 * jpeg.stat().st_size


def test_partial_read_decodes_only_the_frames_asked_for(
    reference_grasps_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grasp, jpegs = load_reference_recording(reference_grasps_dir / "golf_ball_3.avi")
    path = tmp_path / "g.h5"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(grasp, camera_jpegs=jpegs)
    decoded: list[int] = []

    def counting(data: bytes | np.ndarray, *, where: str = "frame") -> np.ndarray:
        decoded.append(len(data))
        return decode_jpeg(data, where=where)

    monkeypatch.setattr(frame_store, "decode_jpeg", counting)
    frames = GraspReader(path).read_frames(grasp.grasp_id, [30, 10, 30])
    assert len(decoded) == 2  # frames 10 and 30, once each
    assert np.array_equal(frames[0], grasp.frames[30]) and np.array_equal(
        frames[1], grasp.frames[10]
    )


def test_encoded_frames_use_the_camera_quantisation(tmp_path: Path) -> None:
    from tactile.sim.sensors import WEDGE_MJPEG_QTABLE as SIM_QTABLE

    assert WEDGE_MJPEG_QTABLE == SIM_QTABLE  # one camera quality for the simulator and the store
    grasp = make_grasp(1, n_frames=4, height=96, width=128)
    smooth = cv2.GaussianBlur(grasp.frames.reshape(-1, 128, 3), (0, 0), 3).reshape(
        grasp.frames.shape
    )
    grasp = dataclasses.replace(grasp, frames=smooth, reference_frame=smooth[0].copy())
    path = tmp_path / "enc"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(grasp)
    back = GraspReader(path).read(grasp.grasp_id)
    for stored, original in zip(back.frames, grasp.frames, strict=True):
        assert np.array_equal(stored, decode_jpeg(encode_jpeg(original)))  # one JPEG generation
        assert np.abs(stored.astype(int) - original).mean() < 2.0
    assert back.reference_frame is not None
    with h5py.File(next(path.glob("*.h5")), "r") as f:
        g = f["grasps"][grasp.grasp_id]
        assert g["frames_jpeg"].attrs["origin"] == "encoded" and "reference_frame_jpeg" in g
        assert g["frames_jpeg"].fletcher32 and f.attrs["schema_version"] == 2


def test_a_flipped_jpeg_byte_is_reported(reference_grasps_dir: Path, tmp_path: Path) -> None:
    grasp, jpegs = load_reference_recording(reference_grasps_dir / "golf_ball_3.avi")
    path = tmp_path / "g.h5"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(grasp, camera_jpegs=jpegs)
    with h5py.File(path, "r") as f:
        ds = f[f"grasps/{grasp.grasp_id}/frames_jpeg"]
        offset = ds.id.get_offset()  # contiguous? no: chunked; find the first chunk's address
        info = ds.id.get_chunk_info(0)
        assert offset is None and info.size > 1000
        where = info.byte_offset + 500
    raw = bytearray(path.read_bytes())
    raw[where] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptFileError, match="cannot be read"):
        GraspReader(path).read_frames(grasp.grasp_id, [0])


def test_camera_bytes_must_match_the_frames(tmp_path: Path) -> None:
    grasp = make_grasp(2, n_frames=3)
    images = [encode_jpeg(f) for f in grasp.frames]
    with GraspWriter(tmp_path / "x", frame_codec="jpeg") as writer:
        with pytest.raises(InvalidGraspError, match="does not decode"):
            writer.append(grasp, camera_jpegs=images)  # lossy images of other pixels
        with pytest.raises(InvalidGraspError, match="one JPEG image"):
            writer.append(grasp, camera_jpegs=images[:2])


def test_schema_1_files_stay_readable_and_take_new_grasps(tmp_path: Path) -> None:
    path = tmp_path / "old.h5"
    old = make_grasp(3, n_frames=5)
    with GraspWriter(path, frame_codec="raw") as writer:
        writer.append(old)
    with h5py.File(path, "a") as f:  # what tactile 0.1 wrote: version 1, raw frames
        f.attrs["schema_version"] = np.int64(1)
    with GraspReader(path) as reader:
        assert reader.schema_version == 1
        assert np.array_equal(reader.read(old.grasp_id).frames, old.frames)
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(make_grasp(4, n_frames=5))
    with GraspReader(path) as reader:
        assert reader.schema_version == 2 and len(reader) == 2
        assert np.array_equal(reader.read(old.grasp_id).frames, old.frames)


def test_h5py_users_decode_frames_as_the_docs_say(tmp_path: Path) -> None:
    grasp = make_grasp(5, n_frames=3)
    path = tmp_path / "doc.h5"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(grasp)
    # the snippet of docs/hdf5-schema.md, "Reading without tactile"
    with h5py.File(path, "r") as f:
        g = f["grasps"][grasp.grasp_id]
        data, offsets = g["frames_jpeg"], g["frames_jpeg_offsets"][()]
        jpeg = data[offsets[1] : offsets[2]].tobytes()  # frame 1, still JPEG
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)  # H x W x 3 BGR
    assert np.array_equal(frame, GraspReader(path).read_frames(grasp.grasp_id, [1])[0])
