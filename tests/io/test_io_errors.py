"""Damaged, foreign and too-new files give typed errors with a fix; never a raw h5py traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from io_helpers import make_grasp

from tactile.errors import (
    CorruptFileError,
    ForeignFileError,
    GraspNotFoundError,
    SchemaVersionError,
    StoreError,
)
from tactile.io import GraspReader, GraspWriter


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.h5"
    with GraspWriter(path, compression=None) as writer:
        for i in range(7):
            writer.append(make_grasp(i))
    return path


def test_random_bytes_are_not_hdf5(tmp_path: Path) -> None:
    path = tmp_path / "noise.h5"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(CorruptFileError, match="not an HDF5 file") as info:
        GraspReader(path)
    assert info.value.hint


def test_truncated_file(good_file: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.h5"
    data = good_file.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="truncated") as info, GraspReader(cut) as reader:
        for gid in reader.ids():
            reader.read(gid)
    assert "backup" in (info.value.hint or "")


def test_foreign_hdf5_file(tmp_path: Path) -> None:
    path = tmp_path / "robomimic.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("data/demo_0/obs", data=np.zeros((3, 4)))
    with pytest.raises(ForeignFileError, match="not a tactile grasp file"):
        GraspReader(path)


def test_newer_schema_version(good_file: Path) -> None:
    with h5py.File(good_file, "a") as f:
        f.attrs["schema_version"] = 999
    with pytest.raises(SchemaVersionError, match="999") as info:
        GraspReader(good_file)
    assert "upgrade" in (info.value.hint or "")


def test_unknown_id_lists_available_ones(good_file: Path) -> None:
    with pytest.raises(GraspNotFoundError, match=r"available: g000, g001.*\+2 more") as info:
        GraspReader(good_file).read("g042")
    assert isinstance(info.value, KeyError)
    assert "g042" in str(info.value)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        GraspReader(tmp_path / "nope.h5")
    with pytest.raises(StoreError, match="does not exist"):
        GraspReader(tmp_path / "nodir")


def test_flipped_bytes_in_a_frame_are_detected(good_file: Path) -> None:
    with h5py.File(good_file, "r") as f:
        offset = f["grasps/g003/frames"].id.get_chunk_info(2).byte_offset
    with open(good_file, "r+b") as fh:
        fh.seek(offset + 100)
        byte = fh.read(1)
        fh.seek(offset + 100)
        fh.write(bytes([byte[0] ^ 0xFF]))
    reader = GraspReader(good_file)
    reader.read("g002")  # other grasps are unaffected
    with pytest.raises(CorruptFileError, match=r"good\.h5#g003: dataset 'frames' cannot be read"):
        reader.read("g003")


def test_invalid_arrays_are_revalidated_on_read(good_file: Path) -> None:
    with h5py.File(good_file, "a") as f:
        del f["grasps/g001/force_n"]
        f["grasps/g001/force_n"] = np.full(12, np.nan)
        del f["grasps/g002/t_s"]
    reader = GraspReader(good_file)
    with pytest.raises(CorruptFileError, match="non-finite"):
        reader.read("g001")
    with pytest.raises(CorruptFileError, match="'t_s' is missing"):
        reader.read("g002")


def test_writer_refuses_to_append_to_a_damaged_file(good_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.h5"
    shutil.copyfile(good_file, bad)
    os.truncate(bad, 2000)
    with pytest.raises(CorruptFileError):
        GraspWriter(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.h5", "good.h5"]  # no debris


def test_foreign_file_inside_a_directory_dataset(tmp_path: Path) -> None:
    path = tmp_path / "d"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(0))
    with h5py.File(path / "other.h5", "w") as f:
        f["x"] = 1
    with pytest.raises(ForeignFileError, match=r"other\.h5"):
        GraspReader(path)
