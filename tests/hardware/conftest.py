"""Hardware test fixtures: simulated rigs, a recorded grasp, a small AVI."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspWriter
from tactile.types import Grasp, GraspMetadata


@pytest.fixture
def rigs() -> SimRigs:
    """The simulated rigs of one test (no global registry: nothing to reset between tests)."""
    return SimRigs()


@pytest.fixture
def replay_file(tmp_path: Path) -> Path:
    """A grasp file with one small synthetic grasp ``g0`` (8 frames, 10 ms apart)."""
    n = 8
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (n, 24, 32, 3), dtype=np.uint8)
    grasp = Grasp(
        grasp_id="g0",
        frames=frames,
        t_s=np.arange(n) * 0.01,
        force_n=np.linspace(0.0, 7.0, n),
        width_mm=np.linspace(60.0, 50.0, n),
        meta=GraspMetadata(object_id="cube", source="test"),
    )
    path = tmp_path / "replay.h5"
    with GraspWriter(path) as w:
        w.append(grasp)
    return path


@pytest.fixture
def small_avi(tmp_path: Path) -> Path:
    """A 10-frame 32x24 MJPG AVI written with OpenCV."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (32, 24))
    for i in range(10):
        writer.write(np.full((24, 32, 3), 20 * i, np.uint8))
    writer.release()
    return path
