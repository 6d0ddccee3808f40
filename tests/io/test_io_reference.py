"""Importing the reference AVI + pickle layout: real grasps, crafted damaged copies, labels."""

from __future__ import annotations

import pickle
import re
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from io_helpers import Payload, write_recording

from tactile.errors import ImportDataError, UnsafePickleError
from tactile.io import (
    GraspReader,
    LabelWarning,
    import_reference,
    iter_grasps,
    load_reference_grasp,
    read_aliases,
    read_label_table,
)
from tactile.io.labels import label_key, resolve_label
from tactile.io.reference import ImportSkipWarning, grasp_id_for, parse_object_name

LABEL_E_PA = {
    "foam_brick": 3.0e5,
    "golf_ball": 8.5e8,
    "green_ball_softer": 9.36e4,
    "orange_ball_softest": 3.19e4,
    "purple_ball_hardest": 2.04e5,
}


@pytest.fixture(scope="module")
def label_csv(shared_data: Path) -> Path:
    return shared_data / "objects_and_compliance.csv"


def test_names_to_objects_and_ids() -> None:
    assert parse_object_name("golf_ball_3") == ("golf_ball", 3)
    assert parse_object_name("soft_foam__t=12") == ("soft_foam", 12)
    assert parse_object_name("mystery") == ("mystery", None)
    assert grasp_id_for("soft_foam__t=12") == "soft_foam__t-12"


def test_names_with_spaces_hyphens_and_non_ascii_letters() -> None:
    """newuser40: `golf ball 2` was parsed with no trial number (so it missed its label) and
    non-ASCII names collapsed to the trial number as grasp id (`苹果_2`, `мяч_2` -> `2`)."""
    for stem in ("golf ball 2", "golf-ball-2", "golf_ball_2"):
        assert parse_object_name(stem) == (stem[:-2], 2)
    assert grasp_id_for("golf ball 2") == "golf-ball-2"
    assert re.fullmatch(r"Apfel-[0-9a-f]{8}_2", grasp_id_for("Äpfel_2"))
    assert re.fullmatch(r"Strasse-[0-9a-f]{8}-3", grasp_id_for("Straße 3"))
    assert re.fullmatch(r"u82f9u679c-[0-9a-f]{8}_2", grasp_id_for("苹果_2"))
    assert re.fullmatch(r"u043cu044fu0447-[0-9a-f]{8}_2", grasp_id_for("мяч_2"))
    assert parse_object_name("мяч_2") == ("мяч", 2)


def test_distinct_names_keep_distinct_ids() -> None:
    """review45: `Äpfel_2` and `Apfel_2` (and `ball_１` and `ball_1`) met on one id, and a long
    Cyrillic name lost its trial number to the 128-character cut: import refused them all and
    `tactile estimate FOLDER` dropped one silently."""
    long = "мягкий резиновый мячик большой"
    stems = ["Äpfel_2", "Apfel_2", "ball_１", "ball_1", f"{long}_1", f"{long}_2", "a" * 140 + "_1"]
    ids = [grasp_id_for(s) for s in stems]
    assert len(set(ids)) == len(ids)
    assert ids[1] == "Apfel_2" and ids[3] == "ball_1"  # ASCII names keep their ids
    for gid in ids[4:]:
        assert len(gid) == 128 and re.search(r"-[0-9a-f]{8}_[12]$", gid)
    assert grasp_id_for("A\u0308pfel_2") == ids[0]  # the same name, decomposed (macOS): one id


def test_reading_a_folder_never_drops_a_recording(tmp_path: Path) -> None:
    """review45: `tactile estimate FOLDER` kept one of two recordings sharing a grasp id."""
    src = tmp_path / "src"
    src.mkdir()
    for stem in ("Äpfel_2", "Apfel_2"):
        write_recording(src, stem, 5, 5, 5)
    assert len({gid for gid, _ in iter_grasps(src)}) == 2
    write_recording(src, "ball 2", 5, 5, 5)
    write_recording(src, "ball-2", 5, 5, 5)
    # newuser41: the clash failed the whole folder; both are listed, failing, the others read
    listed = dict(iter_grasps(src))
    assert len(listed) == 4 and "ball 2.avi" in listed and "ball-2.avi" in listed
    for name in ("ball 2.avi", "ball-2.avi"):
        with pytest.raises(
            ImportDataError, match=re.escape("ball 2.avi and ball-2.avi both become grasp id")
        ):
            listed[name]()
    assert [gid for gid, _ in iter_grasps(src, grasp_ids=["ball-2"])] == [
        "ball 2.avi",
        "ball-2.avi",
    ]


def test_reading_a_folder_reads_a_copy_once_as_import_does(tmp_path: Path) -> None:
    """review49: the same files under two names were read as two grasps; the one the
    importer keeps (a trial number, then the shorter name) is read, the other fails."""
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "golf_ball_2", 5, 5, 5)
    for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
        (src / f"golf_ball_2 copy{suffix}").write_bytes((src / f"golf_ball_2{suffix}").read_bytes())
    listed = dict(iter_grasps(src))
    assert list(listed) == ["golf_ball_2", "golf_ball_2-copy"]
    assert listed["golf_ball_2"]().grasp_id == "golf_ball_2"
    with pytest.raises(ImportDataError, match=re.escape("golf_ball_2.avi is estimated")) as err:
        listed["golf_ball_2-copy"]()
    assert "delete golf_ball_2 copy.avi, the copy" in (err.value.hint or "")
    assert getattr(listed["golf_ball_2-copy"], "object_id", None) == "golf_ball_2 copy"


def test_a_folder_lists_a_recording_missing_a_pickle_and_no_resource_file(
    tmp_path: Path,
) -> None:
    """review45: `tactile estimate FOLDER` failed whole when one recording lacked a pickle
    (its load fails instead: that grasp is reported failed); a macOS resource file
    `._NAME.avi` was taken for a recording."""
    src = tmp_path / "src"
    src.mkdir()
    for stem in ("ball_1", "ball_2"):
        write_recording(src, stem, 5, 5, 5)
    (src / "ball_2_widths.pkl").unlink()
    (src / "._ball_1.avi").write_bytes(b"\0\5\26\7 resource fork")
    loads = dict(iter_grasps(src))
    assert list(loads) == ["ball_1", "ball_2"] and loads["ball_1"]().n_frames == 5
    with pytest.raises(ImportDataError, match=r"missing ball_2_widths\.pkl"):
        loads["ball_2"]()


def test_one_real_grasp(reference_grasps_dir: Path, label_csv: Path) -> None:
    labels = read_label_table(label_csv)
    grasp = load_reference_grasp(reference_grasps_dir / "golf_ball_1.avi", labels=labels)
    assert grasp.grasp_id == "golf_ball_1" and grasp.n_frames == 63
    assert grasp.frames.shape == (63, 480, 640, 3) and grasp.frames.dtype == np.uint8
    assert grasp.reference_frame is None
    assert grasp.meta.object_id == "golf_ball" and grasp.meta.label_modulus_pa == 8.5e8
    assert grasp.meta.shape == "sphere" and grasp.meta.calibration_id == "wedge-reference-v4"
    assert grasp.meta.extra["timing"] == "nominal" and grasp.meta.extra["color_order"] == "BGR"
    assert grasp.t_s[1] == pytest.approx(1 / 30) and grasp.duration_s == pytest.approx(62 / 30)
    assert 35.0 < grasp.width_mm.min() < grasp.width_mm.max() < 64.0  # metres -> mm
    # BGR kept: the same pixels as OpenCV's own MJPEG reader (libjpeg) decodes them
    cap = cv2.VideoCapture(str(reference_grasps_dir / "golf_ball_1.avi"), cv2.CAP_OPENCV_MJPEG)
    ok, first = cap.read()
    cap.release()
    assert ok and np.array_equal(grasp.frames[0], first)


def test_aliased_object_gets_its_label_row(reference_grasps_dir: Path, label_csv: Path) -> None:
    labels = read_label_table(label_csv)
    grasp = load_reference_grasp(reference_grasps_dir / "orange_ball_softest_2.avi", labels=labels)
    assert grasp.meta.label_modulus_pa == 3.19e4
    assert grasp.meta.radius_mm == pytest.approx(25.0)
    assert grasp.meta.extra["label_row"] == "orange_elastic_ball"


def test_all_fifteen_import_and_round_trip(
    reference_grasps_dir: Path, label_csv: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "reference"  # a directory: no consolidation copy, keeps the test fast
    ids = import_reference(reference_grasps_dir, dest, labels_csv=label_csv, compression=None)
    assert len(ids) == 15 and ids[:3] == ["foam_brick_1", "foam_brick_2", "foam_brick_3"]
    with GraspReader(dest) as reader:
        assert reader.ids() == ids
        for gid in ids:  # summaries: no frames read, keeps this test fast
            info = reader.summary(gid)
            assert info["label_modulus_pa"] == LABEL_E_PA[info["object_id"]], gid
            assert 55 <= info["n_frames"] <= 85 and info["frame_shape"] == [480, 640, 3]
            assert info["duration_s"] == pytest.approx((info["n_frames"] - 1) / 30)
            assert 23.0 < info["width_range_mm"][0] < info["width_range_mm"][1] < 70.0, gid
            assert 16.0 < info["force_range_n"][1] < 25.0, gid
        for gid in ("foam_brick_1", "golf_ball_2", "purple_ball_hardest_2"):
            stored = reader.read(gid)
            fresh = load_reference_grasp(reference_grasps_dir / f"{gid}.avi", labels=None)
            assert stored.meta.extra["repairs"] == []
            for name in ("frames", "t_s", "force_n", "width_mm"):
                assert getattr(stored, name).tobytes() == getattr(fresh, name).tobytes()


def test_mismatch_of_two_frames_is_truncated_and_recorded(tmp_path: Path) -> None:
    avi = write_recording(tmp_path, "sponge_1", n_video=10, n_force=9, n_width=11)
    with pytest.warns(LabelWarning, match="no row"):
        grasp = load_reference_grasp(avi, labels={})
    assert grasp.n_frames == 9 and grasp.frames.shape == (9, 48, 64, 3)
    assert grasp.meta.extra["repairs"] == [
        "truncated video from 10 to 9 samples (end)",
        "truncated widths from 11 to 9 samples (end)",
    ]
    assert grasp.meta.label_modulus_pa is None
    np.testing.assert_allclose(grasp.width_mm, 50.0)


def test_large_mismatch_is_an_error(tmp_path: Path) -> None:
    avi = write_recording(tmp_path, "sponge_1", n_video=10, n_force=6, n_width=10)
    with pytest.raises(ImportDataError, match="differ too much") as info:
        load_reference_grasp(avi)
    assert "'forces': 6" in str(info.value) and info.value.hint


def test_widths_that_are_not_metres_are_refused(tmp_path: Path) -> None:
    avi = write_recording(tmp_path, "sponge_1", 5, 5, 5, width_m=50.0)
    with pytest.raises(ImportDataError, match="metres"):
        load_reference_grasp(avi)


def test_forces_that_are_not_newtons_are_refused(tmp_path: Path) -> None:
    """newuser40: forces stored in mN (peak 12 000 "N") imported silently and were answered
    with a vacuous bound; no parallel gripper squeezes over 1 kN."""
    avi = write_recording(tmp_path, "sponge_1", 5, 5, 5)
    forces = tmp_path / "sponge_1_forces.pkl"
    forces.write_bytes(pickle.dumps(np.linspace(0.0, 12000.0, 5)))
    with pytest.raises(ImportDataError, match="newtons") as info:
        load_reference_grasp(avi)
    assert "mN" in (info.value.hint or "")


def test_corrupt_and_missing_files(tmp_path: Path) -> None:
    avi = write_recording(tmp_path, "sponge_1", 5, 5, 5)
    avi.write_bytes(np.random.default_rng(1).bytes(5000))
    with pytest.raises(ImportDataError, match=r"sponge_1\.avi") as info:
        load_reference_grasp(avi)
    assert "damaged" in (info.value.hint or "")
    (tmp_path / "sponge_1_widths.pkl").unlink()
    with pytest.raises(ImportDataError, match=r"missing sponge_1_widths\.pkl"):
        load_reference_grasp(avi)


def test_hostile_pickle_in_a_recording_never_runs(tmp_path: Path) -> None:
    avi = write_recording(tmp_path, "sponge_1", 5, 5, 5)
    marker = tmp_path / "pwned"
    (tmp_path / "sponge_1_forces.pkl").write_bytes(pickle.dumps(Payload(marker)))
    dest = tmp_path / "out.h5"
    with (
        pytest.raises(UnsafePickleError, match=r"sponge_1_forces\.pkl.*system"),
        pytest.warns(LabelWarning, match="no label table"),
    ):
        import_reference(avi, dest, labels_csv=None)
    assert not marker.exists()
    assert GraspReader(dest).ids() == []


def test_user_aliases_and_skip_existing(tmp_path: Path, label_csv: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "mystery_ball_1", 4, 4, 4)
    write_recording(src, "mystery_ball_2", 4, 4, 4, width_m=0.045)  # not a copy
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,label\nmystery_ball,golf_ball\n")
    assert read_aliases(aliases) == {"mystery_ball": "golf_ball"}
    dest = tmp_path / "out"
    ids = import_reference(
        src / "mystery_ball_1.avi", dest, labels_csv=label_csv, aliases_csv=aliases
    )
    assert ids == ["mystery_ball_1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # labelled: no warning
        ids = import_reference(
            src, dest, labels_csv=label_csv, aliases_csv=aliases, skip_existing=True
        )
    assert ids == ["mystery_ball_2"]
    assert GraspReader(dest).metadata("mystery_ball_2").label_modulus_pa == 8.5e8


def test_invalid_recordings_are_skipped_unless_strict(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for stem in ("ball_1", "ball 2", "ball-2", "ball_3"):
        write_recording(src, stem, 5, 5, 5)
    (src / "ball_3_forces.pkl").write_bytes(pickle.dumps(np.full(5, np.nan)))
    dest = tmp_path / "out.h5"
    with pytest.warns((ImportSkipWarning, LabelWarning)) as caught:  # no label table
        result = import_reference(src, dest, labels_csv=None)
    assert [w.category for w in caught].count(LabelWarning) == 1
    assert result == ["ball_1"]
    assert [(s.file, s.error.split(" ")[0]) for s in result.skipped] == [
        ("ball 2.avi", "ball"),
        ("ball-2.avi", "ball"),
        ("ball_3.avi", "reference"),
    ]
    assert "both become grasp id 'ball-2'" in result.skipped[0].error
    assert "is not a valid grasp" in result.skipped[2].error
    assert len([w for w in caught if w.category is ImportSkipWarning]) == 3
    with (
        pytest.raises(ImportDataError, match="both become grasp id"),
        pytest.warns(LabelWarning),
    ):
        import_reference(src, tmp_path / "strict.h5", strict=True)
    assert not (tmp_path / "strict.h5").exists()


def test_a_name_in_other_case_or_with_spaces_finds_its_row(label_csv: Path) -> None:
    """newuser40: `Foam_Brick_3.avi`, `golf ball` or `Orange-Ball-Softest` named no row (the
    lookup was exact); one row matching under case, spaces and hyphens is that object's."""
    labels = read_label_table(label_csv)
    assert label_key(" Foam--Brick ") == "foam_brick"
    assert resolve_label("Foam_Brick", labels) is labels["foam_brick"]
    assert resolve_label("golf ball", labels) is labels["golf_ball"]
    assert resolve_label("Orange-Ball-Softest", labels) is labels["orange_elastic_ball"]  # alias
    with pytest.warns(LabelWarning, match="no row"):  # still none for an unknown object
        assert resolve_label("Mystery Object", labels) is None


@pytest.mark.filterwarnings("ignore::UserWarning")  # no label table; ImportSkipWarning
def test_the_hint_of_an_invalid_recording_is_true_when_nothing_else_is_imported(
    tmp_path: Path,
) -> None:
    """review45: "the others in its folder are imported; import it with --skip-existing" was
    said for a single .avi, a one-recording folder and --strict, where nothing is imported."""
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "ball_1", 5, 5, 5)
    (src / "ball_1_forces.pkl").write_bytes(pickle.dumps(np.full(5, np.nan)))
    for where, strict in ((src / "ball_1.avi", False), (src, False), (src, True)):
        with pytest.raises(ImportDataError, match="not a valid grasp") as caught:
            import_reference(where, tmp_path / "out.h5", labels_csv=None, strict=strict)
        assert caught.value.hint == "fix or drop this recording"
    write_recording(src, "ball_2", 5, 5, 5)
    with pytest.raises(ImportDataError, match="not a valid grasp") as caught:
        import_reference(src, tmp_path / "out.h5", labels_csv=None, strict=True)
    assert caught.value.hint == "fix or drop this recording"


def test_a_number_that_is_part_of_the_name_keeps_the_label(tmp_path: Path) -> None:
    """review45: `brass fitting 5` and `squishy-animal-3` (rows `brass_fitting_5`,
    `squishy_animal_3`) were read as trial 5 / 3 of an object with no row: no label. The whole
    stem is the object when only it has a row; the parsed object wins when both have one."""
    table = tmp_path / "labels.csv"
    rows = ["brass_fitting_5,Cylinder,1e11", "squishy_animal_3,Sphere,1.3e4", "ball,Sphere,2e5"]
    table.write_text("\n".join(["Label,Shape,Modulus [Pa]", *rows, "ball_2,Sphere,9e9"]) + "\n")
    labels = read_label_table(table)
    src = tmp_path / "src"
    src.mkdir()
    for stem in ("brass fitting 5", "brass_fitting_5", "squishy-animal-3_2", "ball_2"):
        write_recording(src, stem, 5, 5, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every one labelled
        got = [load_reference_grasp(p, labels=labels).meta for p in sorted(src.glob("*.avi"))]
    assert [(m.object_id, m.extra["trial"], m.label_modulus_pa) for m in got] == [
        ("ball", 2, 2e5),  # the parsed object wins
        ("brass fitting 5", None, 1e11),
        ("brass_fitting_5", None, 1e11),
        ("squishy-animal-3", 2, 1.3e4),
    ]


def test_label_table(label_csv: Path, tmp_path: Path) -> None:
    table = read_label_table(label_csv)
    assert "racquet_ball" not in table  # E = 0 rows are skipped
    assert table["purple_elastic_ball"].radius_mm == pytest.approx(25.0)
    assert table["foam_brick"].shape == "box" and table["golf_ball"].material == "Plastic"
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,E\nx,1\n")
    with pytest.raises(ImportDataError, match="Modulus"):
        read_label_table(bad)
    with pytest.raises(ImportDataError, match="does not exist"):
        read_label_table(tmp_path / "nope.csv")


def test_truncated_real_video(reference_grasps_dir: Path, tmp_path: Path) -> None:
    for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
        data = (reference_grasps_dir / f"golf_ball_1{suffix}").read_bytes()
        (tmp_path / f"golf_ball_1{suffix}").write_bytes(data[:300_000])
    with pytest.raises(ImportDataError, match="differ too much") as info:
        load_reference_grasp(tmp_path / "golf_ball_1.avi")
    assert "truncated" in (info.value.hint or "")


def test_a_few_glitch_samples_beyond_1_kn_are_kept_not_refused(tmp_path: Path) -> None:
    """review43: one dropped decimal point (12.50 -> 1250) is a glitch the estimators despike
    and flag (force_glitches), not forces in mN."""
    avi = write_recording(tmp_path, "sponge_1", 5, 5, 5)
    forces = np.linspace(0.0, 12.0, 5)
    forces[2] = 1250.0
    (tmp_path / "sponge_1_forces.pkl").write_bytes(pickle.dumps(forces))
    assert load_reference_grasp(avi).force_n[2] == 1250.0


def test_the_normalized_lookup_never_overrides_an_alias_or_an_unusable_row(
    label_csv: Path,
) -> None:
    """review44: a user alias whose row is missing, or a row without a usable modulus, keeps
    its warning (no silent label of a case-variant row); several matching rows are named."""
    from tactile.io.labels import LabelRow, LabelTable

    labels = read_label_table(label_csv)
    with pytest.warns(LabelWarning, match="alias 'foam_brick_big' not in the table"):
        assert resolve_label("Foam_Brick", labels, {"Foam_Brick": "foam_brick_big"}) is None
    with pytest.warns(LabelWarning, match="no positive modulus"):
        assert resolve_label("Racquet Ball", labels) is None
    two = LabelTable(
        {"Foam_Brick": LabelRow("Foam_Brick", 1e5), "foam brick": LabelRow("foam brick", 2e5)}
    )
    with pytest.warns(LabelWarning, match="several label rows"):
        assert resolve_label("FOAM-BRICK", two) is None


def test_a_bogus_frame_count_in_the_header_is_not_trusted(tmp_path: Path) -> None:
    """review45: an AVI (not MJPG) whose header claims 2^31-1 frames made the decoder
    preallocate them: MemoryError, the whole import crashed."""
    write_recording(tmp_path, "ball_1", 5, 5, 5)
    avi = tmp_path / "ball_1.avi"
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter.fourcc(*"FFV1"), 30.0, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), (40 + 5 * i, 120, 200), dtype=np.uint8))
    writer.release()
    data = bytearray(avi.read_bytes())
    bogus = (2**31 - 1).to_bytes(4, "little")
    data[48:52] = bogus  # avih: dwTotalFrames
    strh = data.index(b"strh") + 8
    data[strh + 32 : strh + 36] = bogus  # strh: dwLength
    avi.write_bytes(bytes(data))
    with pytest.warns(LabelWarning):
        ids = import_reference(tmp_path, tmp_path / "out.h5")
    assert ids == ["ball_1"] and GraspReader(tmp_path / "out.h5").read("ball_1").n_frames == 5


def test_decoding_holds_the_frames_once(tmp_path: Path) -> None:
    """newuser40: import held every decoded frame twice (a list of frames, then np.stack):
    5.65 GB for a 3085-frame recording. The frames are decoded into one array."""
    import tracemalloc

    from tactile.io.reference import read_video_jpegs

    avi = tmp_path / "big_1.avi"
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (320, 240))
    for i in range(30):
        writer.write(np.full((240, 320, 3), (i, 100, 200), dtype=np.uint8))
    writer.release()
    tracemalloc.start()
    try:
        frames, _, jpegs = read_video_jpegs(avi)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames.shape == (30, 240, 320, 3) and jpegs is not None
    overhead = peak - frames.nbytes  # the AVI's bytes, one decoded frame in flight, ...
    assert overhead < 0.3 * frames.nbytes, (peak, frames.nbytes)
    # storing the camera's JPEG bytes (the default) needs no pixels: each frame is decoded,
    # checked and dropped
    for stem, top in (("big_1", 9.0), ("big_2", 9.5)):  # two recordings, not one copied
        (tmp_path / f"{stem}_forces.pkl").write_bytes(pickle.dumps(np.linspace(0.0, top, 30)))
        (tmp_path / f"{stem}_widths.pkl").write_bytes(pickle.dumps(np.full(30, 0.05)))
    (tmp_path / "big_2.avi").write_bytes(avi.read_bytes())
    tracemalloc.start()
    try:
        with pytest.warns(LabelWarning):
            ids = import_reference(tmp_path, tmp_path / "out.h5", compression=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ids == ["big_1", "big_2"]
    assert peak < 0.3 * frames.nbytes, (peak, frames.nbytes)
    with GraspReader(tmp_path / "out.h5") as reader:
        assert reader.read("big_2").frames.tobytes() == frames.tobytes()


def test_a_decomposed_unicode_name_finds_its_label(tmp_path: Path) -> None:
    """newuser41: macOS writes file names in NFD; the table's NFC row was not found."""
    import unicodedata

    from tactile.io.labels import read_label_table

    table = tmp_path / "labels.csv"
    table.write_text("Label,Modulus [Pa]\nÄpfel,1e6\ncrème brûlée,2e4\n", encoding="utf-8")
    labels = read_label_table(table)
    for name, modulus in (("Äpfel", 1e6), ("crème brûlée", 2e4)):
        decomposed = unicodedata.normalize("NFD", name)
        assert decomposed != name
        row = resolve_label(decomposed, labels)
        assert row is not None and row.modulus_pa == modulus


def test_iter_grasps_lists_pickles_without_their_avi_as_failing(tmp_path: Path) -> None:
    """newuser41: `tactile estimate FOLDER` dropped a recording whose .avi was missing."""
    write_recording(tmp_path, "ball_1", 6, 6, 6)
    write_recording(tmp_path, "ball_2", 6, 6, 6)
    (tmp_path / "ball_2.avi").unlink()
    loads = dict(iter_grasps(tmp_path))
    assert list(loads) == ["ball_1", "ball_2"]
    assert loads["ball_1"]().grasp_id == "ball_1"
    with pytest.raises(ImportDataError, match=r"ball_2\.avi missing"):
        loads["ball_2"]()


def test_a_decomposed_file_name_is_the_same_object(tmp_path: Path) -> None:
    """newuser41: a macOS (NFD) file name was stored as another object than the same name in
    NFC, splitting the per-object metrics."""
    import unicodedata

    from tactile.io.reference import load_reference_grasp

    nfc, nfd = "Äpfel_1", unicodedata.normalize("NFD", "Äpfel_2")
    for stem in (nfc, nfd):
        write_recording(tmp_path, stem, 6, 6, 6)
    objects = {load_reference_grasp(tmp_path / f"{s}.avi").meta.object_id for s in (nfc, nfd)}
    assert objects == {"Äpfel"}
