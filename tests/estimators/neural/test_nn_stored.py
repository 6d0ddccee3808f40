"""The network from a file decodes only the frames its inputs need, as it was trained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tactile.estimators.neural import NeuralEstimator
from tactile.estimators.neural.data import NETWORK_EXTRA_FRAMES, prepare_grasp, prepare_stored
from tactile.evaluation.runner import estimate_dataset
from tactile.io import GraspReader, GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nn") / "two.h5"
    with GraspWriter(path) as writer:
        for i, e in enumerate((3e4, 3e5)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=e, name=f"ball{i}")
            writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=i))
    return path


def test_estimate_from_a_file_decodes_a_bounded_number_of_frames(stored: Path) -> None:
    reader = GraspReader(stored)
    decoded: list[int] = []
    read_frames = reader.read_frames

    def counting(grasp_id: str, indices: list[int]) -> np.ndarray:
        decoded.extend(indices)
        return read_frames(grasp_id, indices)

    reader.read_frames = counting  # type: ignore[method-assign]
    est = NeuralEstimator("default")
    est.ood = None  # these pad-camera grasps are outside its training distribution: not the point
    gid = reader.ids()[0]
    result = est.estimate_stored(reader, gid)
    k = est.loaded.config.k_frames
    # 2 frames around each of the K samples, the extra ones, the peak, reference candidates
    assert 0 < len(set(decoded)) <= 2 * k + NETWORK_EXTRA_FRAMES + 1 + 4
    assert len(set(decoded)) < reader.summary(gid)["n_frames"]
    assert result.estimator == "neural" and result.modulus_pa > 0
    # the evaluation runner takes the same path for the network
    via_runner = estimate_dataset(stored, est, grasp_ids=[gid])[0].estimate
    assert via_runner is not None and via_runner.modulus_pa == pytest.approx(result.modulus_pa)


def test_stored_inputs_match_the_in_memory_inputs_where_measured(stored: Path) -> None:
    """Same channels as a whole read: the frames the samples interpolate between are measured;
    only the analytical estimate's fit sees interpolated areas between them."""
    reader = GraspReader(stored)
    gid = reader.ids()[1]
    cfg = NeuralEstimator("default").loaded.config
    partial_inputs, _, ana_p, meta = prepare_stored(reader, gid, cfg)
    whole_inputs, _, ana_w = prepare_grasp(reader.read(gid), cfg)
    assert meta.object_id == "ball1"
    np.testing.assert_allclose(partial_inputs.width[:2], whole_inputs.width[:2], rtol=1e-6)
    np.testing.assert_allclose(partial_inputs.force, whole_inputs.force, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(partial_inputs.width, whole_inputs.width, rtol=1e-5, atol=1e-6)
    assert ana_p is not None and ana_w is not None
    assert abs(ana_p.log10_modulus - ana_w.log10_modulus) < 0.05
