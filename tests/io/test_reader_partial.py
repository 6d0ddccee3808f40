"""Partial reads: a grasp's signals without its frames, then only the frames needed."""

from __future__ import annotations

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


def test_damaged_series_is_a_corrupt_file(store: Path) -> None:
    with h5py.File(store, "a") as f:
        g = f["grasps/g001"]
        del g["force_n"]
        g["force_n"] = np.zeros(3)  # not one sample per frame
    with pytest.raises(CorruptFileError, match="force_n"):
        GraspReader(store).read_signals("g001")
