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


@pytest.mark.parametrize(
    ("n_objects", "folds", "ok"),
    [(2, 2, False), (3, 2, False), (3, 3, True), (4, 2, True), (8, 8, True), (8, 9, False)],
)
def test_folds_are_checked_against_the_labelled_objects(
    n_objects: int, folds: int, ok: bool
) -> None:
    # each fold holds out whole objects and trains on >= 2 others (one of them validates)
    from tactile.errors import ConfigError
    from tactile.search.objective import ObjectiveSettings

    settings = ObjectiveSettings(folds=folds)
    if ok:
        settings.check_objects(n_objects)
    else:
        with pytest.raises(ConfigError, match=r"fix: .*(--folds|simulate more objects)"):
            settings.check_objects(n_objects)


def test_search_draws_no_progress_bar_into_a_log(
    sim_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every other long command: a bar on a terminal only (``--progress`` forces one);
    stderr captured here is not a terminal, so a redirected log stays free of bar redraws."""
    args = ["search", str(sim_file), "--out", str(tmp_path / "o"), "--trials", "1"]
    args += ["--k-frames", "4", "--threads", "1", "--no-plots", "--epochs", "1", "--folds", "2"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "%|" not in err and "\r" not in err
