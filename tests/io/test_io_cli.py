"""``tactile import`` and ``tactile inspect`` through the real dispatcher."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from io_helpers import make_grasp, write_recording

from tactile.cli.main import main
from tactile.io import GraspReader, GraspWriter
from tactile.types import Grasp, GraspMetadata


@pytest.fixture(scope="module")
def imported(reference_grasps_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("cli") / "ref.h5"
    labels = reference_grasps_dir.parent / "objects_and_compliance.csv"
    for name in ("golf_ball_3.avi", "purple_ball_hardest_2.avi"):
        argv = ["import", str(reference_grasps_dir / name), str(dest), "--labels", str(labels)]
        assert main([*argv, "--compression", "none", "--append"]) == 0
    return dest


def test_import_prints_what_it_imported(
    reference_grasps_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "one"
    src = reference_grasps_dir / "foam_brick_3.avi"
    assert main(["import", str(src), str(dest), "--compression", "none"]) == 0
    out, err = capsys.readouterr()
    assert "imported 1 grasp(s)" in out and "foam_brick_3" in out and "none" in out
    assert "warning: no label table given" in err
    # importing again refuses the existing dataset with one line and exit code 2 ...
    assert main(["import", str(src), str(dest)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "already exists" in lines[0] and "--append" in lines[0]
    # ... and, appending, the duplicate grasp
    assert main(["import", str(src), str(dest), "--append"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "already in" in lines[0] and "fix:" in lines[0]
    # ... unless asked to resume
    assert main(["import", str(src), str(dest), "--skip-existing", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == []


def test_import_json(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(imported), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["schema_version"] == 2 and payload["n_grasps"] == 2
    golf, purple = payload["grasps"]
    assert golf["grasp_id"] == "golf_ball_3" and golf["label_modulus_pa"] == 8.5e8
    assert purple["label_modulus_pa"] == 2.04e5 and purple["radius_mm"] == 25.0
    assert golf["frame_shape"] == [480, 640, 3] and golf["calibration_id"] == "wedge-reference-v4"


def test_inspect_text(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(imported)]) == 0
    out = capsys.readouterr().out
    assert "schema 2, 2 grasp(s)" in out
    assert "golf_ball_3" in out and "850 MPa" in out and "480x640" in out
    assert "reference-import / wedge-reference-v4" in out


def test_inspect_one_grasp(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(imported), "--grasp", "purple_ball_hardest_2"]) == 0
    out = capsys.readouterr().out
    assert "purple_ball_hardest" in out and "purple_elastic_ball" in out
    assert main(["inspect", str(imported), "--grasp", "purple_ball_hardest_2", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["metadata"]["extra"]["timing"] == "nominal"
    assert payload["grasp"]["n_frames"] == 58


def test_inspect_one_grasp_shows_the_imprints_geometry(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11: the geometry inferred from the grasp (shape class, pad fill, patch) appears in
    `tactile inspect`, the same reading as the blind estimate's details."""
    for gid in ("purple_ball_hardest_2", "golf_ball_3"):
        assert main(["inspect", str(imported), "--grasp", gid, "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        geo = payload["geometry_imprint"]
        assert payload["geometry_imprint_unavailable"] is None
        assert geo["shape_class"] in ("sphere", "cylinder", "flat", "irregular", "unknown")
        assert 0.0 < geo["pad_fill_peak"] <= 1.0 and geo["evidence"]
        # radius_mm = size/2 also where blind widened the touch for a bound (docs40 F2)
        assert geo["radius_mm"] == pytest.approx(max(geo["size_mm"], 1.0) / 2.0)
        assert (
            main(["estimate", str(imported), "--grasp", gid, "--estimator", "blind", "--json"]) == 0
        )
        est = json.loads(capsys.readouterr().out.splitlines()[0])
        assert geo == json.loads(json.dumps(est["details"]["geometry"]))
        assert main(["inspect", str(imported), "--grasp", gid]) == 0
        out = capsys.readouterr().out
        line = next(x for x in out.splitlines() if "geometry (imprint)" in x)
        assert f"shape {geo['shape_class']}" in line and "pad fill" in line
        assert f"size {geo['size_mm']:.1f}" in line
        assert "geometry (grasp)" not in out  # the uncorrected reading only as a fallback


def test_inspect_reads_the_size_through_a_force_glitch(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs40: one glitched force sample (a -70 N spike) does not move the force-and-width
    size: the force is despiked as blind's features despike it."""
    import shutil

    import h5py

    assert main(["inspect", str(imported), "--grasp", "purple_ball_hardest_2", "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)["geometry"]
    glitched = tmp_path / "glitch.h5"
    shutil.copy(imported, glitched)
    with h5py.File(glitched, "a") as f:
        force = f["grasps/purple_ball_hardest_2/force_n"]
        force[20] = -70.0
    assert main(["inspect", str(glitched), "--grasp", "purple_ball_hardest_2", "--json"]) == 0
    geo = json.loads(capsys.readouterr().out)["geometry"]
    assert geo["size_mm"] == pytest.approx(clean["size_mm"], abs=0.05)


def test_a_force_offset_is_taken_off_in_inspect_and_shown_in_the_estimate(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review46 M2/M3: a gauge reading +2 N at rest (purple_ball_hardest_2 of ref_0612 shows a
    rest) gives the geometry of the zeroed force in `tactile inspect`, and the estimate's
    ``details`` say what was taken off (absent where nothing was)."""
    import shutil

    import h5py

    gid = "purple_ball_hardest_2"
    assert main(["inspect", str(imported), "--grasp", gid, "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)["geometry"]
    offset = tmp_path / "offset.h5"
    shutil.copy(imported, offset)
    with h5py.File(offset, "a") as f:
        force = f[f"grasps/{gid}/force_n"]
        force[...] = force[...] + 2.0
    assert main(["inspect", str(offset), "--grasp", gid, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    geo = shown["geometry"]
    # review47: inspect says what it took off
    assert shown["force_zero"]["offset_taken_off_n"] == pytest.approx(2.0, abs=0.1)
    assert main(["inspect", str(offset), "--grasp", gid]) == 0
    assert "taken off every sample" in capsys.readouterr().out
    assert geo["size_mm"] == pytest.approx(clean["size_mm"], abs=0.05)
    assert geo["starts_in_contact"] == clean["starts_in_contact"]
    for path, expected in ((imported, None), (offset, 2.0)):
        argv = ["estimate", str(path), "--grasp", gid, "--estimator", "hertz", "--json"]
        assert main(argv) == 0
        details = json.loads(capsys.readouterr().out.splitlines()[0])["details"]
        if expected is None:
            assert "force_offset_n" not in details
        else:
            assert details["force_offset_n"] == pytest.approx(expected, abs=0.1)
            assert "taken off every sample" in details["force_zero_note"]


def _still_camera_squeeze(tmp_path: Path, gid: str, force_n: np.ndarray) -> Path:
    """A grasp file of one squeeze (the gripper closes from 50 mm) whose camera never changes
    (a constant grey frame: a frozen stream) with the given force trace."""
    ramp = np.arange(force_n.size, dtype=np.float64)
    grasp = Grasp(
        grasp_id=gid,
        frames=np.full((force_n.size, 96, 128, 3), 128, dtype=np.uint8),
        t_s=ramp * 0.033,
        force_n=force_n,
        width_mm=50.0 - np.clip((ramp - 8.0) * 0.3, 0.0, None),
        meta=GraspMetadata(object_id="o", source="test", calibration_id="sim-wedge-v1"),
    )
    path = tmp_path / f"{gid}.h5"
    with GraspWriter(path) as writer:
        writer.append(grasp)
    return path


def test_inspect_one_grasp_says_why_the_imprint_was_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A squeeze whose camera never changed (a frozen stream): force and width still give the
    size; the imprint's line says why it was not read instead of failing the command."""
    ramp = np.arange(40, dtype=np.float64)
    path = _still_camera_squeeze(tmp_path, "frozen", np.clip((ramp - 10.0) * 0.5, 0.0, None))
    assert main(["inspect", str(path), "--grasp", "frozen", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["geometry"]["size_mm"] > 40.0
    assert payload["geometry_imprint"] is None
    assert "frozen" in payload["geometry_imprint_unavailable"]
    assert main(["inspect", str(path), "--grasp", "frozen"]) == 0
    out = capsys.readouterr().out
    assert "geometry (imprint)   not read: " in out and "did not see the contact" in out
    assert "geometry (grasp)     size " in out  # force and width still give the size


def test_inspect_one_grasp_says_why_when_the_force_never_rose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review40: a squeeze whose force never rose (a missed object, a disconnected force sensor)
    has no force-and-width geometry; the imprint's line still says why it was not read."""
    path = _still_camera_squeeze(tmp_path, "missed", np.full(40, 0.05))
    assert main(["inspect", str(path), "--grasp", "missed", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["geometry"] is None and payload["geometry_imprint"] is None
    assert "no contact" in payload["geometry_imprint_unavailable"]
    assert main(["inspect", str(path), "--grasp", "missed"]) == 0
    assert "geometry (imprint)   not read: no contact" in capsys.readouterr().out


def test_inspect_unknown_grasp_and_corrupt_file(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(imported), "--grasp", "nope"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "golf_ball_3" in lines[0]
    bad = tmp_path / "bad.h5"
    bad.write_bytes(imported.read_bytes()[:5000])
    assert main(["inspect", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("tactile inspect: error:") and "truncated" in err


def test_inspect_shows_pending_grasps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "live.h5"
    writer = GraspWriter(path)
    writer.append(make_grasp(0))
    assert main(["inspect", str(path)]) == 0
    assert "not yet consolidated" in capsys.readouterr().out
    writer.close()
    assert main(["inspect", str(path)]) == 0
    assert "not yet consolidated" not in capsys.readouterr().out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("flag", ["--append", "--overwrite"])
def test_a_failed_import_leaves_the_dataset_as_it_was(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, src = tmp_path / "first", tmp_path / "src"
    first.mkdir()
    src.mkdir()
    write_recording(first, "old_ball_1", 4, 4, 4)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dest = out_dir / "data.h5"
    assert main(["import", str(first), str(dest)]) == 0
    before = _snapshot(out_dir)
    write_recording(src, "new_ball_1", 4, 4, 4)  # fine, imported first ...
    write_recording(src, "new_ball_2", 4, 4, 4)
    (src / "new_ball_2.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI junk")  # ... then this fails
    assert main(["import", str(src), str(dest), flag, "--strict"]) == 2
    assert "new_ball_2" in capsys.readouterr().err
    assert _snapshot(out_dir) == before  # no half-appended file, no pending or temporary files
    assert GraspReader(dest).ids() == ["old_ball_1"]


@pytest.mark.parametrize("flag", ["new", "--append", "--overwrite"])
def test_an_invalid_recording_is_skipped_and_the_others_imported(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser40: one truncated AVI cost a whole folder (all or nothing)."""
    src, dest = tmp_path / "src", tmp_path / "out" / "data.h5"
    src.mkdir()
    if flag != "new":
        first = tmp_path / "first"
        first.mkdir()
        write_recording(first, "old_ball_1", 4, 4, 4)
        assert main(["import", str(first), str(dest)]) == 0
    for stem in ("ball_1", "ball_2", "ball_3", "ball_4", "ball_5"):
        write_recording(src, stem, 6, 6, 6)
    (src / "ball_2.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI junk")  # unreadable
    write_recording(src, "ball_3", 3, 6, 6)  # truncated AVI: streams differ by 3 frames
    (src / "ball_5_widths.pkl").unlink()  # a pickle missing
    argv = ["import", str(src), str(dest)] + ([flag] if flag != "new" else [])
    capsys.readouterr()
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "tactile import: skipped ball_2.avi:" in err and "damaged" in err
    assert "tactile import: skipped ball_3.avi: reference grasp 'ball_3': stream lengths" in err
    assert "tactile import: skipped ball_5.avi:" in err and "missing ball_5_widths.pkl" in err
    assert "imported 2 grasp(s)" in out
    assert "skipped 3 recording(s) (why: above): ball_2.avi, ball_3.avi, ball_5.avi" in out
    kept = ["old_ball_1"] if flag == "--append" else []
    assert GraspReader(dest).ids() == [*kept, "ball_1", "ball_4"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["data.h5"]  # nothing half-written
    assert main([*argv[:3], "--skip-existing", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == []
    assert [s["file"] for s in report["skipped"]] == ["ball_2.avi", "ball_3.avi", "ball_5.avi"]


def test_a_folder_of_only_invalid_recordings_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "ball_1", 3, 6, 6)
    write_recording(src, "ball_2", 6, 6, 6)
    (src / "ball_2_forces.pkl").unlink()
    dest = tmp_path / "out.h5"
    assert main(["import", str(src), str(dest)]) == 2
    err = capsys.readouterr().err
    assert "none of the 2 recordings" in err
    assert "skipped ball_1.avi" in err and "skipped ball_2.avi" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_import_says_what_it_repaired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_recording(tmp_path, "short_ball_1", n_video=10, n_force=8, n_width=8)
    assert main(["import", str(tmp_path / "short_ball_1.avi"), str(tmp_path / "o.h5")]) == 0
    err = capsys.readouterr().err
    assert "warning: reference grasp 'short_ball_1' repaired: truncated video from 10 to 8" in err


def _labels(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(["Label,Shape,Modulus [Pa]", *rows]) + "\n")
    return path


def test_label_table_conflicts_and_typos_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_recording(tmp_path, "ball_1", 4, 4, 4)
    avi, dest = tmp_path / "ball_1.avi", tmp_path / "out.h5"
    conflict = _labels(tmp_path, "ball,Sphere,1e5", "cube,Box,2e6", "ball,Sphere,3e5")
    assert main(["import", str(avi), str(dest), "--labels", str(conflict)]) == 2
    err = capsys.readouterr().err
    assert "'ball' is listed twice with different moduli" in err and "line 2" in err
    assert "line 4" in err and not dest.exists()
    comma = _labels(tmp_path, "cube,Box,2e6", 'ball,Sphere,"1,5e5"')  # a decimal comma
    assert main(["import", str(avi), str(dest), "--labels", str(comma)]) == 2
    err = capsys.readouterr().err
    assert "line 3 ('ball'): column 'Modulus [Pa]' holds '1,5e5', not a number" in err
    assert "no row" not in err
    text = _labels(tmp_path, "ball,Sphere,soft")
    assert main(["import", str(avi), str(dest), "--labels", str(text)]) == 2
    err = capsys.readouterr().err
    assert "line 2 ('ball'): column 'Modulus [Pa]' holds 'soft', not a number" in err
    same = _labels(tmp_path, "ball,Sphere,1e5", "ball,Sphere,1.0e5", "cube,Box,")
    assert main(["import", str(avi), str(dest), "--labels", str(same), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"][0]["label_modulus_pa"] == 1e5


def test_inspect_reports_nan_forces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import h5py

    path = tmp_path / "nan.h5"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(0))
    with h5py.File(path, "a") as f:  # written by another tool, or damaged
        force = f["grasps/g000/force_n"]
        force[3:5] = np.nan
    assert main(["inspect", str(path)]) == 1
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if line.startswith("g000"))
    assert "nan" not in row  # the range of the finite samples, and a warning below
    assert "grasp g000: force_n has 2 non-finite (NaN/inf) sample(s), first at frame 3" in err
    assert main(["inspect", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["grasps"][0]["problems"]


def test_skip_existing_skips_only_the_same_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser40: --skip-existing dropped a different recording with the same grasp id (the
    same name recorded on another day) silently."""
    day1, day2, dest = tmp_path / "day1", tmp_path / "day2", tmp_path / "out.h5"
    day1.mkdir()
    day2.mkdir()
    write_recording(day1, "ball_1", 6, 6, 6)
    assert main(["import", str(day1), str(dest)]) == 0
    capsys.readouterr()
    assert main(["import", str(day1), str(dest), "--skip-existing"]) == 0  # the same: skipped
    assert "imported 0 grasp(s)" in capsys.readouterr().out
    write_recording(day2, "ball_1", 6, 6, 6, width_m=0.06)  # another recording, same name
    write_recording(day2, "ball_2", 6, 6, 6, width_m=0.045)  # (not day 1's files renamed)
    assert main(["import", str(day2), str(dest), "--skip-existing"]) == 1
    out, err = capsys.readouterr()
    assert f"skipped ball_1.avi: {day2 / 'ball_1.avi'}: its files differ from those imported" in err
    assert "as grasp 'ball_1' in" in err and "a corrected re-export, or another recording" in err
    assert "a corrected copy of that recording: re-import the folder with --overwrite" in err
    assert "another recording: rename its three files" in err
    assert "imported 1 grasp(s)" in out and "ball_2" in out
    assert GraspReader(dest).ids() == ["ball_1", "ball_2"]
    np.testing.assert_allclose(GraspReader(dest).read("ball_1").width_mm, 50.0)  # day 1's
    write_recording(day2, "ball_3", 6, 6, 6)
    assert main(["import", str(day2), str(dest), "--skip-existing", "--strict"]) == 2
    assert "its files differ from those imported" in capsys.readouterr().err
    assert GraspReader(dest).ids() == ["ball_1", "ball_2"]  # strict: nothing written


def test_a_conflicting_recording_is_not_an_invalid_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: a folder whose one new-looking recording conflicted with DEST exited 2 ("no
    recording is valid"): it is valid, only not imported (exit 1)."""
    day1, day2, dest = tmp_path / "day1", tmp_path / "day2", tmp_path / "out.h5"
    day1.mkdir()
    day2.mkdir()
    write_recording(day1, "ball_1", 6, 6, 6)
    write_recording(day1, "ball_2", 6, 6, 6)
    assert main(["import", str(day1), str(dest)]) == 0
    write_recording(day2, "ball_1", 6, 5, 6)  # a corrected re-export: one force sample fewer
    assert main(["import", str(day2), str(dest), "--skip-existing"]) == 1
    out, err = capsys.readouterr()
    assert "skipped ball_1.avi:" in err and "its files differ" in err
    assert "none of" not in err and "imported 0 grasp(s)" in out
    (day1 / "ball_1.avi").unlink()
    for name in ("ball_1.avi", "ball_1_forces.pkl", "ball_1_widths.pkl"):
        (day1 / name).write_bytes((day2 / name).read_bytes())
    # one unchanged (ball_2) and one conflicting recording
    assert main(["import", str(day1), str(dest), "--skip-existing"]) == 1
    assert "its files differ" in capsys.readouterr().err
    assert GraspReader(dest).ids() == ["ball_1", "ball_2"]


def test_skip_existing_skips_a_recording_imported_under_another_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: --skip-existing imported the same recording again when its files had been
    copied under another name (into DEST, or twice in SRC)."""
    day1, day2, dest = tmp_path / "day1", tmp_path / "day2", tmp_path / "out.h5"
    day1.mkdir()
    day2.mkdir()
    write_recording(day1, "ball_1", 6, 6, 6)
    assert main(["import", str(day1), str(dest)]) == 0
    for old, new in (("ball_1", "ball_7"), ("ball_1", "ball_1")):  # a renamed copy, and itself
        for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
            (day2 / f"{new}{suffix}").write_bytes((day1 / f"{old}{suffix}").read_bytes())
    write_recording(day2, "ball_8", 6, 6, 6, width_m=0.04)
    for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
        (day2 / f"ball_9{suffix}").write_bytes((day2 / f"ball_8{suffix}").read_bytes())
    capsys.readouterr()
    assert main(["import", str(day2), str(dest), "--skip-existing"]) == 1
    out, err = capsys.readouterr()
    assert f"skipped ball_7.avi: {day2 / 'ball_7.avi'} is the recording imported as grasp " in err
    assert "'ball_1' in" in err and "the same files under another name" in err
    assert f"skipped ball_9.avi: {day2 / 'ball_9.avi'} and ball_8.avi of this folder" in err
    assert "skipped ball_1.avi" not in err  # the same recording under its own id: quietly
    assert "imported 1 grasp(s)" in out
    assert GraspReader(dest).ids() == ["ball_1", "ball_8"]


def _copy_recording(src: Path, old: str, dst: Path, new: str) -> None:
    for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
        (dst / f"{new}{suffix}").write_bytes((src / f"{old}{suffix}").read_bytes())


def test_append_and_overwrite_skip_a_renamed_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: --append (and --overwrite, and a new DEST) imported a renamed copy of a
    recording already in DEST, or twice in SRC, as another grasp: one squeeze counted twice."""
    day1, day2, dest = tmp_path / "day1", tmp_path / "day2", tmp_path / "out.h5"
    day1.mkdir()
    day2.mkdir()
    write_recording(day1, "ball_1", 6, 6, 6)
    _copy_recording(day1, "ball_1", day1, "ball_5")  # a copy in the same folder
    assert main(["import", str(day1), str(dest)]) == 1
    out, err = capsys.readouterr()
    assert f"skipped ball_5.avi: {day1 / 'ball_5.avi'} and ball_1.avi of this folder" in err
    assert "--keep-duplicates" in err and "skipped 1 recording(s)" in out
    assert GraspReader(dest).ids() == ["ball_1"]
    _copy_recording(day1, "ball_1", day2, "ball_7")  # renamed copy of a grasp in DEST
    write_recording(day2, "ball_8", 6, 6, 6, width_m=0.04)
    assert main(["import", str(day2), str(dest), "--append"]) == 1
    err = capsys.readouterr().err
    assert f"skipped ball_7.avi: {day2 / 'ball_7.avi'} is the recording imported as grasp " in err
    assert "'ball_1' in" in err and "the same files under another name" in err
    assert GraspReader(dest).ids() == ["ball_1", "ball_8"]
    # --overwrite replaces DEST: only the folder's own copies are duplicates
    assert main(["import", str(day1), str(dest), "--overwrite"]) == 1
    assert "and ball_1.avi of this folder" in capsys.readouterr().err
    assert GraspReader(dest).ids() == ["ball_1"]
    assert main(["import", str(day1), str(dest), "--overwrite", "--keep-duplicates"]) == 0
    assert GraspReader(dest).ids() == ["ball_1", "ball_5"]
    assert main(["import", str(day2), str(dest), "--append", "--keep-duplicates"]) == 0
    assert GraspReader(dest).ids() == ["ball_1", "ball_5", "ball_7", "ball_8"]


def test_the_original_is_imported_not_its_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review49: of a recording and its copy in one folder, the name that sorted first was
    imported ("Copy of golf_ball_1", an object without a label), the labelled original skipped
    with an ambiguous "delete the copy"."""
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    write_recording(src, "golf_ball_1", 6, 6, 6)
    write_recording(src, "golf_ball_2", 6, 6, 6)
    _copy_recording(src, "golf_ball_1", src, "Copy of golf_ball_1")
    _copy_recording(src, "golf_ball_2", src, "golf_ball_2 copy")
    labels = _labels(tmp_path, "golf_ball,Sphere,8.5e8")
    assert main(["import", str(src), str(dest), "--labels", str(labels)]) == 1
    err = capsys.readouterr().err
    reader = GraspReader(dest)
    assert reader.ids() == ["golf_ball_1", "golf_ball_2"]
    assert all(reader.metadata(g).label_modulus_pa == 8.5e8 for g in reader.ids())
    assert (
        f"{src / 'Copy of golf_ball_1.avi'} and golf_ball_1.avi of this folder are the same "
        "files under two names: golf_ball_1.avi is imported (as grasp 'golf_ball_1'), "
        "Copy of golf_ball_1.avi is not" in err
    )
    assert "delete Copy of golf_ball_1.avi, the copy" in err
    assert "delete golf_ball_2 copy.avi, the copy" in err
    # the hint's recovery: delete the copies and rerun; nothing is left to import
    for stem in ("Copy of golf_ball_1", "golf_ball_2 copy"):
        for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
            (src / f"{stem}{suffix}").unlink()
    assert main(["import", str(src), str(dest), "--skip-existing"]) == 0
    assert GraspReader(dest).ids() == ["golf_ball_1", "golf_ball_2"]
    # without a label table: the name with a trial number, then the shorter name
    _copy_recording(src, "golf_ball_1", src, "Copy of golf_ball_1")
    _copy_recording(src, "golf_ball_2", src, "golf_ball_2 copy")
    assert main(["import", str(src), str(dest), "--overwrite"]) == 1
    assert GraspReader(dest).ids() == ["golf_ball_1", "golf_ball_2"]
    # a DEST holding the copy's name (so imported before review49): the original's hint
    # says how to put it right, and that works
    old, copy = tmp_path / "old.h5", tmp_path / "copy"
    copy.mkdir()
    _copy_recording(src, "Copy of golf_ball_1", copy, "Copy of golf_ball_1")
    assert main(["import", str(copy), str(old)]) == 0
    for suffix in (".avi", "_forces.pkl", "_widths.pkl"):
        (src / f"Copy of golf_ball_1{suffix}").unlink()
    capsys.readouterr()
    assert main(["import", str(src), str(old), "--skip-existing"]) == 1
    err = capsys.readouterr().err
    assert "if golf_ball_1.avi is a copy, delete it; if it is the original" in err
    assert "import the folder again with --overwrite" in err
    assert main(["import", str(src), str(old), "--overwrite"]) == 1  # golf_ball_2 copy
    assert GraspReader(old).ids() == ["golf_ball_1", "golf_ball_2"]


def test_the_summary_of_invalid_and_duplicate_skips_tells_each_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review49: invalid and duplicate recordings skipped together were all told to be fixed
    and added with --skip-existing, which does not fit a copy."""
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "ball_1", 6, 6, 6)
    write_recording(src, "ball_2", 6, 6, 6)
    (src / "ball_2_widths.pkl").unlink()  # invalid
    _copy_recording(src, "ball_1", src, "ball_5")  # a duplicate
    assert main(["import", str(src), str(tmp_path / "out.h5")]) == 1
    out = capsys.readouterr().out
    assert (
        "skipped 2 recording(s) (why: above): ball_2.avi, ball_5.avi; fix the invalid ones "
        "(ball_2.avi) as each says and rerun with --skip-existing to add them; each other one "
        "is in DEST or SRC already" in out
    )


def test_import_table_aligns_wide_object_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: a CJK object name (2 terminal columns a character) pushed its row's frames
    and label columns right of the other rows'."""
    import unicodedata

    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "ball_1", 6, 6, 6)
    write_recording(src, "苹果_1", 6, 6, 6)
    assert main(["import", str(src), str(tmp_path / "out.h5")]) == 0
    rows = capsys.readouterr().out.splitlines()[2:4]

    def column(line: str) -> int:  # where the frames column ends, in terminal columns
        cut = line.index(" 6  none") + 2
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:cut])

    assert "苹果" in rows[1] and column(rows[0]) == column(rows[1])


def test_inspect_grasp_takes_the_recordings_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: `inspect --grasp "golf ball 2"` (the recording's name as the user knows it)
    did not find the grasp imported as golf-ball-2; a name of several grasps or none lists ids."""
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    for stem in ("golf ball 2", "ball_1", "Ball-1"):
        write_recording(src, stem, 6, 6, 6)
    assert main(["import", str(src), str(dest)]) == 0
    capsys.readouterr()
    for name in ("golf ball 2", "golf ball 2.avi", "Golf_Ball_2", "golf-ball-2"):
        assert main(["inspect", str(dest), "--grasp", name, "--json"]) == 0, name
        assert json.loads(capsys.readouterr().out)["grasp"]["grasp_id"] == "golf-ball-2"
    assert main(["inspect", str(dest), "--grasp", "ball 1"]) == 2  # ball_1 and Ball-1
    assert "'ball 1' names 2 grasps in" in capsys.readouterr().err
    assert main(["inspect", str(dest), "--grasp", "golf ball 3"]) == 2
    err = capsys.readouterr().err
    assert "no grasp 'golf ball 3' in" in err and "closest: golf-ball-2" in err


def test_inspect_grasp_prefers_an_exact_name_and_lists_distinct_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review49: "Golf Ball 1" (the recording of grasp Golf-Ball-1) was called ambiguous with
    golf_ball_1; suggestions listed one id twice and dropped the other of its loose name."""
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    for stem in ("golf_ball_1", "Golf Ball 1"):
        write_recording(src, stem, 6, 6, 6)
    assert main(["import", str(src), str(dest)]) == 0
    capsys.readouterr()
    for name, gid in (("Golf Ball 1", "Golf-Ball-1"), ("Golf Ball 1.avi", "Golf-Ball-1")):
        assert main(["inspect", str(dest), "--grasp", name, "--json"]) == 0, name
        assert json.loads(capsys.readouterr().out)["grasp"]["grasp_id"] == gid
    assert main(["inspect", str(dest), "--grasp", "golf ball 1"]) == 2  # loose: both
    assert "'golf ball 1' names 2 grasps in" in capsys.readouterr().err
    assert main(["inspect", str(dest), "--grasp", "golf ball 9"]) == 2
    err = capsys.readouterr().err
    assert "closest: Golf-Ball-1, golf_ball_1 (fix" in err


def test_estimate_folder_reports_an_id_clash_as_two_failures(
    reference_grasps_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: `tactile estimate FOLDER` stopped on two recordings meeting on one grasp id
    (`tactile import` skips the two); both are reported failed, the others estimated.
    review49: their rows named the file as the object, and came after the others."""
    src = tmp_path / "src"
    src.mkdir()
    _copy_recording(reference_grasps_dir, "golf_ball_3", src, "golf_ball_3")  # estimable
    for stem in ("ball 2", "ball-2"):
        write_recording(src, stem, 6, 6, 6)
    assert main(["estimate", str(src), "--json"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["grasp_id"] for r in rows] == ["ball 2.avi", "ball-2.avi", "golf_ball_3"]
    assert [r["object_id"] for r in rows] == ["ball", "ball", "golf_ball"]
    for r in rows[:2]:
        assert "ball 2.avi and ball-2.avi both become grasp id 'ball-2'" in r["error"]
        assert "rename one of the recordings" in r["error"]
    assert rows[2]["error"] is None  # estimated on its own
    assert main(["estimate", str(src)]) == 1
    assert "1 estimated, 2 failed" in capsys.readouterr().out


def test_estimate_folder_reads_one_squeeze_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review49: `estimate`/`evaluate FOLDER` scored the same files under two names as two
    grasps; the copy fails naming the recording read (the one `tactile import` keeps)."""
    src = tmp_path / "src"
    src.mkdir()
    write_recording(src, "golf_ball_1", 6, 6, 6)
    _copy_recording(src, "golf_ball_1", src, "Copy of golf_ball_1")
    assert main(["estimate", str(src), "--json"]) == 1
    rows = {r["grasp_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {"Copy-of-golf_ball_1", "golf_ball_1"}
    error = rows["Copy-of-golf_ball_1"]["error"]
    assert "and golf_ball_1.avi of this folder are the same files under two names" in error
    assert "golf_ball_1.avi is estimated (as grasp 'golf_ball_1')" in error
    assert "delete Copy of golf_ball_1.avi, the copy" in error
    assert "same files" not in (rows["golf_ball_1"]["error"] or "")


def test_pickles_without_their_avi_are_reported_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: recordings whose .avi was missing (or another video type) were dropped by a
    folder import without a word (exit 0)."""
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    write_recording(src, "ball_1", 6, 6, 6)
    write_recording(src, "ball_2", 6, 6, 6)
    write_recording(src, "ball_3", 6, 6, 6)
    (src / "ball_2.avi").unlink()
    (src / "ball_3.avi").rename(src / "ball_3.mp4")
    (src / "._ball_4_forces.pkl").write_bytes(b"")  # a macOS resource file: not a recording
    assert main(["import", str(src), str(dest)]) == 1
    out, err = capsys.readouterr()
    assert "skipped ball_2.avi: reference grasp 'ball_2' in" in err
    assert "ball_2.avi missing (ball_2_forces.pkl and ball_2_widths.pkl without it)" in err
    assert "ball_3.avi missing" in err and "ball_3.mp4 beside them is not read" in err
    assert "convert ball_3.mp4 to an MJPG AVI named ball_3.avi" in err
    assert "ball_4" not in err
    assert "skipped 2 recording(s) (why: above): ball_2.avi, ball_3.avi" in out
    assert GraspReader(dest).ids() == ["ball_1"]
    # the hint's other way: the file on its own
    assert main(["import", str(src / "ball_3.mp4"), str(dest), "--append"]) == 0
    assert GraspReader(dest).ids() == ["ball_1", "ball_3"]
    capsys.readouterr()
    (src / "ball_1.avi").unlink()
    (src / "ball_3.mp4").unlink()
    assert main(["import", str(src), str(tmp_path / "o2.h5")]) == 2
    assert "ball_1.avi missing" in capsys.readouterr().err


def test_skip_existing_takes_a_grasp_without_identity_as_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    write_recording(src, "ball_1", 6, 6, 6)
    with GraspWriter(dest) as w:  # as imported before the identity was recorded
        w.append(dataclasses.replace(make_grasp(1), grasp_id="ball_1"))
    assert main(["import", str(src), str(dest), "--skip-existing"]) == 0
    out, err = capsys.readouterr()
    assert "imported 0 grasp(s)" in out
    assert "were imported before tactile recorded each source's identity" in err
    assert "skipped as the same: ball_1" in err
    assert "renamed copies" not in err  # nothing new imported: nothing to say


def test_append_warns_that_copies_of_grasps_without_identity_go_undetected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review49: --append into a DEST imported before identities were recorded imported a
    renamed copy silently, while the docs said --append skips copies."""
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    write_recording(src, "ball_7", 6, 6, 6)
    with GraspWriter(dest) as w:  # as imported before the identity was recorded
        w.append(dataclasses.replace(make_grasp(1), grasp_id="ball_1"))
    assert main(["import", str(src), str(dest), "--append"]) == 0
    err = capsys.readouterr().err
    assert f"1 grasp(s) in {dest} carry no source identity" in err
    assert "renamed copies of them cannot be detected" in err and ": ball_1" in err


def test_sub_folders_with_recordings_are_named_not_ignored_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser40: recordings in sub-folders of FOLDER were ignored without a word."""
    src = tmp_path / "src"
    (src / "day2" / "left").mkdir(parents=True)
    (src / "empty").mkdir()
    write_recording(src, "ball_1", 6, 6, 6)
    write_recording(src / "day2" / "left", "ball_2", 6, 6, 6)
    assert main(["import", str(src), str(tmp_path / "out.h5")]) == 0
    captured = capsys.readouterr()
    assert f"warning: sub-folders of {src} holding .avi recordings are not imported: day2/;" in (
        captured.err
    )
    assert "empty/" not in captured.err
    assert "imported 1 grasp(s)" in captured.out
    (src / "ball_1.avi").unlink()
    assert main(["import", str(src), str(tmp_path / "out2.h5")]) == 2
    err = capsys.readouterr().err
    assert "no .avi recordings in" in err and "(some in its sub-folders: day2/)" in err


def test_names_in_any_script_or_with_spaces_import_with_their_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dest = tmp_path / "src", tmp_path / "out.h5"
    src.mkdir()
    for stem in ("golf ball 2", "苹果_1", "мяч_1"):
        write_recording(src, stem, 6, 6, 6)
    labels = _labels(tmp_path, "golf_ball,Sphere,8.5e8")
    assert main(["import", str(src), str(dest), "--labels", str(labels)]) == 0
    ids = GraspReader(dest).ids()
    assert ids[0] == "golf-ball-2" and ids[1].startswith("u043cu044fu0447-")
    assert ids[2].startswith("u82f9u679c-") and ids[2].endswith("_1")
    meta = GraspReader(dest).metadata("golf-ball-2")
    assert (meta.object_id, meta.extra["trial"], meta.label_modulus_pa) == ("golf ball", 2, 8.5e8)
    assert GraspReader(dest).metadata(ids[2]).object_id == "苹果"


def test_inspect_a_folder_of_recordings_says_to_import_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs41: `tactile inspect FOLDER` of recordings printed "0 grasp(s)" with exit 0."""
    write_recording(tmp_path, "ball_1", 10, 10, 10)
    assert main(["inspect", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "reference recordings" in err and "tactile import" in err and "0 grasp" not in err


def test_inspect_quotes_the_folder_in_its_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: the suggested command broke on a folder name with spaces and brackets."""
    folder = tmp_path / "Day 3 (J)"
    folder.mkdir()
    write_recording(folder, "ball_1", 10, 10, 10)
    assert main(["inspect", str(folder)]) == 2
    assert f"tactile import '{folder}' out.h5" in capsys.readouterr().err


def test_import_of_a_grasp_file_or_a_pickle_says_what_import_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: `tactile import X.h5` asked for X_forces.pkl, `import X_forces.pkl` for
    X_forces_forces.pkl."""
    write_recording(tmp_path, "ball_1", 6, 6, 6)
    (tmp_path / "old.h5").write_bytes(b"")
    for src, fix in (("old.h5", "tactile inspect"), ("ball_1_forces.pkl", "NAME.avi beside it")):
        assert main(["import", str(tmp_path / src), str(tmp_path / "x.h5")]) == 2
        err = capsys.readouterr().err
        assert "is not a recording's video" in err and fix in err and "_forces_forces" not in err
