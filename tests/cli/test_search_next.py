"""`tactile search`'s `next:` line is a `tactile train` command that runs: into models/<study>,
with --overwrite once that folder holds a model (review55: it always said models/searched,
which tactile train refuses once a model is there)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tactile.cli.search_cmd import _next_command


def test_the_next_line_names_the_studys_folder_and_overwrite_when_it_holds_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(data=[Path("sim.h5")], study="s1", folds=3)
    line = _next_command(args, "runs/s1/best.json")
    assert line == "next: tactile train sim.h5 --config runs/s1/best.json --out models/s1 --folds 3"
    (tmp_path / "models" / "s1").mkdir(parents=True)
    (tmp_path / "models" / "s1" / "model.pt").write_bytes(b"a model")
    assert _next_command(args, "runs/s1/best.json").endswith(
        "--out models/s1 --folds 3 --overwrite"
    )
