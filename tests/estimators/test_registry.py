"""Registry, auto dispatch, calibration resolution, and that importing never pulls in torch."""

from __future__ import annotations

import subprocess
import sys

import pytest
from estimator_curves import CURVES_CAL, block_features, sphere_features, sphere_meta

from tactile.errors import CalibrationError, ConfigError, EstimatorError
from tactile.estimators import (
    AutoEstimator,
    ElasticEstimator,
    HertzEstimator,
    MDREstimator,
    available_estimators,
    choose_estimator,
    get_estimator,
    register_estimator,
)
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.line import LineContactEstimator
from tactile.sensor import resolve_calibration
from tactile.types import Flag, GraspMetadata


def test_builtin_names() -> None:
    names = available_estimators()
    assert {"hertz", "mdr", "elastic", "auto"} <= set(names)
    assert isinstance(get_estimator("hertz"), HertzEstimator)
    assert isinstance(get_estimator("HERTZ"), HertzEstimator)
    assert get_estimator("hertz", route="radius").route == "radius"  # type: ignore[attr-defined]
    for name in ("hertz", "mdr", "elastic", "auto"):
        assert get_estimator(name).name == name


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(EstimatorError) as info:
        get_estimator("magic")
    assert "hertz" in (info.value.hint or "")


def test_bad_option_is_config_error() -> None:
    with pytest.raises(ConfigError):
        get_estimator("hertz", nonsense=1)


def test_register_custom_and_refuse_silent_overwrite(monkeypatch: pytest.MonkeyPatch) -> None:
    # the registration is undone after the test: later tests (e.g. the CLI's help, which
    # names every registered estimator) see the built-in registry whatever the order
    from tactile.estimators import registry

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    register_estimator("test-constant-hertz", lambda: HertzEstimator(name="test-constant-hertz"))
    assert get_estimator("test-constant-hertz").name == "test-constant-hertz"
    with pytest.raises(ConfigError):
        register_estimator("hertz", HertzEstimator)


def test_importing_estimators_does_not_import_torch() -> None:
    code = (
        "import sys, tactile.estimators as e; e.get_estimator('auto'); "
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    ("shape", "radius", "cls"),
    [
        ("sphere", 20.0, HertzEstimator),
        ("Sphere", None, HertzEstimator),
        (None, 20.0, HertzEstimator),
        ("rectangular", None, ElasticEstimator),
        ("box", None, ElasticEstimator),
        ("cylinder", None, MDREstimator),
        ("cylinder", 10.0, LineContactEstimator),
        ("irregular", None, MDREstimator),
        (None, None, BlindEstimator),  # a new object: geometry from the grasp (issue 11)
    ],
)
def test_auto_chooses_by_shape(shape: str | None, radius: float | None, cls: type) -> None:
    meta = GraspMetadata(object_id="x", shape=shape, radius_mm=radius)
    assert isinstance(choose_estimator(meta), cls)


def test_auto_records_choice_and_flags_unknown_shape() -> None:
    est = AutoEstimator().estimate_features(
        sphere_features(5e4), meta=sphere_meta(), calibration=CURVES_CAL
    )
    assert est.estimator == "auto" and est.details["auto_chose"] == "hertz"
    assert Flag.SHAPE_ASSUMED not in est.flags
    unknown = AutoEstimator().estimate_features(
        sphere_features(5e4), meta=sphere_meta(None, None), calibration=CURVES_CAL
    )
    assert unknown.details["auto_chose"] == "blind" and Flag.SHAPE_ASSUMED in unknown.flags
    brick = AutoEstimator().estimate_features(
        block_features(5e4), meta=GraspMetadata(object_id="b", shape="box"), calibration=CURVES_CAL
    )
    assert brick.details["auto_chose"] == "elastic"
    assert 1 / 1.2 < brick.modulus_pa / 5e4 < 1.2


def test_resolve_calibration() -> None:
    meta = GraspMetadata(object_id="x", calibration_id="wedge-reference-v1")
    assert resolve_calibration(meta).calibration_id == "wedge-reference-v1"
    assert resolve_calibration(meta, "sim-wedge-v1").calibration_id == "sim-wedge-v1"
    assert resolve_calibration(meta, CURVES_CAL) is CURVES_CAL
    with pytest.raises(CalibrationError) as info:
        resolve_calibration(GraspMetadata(object_id="x"))
    assert "--calibration" in (info.value.hint or "")
