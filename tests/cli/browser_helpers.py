"""Render a page in a real headless Chromium (Debian's package) and read the screenshot."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
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


#: One Chromium run normally takes about 2 s here; now and then the headless browser hangs
#: after start-up (seen once in a full run on a loaded 2-core machine: no screenshot in
#: 240 s). A hung run is killed with its child processes and the shot is taken again.
ATTEMPT_TIMEOUT_S = 90
ATTEMPTS = 3


def _shoot_once(cmd: list[str], log: Path) -> str | None:
    """Run Chromium once; None when it finished, else why not (its whole process group is
    killed on a timeout: its helper processes would otherwise keep running)."""
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, start_new_session=True)
        try:
            proc.wait(timeout=ATTEMPT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return f"timed out after {ATTEMPT_TIMEOUT_S} s"
    return None if proc.returncode == 0 else f"rc {proc.returncode}"


def screenshot(page: Path, out: Path, *, width: int = 1150, height: int = 9000) -> np.ndarray:
    """A PNG screenshot of ``page`` as an (H, W, 3) uint8 RGB array."""
    import cv2

    failures = []
    for _ in range(ATTEMPTS):
        with tempfile.TemporaryDirectory(prefix="tactile_chromium_") as profile:
            cmd = [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.resolve().as_uri(),
            ]
            log = Path(profile) / "chromium.log"
            out.unlink(missing_ok=True)
            why = _shoot_once(cmd, log)
            if out.is_file() and out.stat().st_size > 0:
                break
            failures.append(f"{why or 'no file'}: {log.read_text(errors='replace')[-400:]}")
    assert out.is_file(), "chromium wrote no screenshot: " + " | ".join(failures)
    image = cv2.imread(str(out), cv2.IMREAD_COLOR)
    assert image is not None
    return image[..., ::-1]


def coloured_rows(image: np.ndarray, *, min_chroma: int = 60) -> np.ndarray:
    """Per screenshot row, the number of strongly coloured pixels (plot lines, markers, bars;
    the page's text and backgrounds are grey or pale)."""
    rgb = image.astype(np.int16)
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    return (chroma >= min_chroma).sum(axis=1)
