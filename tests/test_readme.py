"""The README's Python examples run as written (in a scratch folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_shows_each_main_job_in_python() -> None:
    code = "\n".join(_python_blocks())
    for job in (
        "generate_dataset(",  # tactile simulate
        "estimate_grasp(",  # tactile estimate
        "evaluate_dataset(",  # tactile evaluate
        "run_session(",  # tactile collect
        "calibrate_gel_rigid_sphere(",  # tactile calibrate gel
        "train_network(",  # tactile train
        "sort_run(",  # tactile sort
    ):
        assert job in code


@pytest.mark.slow
def test_the_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for block in _python_blocks():
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    assert (tmp_path / "sim.h5").exists() and (tmp_path / "session.h5").exists()
    assert (tmp_path / "models" / "mine" / "model.pt").exists()
    assert (tmp_path / "tray1" / "items.csv").exists()
    from tactile.sensor import get_calibration

    assert get_calibration(tmp_path / "my-rig-v1.json").calibration_id == "my-rig-v1"
