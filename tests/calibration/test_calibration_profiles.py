"""Shipped calibration profiles, JSON round trips, geometry and the gel fit."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tactile.calibration.geometry import calibrate_geometry, mm_per_px
from tactile.errors import CalibrationError
from tactile.sensor import (
    BUILTIN_CALIBRATIONS,
    CALIBRATION_DIR,
    SIM_WEDGE,
    WEDGE_REFERENCE,
    SensorCalibration,
    get_calibration,
)


@pytest.mark.parametrize("cal_id", sorted(BUILTIN_CALIBRATIONS))
def test_shipped_json_equals_builtin(cal_id: str) -> None:
    shipped = SensorCalibration.load(CALIBRATION_DIR / f"{cal_id}.json")
    assert shipped == BUILTIN_CALIBRATIONS[cal_id]


@pytest.mark.parametrize("cal", [SIM_WEDGE, WEDGE_REFERENCE])
def test_round_trip(cal: SensorCalibration, tmp_path: Path) -> None:
    path = cal.save(tmp_path / "c.json")
    assert SensorCalibration.load(path) == cal
    assert get_calibration(path) == cal
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2


def test_the_rig_width_lag_round_trips_and_must_be_a_time(tmp_path: Path) -> None:
    cal = replace(SIM_WEDGE, calibration_id="lagging-rig", width_lag_s=0.25)
    assert SensorCalibration.load(cal.save(tmp_path / "c.json")) == cal
    assert SIM_WEDGE.width_lag_s is None  # not measured: a record must show its own
    with pytest.raises(CalibrationError, match="width_lag_s"):
        replace(SIM_WEDGE, width_lag_s=-0.1)


@pytest.mark.parametrize("value", ["0.1", True, [0.1], float("nan")])
def test_a_width_lag_of_the_wrong_type_in_a_file_names_the_field(
    value: object, tmp_path: Path
) -> None:
    data = SIM_WEDGE.to_dict() | {"width_lag_s": value}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match=r"width_lag_s=.* must be a number >= 0 or null"):
        SensorCalibration.load(path)
    data["width_lag_s"] = 10**400  # no float holds it: refused, not an OverflowError
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError):
        SensorCalibration.load(path)
    data.pop("width_lag_s")  # a file written before the field: not measured
    path.write_text(json.dumps(data))
    assert SensorCalibration.load(path).width_lag_s is None


def test_calibration_by_id_from_the_folder(tmp_path: Path, monkeypatch) -> None:
    import tactile.sensor as sensor

    replace(SIM_WEDGE, calibration_id="my-rig-v3").save(tmp_path / "my-rig-v3.json")
    monkeypatch.setattr(sensor, "CALIBRATION_DIR", tmp_path)
    assert sensor.get_calibration("my-rig-v3").calibration_id == "my-rig-v3"
    with pytest.raises(CalibrationError, match="unknown calibration"):
        sensor.get_calibration("nope-v1")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"calibration_id": "x", "mm_per_px_x": 0.1}', "unexpected fields|missing"),
        (
            '{"calibration_id": "x", "mm_per_px_x": -1, "mm_per_px_y": 0.1, "gel_modulus_pa": 2e5}',
            "must be positive",
        ),
        (
            '{"calibration_id": "x", "mm_per_px_x": 0.1, "mm_per_px_y": 0.1, '
            '"gel_modulus_pa": 2e5, "schema_version": 99}',
            "newer",
        ),
        (
            '{"calibration_id": "x", "mm_per_px_x": 0.1, "mm_per_px_y": 0.1, '
            '"gel_modulus_pa": 2e5, "contact_method": "depth"}',
            "needs a gradient_matrix",
        ),
    ],
)
def test_bad_files_are_clear_errors(text: str, match: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CalibrationError, match=match):
        SensorCalibration.load(path)


def test_wedge_scale_is_per_axis_from_pad_and_warp() -> None:
    sx, sy = mm_per_px((35.0, 25.5), (400, 300))
    assert (sx, sy) == (WEDGE_REFERENCE.mm_per_px_x, WEDGE_REFERENCE.mm_per_px_y)
    # a 10 x 10 px square is 0.875 mm x 0.85 mm, never the diagonal-norm scale squared
    assert 100 * WEDGE_REFERENCE.px_area_mm2 == pytest.approx(0.875 * 0.85)


def test_geometry_from_the_reference_corners_csv(shared_data: Path) -> None:
    import csv

    with open(shared_data / "wedge/mirror_corners.csv", newline="") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    corners = tuple(
        (float(rows[k]["x"]), float(rows[k]["y"]))
        for k in ("topleft", "topright", "bottomleft", "bottomright")
    )
    cal = calibrate_geometry(
        WEDGE_REFERENCE,
        calibration_id="wedge-check",
        corners_px=corners,
        pad_size_mm=(35.0, 25.5),
        warp_size_px=(400, 300),
        crop_px=25,
        roi_px=WEDGE_REFERENCE.roi_px,
    )
    assert cal.corners_px == WEDGE_REFERENCE.corners_px
    assert cal.gradient_matrix is None  # a new warp invalidates the old depth model
    assert cal.contact_method == "intensity"


def test_geometry_rejects_bad_sizes() -> None:
    with pytest.raises(CalibrationError, match="must be positive"):
        mm_per_px((35.0, 0.0), (400, 300))
    with pytest.raises(CalibrationError, match="4 corners"):
        calibrate_geometry(
            SIM_WEDGE,
            calibration_id="x",
            corners_px=((0.0, 0.0),),
            pad_size_mm=(1.0, 1.0),
            warp_size_px=(4, 4),
        )


def test_warp_matches_the_reference_warped_frame(shared_data: Path) -> None:
    import cv2

    from tactile.processing.warp import pad_homography

    raw = cv2.imread(str(shared_data / "wedge/init_frame_raw.png"))
    ref = cv2.imread(str(shared_data / "wedge/init_frame_warped.png"))
    ours = cv2.warpPerspective(raw, pad_homography(WEDGE_REFERENCE), (400, 300))
    assert np.abs(ours.astype(int) - ref.astype(int)).mean() < 1.0


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("wedge-reference-v3.schema-1.json", "wedge-reference-v3"),
        ("sim-wedge-v1.schema-1.json", None),
    ],
)
def test_schema_1_files_are_still_read(name: str, builtin: str | None) -> None:
    # the files shipped before the record had typed fields (their `extra` dict)
    old = SensorCalibration.load(Path(__file__).parent / "data" / name)
    if builtin is not None:
        assert old == BUILTIN_CALIBRATIONS[builtin]
        assert old.gel_model == "thin-layer" and old.onset_width_bias_mm == 2.252
    else:  # sim-wedge-v1 gained gel_max_strain in schema 2: its gel bottoms out
        assert old.gel_max_strain is None
        assert replace(old, gel_max_strain=0.9) == SIM_WEDGE
    assert "depth_fit" in old.provenance


def test_schema_1_extra_becomes_typed_fields_and_provenance() -> None:
    data = {
        "calibration_id": "old-rig",
        "mm_per_px_x": 0.1,
        "mm_per_px_y": 0.1,
        "gel_modulus_pa": 2e5,
        "extra": {
            "gel_model": "thin-layer",
            "gel_max_strain": 0.8,
            "width_offset_mm": 1.5,
            "width_offset_sd_mm": 0.2,
            "pad_area_mm2": 800.0,
            "who": "lab notebook p. 12",
        },
        "schema_version": 1,
    }
    cal = SensorCalibration.from_dict(data)
    assert (cal.gel_model, cal.gel_max_strain, cal.width_offset_mm) == ("thin-layer", 0.8, 1.5)
    assert cal.width_offset_sd_mm == 0.2 and cal.pad_area_mm2 == 800.0
    assert cal.gel_lock_depth_mm == pytest.approx(0.8 * cal.gel_thickness_mm)
    assert cal.provenance == {"who": "lab notebook p. 12"}


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("gel_model", "jelly", "gel_model"),
        ("gel_max_strain", 1.5, "gel_max_strain"),
        ("width_offset_sd_mm", -0.1, "width_offset_sd_mm"),
        ("rig_compliance_mm_per_n", float("nan"), "rig_compliance_mm_per_n"),
        ("pad_area_mm2", 0.0, "pad_area_mm2"),
    ],
)
def test_typed_fields_are_validated(field: str, value: object, match: str) -> None:
    with pytest.raises(CalibrationError, match=match):
        replace(SIM_WEDGE, **{field: value})
