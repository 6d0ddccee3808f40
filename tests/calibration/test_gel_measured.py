"""``tactile calibrate gel-measured``: a gel measured off the sensor (coupon + calipers)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tactile.calibration.gel_measured import measured_gel_calibration
from tactile.cli.main import main
from tactile.errors import CalibrationError
from tactile.sensor import BUILTIN_CALIBRATIONS, SensorCalibration, get_calibration


def test_the_cli_writes_the_measured_gel_with_its_provenance(tmp_path: Path, capsys) -> None:
    out = tmp_path / "measured.json"
    rc = main(
        ["calibrate", "gel-measured", "--calibration", "wedge-reference-v3", "--id",
         "my-wedge-measured", "--thickness-mm", "2.8", "--coupon-modulus-pa", "2.4e5",
         "--out", str(out), "--json"]
    )  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["gel_source"] == "measured" and "calibrate rig" in summary["next"]
    base = get_calibration("wedge-reference-v3")
    cal = SensorCalibration.load(out)
    assert cal.calibration_id == "my-wedge-measured" and cal.gel_measured
    assert cal.gel_modulus_pa == 2.4e5 and cal.gel_thickness_mm == 2.8
    assert cal.gel_model == "half-space" and cal.gel_poisson == 0.48
    assert cal.gel_max_strain == 0.9
    assert cal.gel_modulus_log10_sd == pytest.approx(math.log10(1.15), abs=1e-4)  # 0.0607
    record = cal.provenance["gel_measured"]
    assert record["base"] == "wedge-reference-v3" and record["coupon_modulus_pa"] == 2.4e5
    assert record["coupon_rel_sd"] == 0.15 and record["thickness_mm"] == 2.8
    assert record["max_strain_assumed"] is True
    assert record["base_gel"]["gel_modulus_pa"] == base.gel_modulus_pa
    # everything else is the base's: the optics, the width reading, the rig (to be refitted)
    skip = {"calibration_id", "gel_model", "gel_modulus_pa", "gel_poisson", "gel_thickness_mm"}
    skip |= {"gel_max_strain", "gel_modulus_log10_sd", "gel_source", "notes", "provenance"}
    new, old = cal.to_dict(), base.to_dict()
    assert {k: v for k, v in new.items() if k not in skip} == {
        k: v for k, v in old.items() if k not in skip
    }
    assert json.loads(out.read_text())["gel_source"] == "measured"


def test_a_calibration_without_a_gel_source_is_written_as_before(tmp_path: Path) -> None:
    for cal in BUILTIN_CALIBRATIONS.values():
        assert cal.gel_source is None and not cal.gel_measured
        assert "gel_source" not in cal.to_dict()
        assert SensorCalibration.load(cal.save(tmp_path / "c.json")) == cal
    measured = measured_gel_calibration(
        get_calibration("sim-wedge-v1"), calibration_id="m", thickness_mm=3, coupon_modulus_pa=2e5
    )
    assert SensorCalibration.load(measured.save(tmp_path / "m.json")) == measured


def test_an_unknown_gel_source_is_refused(tmp_path: Path) -> None:
    data = get_calibration("sim-wedge-v1").to_dict() | {"gel_source": "guessed"}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match="gel_source") as err:
        SensorCalibration.load(path)
    assert "gel-measured" in (err.value.hint or "")


@pytest.mark.parametrize(
    ("kwargs", "match", "hint"),
    [
        ({"thickness_mm": 0.0}, "thickness", "calipers"),
        ({"thickness_mm": -2.0}, "thickness", "calipers"),
        ({"thickness_mm": float("nan")}, "thickness", "calipers"),
        ({"thickness_mm": 30.0}, "0.5-10 mm", "in mm"),  # cm / wrong unit
        ({"coupon_modulus_pa": 0.0}, "positive", "in Pa"),
        ({"coupon_modulus_pa": -2e5}, "positive", "in Pa"),
        ({"coupon_modulus_pa": float("nan")}, "positive", "in Pa"),
        ({"coupon_modulus_pa": 250.0}, "implausible", "not kPa or MPa"),  # kPa typed as Pa
        ({"coupon_rel_sd": 0.0}, "relative sd", "0.15"),
        ({"coupon_rel_sd": float("inf")}, "relative sd", "0.15"),
        ({"poisson": 0.5}, "Poisson", "0.48"),
        ({"max_strain": 0.0}, "bottoming", "0.9"),
        ({"max_strain": float("nan")}, "bottoming", "0.9"),
    ],
)
def test_bad_measurements_are_refused_with_the_fix(kwargs, match: str, hint: str) -> None:
    args = {"thickness_mm": 3.0, "coupon_modulus_pa": 2.0e5} | kwargs
    with pytest.raises(CalibrationError, match=match) as err:
        measured_gel_calibration(get_calibration("sim-wedge-v1"), calibration_id="m", **args)
    assert hint in (err.value.hint or "")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--calibration", "no-such-calibration", "--id", "m"], "unknown calibration"),
        (["--calibration", "sim-wedge-v1", "--id", "m", "--coupon-modulus-pa", "nan"], "coupon"),
        # no new id, or the base's own: a measured gel never lands under its base's id
        (["--calibration", "sim-wedge-v1"], "--id"),
        (["--calibration", "wedge-reference-v4", "--id", "wedge-reference-v4"], "new calibration"),
    ],
)
def test_the_cli_names_the_fix(argv: list[str], says: str, capsys) -> None:
    args = ["calibrate", "gel-measured", "--thickness-mm", "3", "--coupon-modulus-pa", "2e5"]
    assert main([*args, *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "fix:" in err


def test_the_base_must_be_named(capsys) -> None:
    """No silent default base (review24): argparse refuses before anything is written."""
    argv = ["calibrate", "gel-measured", "--thickness-mm", "3", "--coupon-modulus-pa", "2e5"]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--id", "m"])
    assert exc.value.code == 2 and "--calibration" in capsys.readouterr().err


def test_the_base_id_is_refused_even_with_overwrite() -> None:
    """--id equal to the base (with --overwrite) must not rewrite the base's file (review24)."""
    base = get_calibration("wedge-reference-v4")
    with pytest.raises(CalibrationError, match="new calibration id"):
        measured_gel_calibration(
            base, calibration_id=base.calibration_id, thickness_mm=3.0, coupon_modulus_pa=2e5
        )


def test_a_gel_fitted_on_a_measured_base_is_no_longer_measured(monkeypatch) -> None:
    """The gel steps that fit the gel drop ``gel_source`` (it would keep the rig fit's Fix A on
    a gel nobody measured)."""
    from tactile.calibration import gel_labelled
    from tactile.calibration.gel_rigid import ReferenceGelFit, RigidSphereGelFit

    measured = measured_gel_calibration(
        get_calibration("sim-wedge-v1"), calibration_id="m", thickness_mm=3, coupon_modulus_pa=2e5
    )
    fit = gel_labelled.GelFit(1.5e5, 0.1, 3, ("a", "b", "c"), ())
    monkeypatch.setattr(gel_labelled, "fit_gel_modulus", lambda *a, **k: fit)
    assert not gel_labelled.calibrate_gel([], measured, calibration_id="f").gel_measured
    assert not ReferenceGelFit(1.5e5, 0.1, (1.5e5,), ("a",)).apply(measured, "f").gel_measured
    rigid = RigidSphereGelFit(1.5e5, 0.1, 0.1, 0.05, 21.0, (1.5e5,), (3.0,), (20.0,), ("a",))
    assert not rigid.apply(measured, "f").gel_measured
    # the measurement's record stays, under a name that says it no longer describes the gel
    fitted = (
        gel_labelled.calibrate_gel([], measured, calibration_id="f"),
        ReferenceGelFit(1.5e5, 0.1, (1.5e5,), ("a",)).apply(measured, "f"),
        rigid.apply(measured, "f"),
    )
    for cal in fitted:
        assert "gel_measured" not in cal.provenance
        assert cal.provenance["gel_measured_superseded"] == measured.provenance["gel_measured"]
