"""A second study with the same --out must not replace the first study's best.json
(newuser42: a worse recipe silently replaced a better one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.errors import ConfigError
from tactile.search.run import check_out_study


def _best(out: Path, study: str | None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    provenance = {"study": study, "trial": 3} if study is not None else {}
    path = out / "best.json"
    path.write_text(json.dumps({"format": "tactile-recipe", "provenance": provenance}) + "\n")
    return path


def test_another_studys_best_json_is_refused_before_any_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    best = _best(tmp_path / "run", "first")
    before = best.read_bytes()
    argv = ["search", "missing.h5", "--out", str(tmp_path / "run"), "--study", "other"]
    assert main([*argv, "--trials", "1"]) == 2
    err = capsys.readouterr().err
    assert "best recipe of study 'first'" in err and "--study first" in err
    assert "its own --out" in err
    assert best.read_bytes() == before


def test_the_same_study_or_an_unnamed_recipe_is_not_refused(tmp_path: Path) -> None:
    check_out_study(tmp_path / "none", "s")  # no best.json
    check_out_study(_best(tmp_path / "same", "s").parent, "s")
    check_out_study(_best(tmp_path / "anon", None).parent, "s")
    with pytest.raises(ConfigError, match="study 'a'"):
        check_out_study(_best(tmp_path / "other", "a").parent, "b")
