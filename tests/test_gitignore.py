"""The outputs of the README's commands, run in the checkout, stay out of `git status`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

OUTPUTS = [
    "demo.h5",
    ".demo.h5.pending/grasp_x.h5",
    ".demo.h5.lock",
    ".big.h5.tmp-1234",  # GraspWriter's temporary (tactile.io._files.temp_sibling)
    ".report.tmp-1234.html",  # replace_file's temporary
    ".run1.h5.new-1234.h5",
    ".tray1.new-1234/grasps.h5",
    ".tray1.old-1234/grasps.h5",
    "session.rrd",
    "report.html",
    "runs/s1/best.json",
    "tray1/items.csv",
    "tray1-again/items.csv",
    "day1/grasps.h5",
    "tomato-mine.toml",
    "sim.card.md",
]


@pytest.mark.skipif(
    shutil.which("git") is None or not (REPO_ROOT / ".git").exists(), reason="not a git checkout"
)
def test_gitignore_covers_the_outputs_of_the_readme_examples() -> None:
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-v", "-n"],
        cwd=REPO_ROOT,
        input="\n".join(OUTPUTS) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    missed = [line.split("\t")[-1] for line in done.stdout.splitlines() if line.startswith("::")]
    assert missed == []
    # ... and no source file is ignored
    tracked = subprocess.run(
        ["git", "ls-files", "-ci", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert tracked.stdout == ""
