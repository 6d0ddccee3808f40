"""``tactile import`` and ``tactile inspect`` through the real dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from io_helpers import make_grasp

from tactile.cli.main import main
from tactile.io import GraspWriter


@pytest.fixture(scope="module")
def imported(reference_grasps_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("cli") / "ref.h5"
    labels = reference_grasps_dir.parent / "objects_and_compliance.csv"
    for name in ("golf_ball_3.avi", "purple_ball_hardest_2.avi"):
        argv = ["import", str(reference_grasps_dir / name), str(dest), "--labels", str(labels)]
        assert main([*argv, "--compression", "none"]) == 0
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
    # importing again refuses the duplicate with one line and exit code 2 ...
    assert main(["import", str(src), str(dest)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "already in" in lines[0] and "fix:" in lines[0]
    # ... unless asked to resume
    assert main(["import", str(src), str(dest), "--skip-existing", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == []


def test_import_json(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(imported), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["schema_version"] == 1 and payload["n_grasps"] == 2
    golf, purple = payload["grasps"]
    assert golf["grasp_id"] == "golf_ball_3" and golf["label_modulus_pa"] == 8.5e8
    assert purple["label_modulus_pa"] == 2.04e5 and purple["radius_mm"] == 25.0
    assert golf["frame_shape"] == [480, 640, 3] and golf["calibration_id"] == "wedge-reference-v4"


def test_inspect_text(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(imported)]) == 0
    out = capsys.readouterr().out
    assert "schema 1, 2 grasp(s)" in out
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
