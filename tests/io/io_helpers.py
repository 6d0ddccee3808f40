"""Shared test helpers for tests/io: deterministic grasps, exact comparison, hostile pickles."""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path

import cv2
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


def write_recording(
    folder: Path, stem: str, n_video: int, n_force: int, n_width: int, width_m: float = 0.05
) -> Path:
    """A small MJPG AVI (48x64) and its two pickles, like the reference rig writes them.

    A corner of each frame is shaded by the stem, so recordings of different names are
    different recordings (the importer skips the same files under another name)."""
    avi = folder / f"{stem}.avi"
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (64, 48))
    shade = zlib.crc32(stem.encode()).to_bytes(4, "big")[:3]  # 3 bytes: no two names alike
    for i in range(n_video):
        frame = np.full((48, 64, 3), (40 + 5 * i, 120, 200), dtype=np.uint8)
        frame[10:20, 10 + i : 20 + i] = 255
        for k, value in enumerate(shade):
            frame[40:48, 40 + 8 * k : 48 + 8 * k] = value
        writer.write(frame)
    writer.release()
    (folder / f"{stem}_forces.pkl").write_bytes(pickle.dumps(np.linspace(0.0, 12.0, n_force)))
    (folder / f"{stem}_widths.pkl").write_bytes(pickle.dumps(np.full(n_width, width_m)))
    return avi
