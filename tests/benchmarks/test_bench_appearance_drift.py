"""benchmarks/bench_appearance_drift.py: the appearance changes do what they say, the summary
applies the pre-registered rule, and the script runs on one real grasp (skipped without
../shared/data). Findings: BENCHMARKS.md "Blind: appearance drift on the real grasps (issue
11)"."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_appearance_drift import TRANSFORMS, main, summarize


def _image() -> np.ndarray:
    img = np.full((40, 60, 3), 100, dtype=np.uint8)
    img[10:20, 20:30] = (200, 150, 50)
    return img


def test_transforms_change_the_image_as_named() -> None:
    img = _image()
    assert TRANSFORMS["gain1.25"](img)[0, 0].tolist() == [125, 125, 125]
    assert TRANSFORMS["gain1.25"](img)[15, 25].tolist() == [250, 188, 62]
    assert TRANSFORMS["offset-15"](img)[0, 0].tolist() == [85, 85, 85]
    assert TRANSFORMS["gamma1.25"](img)[0, 0, 0] < 100 < TRANSFORMS["gamma0.8"](img)[0, 0, 0]
    assert TRANSFORMS["wb_b1.1_r0.9"](img)[0, 0].tolist() == [110, 100, 90]
    shifted = TRANSFORMS["shift_x3"](img)
    assert np.array_equal(shifted[:, 3:], img[:, :-3])
    assert np.array_equal(shifted[:, :3], np.repeat(img[:, :1], 3, axis=1))  # border replicated
    assert np.array_equal(TRANSFORMS["shift_y3"](img)[3:], img[:-3])
    rotated = TRANSFORMS["rot0.5"](img)
    assert not np.array_equal(rotated, img) and rotated[20, 30].tolist() == img[20, 30].tolist()
    blurred = TRANSFORMS["blur1"](img)
    assert blurred[15, 25, 0] == 200 and 100 < blurred[10, 25, 0] < 200
    jpeg = TRANSFORMS["jpeg60"](img)
    assert jpeg.shape == img.shape and np.abs(jpeg.astype(int) - img).mean() < 5
    assert TRANSFORMS["none"](img) is img


def _row(log_e: float, cls: str = "unknown", bound: bool = False) -> dict:
    return {
        "log10_e": log_e,
        "stiffer_than_gel": bound,
        "lower_bound_only": bound,
        "shape_class": cls,
        "pad_fill_peak": 0.3,
        "flags": [],
    }


def test_summary_applies_the_rule() -> None:
    objects = {"a1": "a", "a2": "a", "a3": "a", "b1": "b"}
    base = {g: _row(5.0) for g in objects}
    rows = {
        "none": base,
        "small": {**base, "a1": _row(5.3)},  # one grasp moves, the median does not
        "moved": {g: _row(5.15) for g in objects},
        "class": {**base, "a1": _row(5.0, "sphere"), "a2": _row(5.0, "sphere")},
        "failed": {**base, "b1": {"error": "no contact"}},
    }
    s = summarize(rows, objects, 0.1)
    t = s["table"]
    assert t["small"]["a"]["pass"] and t["small"]["a"]["delta"] == pytest.approx(0.0)
    assert s["worst"]["small"]["grasp"] == "a1" and s["worst"]["small"]["n_over_tol"] == 1
    assert not t["moved"]["a"]["pass"] and t["moved"]["a"]["delta"] == pytest.approx(0.15)
    assert t["class"]["a"]["changed"] == {"shape_class": ["unknown", "sphere"]}
    assert t["failed"]["b"]["failed"] == ["b1"] and t["failed"]["b"]["delta"] is None
    assert not s["robust"]
    assert summarize({"none": base, "small": rows["small"]}, objects)["robust"]


def test_runs_on_a_real_grasp(reference_grasps_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "drift.json"
    argv = [str(reference_grasps_dir), "--grasps", "orange_ball_softest_3"]
    argv += ["--calibration", "wedge-reference-v4", "--transforms", "gain1.25,offset-15,jpeg60"]
    assert main([*argv, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "baseline = tactile estimate --estimator blind: 1/1 identical" in text
    d = json.loads(out.read_text())
    key = "reference_grasps:orange_ball_softest_3"
    assert d["rows"]["gain1.25"][key]["log10_e"] == pytest.approx(
        d["rows"]["none"][key]["log10_e"], abs=0.02
    )
    assert d["table"]["offset-15"]["orange_ball_softest"]["pass"]
    # a JPEG re-encode at quality 60 grows the imprint past the class rule's gate on this grasp
    assert d["table"]["jpeg60"]["orange_ball_softest"]["changed"] == {
        "shape_class": ["unknown", "irregular"]
    }
    assert d["robust"] is False and "FRAGILE" in text
