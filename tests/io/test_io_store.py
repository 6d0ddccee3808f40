"""GraspWriter / GraspReader on real HDF5 files: round trips, appends, ids, options, layout."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_helpers import assert_same, make_grasp

from tactile.errors import ConfigError, InvalidGraspError, StoreError
from tactile.io import FORMAT_NAME, SCHEMA_VERSION, GraspReader, GraspWriter, open_grasps
from tactile.types import Grasp, GraspMetadata


@pytest.fixture(params=["file", "dir"])
def dataset(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / ("grasps.h5" if request.param == "file" else "grasps")


def test_round_trip_is_bit_identical(dataset: Path) -> None:
    originals = [make_grasp(i) for i in range(3)]
    with GraspWriter(dataset) as writer:
        assert [writer.append(g) for g in originals] == ["g000", "g001", "g002"]
    with open_grasps(dataset) as reader:
        assert reader.ids() == ["g000", "g001", "g002"] and len(reader) == 3
        assert "g001" in reader and "nope" not in reader
        for got, want in zip(reader, originals, strict=True):
            assert_same(got, want)
        assert reader.metadata("g001") == originals[1].meta
        assert reader.schema_version == SCHEMA_VERSION


def test_single_file_is_one_consolidated_file(tmp_path: Path) -> None:
    path = tmp_path / "one.h5"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(0))
        writer.append(make_grasp(1))
    assert sorted(os.listdir(tmp_path)) == ["one.h5"]  # no pending dir, temp or lock left
    with h5py.File(path, "r") as f:  # plain h5py, no tactile: the documented schema
        assert f.attrs["format"] == FORMAT_NAME and f.attrs["schema_version"] == SCHEMA_VERSION
        frames = f["grasps/g001/frames"]
        assert frames.chunks == (1, 96, 128, 3) and frames.compression == "gzip"
        assert frames.attrs["color_order"] == "BGR"
        # the reference frame is one chunk too (h5py's own chunking would tile it)
        reference = f["grasps/g001/reference_frame"]
        assert reference.chunks == (96, 128, 3) and reference.compression == "gzip"
        np.testing.assert_array_equal(reference[()], make_grasp(1).reference_frame)
        assert f["grasps/g001/force_n"].attrs["units"] == "N"
        assert f["grasps/g001"].attrs["object_id"] == "object_1"
        np.testing.assert_array_equal(f["grasps/g001/width_mm"][()], make_grasp(1).width_mm)


def test_directory_holds_one_file_per_grasp(tmp_path: Path) -> None:
    path = tmp_path / "session"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(0))
        assert [p.name for p in path.iterdir() if not p.name.startswith(".")] == ["grasp_g000.h5"]
    assert sorted(os.listdir(path)) == ["grasp_g000.h5"]


def test_second_session_appends_in_order(dataset: Path) -> None:
    with GraspWriter(dataset) as writer:
        writer.append(make_grasp(5))
    with GraspWriter(dataset) as writer:
        writer.append(make_grasp(1))
        with pytest.raises(StoreError, match="already in"):
            writer.append(make_grasp(5))
        assert writer.ids == ["g001"]
    with GraspReader(dataset) as reader:
        assert reader.ids() == ["g005", "g001"]


def test_overwrite_starts_fresh(dataset: Path) -> None:
    with GraspWriter(dataset) as writer:
        writer.append(make_grasp(0))
    with GraspWriter(dataset, overwrite=True) as writer:
        writer.append(make_grasp(1))
    assert GraspReader(dataset).ids() == ["g001"]


def test_empty_id_is_numbered_and_bad_id_refused(dataset: Path) -> None:
    with GraspWriter(dataset) as writer:
        gid = writer.append(dataclasses.replace(make_grasp(0), grasp_id=""))
        assert gid == "grasp_0000"
        assert writer.append(dataclasses.replace(make_grasp(1), grasp_id="")) == "grasp_0001"
        with pytest.raises(InvalidGraspError, match="not allowed"):
            writer.append(dataclasses.replace(make_grasp(2), grasp_id="../evil"))
        with pytest.raises(StoreError, match="closed"):
            writer.close()
            writer.append(make_grasp(3))
    assert GraspReader(dataset).read("grasp_0001").meta == make_grasp(1).meta


def test_unserialisable_metadata_is_refused_before_writing(dataset: Path) -> None:
    grasp = make_grasp(0)
    bad = dataclasses.replace(grasp, meta=GraspMetadata(object_id="x", extra={"f": object()}))
    with GraspWriter(dataset) as writer, pytest.raises(InvalidGraspError, match="extra"):
        writer.append(bad)
    nul = dataclasses.replace(grasp, meta=GraspMetadata(object_id="a\x00b"))
    with GraspWriter(dataset) as writer, pytest.raises(InvalidGraspError, match="NUL"):
        writer.append(nul)
    assert GraspReader(dataset).ids() == []


@pytest.mark.parametrize(("compression", "level"), [(None, None), ("lzf", None), ("gzip", 1)])
def test_compression_options_round_trip(
    tmp_path: Path, compression: str | None, level: int | None
) -> None:
    path = tmp_path / "c.h5"
    with GraspWriter(path, compression=compression, compression_level=level) as writer:
        writer.append(make_grasp(3))
    assert_same(GraspReader(path).read("g003"), make_grasp(3))
    assert GraspReader(path).summary("g003")["compression"] == compression


def test_bad_compression_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown compression"):
        GraspWriter(tmp_path / "x.h5", compression="zstd")
    with pytest.raises(StoreError, match="level"):
        GraspWriter(tmp_path / "x.h5", compression="lzf", compression_level=3)


def test_read_some_frames(dataset: Path) -> None:
    grasp = make_grasp(2)
    with GraspWriter(dataset) as writer:
        writer.append(grasp)
    reader = GraspReader(dataset)
    got = reader.read_frames("g002", [5, 0, 5, -1])
    assert got.shape == (4, 96, 128, 3) and got.dtype == np.uint8
    assert np.array_equal(got, grasp.frames[[5, 0, 5, -1]])
    assert reader.read_frames("g002", []).shape == (0, 96, 128, 3)
    with pytest.raises(ConfigError, match="12 frames"):
        reader.read_frames("g002", [12])


def test_summary_without_frames(dataset: Path) -> None:
    grasp = make_grasp(1)
    with GraspWriter(dataset) as writer:
        writer.append(grasp)
    info = GraspReader(dataset).summary("g001")
    assert info["n_frames"] == 12 and info["frame_shape"] == [96, 128, 3]
    assert info["duration_s"] == pytest.approx(grasp.duration_s)
    assert info["force_range_n"] == [grasp.force_n.min(), grasp.force_n.max()]
    assert info["width_range_mm"] == [grasp.width_mm.min(), grasp.width_mm.max()]
    assert info["label_modulus_pa"] == grasp.meta.label_modulus_pa
    assert info["object_id"] == "object_1" and info["has_reference_frame"] is True


def test_reader_sees_grasps_while_the_writer_runs(tmp_path: Path) -> None:
    path = tmp_path / "live.h5"
    writer = GraspWriter(path)
    writer.append(make_grasp(0))
    reader = GraspReader(path)  # before close: the grasp is in the pending directory
    assert reader.ids() == ["g000"] and reader.pending_ids == ["g000"]
    writer.close()  # consolidation moves it; the open reader follows
    assert_same(reader.read("g000"), make_grasp(0))
    assert GraspReader(path).pending_ids == []


def test_two_writers_on_one_dataset_are_refused(dataset: Path) -> None:
    with GraspWriter(dataset), pytest.raises(StoreError, match="another writer"):
        GraspWriter(dataset)
    with GraspWriter(dataset) as writer:  # the lock is gone after close
        writer.append(make_grasp(0))


def test_leftover_temp_files_are_ignored_then_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "d"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(0))
    junk = path / ".grasp_g001.h5.tmp-99999"
    junk.write_bytes(b"half a grasp")
    assert GraspReader(path).ids() == ["g000"]
    with GraspWriter(path) as writer:
        assert writer.removed_temp_files == [junk]
    assert not junk.exists()


def test_directory_with_a_foreign_h5_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "d"
    path.mkdir()
    with h5py.File(path / "theirs.h5", "w") as f:
        f["x"] = [1, 2, 3]
    with pytest.raises(StoreError, match="not a tactile grasp file"):
        GraspWriter(path, overwrite=True)
    assert (path / "theirs.h5").exists()


_text = st.text(st.characters(codec="utf-8"), max_size=12)
_attr_text = _text.map(lambda s: s.replace("\x00", ""))  # NUL is refused (tested above)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_frames=st.integers(2, 4),
    height=st.integers(1, 5),
    label=st.none() | st.floats(1e-3, 1e12),
    radius=st.none() | st.floats(0.1, 100.0),
    shape=st.none() | _attr_text,
    object_id=_attr_text.filter(bool),
    extra=st.dictionaries(_text, _json, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_grasp_round_trips_exactly(
    tmp_path: Path,
    n_frames: int,
    height: int,
    label: float | None,
    radius: float | None,
    shape: str | None,
    object_id: str,
    extra: dict[str, object],
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    grasp = Grasp(
        grasp_id=f"h{seed}",
        frames=rng.integers(0, 256, (n_frames, height, 3, 3), dtype=np.uint8),
        t_s=np.sort(rng.normal(size=n_frames)),
        force_n=rng.normal(size=n_frames) * 1e6,
        width_mm=rng.normal(size=n_frames),
        meta=GraspMetadata(
            object_id=object_id,
            label_modulus_pa=label,
            radius_mm=radius,
            shape=shape,
            devices={"cam": object_id},
            extra=extra,
        ),
    )
    path = tmp_path / "prop"
    with GraspWriter(path, overwrite=True, compression="lzf") as writer:
        writer.append(grasp)
    with GraspReader(path) as reader:
        assert_same(reader.read(grasp.grasp_id), grasp)


def test_a_grasp_carries_its_own_calibration_record(tmp_path: Path) -> None:
    """Schema minor 2: the optional ``calibration`` attribute (a simulated rig's calibration)
    round-trips, is plain JSON for other readers, wins over the id in ``resolve_calibration``
    and is absent for grasps without one."""
    from tactile.sensor import get_calibration, resolve_calibration

    record = dataclasses.replace(
        get_calibration("wedge-reference-v3"),
        calibration_id="wedge-reference-v3+simrig-test",
        rigid_press_closure_mm=(1.0, 2.0, 3.0, 4.0, 5.0),
        rigid_press_size_mm=42.67,
    )
    with_cal = make_grasp(0)
    with_cal = dataclasses.replace(
        with_cal,
        meta=dataclasses.replace(
            with_cal.meta, calibration_id=record.calibration_id, calibration=record.to_dict()
        ),
    )
    path = tmp_path / "g.h5"
    with GraspWriter(path) as writer:
        writer.append(with_cal)
        writer.append(make_grasp(1))
    with h5py.File(path, "r") as f:
        assert f.attrs["schema_minor"] == 2
        assert "calibration" in f["grasps/g000"].attrs
        assert "calibration" not in f["grasps/g001"].attrs
    with open_grasps(path) as reader:
        meta = reader.metadata("g000")
        assert reader.metadata("g001").calibration is None
    assert resolve_calibration(meta) == record
    assert resolve_calibration(meta, "wedge-reference-v3").rigid_press_closure_mm is None
