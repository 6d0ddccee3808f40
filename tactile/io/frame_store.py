"""How the camera frames of one grasp are laid out in its HDF5 group (raw or JPEG).

Two layouts, both plain HDF5 (``docs/hdf5-schema.md``):

- raw (schema 1 and 2): ``frames`` (T, H, W, 3) uint8, one frame per chunk, gzip + Fletcher-32;
  ``reference_frame`` (H, W, 3) when the grasp has one;
- JPEG (schema 2): ``frames_jpeg`` (N,) uint8, the T JPEG images back to back, and
  ``frames_jpeg_offsets`` (T + 1,) int64, so frame ``i`` is
  ``frames_jpeg[offsets[i]:offsets[i + 1]]``: any HDF5 reader slices it out and any JPEG
  decoder opens it. Fletcher-32 guards the bytes as it guards raw frames. Attributes:
  ``codec = "jpeg"``, ``frame_shape = (H, W, 3)``, ``color_order = "BGR"`` (after decoding with
  OpenCV; a JPEG itself is YCbCr), ``origin = "camera"`` (the camera's bytes, verbatim) or
  ``"encoded"`` (encoded by tactile with the reference camera's quantisation table). The
  reference frame of an encoded grasp is ``reference_frame_jpeg`` (one JPEG, same table); of a
  camera-bytes grasp, ``reference_frame_jpeg`` with ``origin = "camera"`` when it is the
  grasp's first frame (as ``tactile collect`` records it: that frame's bytes again), else raw
  ``reference_frame``.

Readers decode only the frames asked for (:func:`read_frames_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from tactile.errors import CorruptFileError, InvalidGraspError
from tactile.io.deflate_chunks import read_frames_into, read_whole
from tactile.io.frame_codec import FRAME_CODECS, decode_jpeg, encode_jpeg

RAW = "frames"
JPEG = "frames_jpeg"
JPEG_OFFSETS = "frames_jpeg_offsets"
REFERENCE_RAW = "reference_frame"
REFERENCE_JPEG = "reference_frame_jpeg"
#: Bytes per chunk of ``frames_jpeg``: a partial read of one frame touches one or two chunks.
JPEG_CHUNK_BYTES = 1 << 16
_SOI = b"\xff\xd8"


def _corrupt(where: str, what: str) -> CorruptFileError:
    return CorruptFileError(
        f"{where}: {what}",
        hint="the file is damaged; re-import or re-record this grasp, or restore a backup",
    )


def check_frame_codec(codec: str) -> str:
    if codec not in FRAME_CODECS:
        raise InvalidGraspError(
            f"unknown frame codec {codec!r}",
            hint="use 'jpeg' (compact: camera bytes kept, or the camera's quality) or 'raw'",
        )
    return codec


def _check_camera_jpegs(frames: np.ndarray, images: Sequence[bytes], gid: str) -> None:
    if len(images) != frames.shape[0] or not all(bytes(b[:2]) == _SOI for b in images):
        raise InvalidGraspError(
            f"grasp {gid!r}: {len(images)} camera JPEG images for {frames.shape[0]} frames, "
            "or one is not a JPEG image",
            hint="pass one JPEG image (the camera's bytes) per frame, in frame order",
        )
    first = decode_jpeg(bytes(images[0]), where=f"grasp {gid!r} frame 0")
    if not np.array_equal(first, frames[0]):
        raise InvalidGraspError(
            f"grasp {gid!r}: the camera JPEG of frame 0 does not decode to the grasp's frame 0",
            hint="decode the camera bytes with tactile.io.frame_codec.decode_jpeg to build frames",
        )


def _write_jpeg_blob(
    g: h5py.Group, name: str, images: Sequence[bytes], shape: tuple[int, ...], origin: str
) -> h5py.Dataset:
    sizes = np.fromiter((len(b) for b in images), dtype=np.int64, count=len(images))
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    blob = np.frombuffer(b"".join(bytes(b) for b in images), dtype=np.uint8)
    ds = g.create_dataset(
        name, data=blob, chunks=(max(1, min(blob.size, JPEG_CHUNK_BYTES)),), fletcher32=True
    )
    ds.attrs["codec"] = "jpeg"
    ds.attrs["frame_shape"] = np.asarray(shape, dtype=np.int64)
    ds.attrs["color_order"] = "BGR"
    ds.attrs["origin"] = origin
    if name == JPEG:
        g.create_dataset(JPEG_OFFSETS, data=offsets, fletcher32=True, chunks=(offsets.size,))
    return ds


def _write_raw_reference(g: h5py.Group, reference: np.ndarray, opts: dict[str, Any]) -> None:
    """``reference_frame``, one chunk as each raw frame is: h5py's automatic chunking would tile
    a 480 x 640 x 3 image into 48 chunks of 120 x 160 x 1, each read (and checksummed and
    inflated) on its own. Files written before keep their tiles and read the same."""
    chunks = tuple(int(n) for n in reference.shape) if reference.size else None
    ds = g.create_dataset(REFERENCE_RAW, data=reference, chunks=chunks, **opts)
    ds.attrs["color_order"] = "BGR"


def write_frames(
    g: h5py.Group,
    frames: np.ndarray,
    reference: np.ndarray | None,
    *,
    codec: str,
    camera_jpegs: Sequence[bytes] | None,
    opts: dict[str, Any],
    grasp_id: str,
) -> None:
    """Write a grasp's frames (and reference frame) into ``g`` with ``codec``.

    ``camera_jpegs``: the camera's own JPEG image of every frame; stored verbatim when the codec
    is ``jpeg`` (``frames`` must be their decoding: frame 0 is checked; the others are not read,
    so the importer passes frame 0 repeated, a view, instead of every decoded frame).
    """
    check_frame_codec(codec)
    if codec == "raw" or camera_jpegs is None:  # frame 0 and the shape do for camera bytes
        frames = np.ascontiguousarray(frames)
    if codec == "raw":
        ds = g.create_dataset(RAW, data=frames, chunks=(1, *frames.shape[1:]), **opts)
        ds.attrs["color_order"] = "BGR"
        ds.attrs["dims"] = "T,H,W,C"
        if reference is not None:
            _write_raw_reference(g, reference, opts)
        return
    if camera_jpegs is not None:
        _check_camera_jpegs(frames, camera_jpegs, grasp_id)
        _write_jpeg_blob(g, JPEG, camera_jpegs, frames.shape[1:], "camera")
        if reference is not None and np.array_equal(reference, frames[0]):
            # the first frame (a recorder's unloaded frame): its camera bytes, verbatim
            _write_jpeg_blob(g, REFERENCE_JPEG, camera_jpegs[:1], reference.shape, "camera")
        elif reference is not None:  # not from the camera's stream: kept lossless
            _write_raw_reference(g, reference, opts)
        return
    images = [encode_jpeg(f) for f in frames]
    _write_jpeg_blob(g, JPEG, images, frames.shape[1:], "encoded")
    if reference is not None:
        _write_jpeg_blob(g, REFERENCE_JPEG, [encode_jpeg(reference)], reference.shape, "encoded")


@dataclass(frozen=True)
class FrameLayout:
    """What is known about a grasp's frames without decoding any (and the datasets, open)."""

    n_frames: int
    shape: tuple[int, int, int]  # (H, W, 3)
    codec: str  # "raw" or "jpeg"
    compression: str | None  # raw: the HDF5 filter; jpeg: "jpeg"
    origin: str | None = None  # jpeg: "camera" or "encoded"
    data: h5py.Dataset | None = field(default=None, compare=False, repr=False)
    offsets: h5py.Dataset | None = field(default=None, compare=False, repr=False)


def _jpeg_shape(ds: h5py.Dataset, where: str) -> tuple[int, int, int]:
    shape = tuple(int(v) for v in np.asarray(ds.attrs.get("frame_shape", ())).reshape(-1))
    if len(shape) != 3 or shape[2] != 3 or min(shape) < 1:
        raise _corrupt(where, f"{ds.name} has frame_shape {shape}, expected (H, W, 3)")
    return shape[0], shape[1], shape[2]


def frame_layout(g: h5py.Group, where: str) -> FrameLayout:
    raw = g.get(RAW)
    if isinstance(raw, h5py.Dataset):
        if raw.ndim != 4 or raw.shape[3] != 3:
            raise _corrupt(where, f"frames have shape {raw.shape}, expected (T, H, W, 3)")
        h, w = int(raw.shape[1]), int(raw.shape[2])
        return FrameLayout(int(raw.shape[0]), (h, w, 3), "raw", raw.compression, data=raw)
    blob, offsets = g.get(JPEG), g.get(JPEG_OFFSETS)
    if not isinstance(blob, h5py.Dataset) or not isinstance(offsets, h5py.Dataset):
        raise _corrupt(where, "dataset 'frames' (or 'frames_jpeg' + offsets) is missing")
    if offsets.ndim != 1 or offsets.shape[0] < 1:
        raise _corrupt(where, f"{JPEG_OFFSETS} has shape {offsets.shape}")
    origin = blob.attrs.get("origin")
    origin = origin.decode() if isinstance(origin, bytes) else origin
    n = int(offsets.shape[0]) - 1
    return FrameLayout(
        n, _jpeg_shape(blob, where), "jpeg", "jpeg", origin, data=blob, offsets=offsets
    )


def _offsets(lay: FrameLayout, where: str) -> np.ndarray:
    assert lay.offsets is not None and lay.data is not None
    try:
        offsets = np.asarray(lay.offsets[()], dtype=np.int64)
    except (OSError, ValueError) as exc:
        raise _corrupt(where, f"{JPEG_OFFSETS} cannot be read ({exc})") from exc
    size = int(lay.data.shape[0])
    if offsets[0] != 0 or offsets[-1] != size or np.any(np.diff(offsets) <= 0):
        raise _corrupt(where, f"{JPEG_OFFSETS} does not partition the {size} JPEG bytes")
    return offsets


def _decode_one(blob: h5py.Dataset, lo: int, hi: int, shape: tuple[int, ...], where: str) -> Any:
    try:
        data = np.asarray(blob[lo:hi])
    except (OSError, ValueError) as exc:  # e.g. a Fletcher-32 mismatch
        raise _corrupt(where, f"JPEG bytes cannot be read ({exc})") from exc
    img = decode_jpeg(data, where=where)
    if img.shape != shape:
        raise _corrupt(where, f"a JPEG frame decodes to {img.shape}, the file says {shape}")
    return img


def read_frames_at(
    g: h5py.Group, order: Sequence[int], where: str, layout: FrameLayout | None = None
) -> np.ndarray:
    """Frames at the sorted, unique, in-range ``order`` as (K, H, W, 3) uint8 BGR
    (``layout``: :func:`frame_layout` of ``g`` when the caller has it already)."""
    lay = layout if layout is not None else frame_layout(g, where)
    block = np.empty((len(order), *lay.shape), dtype=np.uint8)
    if lay.codec == "raw":
        frames = lay.data
        assert frames is not None
        try:
            read_frames_into(frames, order, block)
        except (OSError, ValueError) as exc:
            raise _corrupt(where, f"frames cannot be read ({exc})") from exc
        return block
    offsets, blob = _offsets(lay, where), lay.data
    for k, i in enumerate(order):
        block[k] = _decode_one(
            blob, int(offsets[i]), int(offsets[i + 1]), lay.shape, f"{where} frame {i}"
        )
    return block


def read_all_frames(g: h5py.Group, where: str) -> np.ndarray:
    lay = frame_layout(g, where)
    if lay.codec == "raw":
        try:
            return read_whole(g[RAW])
        except (OSError, ValueError) as exc:
            raise _corrupt(where, f"dataset 'frames' cannot be read ({exc})") from exc
    return read_frames_at(g, range(lay.n_frames), where, lay)


def has_reference(g: h5py.Group) -> bool:
    return REFERENCE_RAW in g or REFERENCE_JPEG in g


def read_reference(g: h5py.Group, where: str) -> np.ndarray | None:
    """The stored unloaded frame (raw or JPEG), or None when the grasp has none."""
    if REFERENCE_RAW in g:
        try:
            return read_whole(g[REFERENCE_RAW])
        except (OSError, ValueError) as exc:
            raise _corrupt(where, f"dataset 'reference_frame' cannot be read ({exc})") from exc
    blob = g.get(REFERENCE_JPEG)
    if not isinstance(blob, h5py.Dataset):
        return None
    return _decode_one(blob, 0, int(blob.shape[0]), _jpeg_shape(blob, where), where)
