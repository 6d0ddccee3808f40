"""Which frames a depth calibration compares (``tactile.calibration.depth_fit.select_press``,
``load_press``) and the library functions behind ``tactile calibrate depth|geometry``."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tactile.calibration.depth_fit import calibrate_depth_from_press, load_press, select_press
from tactile.calibration.geometry import read_corners_csv
from tactile.errors import CalibrationError, ConfigError
from tactile.io import GraspWriter
from tactile.processing import find_loading_phase
from tactile.sensor import SIM_WEDGE
from tactile.types import Grasp, GraspMetadata

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "processing"))
from proc_synth import lit_gel, press, to_u8


def _press_grasp(reference: np.ndarray | None = None) -> Grasp:
    """Frames numbered by their pixel value; force rises from frame 5 to a peak at frame 14."""
    n = 20
    t = np.linspace(0.0, 1.0, n)
    force = np.concatenate([np.zeros(5), np.linspace(0.5, 10.0, 10), np.linspace(9, 1, 5)])
    width = 40.0 - 0.2 * force
    frames = np.stack([np.full((8, 8, 3), i, np.uint8) for i in range(n)])
    meta = GraspMetadata(object_id="ball", source="test")
    return Grasp("press_001", frames, t, force, width, meta, reference_frame=reference)


def test_the_press_is_the_peak_and_the_reference_the_frame_before_contact() -> None:
    grasp = _press_grasp()
    phase = find_loading_phase(grasp.force_n, grasp.width_mm)
    assert 10 <= phase.peak_index <= 14 and phase.contact_index == 5
    p = select_press(grasp)
    assert int(p.image[0, 0, 0]) == phase.peak_index
    assert int(p.reference[0, 0, 0]) == 4  # unloaded: the frame before contact
    assert p.source == f"press_001 frame {phase.peak_index}"


def test_given_frames_and_a_stored_reference_win() -> None:
    stored = np.full((8, 8, 3), 99, np.uint8)
    p = select_press(_press_grasp(stored), source="x.h5")
    assert int(p.reference[0, 0, 0]) == 99 and p.source.startswith("x.h5 frame ")
    p = select_press(_press_grasp(stored), frame=10, reference_frame=2)
    assert (int(p.image[0, 0, 0]), int(p.reference[0, 0, 0])) == (10, 2)


@pytest.mark.parametrize("kwargs", [{"frame": 20}, {"frame": -1}, {"reference_frame": 25}])
def test_frames_outside_the_grasp_are_config_errors(kwargs: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match=r"outside 0\.\.19"):
        select_press(_press_grasp(), **kwargs)


def test_load_press_reads_a_grasp_file_or_an_image_pair(tmp_path: Path) -> None:
    with GraspWriter(tmp_path / "p.h5") as writer:
        writer.append(_press_grasp())
    p = load_press(tmp_path / "p.h5", frame=12)
    assert int(p.image[0, 0, 0]) == 12 and p.source == f"{tmp_path / 'p.h5'} frame 12"
    cv2.imwrite(str(tmp_path / "a.png"), np.full((8, 8, 3), 7, np.uint8))
    with pytest.raises(ConfigError, match="--reference-image"):
        load_press(tmp_path / "a.png")
    p = load_press(tmp_path / "a.png", reference_image=tmp_path / "a.png")
    assert p.source == str(tmp_path / "a.png") and int(p.reference[0, 0, 0]) == 7


def test_calibrate_depth_from_press_records_its_source(tmp_path: Path) -> None:
    base = lit_gel()
    frame, _ = press(base, contact_radius_mm=5.0)
    cv2.imwrite(str(tmp_path / "press.png"), frame)
    cv2.imwrite(str(tmp_path / "ref.png"), to_u8(base))
    cal = calibrate_depth_from_press(
        tmp_path / "press.png",
        SIM_WEDGE,
        ball_radius_mm=10.0,
        reference_image=tmp_path / "ref.png",
        calibration_id="sim-depth",
        contact_method="depth",
    )
    fit = cal.provenance["depth_fit"]
    assert cal.calibration_id == "sim-depth" and cal.contact_method == "depth"
    assert fit["source"] == str(tmp_path / "press.png")
    assert fit["contact_radius_mm"] == pytest.approx(5.0, rel=0.1)


def test_corners_csv(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,x,y\nTopRight,3,4\ntopleft,1,2\nbottomleft,5,6\nbottomright,7,8\n")
    assert read_corners_csv(path) == ((1, 2), (3, 4), (5, 6), (7, 8))
    path.write_text("Name,x,y\ntopleft,1,2\n")
    with pytest.raises(CalibrationError, match="topleft/topright"):
        read_corners_csv(path)
