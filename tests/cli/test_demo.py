"""`tactile demo`, the issue-2 promise end to end: simulate -> HDF5 -> estimate, via the CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.io import GraspReader


def test_demo_recovers_soft_spheres_and_flags_stiff_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.h5"
    assert main(["demo", "--out", str(out), "--json", "--progress"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert "simulate: 100%" in captured.err and "6/6" in captured.err  # (default: on a terminal)
    rows = payload["grasps"]
    assert len(rows) == 6 and len(GraspReader(out)) == 6  # the recording is kept and readable
    gel_pa = 2e5  # sim-wedge-v1
    for r in rows:
        truth = r["label_modulus_pa"]
        if truth <= gel_pa:
            assert not r["lower_bound_only"]
            assert 0.5 <= r["modulus_pa"] / truth <= 2.0, r
        else:
            assert r["lower_bound_only"] and "stiffer_than_gel" in r["flags"], r
            assert r["modulus_pa"] <= truth  # the bound holds
    if importlib.util.find_spec("torch") is not None:  # the shipped network runs beside it
        network = payload["network"]["grasps"]
        assert [r["grasp_id"] for r in network] == [r["grasp_id"] for r in rows]
        assert all("error" not in r for r in network)
