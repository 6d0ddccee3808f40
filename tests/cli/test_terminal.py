"""On a terminal `import` shows progress by default; in a pipe it stays quiet (real pty)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def _run(argv: list[str], *, terminal: bool, cwd: Path) -> tuple[int, str]:
    """Run ``tactile ARGV`` with stderr on a pseudo-terminal (or a pipe); return (rc, stderr)."""
    cmd = [sys.executable, "-m", "tactile.cli.main", *argv]
    if not terminal:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stderr
    import fcntl  # POSIX only, like the whole test
    import pty
    import termios

    master, slave = pty.openpty()
    # a terminal 100 columns wide (a fresh pty is 0 x 0, where tqdm draws an empty bar)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def test_import_shows_progress_on_a_terminal_only(
    reference_grasps_dir: Path, tmp_path: Path
) -> None:
    src = reference_grasps_dir / "golf_ball_3.avi"
    rc, err = _run(["import", str(src), str(tmp_path / "a.h5")], terminal=True, cwd=tmp_path)
    assert rc == 0 and "import: 100%" in err and "1/1" in err
    rc, err = _run(["import", str(src), str(tmp_path / "b.h5")], terminal=False, cwd=tmp_path)
    assert rc == 0 and "100%" not in err
    rc, err = _run(
        ["import", str(src), str(tmp_path / "c.h5"), "--no-progress"], terminal=True, cwd=tmp_path
    )
    assert rc == 0 and "100%" not in err
