"""Reading deflate/Fletcher-32 chunks without HDF5's filter pipeline: the same bytes as h5py,
the same (or stricter) checks, and h5py's own path for every pipeline it cannot undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from io_helpers import make_grasp

from tactile.errors import CorruptFileError
from tactile.io import GraspReader, GraspWriter
from tactile.io.deflate_chunks import (
    _BLOCK_WORDS,
    ChunkError,
    _descending_weights,
    direct_pipeline,
    fletcher32_sums,
    read_frame_into,
    read_whole,
)
from tactile.io.frame_store import read_frames_at


@pytest.mark.parametrize(
    "n_bytes",
    [1, 2, 7, 720, 1001, 65_537, 921_600, 2_097_152, 2_097_155],  # 2**20 words: one block
)
def test_fletcher32_matches_the_checksum_hdf5_stores(tmp_path: Path, n_bytes: int) -> None:
    rng = np.random.default_rng(n_bytes)
    data = rng.integers(0, 256, n_bytes, dtype=np.uint8)
    if n_bytes == 1001:
        data[:] = 255  # every word 0xFFFF: the sums' 0 / 65535 ambiguity
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset("x", data=data, chunks=(n_bytes,), fletcher32=True)
        _, chunk = ds.id.read_direct_chunk((0,))
    assert chunk[:-4] == data.tobytes()
    stored = int.from_bytes(chunk[-4:], "little")
    s1, s2 = fletcher32_sums(chunk[:-4])
    assert ((stored & 0xFFFF) % 65535, (stored >> 16) % 65535) == (s1, s2)


def test_the_weight_table_is_k_mod_65535_descending() -> None:
    w = _descending_weights()
    assert w.dtype == np.float64 and w.flags["C_CONTIGUOUS"] and w.size == _BLOCK_WORDS
    expected = (np.arange(_BLOCK_WORDS, 0, -1, dtype=np.int64) % 65535).astype(np.float64)
    assert np.array_equal(w, expected)


PIPELINES: list[tuple[str, dict[str, Any], bool]] = [
    ("gzip+fletcher32", {"compression": "gzip", "compression_opts": 4, "fletcher32": True}, True),
    ("gzip", {"compression": "gzip"}, True),
    ("fletcher32", {"fletcher32": True}, True),
    ("plain chunks", {}, True),
    ("lzf (h5py reads it)", {"compression": "lzf", "fletcher32": True}, False),
    ("shuffle (h5py reads it)", {"compression": "gzip", "shuffle": True}, False),
]


@pytest.mark.parametrize(("name", "opts", "direct"), PIPELINES, ids=[p[0] for p in PIPELINES])
def test_frames_and_tiled_images_read_as_h5py_reads_them(
    tmp_path: Path, name: str, opts: dict[str, Any], direct: bool
) -> None:
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 256, (4, 37, 50, 3), dtype=np.uint8)
    frames[:, 10:20] = 128  # something to compress
    image = rng.integers(0, 256, (37, 50, 3), dtype=np.uint8)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        fr = f.create_dataset("frames", data=frames, chunks=(1, 37, 50, 3), **opts)
        # tiles that do not divide the image: the edge chunks are partial
        im = f.create_dataset("image", data=image, chunks=(16, 20, 1), **opts)
        assert (direct_pipeline(fr) is not None) is direct
        out = np.empty((37, 50, 3), dtype=np.uint8)
        for i in range(4):
            read_frame_into(fr, i, out)
            np.testing.assert_array_equal(out, frames[i])
        np.testing.assert_array_equal(read_whole(fr), frames)
        np.testing.assert_array_equal(read_whole(im), image)


def test_unwritten_chunks_read_as_the_fill_value(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset(
            "frames", shape=(3, 8, 8, 3), dtype=np.uint8, chunks=(1, 8, 8, 3), compression="gzip"
        )
        ds[1] = 7
        np.testing.assert_array_equal(read_whole(ds)[[0, 2]], 0)
        out = np.full((8, 8, 3), 99, dtype=np.uint8)
        read_frame_into(ds, 0, out)
        assert not out.any()
        read_frame_into(ds, 1, out)
        assert (out == 7).all()


def _flip_byte_in_chunk(path: Path, dataset: str, chunk_index: int, at: int) -> None:
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info(chunk_index)
    with open(path, "r+b") as fh:
        fh.seek(info.byte_offset + at)
        byte = fh.read(1)
        fh.seek(info.byte_offset + at)
        fh.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("compression", ["gzip", None])
def test_a_flipped_byte_in_a_frame_is_reported_for_that_grasp_only(
    tmp_path: Path, compression: str | None
) -> None:
    path = tmp_path / "g.h5"
    with GraspWriter(path, compression=compression) as writer:
        for i in range(3):
            writer.append(make_grasp(i))
    _flip_byte_in_chunk(path, "grasps/g001/frames", 2, 30)
    with GraspReader(path) as reader:
        reader.read("g000")
        reader.read("g002")
        with (
            h5py.File(path, "r") as f,
            pytest.raises(CorruptFileError, match=r"g001.*frames cannot be read") as info,
        ):
            read_frames_at(f["grasps/g001"], [0, 2], "g.h5#g001")
        assert "re-record" in (info.value.hint or "")
        with pytest.raises(CorruptFileError, match=r"g001: dataset 'frames' cannot be read"):
            reader.read("g001")


def test_a_checksum_that_holds_over_a_bad_stream_is_still_caught(tmp_path: Path) -> None:
    """Fletcher-32 guards the compressed bytes; a chunk whose checksum was rewritten to match
    damaged bytes fails zlib's own Adler-32 (or its size) instead of giving wrong pixels."""
    frames = np.random.default_rng(2).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset(
            "frames", data=frames, chunks=(1, 16, 16, 3), compression="gzip", fletcher32=True
        )
        _, chunk = ds.id.read_direct_chunk((1, 0, 0, 0))
        body = bytearray(chunk[:-4])
        body[len(body) // 2] ^= 0x55
        s1, s2 = fletcher32_sums(bytes(body))
        ds.id.write_direct_chunk((1, 0, 0, 0), bytes(body) + (s2 << 16 | s1).to_bytes(4, "little"))
        out = np.empty((16, 16, 3), dtype=np.uint8)
        read_frame_into(ds, 0, out)
        with pytest.raises(ChunkError, match="frame 1"):
            read_frame_into(ds, 1, out)


def test_without_libdeflate_zlib_reads_the_same_and_catches_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactile.io import deflate_chunks

    monkeypatch.setattr(deflate_chunks, "_libdeflate", None)
    frames = np.random.default_rng(3).integers(0, 256, (3, 20, 24, 3), dtype=np.uint8)
    frames[:, :8] = 9
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset(
            "frames", data=frames, chunks=(1, 20, 24, 3), compression="gzip", fletcher32=True
        )
        np.testing.assert_array_equal(read_whole(ds), frames)
        _, chunk = ds.id.read_direct_chunk((2, 0, 0, 0))
        body = bytearray(chunk[:-4])
        body[-3] ^= 0x01  # inside zlib's Adler-32 trailer
        s1, s2 = fletcher32_sums(bytes(body))
        ds.id.write_direct_chunk((2, 0, 0, 0), bytes(body) + (s2 << 16 | s1).to_bytes(4, "little"))
        with pytest.raises(ChunkError, match="frame 2: compressed bytes cannot be inflated"):
            read_frame_into(ds, 2, np.empty((20, 24, 3), dtype=np.uint8))


def _swap_halves(cs: bytes) -> bytes:
    """HDF5's ``reversed_fletcher``: the bytes of each 16-bit half swapped (pre-1.6.3 files)."""
    return bytes([cs[1], cs[0], cs[3], cs[2]])


@pytest.mark.parametrize(
    ("fill", "variant"),
    [
        (None, "stored"),
        (None, "hdf5 reversed"),
        (None, "all four bytes reversed"),
        (255, "stored"),
        (255, "zero alias"),
        (0, "stored"),
    ],
)
def test_fletcher32_accepts_exactly_the_checksums_hdf5_accepts(
    tmp_path: Path, fill: int | None, variant: str
) -> None:
    """HDF5 accepts the stored checksum or its pre-1.6.3 form (bytes swapped within each
    16-bit half), nothing else: not the whole word byte-reversed, and not 0 for a sum HDF5
    stores as 0xFFFF. The direct path must agree with h5py either way."""
    if fill is None:
        data = np.random.default_rng(3).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    else:
        data = np.full((40, 50, 3), fill, dtype=np.uint8)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset("x", data=data, chunks=data.shape, fletcher32=True)
        _, chunk = ds.id.read_direct_chunk((0, 0, 0))
        body, cs = chunk[:-4], chunk[-4:]
        new = {
            "stored": cs,
            "hdf5 reversed": _swap_halves(cs),
            "all four bytes reversed": cs[::-1],
            "zero alias": b"\0\0\0\0",
        }[variant]
        if variant == "zero alias":
            assert cs == b"\xff\xff\xff\xff"
        ds.id.write_direct_chunk((0, 0, 0), body + new)
    with h5py.File(tmp_path / "f.h5", "r") as f:
        try:
            np.testing.assert_array_equal(f["x"][()], data)
            hdf5_ok = True
        except OSError:
            hdf5_ok = False
        try:
            np.testing.assert_array_equal(read_whole(f["x"]), data)
            direct_ok = True
        except ChunkError:
            direct_ok = False
    assert direct_ok == hdf5_ok


def test_many_bodies_sums_are_each_bodys_own_sums() -> None:
    from tactile.io.deflate_chunks import _fletcher32_sums_many

    rng = np.random.default_rng(5)
    bodies = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in (1, 2, 7, 720, 4481)]
    bodies += [b"\xff" * 1001, b"\0" * 64, b"\xff" * 131_072]
    assert _fletcher32_sums_many(bodies) == [fletcher32_sums(b) for b in bodies]


@pytest.mark.parametrize("flip", ["checksum", "stream"])
def test_a_damaged_tile_of_a_tiled_image_names_that_chunk(tmp_path: Path, flip: str) -> None:
    """A tiled image's chunks are checksummed together; a damaged one is still caught, and
    the error names the first damaged chunk in h5py's chunk order, as one chunk at a time."""
    image = np.random.default_rng(6).integers(0, 256, (37, 50, 3), dtype=np.uint8)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        ds = f.create_dataset(
            "image", data=image, chunks=(16, 20, 1), compression="gzip", fletcher32=True
        )
        for offset in ((16, 20, 2), (32, 40, 1)):  # two damaged, the first in C order named
            _, chunk = ds.id.read_direct_chunk(offset)
            body = bytearray(chunk[:-4])
            body[len(body) // 2] ^= 0x55
            cs = chunk[-4:]
            if flip == "stream":  # a checksum rewritten to match: zlib's Adler-32 catches it
                s1, s2 = fletcher32_sums(bytes(body))
                cs = (s2 << 16 | s1).to_bytes(4, "little")
            ds.id.write_direct_chunk(offset, bytes(body) + cs)
        what = "Fletcher-32 checksum mismatch" if flip == "checksum" else "cannot be inflated"
        with pytest.raises(ChunkError, match=rf"chunk \(16, 20, 2\): .*{what}"):
            read_whole(ds)
