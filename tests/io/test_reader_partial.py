"""Partial reads: a grasp's signals without its frames, then only the frames needed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import h5py
import numpy as np
import pytest
from io_helpers import make_grasp

from tactile.errors import CorruptFileError
from tactile.io import GraspReader, GraspWriter


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "g.h5"
    with GraspWriter(path) as w:
        for i in range(2):
            w.append(make_grasp(i))
    return path


def test_signals_match_a_whole_read(store: Path) -> None:
    r = GraspReader(store)
    for gid in r.ids():
        whole, sig = r.read(gid), r.read_signals(gid)
        assert sig.grasp_id == gid and sig.meta == whole.meta
        assert sig.n_frames == whole.n_frames and sig.frame_shape == whole.frame_shape
        for name in ("t_s", "force_n", "width_mm"):
            assert np.array_equal(getattr(sig, name), getattr(whole, name)), name
        if whole.reference_frame is None:
            assert sig.reference_frame is None
        else:
            assert sig.reference_frame is not None
            assert np.array_equal(sig.reference_frame, whole.reference_frame)


def test_frames_in_any_order_with_repeats(store: Path) -> None:
    r = GraspReader(store)
    whole = r.read("g000")
    idx = [7, 2, 7, -1, 0]
    assert np.array_equal(r.read_frames("g000", idx), whole.frames[idx])


def test_signals_with_the_metadata_given(store: Path) -> None:
    """``read_signals(meta=...)``: the given metadata instead of the stored one, the same
    series and reference."""
    r = GraspReader(store)
    plain = r.read_signals("g000")
    given = dataclasses.replace(r.metadata("g000"), object_id="from a label table")
    sig = r.read_signals("g000", meta=given)
    assert sig.meta is given and sig.n_frames == plain.n_frames
    for name in ("t_s", "force_n", "width_mm"):
        assert np.array_equal(getattr(sig, name), getattr(plain, name)), name
    assert (sig.reference_frame is None) == (plain.reference_frame is None)


def test_damaged_series_is_a_corrupt_file(store: Path) -> None:
    with h5py.File(store, "a") as f:
        g = f["grasps/g001"]
        del g["force_n"]
        g["force_n"] = np.zeros(3)  # not one sample per frame
    with pytest.raises(CorruptFileError, match="force_n"):
        GraspReader(store).read_signals("g001")
    reader = GraspReader(store)
    with pytest.raises(CorruptFileError, match="force_n"), reader.holding("g001"):
        reader.read_signals("g001")


@pytest.mark.parametrize("chunks", [(3, 5, 1), (8, 10, 3), None])
def test_a_stored_reference_reads_the_same_however_it_is_chunked(
    tmp_path: Path, chunks: tuple[int, ...] | None
) -> None:
    """The raw reference frame is read one chunk at a time (h5py chunks a 480x640x3 frame as
    120x160x1 tiles, slow to scatter); partial edge chunks, one chunk and no chunking alike."""
    from tactile.io.frame_store import read_reference

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(8, 11, 3), dtype=np.uint8)
    with h5py.File(tmp_path / "r.h5", "w") as f:
        opts = {} if chunks is None else {"chunks": chunks, "compression": "gzip"}
        f.create_dataset("reference_frame", data=image, **opts)
        out = read_reference(f, "r.h5")
    assert out is not None and out.dtype == np.uint8 and out.shape == image.shape
    assert np.array_equal(out, image)


@pytest.mark.parametrize("codec", ["raw", "jpeg"])
def test_reads_within_a_hold_are_the_reads_without_one(tmp_path: Path, codec: str) -> None:
    """``holding`` keeps the grasp's file open for several reads (an estimate from a file reads
    the signals, then frames once or twice): the same arrays as reads without it, the file
    closed when the block ends, other grasps read as usual meanwhile, and an error the
    caller raises in the block not taken for a damaged file."""
    path = tmp_path / f"{codec}.h5"
    with GraspWriter(path, frame_codec=codec) as w:
        for i in range(2):
            w.append(make_grasp(i))
    r = GraspReader(path)
    plain_sig, plain_frames = r.read_signals("g000"), r.read_frames("g000", [3, 1, 3])
    with r.holding("g000"):
        held = r._held
        assert held is not None and held.file.id.valid
        sig = r.read_signals("g000")
        with r.holding("g000"):  # nested: the outer hold serves
            assert r._held is held
            first = r.read_frames("g000", [3, 1, 3])
        again = r.read_frames("g000", [0, 7])  # the frame index of the first read
        other = r.read_frames("g001", [2])
    assert r._held is None and not held.file.id.valid
    assert sig.meta == plain_sig.meta and sig.n_frames == plain_sig.n_frames
    for name in ("t_s", "force_n", "width_mm"):
        assert np.array_equal(getattr(sig, name), getattr(plain_sig, name))
    assert np.array_equal(first, plain_frames)
    assert np.array_equal(again, r.read_frames("g000", [0, 7]))
    assert np.array_equal(other, r.read_frames("g001", [2]))
    with pytest.raises(ValueError, match="the caller's"), r.holding("g001"):
        raise ValueError("the caller's")
    assert r._held is None
