"""The scipy-free helpers equal scipy, and an analytical estimate imports no heavy library it
does not use (start-up cost: BENCHMARKS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import fft as sfft
from scipy import ndimage

from tactile.io import GraspWriter
from tactile.processing._lean import dct2_ortho, idct2_ortho, next_fast_len_real, running_median
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp


@settings(max_examples=80, deadline=None)
@given(
    x=arrays(np.float64, st.integers(1, 60), elements=st.floats(-100, 100)),
    half=st.integers(1, 4),
)
def test_running_median_is_scipy_median_filter(x: np.ndarray, half: int) -> None:
    size = 2 * half + 1
    expected = ndimage.median_filter(x, size=size, mode="nearest")
    assert np.array_equal(running_median(x, size), expected)


def test_next_fast_len_is_scipy() -> None:
    for n in range(1, 3000):
        assert next_fast_len_real(n) == sfft.next_fast_len(n, real=True), n


def test_dct_is_scipy_orthonormal_dct() -> None:
    rng = np.random.default_rng(0)
    for shape in ((2, 2), (48, 54), (90, 108), (128, 160)):
        a = rng.standard_normal(shape).astype(np.float32)
        spec = dct2_ortho(a)
        np.testing.assert_allclose(spec, sfft.dctn(a, type=2, norm="ortho"), atol=1e-5)
        np.testing.assert_allclose(idct2_ortho(spec), a, atol=1e-5)


def test_an_analytical_estimate_imports_only_what_it_uses(tmp_path: Path) -> None:
    obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=1e5, name="ball")
    path = tmp_path / "one.h5"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=0))
    probe = (
        "import sys, json, contextlib, io\n"
        "from tactile.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['estimate', {str(path)!r}])\n"
        "heavy = ('scipy', 'torch', 'matplotlib', 'optuna', 'PIL', 'serial')\n"
        "print(json.dumps([rc, sorted({m.split('.')[0] for m in sys.modules} & set(heavy))]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    ).stdout
    rc, loaded = json.loads(out.strip().splitlines()[-1])
    assert rc == 0 and loaded == []
