"""Every command in a ``bash`` block of docs/tutorials/*.md runs as written (on the simulator)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
JOBS = ("collect", "estimate", "sort", "train")


def commands(path: Path) -> list[str]:
    """The lines of the ``bash`` fenced blocks, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", path.read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_every_job_has_a_tutorial_with_commands_and_the_index_links_them() -> None:
    index = (TUTORIALS / "README.md").read_text()
    for job in JOBS:
        assert f"({job}.md)" in index and commands(TUTORIALS / f"{job}.md"), job
    assert "../search.md" in index


@pytest.mark.parametrize("job", JOBS)
def test_tutorial_commands_run_as_written(job: str, tmp_path: Path) -> None:
    if job == "train" and importlib.util.find_spec("torch") is None:
        pytest.skip("the train tutorial needs the nn extra (torch)")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TACTILE_MODELS_DIR", None)
    for cmd in commands(TUTORIALS / f"{job}.md"):
        done = subprocess.run(
            ["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=280, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{cmd}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
