"""benchmarks/fit_hybrid.py: the physics sigma scale's rule, its bootstrap interval, and the
pooling of several validation files (sig39)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fit_hybrid
from fit_hybrid import bootstrap_interval, fit_scale

from tactile.estimators.neural.predict import Z68


def test_fit_scale_is_the_68_quantile_over_z68_floored_at_one() -> None:
    z = np.linspace(0.0, 4.0, 101)
    assert fit_scale(z) == pytest.approx(float(np.quantile(z, 0.68)) / Z68)
    assert fit_scale(np.full(5, 0.1)) == 1.0


def test_bootstrap_interval_brackets_the_fit_and_is_reproducible() -> None:
    z = np.random.default_rng(1).exponential(2.0, 60)
    lo, hi = bootstrap_interval(z, 300, seed=3)
    assert lo <= fit_scale(z) <= hi
    assert (lo, hi) == bootstrap_interval(z, 300, seed=3)
    assert bootstrap_interval(np.full(4, 0.1), 50) == (1.0, 1.0)


def test_main_pools_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"a.h5": [0.5, 1.0, 2.0], "b.h5": [3.0, 4.0]}
    monkeypatch.setattr(fit_hybrid, "resolve_model", lambda name: SimpleNamespace(config=None))
    monkeypatch.setattr(fit_hybrid, "physics_z", lambda path, config: values[path.name])
    assert fit_hybrid.main(["a.h5", "b.h5", "--bootstrap", "20"]) == 0
    out = capsys.readouterr().out
    assert "a.h5: 3 two-sided" in out and "b.h5: 2 two-sided" in out
    k = fit_scale(np.array([0.5, 1.0, 2.0, 3.0, 4.0]))
    assert "5 two-sided physics estimates" in out and f"sigma x {k:.2f}" in out
    assert "bootstrap 68 % interval" in out
