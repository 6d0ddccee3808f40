"""Breaks found by an independent review of issue 15 (architecture search), kept as expected
failures until fixed (now fixed: the markers are gone, the tests guard the fixes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactile.cli.main import main


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--folds", "20"]])
def test_settings_every_trial_fails_on_are_refused_before_the_first_trial(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: list[str]
) -> None:
    args = ["search", str(sim_file), "--out", str(tmp_path / "o"), "--trials", "2"]
    args += ["--k-frames", "4", "--threads", "1", "--no-plots", "--no-progress", *bad]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert "run more trials" not in err  # the fix is the setting, not more trials
    assert not (tmp_path / "o" / "study.log").exists()  # refused before a study is created
    assert bad[0] in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
