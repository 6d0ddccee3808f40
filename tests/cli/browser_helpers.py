"""Render a page in a real headless Chromium (Debian's package) and read the screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    # shoot once every image is decoded and painted, however slow the machine: the page has no
    # timers, so virtual time runs out as soon as it is idle (not after the budget)
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=30000",
)


def chromium() -> str:
    """The browser binary; skips (outside CI only) when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it")


def screenshot(page: Path, out: Path, *, width: int = 1150, height: int = 9000) -> np.ndarray:
    """A PNG screenshot of ``page`` as an (H, W, 3) uint8 RGB array."""
    import cv2

    with tempfile.TemporaryDirectory(prefix="tactile_chromium_") as profile:
        cmd = [
            chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, check=False)
    assert out.is_file(), (
        f"chromium wrote no screenshot (rc {done.returncode}): {done.stderr[-800:]}"
    )
    image = cv2.imread(str(out), cv2.IMREAD_COLOR)
    assert image is not None
    return image[..., ::-1]


def coloured_rows(image: np.ndarray, *, min_chroma: int = 60) -> np.ndarray:
    """Per screenshot row, the number of strongly coloured pixels (plot lines, markers, bars;
    the page's text and backgrounds are grey or pale)."""
    rgb = image.astype(np.int16)
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    return (chroma >= min_chroma).sum(axis=1)
