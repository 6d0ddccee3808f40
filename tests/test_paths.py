"""Artifact folders are found in a checkout, in a wheel's share/ folder, or by env var."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tactile import _paths


def test_checkout_folders_are_found() -> None:
    for name in ("calibration", "hardware", "models"):
        assert _paths.artifact_dir(name).is_dir(), name


def test_wheel_install_reads_share_tactile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "prefix" / "share" / "tactile" / "calibration"
    shared.mkdir(parents=True)
    monkeypatch.setattr(_paths, "_REPO_ROOT", tmp_path / "site-packages")  # no checkout
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert _paths.artifact_dir("calibration") == shared
    # nothing anywhere: the checkout path is named (for error messages), not a random place
    assert _paths.artifact_dir("models") == tmp_path / "site-packages" / "models"


def test_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTILE_MODELS_DIR", str(tmp_path))
    assert _paths.artifact_dir("models", "TACTILE_MODELS_DIR") == tmp_path
