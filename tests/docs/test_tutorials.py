"""Every command in a ``bash`` block of docs/tutorials/*.md runs as written (on the simulator).

The tutorials are independent of each other, so their command chains run side by side (one
thread per tutorial, each chain in order in its own empty folder): the collect tutorial's
real-time grasps wait on the simulated camera while the others compute. Each tutorial is still
its own test, which waits for its chain and reports the first command that failed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
JOBS = ("collect", "estimate", "sort", "train", "search")
#: One command may take this long (a loaded machine); a chain stops at its first failure.
COMMAND_TIMEOUT_S = 280


def commands(path: Path) -> list[str]:
    """The lines of the ``bash`` fenced blocks, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", path.read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_every_job_has_a_tutorial_with_commands_and_the_index_links_them() -> None:
    index = (TUTORIALS / "README.md").read_text()
    for job in JOBS:
        assert f"({job}.md)" in index and commands(TUTORIALS / f"{job}.md"), job
    assert "../search.md" in index


def _skip_reason(job: str) -> str | None:
    if job == "train" and importlib.util.find_spec("torch") is None:
        return "the train tutorial needs the nn extra (torch)"
    if job == "search" and any(importlib.util.find_spec(m) is None for m in ("torch", "optuna")):
        return "the search tutorial needs the nn and search extras (torch, optuna)"
    return None


def _run_chain(job: str, folder: Path) -> str | None:
    """Run the job's commands in order in ``folder``; the first failure, or None."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TACTILE_MODELS_DIR", None)
    for cmd in commands(TUTORIALS / f"{job}.md"):
        try:
            done = subprocess.run(
                ["bash", "-c", cmd], cwd=folder, env=env, capture_output=True, text=True,
                timeout=COMMAND_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return f"{cmd}\ntimed out after {COMMAND_TIMEOUT_S} s"
        if done.returncode != 0:
            return f"{cmd}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
    return None


@pytest.fixture(scope="module")
def chains(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[str | None]]]:
    """The selected tutorials' chains, started together on first use."""
    selected = {
        item.callspec.params["job"]
        for item in request.session.items
        if item.originalname == "test_tutorial_commands_run_as_written"
        and hasattr(item, "callspec")
    }
    jobs = [j for j in JOBS if j in selected and _skip_reason(j) is None]
    with ThreadPoolExecutor(max_workers=max(len(jobs), 1)) as pool:
        yield {j: pool.submit(_run_chain, j, tmp_path_factory.mktemp(j)) for j in jobs}


@pytest.mark.parametrize("job", JOBS)
def test_tutorial_commands_run_as_written(job: str, chains: dict[str, Future[str | None]]) -> None:
    reason = _skip_reason(job)
    if reason is not None:
        pytest.skip(reason)
    failure = chains[job].result()
    assert failure is None, failure
