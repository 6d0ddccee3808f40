"""No command loses data: existing outputs are refused unless told, failed writes change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tactile.cli.main import main
from tactile.io import GraspReader, GraspWriter
from tactile.types import Grasp, GraspMetadata


def _grasp(i: int) -> Grasp:
    rng = np.random.default_rng(i)
    n = 4
    return Grasp(
        grasp_id=f"kept_{i}",
        frames=rng.integers(0, 256, (n, 24, 32, 3), dtype=np.uint8),
        t_s=np.arange(n) / 30.0,
        force_n=np.linspace(0.0, 5.0, n),
        width_mm=np.linspace(50.0, 45.0, n),
        meta=GraspMetadata(object_id="collected_object", source="collect"),
    )


def _snapshot(path: Path) -> dict[str, bytes]:
    """Every file of a dataset (the file, or a directory's files) and hidden siblings."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    hidden = sorted(p for p in path.parent.iterdir() if p.name.startswith("."))
    return {str(p): p.read_bytes() for p in files} | {str(p): b"" for p in hidden}


@pytest.fixture
def collected(tmp_path: Path) -> Path:
    """A grasp file holding three grasps someone collected."""
    path = tmp_path / "session.h5"
    with GraspWriter(path) as writer:
        for i in range(3):
            writer.append(_grasp(i))
    return path


def test_demo_refuses_to_replace_a_grasp_file(
    collected: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(collected)
    assert main(["demo", "--out", str(collected), "--network", "none"]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err
    assert _snapshot(collected) == before
    assert GraspReader(collected).ids() == ["kept_0", "kept_1", "kept_2"]


SIM = ["--objects", "2", "--grasps", "1", "--workers", "1", "--size", "32x48", "--physics", "clean"]


def test_simulate_refuses_appends_all_or_nothing_and_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sim.h5"
    assert main(["simulate", str(out), *SIM, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["grasp_ids"]
    before = _snapshot(out)
    # an existing file is refused ...
    assert main(["simulate", str(out), *SIM]) == 2
    assert "already exists" in capsys.readouterr().err
    # ... appending the same objects again (same seed) clashes before anything is written
    assert main(["simulate", str(out), *SIM, "--append"]) == 2
    err = capsys.readouterr().err
    assert "already in" in err and "nothing was written" in err
    assert _snapshot(out) == before
    # appending another batch adds it, and the card keeps the first batch's
    assert main(["simulate", str(out), *SIM, "--append", "--seed", "3", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert GraspReader(out).ids() == first + second["grasp_ids"]
    assert len(second["card"]["earlier_batches"]) == 1
    # overwriting replaces it whole
    assert main(["simulate", str(out), *SIM, "--seed", "4", "--overwrite", "--json"]) == 0
    third = json.loads(capsys.readouterr().out)["grasp_ids"]
    assert GraspReader(out).ids() == third
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sim.card.json", "sim.card.md", "sim.h5"]


def test_simulate_rejects_negative_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["simulate", str(tmp_path / "x.h5"), "--workers", "-5"])
    assert exc.value.code == 2
    assert "--workers: -5 is negative" in capsys.readouterr().err
    assert not (tmp_path / "x.h5").exists()


def test_evaluate_refuses_an_existing_plot_before_any_work(
    collected: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "eval.png"
    plot.write_bytes(b"an earlier figure")
    assert main(["evaluate", str(collected), "--plot", str(plot)]) == 2
    err = capsys.readouterr().err
    assert "eval.png already exists" in err and "--overwrite" in err
    assert plot.read_bytes() == b"an earlier figure"


def test_calibrate_refuses_an_existing_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cal.json"
    argv = ["calibrate", "geometry", "--calibration", "wedge-reference-v1", "--id", "mine",
            "--corners", "100", "100", "540", "100", "100", "380", "540", "380",
            "--pad-size-mm", "35", "25.5", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    first = out.read_text()
    out.write_text(first.replace('"mine"', '"edited by hand"'))
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert "edited by hand" in out.read_text()
    assert main([*argv, "--overwrite"]) == 0
    assert out.read_text() == first


def _interrupt_job(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Ctrl-C (KeyboardInterrupt) while simulating grasp number ``after`` (0-based)."""
    import tactile.sim.dataset as dataset

    real = dataset._job
    calls = []

    def job(spec: object) -> object:
        calls.append(spec)
        if len(calls) > after:
            raise KeyboardInterrupt
        return real(spec)

    monkeypatch.setattr(dataset, "_job", job)


def test_an_interrupted_new_simulate_keeps_its_grasps_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: Ctrl-C into a new `simulate big.h5` kept 20 of 600 grasps silently, and the file
    could be neither rerun (already exists) nor appended (id clash)."""
    out = tmp_path / "big.h5"
    argv = ["simulate", str(out), *SIM[:1], "3", *SIM[2:]]  # 3 objects x 1 grasp
    _interrupt_job(monkeypatch, after=2)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err
    assert (
        f"kept 2 of 3 grasps in {out} (incomplete, no dataset card); "
        "rerun with --overwrite to start again"
    ) in err
    assert len(GraspReader(out).ids()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.h5"]  # no card, no leftovers
    monkeypatch.undo()
    assert main([*argv, "--overwrite"]) == 0  # what the note says works
    assert len(GraspReader(out).ids()) == 3


def test_a_new_output_that_ends_without_grasps_is_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "none.h5"
    _interrupt_job(monkeypatch, after=0)
    assert main(["simulate", str(out), *SIM]) == 130
    assert "kept" not in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no empty file blocking the rerun
    monkeypatch.undo()
    assert main(["simulate", str(out), *SIM]) == 0


def test_an_import_refused_for_nan_forces_leaves_nothing_and_says_the_fix_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: the refused import left an empty nan.h5 (the rerun was refused "already
    exists") and printed "(fix: ...)" twice."""
    import pickle

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "io"))
    from io_helpers import write_recording

    src = tmp_path / "rec"
    src.mkdir()
    write_recording(src, "ball_1", 12, 12, 12)
    forces = np.linspace(0.0, 12.0, 12)
    forces[4] = np.nan
    (src / "ball_1_forces.pkl").write_bytes(pickle.dumps(forces))
    dest = tmp_path / "nan.h5"
    assert main(["import", str(src), str(dest)]) == 2
    err = capsys.readouterr().err
    assert "not a valid grasp" in err and "non-finite" in err
    assert err.count("(fix:") == 1
    assert not dest.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["rec"]
    (src / "ball_1_forces.pkl").write_bytes(pickle.dumps(np.linspace(0.0, 12.0, 12)))
    assert main(["import", str(src), str(dest)]) == 0  # the rerun after fixing the data
    assert GraspReader(dest).ids() == ["ball_1"]
