"""Shared test helpers for tests/io: deterministic grasps, exact comparison, hostile pickles."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tactile.types import Grasp, GraspMetadata


def make_grasp(i: int, n_frames: int = 12, height: int = 96, width: int = 128) -> Grasp:
    """Grasp number ``i``: the same arrays and metadata every time it is called."""
    rng = np.random.default_rng(1000 + i)
    frames = rng.integers(0, 256, (n_frames, height, width, 3), dtype=np.uint8)
    return Grasp(
        grasp_id=f"g{i:03d}",
        frames=frames,
        t_s=np.cumsum(rng.uniform(0.02, 0.04, n_frames)),
        force_n=rng.normal(10.0, 3.0, n_frames),
        width_mm=rng.uniform(20.0, 70.0, n_frames),
        reference_frame=frames[0].copy() if i % 2 else None,
        meta=GraspMetadata(
            object_id=f"object_{i % 3}",
            label_modulus_pa=10.0 ** rng.uniform(4, 11),
            shape="sphere",
            radius_mm=float(rng.uniform(5, 40)),
            source="crash-test",
            devices={"tactile": "sim://"},
            calibration_id="sim-wedge-v1",
            extra={"i": i, "note": "ü ✓"},
        ),
    )


def assert_same(a: Grasp, b: Grasp) -> None:
    assert a.grasp_id == b.grasp_id
    for name in ("frames", "t_s", "force_n", "width_mm"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name
    if b.reference_frame is None:
        assert a.reference_frame is None
    else:
        assert a.reference_frame is not None
        assert a.reference_frame.tobytes() == b.reference_frame.tobytes()
    assert a.meta == b.meta


class Payload:
    """Pickles to ``os.system('touch MARKER')``: what a hostile pickle would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


class EvalPayload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, (f"open({str(self.marker)!r}, 'w').write('x')",))
