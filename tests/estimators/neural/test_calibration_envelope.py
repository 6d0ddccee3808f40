"""The calibration envelope (issue 12, ood36): a measured gel unlike the training rigs' gels is
out of the network's distribution: ``neural`` refuses naming it, ``hybrid`` answers with the
physics; inside, nothing changes."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import disk_grasp, rig_calibration, synthetic_dataset, tiny_untrained_setup

from tactile.calibration.gel_measured import measured_gel_calibration
from tactile.errors import CalibrationError, EstimatorError, ModelFileError
from tactile.estimators.neural.checkpoint import LoadedModel, load_checkpoint, save_checkpoint
from tactile.estimators.neural.config import GEOMETRY_CHANNELS
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.envelope import (
    INFO_KEY,
    CalibrationEnvelope,
    derived_envelope,
    envelope_of,
    training_envelope,
)
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, model_path
from tactile.estimators.neural.inputs import stack_inputs
from tactile.estimators.neural.model import create_model
from tactile.estimators.neural.ood import OodReference
from tactile.io import GraspWriter
from tactile.processing.contact import contact_seen
from tactile.sensor import SensorCalibration
from tactile.sim.rigs import RigRanges
from tactile.types import GraspMetadata

OUTSIDE_SOURCE = "analytical (calibration outside the network's training rigs)"


def _measured(thickness_mm: float, modulus_pa: float) -> SensorCalibration:
    return measured_gel_calibration(
        rig_calibration(),
        calibration_id=f"measured-{thickness_mm}-{modulus_pa:g}",
        thickness_mm=thickness_mm,
        coupon_modulus_pa=modulus_pa,
    )


def _tiny_model(info: dict[str, object] | None = None) -> LoadedModel:
    """An untrained ``mt-tiny`` network with an OOD reference fitted on disk grasps made with a
    rigid-press curve (so a disk grasp on such a calibration is in distribution)."""
    cfg, norm = tiny_untrained_setup()
    torch.manual_seed(0)
    model = create_model(cfg).eval()
    items = []
    for e in np.logspace(4, 9, 12):
        grasp, feats = disk_grasp(20, modulus_pa=float(e))
        items.append(
            prepare_grasp(
                grasp, cfg, calibration=rig_calibration(), analytical=None, features=feats
            )[0]
        )
    arrays = stack_inputs(items)
    ood = OodReference.fit(arrays, arrays, n_ref=12, k=2)
    return LoadedModel(
        model=model, config=cfg, normalization=norm, info={"ood": ood.to_dict(), **(info or {})}
    )


def test_a_checkpoint_without_an_envelope_gets_the_simulators_rig_ranges() -> None:
    env = CalibrationEnvelope.of_info({})
    assert env == derived_envelope()
    ranges = RigRanges()
    assert env.gel_thickness_mm == ranges.gel_thickness_mm == (1.5, 4.0)
    assert env.gel_modulus_pa == ranges.gel_modulus_pa == (1.5e5, 6.0e5)
    assert env.source.startswith("derived")
    assert NeuralEstimator(_tiny_model()).envelope == env


@pytest.mark.parametrize(
    ("thickness", "modulus", "named"),
    [
        (6.0, 2.5e5, "gel thickness 6.00 mm is outside the 1.50–4.00 mm"),
        (3.0, 3.0e6, "gel modulus 3000 kPa is outside the 150–600 kPa"),
        (1.3, 2.5e5, "gel thickness 1.30 mm is outside the 1.50–4.00 mm"),
        (3.0, 1.0e5, "gel modulus 100 kPa is outside the 150–600 kPa"),
        # review25: the message states the range the margin allows, not "± 15 %"
        (3.0, 1.3e5, "(130.4–690 kPa allowed with the measurement margin)"),
        (4.2, 2.5e5, "(1.40–4.10 mm allowed with the measurement margin)"),
    ],
)
def test_a_measured_gel_outside_neural_refuses_hybrid_answers_physics(
    thickness: float, modulus: float, named: str
) -> None:
    loaded = _tiny_model()
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    cal = _measured(thickness, modulus)
    with pytest.raises(EstimatorError, match="out of the network's training distribution") as exc:
        NeuralEstimator(loaded).estimate(grasp, feats, calibration=cal)
    assert named in exc.value.message and repr(cal.calibration_id) in exc.value.message
    assert "derived" in exc.value.message  # where the trained range came from
    assert exc.value.hint is not None and "--estimator blind" in exc.value.hint
    assert "retrain" in exc.value.hint
    hybrid = HybridEstimator(loaded).estimate(grasp, feats, calibration=cal)
    assert hybrid.estimator == "hybrid"
    assert hybrid.details["source"] == OUTSIDE_SOURCE
    assert named in str(hybrid.details["ood_reason"])
    assert math.isfinite(hybrid.details["ood_score"])  # type: ignore[arg-type]
    # the answer is the physics' (auto on the same calibration), not the network's
    _, _, analytical = prepare_grasp(
        grasp, loaded.config, calibration=cal, analytical="auto", features=feats
    )
    assert analytical is not None
    assert hybrid.modulus_pa == analytical.modulus_pa
    assert hybrid.interval_95_pa == analytical.interval_95_pa
    # the fallback still names the grasp's resolvable limit (physics of this rig and grasp,
    # not the network's), so `tactile evaluate` places the object above or below it
    inputs = prepare_grasp(grasp, loaded.config, calibration=cal, analytical=None, features=feats)[
        0
    ]
    _, e_res = HybridEstimator(loaded)._limits(inputs, cal, contact_seen(feats))
    assert math.isfinite(e_res) and e_res > 0
    assert hybrid.details["resolvable_limit_pa"] == pytest.approx(e_res, rel=1e-12)


@pytest.mark.parametrize("info", [{}, {"stiff_limit_pa": 1e4}])
def test_the_fallback_names_the_limit_the_network_answer_names(info: dict[str, object]) -> None:
    """review40: on the same grasp and calibration the physics fallback (the gate forced) names
    the resolvable limit the network's answer names, also with an older model's fixed limit
    (which lowers only the network's stiffness decision, not the limit it names)."""
    loaded = _tiny_model(info)
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    cal = rig_calibration()
    net = HybridEstimator(loaded).estimate(grasp, feats, calibration=cal)
    forced = HybridEstimator(loaded, gate_ood_score=-math.inf)
    fallback = forced.estimate(grasp, feats, calibration=cal)
    assert not str(net.details["source"]).startswith("analytical")
    assert fallback.details["source"] == "analytical (network out of distribution)"
    assert fallback.details["resolvable_limit_pa"] == net.details["resolvable_limit_pa"]


def test_a_calibration_without_a_press_spread_still_falls_back_to_the_physics() -> None:
    """review40: ``"rigid_press_closure_sd_mm": null`` (valid in a calibration file) on a gel
    outside the envelope: the hybrid answers with the physics and its limit, as with 0."""
    loaded = _tiny_model()
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    outside = _measured(6.0, 2.5e5)
    data = outside.to_dict()
    data["rigid_press_closure_sd_mm"] = None
    nulled = SensorCalibration.from_dict(data)
    zero = replace(outside, rigid_press_closure_sd_mm=0.0)
    a = HybridEstimator(loaded).estimate(grasp, feats, calibration=nulled)
    b = HybridEstimator(loaded).estimate(grasp, feats, calibration=zero)
    assert a.details["source"] == OUTSIDE_SOURCE
    assert a.modulus_pa == b.modulus_pa
    assert a.details["resolvable_limit_pa"] == b.details["resolvable_limit_pa"]


def test_a_measured_gel_inside_changes_nothing() -> None:
    """Inside the envelope the answer is the one the same calibration gives unmarked (the
    envelope adds nothing), and the network reads what the base calibration's path reads."""
    loaded = _tiny_model()
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    inside = _measured(3.0, 2.5e5)
    unmarked = replace(inside, gel_source=None)
    assert inside.gel_measured and not unmarked.gel_measured
    for cls in (NeuralEstimator, HybridEstimator):
        a = cls(loaded).estimate(grasp, feats, calibration=inside)
        b = cls(loaded).estimate(grasp, feats, calibration=unmarked)
        assert a == b and "ood_reason" not in a.details
    base = NeuralEstimator(loaded).estimate(grasp, feats, calibration=rig_calibration())
    net = NeuralEstimator(loaded).estimate(grasp, feats, calibration=inside)
    assert net.details["network_log10_mean"] == base.details["network_log10_mean"]
    assert net.details["ood_score"] == base.details["ood_score"]
    # at the margins: 0.1 mm and 15 % beyond the range are still inside
    for h, e in ((1.41, 1.5e5), (4.09, 6.0e5), (3.0, 1.31e5), (3.0, 6.89e5)):
        NeuralEstimator(loaded).estimate(grasp, feats, calibration=_measured(h, e))


def test_a_reference_or_fitted_gel_is_not_compared() -> None:
    """Only a measured gel says what the real gel is; a thick unmarked gel answers as before."""
    loaded = _tiny_model()
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    thick = replace(rig_calibration(), gel_thickness_mm=6.0, gel_modulus_pa=3e6)
    answer = NeuralEstimator(loaded).estimate(grasp, feats, calibration=thick)
    assert "ood_reason" not in answer.details
    assert (
        HybridEstimator(loaded).estimate(grasp, feats, calibration=thick).details.get("source")
        != OUTSIDE_SOURCE
    )


def test_the_envelope_round_trips_through_a_checkpoint(tmp_path: Path) -> None:
    narrow = CalibrationEnvelope((2.0, 2.5), (2.0e5, 3.0e5), "test rigs", 7, 1)
    loaded = _tiny_model({INFO_KEY: narrow.to_dict()})
    path = save_checkpoint(
        tmp_path / "model.pt", loaded.model, loaded.normalization, info=loaded.info
    )
    again = load_checkpoint(path)
    assert CalibrationEnvelope.of_info(again.info) == narrow
    est = NeuralEstimator(again)
    assert est.envelope == narrow
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    # inside the derived ranges, outside the stored ones: the stored envelope rules
    with pytest.raises(EstimatorError, match=r"gel thickness 3.00 mm is outside the 2.00–2.50 mm"):
        est.estimate(grasp, feats, calibration=_measured(3.0, 2.5e5))
    est.estimate(grasp, feats, calibration=_measured(2.3, 2.5e5))


def test_bad_values_are_refused_clearly(tmp_path: Path) -> None:
    # a NaN thickness never makes a calibration (the measured-gel step and the record refuse it)
    with pytest.raises(CalibrationError, match="gel_thickness_mm"):
        replace(rig_calibration(), gel_thickness_mm=math.nan)
    with pytest.raises(CalibrationError):
        _measured(math.nan, 2.5e5)
    # one that got past them anyway (built around the checks) is named, not compared
    cal = _measured(3.0, 2.5e5)
    object.__setattr__(cal, "gel_thickness_mm", math.nan)
    reason = derived_envelope().reason(cal)
    assert reason is not None and "gel thickness nan mm is not a positive number" in reason
    # a checkpoint with a damaged envelope: refused when the estimator is made, naming the entry
    for bad in (
        {"gel_thickness_mm": [math.nan, 4.0], "gel_modulus_pa": [1.5e5, 6e5], "source": "x"},
        {"gel_thickness_mm": [4.0, 1.5], "gel_modulus_pa": [1.5e5, 6e5], "source": "x"},
        {"gel_thickness_mm": [1.5, 4.0], "gel_modulus_pa": [1.5e5, 6e5]},
        "1.5-4.0 mm",
    ):
        with pytest.raises(ModelFileError, match="malformed info\\['calibration_envelope'\\]"):
            NeuralEstimator(_tiny_model({INFO_KEY: bad}))


def test_unknown_training_gels_refuse_a_measured_gel() -> None:
    loaded = _tiny_model({INFO_KEY: envelope_of([], "a prepared dataset").to_dict()})
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    with pytest.raises(EstimatorError, match="trained on is unknown"):
        NeuralEstimator(loaded).estimate(grasp, feats, calibration=_measured(3.0, 2.5e5))
    # an unmarked calibration answers as before
    NeuralEstimator(loaded).estimate(grasp, feats, calibration=rig_calibration())


def _meta(**extra: float) -> GraspMetadata:
    return GraspMetadata(object_id="o", source="sim", extra=dict(extra))


def test_the_envelope_of_training_grasps() -> None:
    sim = [
        (_meta(true_gel_thickness_mm=h, true_gel_modulus_pa=e), None)
        for h, e in ((1.8, 2.0e5), (3.6, 4.5e5), (2.2, 1.7e5))
    ]
    measured = (GraspMetadata(object_id="real"), _measured(2.9, 5.0e5))
    unknown = (GraspMetadata(object_id="real2"), rig_calibration())
    env = envelope_of([*sim, measured, unknown], "test")
    assert env.gel_thickness_mm == (1.8, 3.6)
    assert env.gel_modulus_pa == (1.7e5, 5.0e5)
    assert (env.n_known, env.n_unknown) == (4, 1)
    assert "1 more of unknown gel" in env.source
    # fine-tuning: the union of both models' training gels
    both = env.union(derived_envelope())
    assert both.gel_thickness_mm == (1.5, 4.0) and both.gel_modulus_pa == (1.5e5, 6.0e5)
    assert CalibrationEnvelope.from_dict(both.to_dict()) == both


def test_the_envelope_is_read_from_the_training_files(tmp_path: Path) -> None:
    path = tmp_path / "train.h5"
    ids = []
    with GraspWriter(path) as writer:
        for h, e in ((1.7, 1.6e5), (3.9, 5.5e5)):
            grasp, _ = disk_grasp(12)
            meta = replace(
                grasp.meta,
                source="sim",
                calibration_id="sim-wedge-v1",
                extra={"true_gel_thickness_mm": h, "true_gel_modulus_pa": e},
            )
            ids.append(writer.append(dataclasses.replace(grasp, grasp_id=f"g{h}", meta=meta)))
    names = [f"{path.name}#{gid}" for gid in ids]
    env = training_envelope([path], [*names, "other.h5#g9"])
    assert env.gel_thickness_mm == (1.7, 3.9) and env.gel_modulus_pa == (1.6e5, 5.5e5)
    assert (env.n_known, env.n_unknown) == (2, 1)
    # only the grasps trained on count (not the validation objects)
    assert training_envelope([path], names[:1]).gel_thickness_mm == (1.7, 1.7)


def test_train_network_stores_the_envelope(tmp_path: Path) -> None:
    """A prepared dataset given directly has no files to read the gels from: the stored
    envelope says so (every training grasp of unknown gel), and is read back as such."""
    from tactile.estimators.neural.model import model_config
    from tactile.estimators.neural.train import TrainConfig
    from tactile.estimators.neural.training import TrainingWarning, train_network

    cfg = model_config("mt-tiny")
    data = synthetic_dataset(cfg, n_objects=8)
    fast = TrainConfig(epochs=2, batch_size=16, patience=2, num_threads=1)
    with pytest.warns(TrainingWarning, match="no cross-validation"):
        train_network(data, cfg, fast, val_fraction=0.25, out_dir=tmp_path, progress=False)
    stored = load_checkpoint(tmp_path / "model.pt").info[INFO_KEY]
    env = CalibrationEnvelope.from_dict(stored)
    assert env.gel_thickness_mm is None and env.gel_modulus_pa is None
    assert env.n_known == 0 and 0 < env.n_unknown < len(data)  # the training split only


def test_the_shipped_model_gets_the_derived_envelope() -> None:
    loaded = load_checkpoint(model_path("default"))
    assert INFO_KEY not in loaded.info  # trained before the envelope was stored
    env = NeuralEstimator(loaded).envelope
    assert env == derived_envelope() and env.source.startswith("derived")
    # every training grasp's calibration stated the nominal 3.0 mm (a constant input: its
    # normalisation's std is the fit's placeholder 1.0), whatever its rig's true gel
    geometry = loaded.normalization
    i = GEOMETRY_CHANNELS.index("rig_gel_thickness")
    assert (geometry.mean["geometry"][i], geometry.std["geometry"][i]) == (3.0, 1.0)


def test_the_hybrid_whose_physics_fails_outside_does_not_point_to_itself() -> None:
    """review25 (M3): outside the envelope with the physics failed too, the hybrid's hint does
    not say that the hybrid answers with the physics; it names the retraining route."""
    loaded = _tiny_model()
    grasp, feats = disk_grasp(20, modulus_pa=1e5)
    cal = _measured(6.0, 2.5e5)
    hybrid = HybridEstimator(loaded)
    inputs, _, _ = prepare_grasp(grasp, loaded.config, calibration=cal, features=feats)
    with pytest.raises(EstimatorError, match="analytical estimate failed") as exc:
        hybrid._predict(inputs, feats, None, grasp.meta, cal)
    hint = exc.value.hint or ""
    assert "physics failed on this grasp too" in hint and "RigRanges" in hint
    assert "answers with it too" not in hint


def test_two_training_files_of_the_same_name_are_refused(tmp_path: Path) -> None:
    """review25 (F1): the prepared dataset names grasps '<file name>#<grasp id>', so two files
    of the same name in different folders would mix their grasps (and the envelope would read
    one file's gels for the other's): refused before anything is prepared, naming both."""
    from tactile.errors import ConfigError
    from tactile.estimators.neural.config import MultiTowerConfig
    from tactile.estimators.neural.data import build_dataset

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "grasps.h5").write_bytes(b"")  # never opened
    paths = [tmp_path / "a" / "grasps.h5", tmp_path / "b" / "grasps.h5"]
    with pytest.raises(ConfigError, match=r"two datasets are named 'grasps\.h5'") as exc:
        build_dataset(paths, MultiTowerConfig(), use_cache=False, progress=False)
    assert str(paths[0]) in exc.value.message and str(paths[1]) in exc.value.message
    assert exc.value.hint is not None and "rename" in exc.value.hint
