"""The whitelisting unpickler: numpy arrays load, everything else is refused without running."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from io_helpers import EvalPayload, Payload

from tactile.errors import ImportDataError, UnsafePickleError
from tactile.io import load_array_pickle


def test_reference_pickle_from_numpy_1_loads(reference_grasps_dir: Path) -> None:
    path = reference_grasps_dir / "golf_ball_1_forces.pkl"
    assert b"numpy.core.multiarray" in path.read_bytes()  # written by numpy 1.x
    forces = load_array_pickle(path)
    assert forces.dtype == np.float64 and forces.shape == (63,)
    assert 20.0 < forces.max() < 26.0


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_numpy_arrays_of_any_protocol_load(tmp_path: Path, protocol: int) -> None:
    arr = np.linspace(0.0, 1.0, 17)
    path = tmp_path / "a.pkl"
    path.write_bytes(pickle.dumps(arr, protocol=protocol))
    np.testing.assert_array_equal(load_array_pickle(path), arr)
    path.write_bytes(pickle.dumps(arr.astype(np.float32), protocol=protocol))
    assert load_array_pickle(path).dtype == np.float64


@pytest.mark.parametrize("payload", [Payload, EvalPayload])
def test_malicious_pickle_is_refused_and_never_runs(tmp_path: Path, payload: type) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil_forces.pkl"
    path.write_bytes(pickle.dumps(payload(marker)))
    with pytest.raises(UnsafePickleError) as info:
        load_array_pickle(path)
    message = str(info.value)
    assert "evil_forces.pkl" in message
    assert ("posix.system" in message) or ("builtins.eval" in message)
    assert not marker.exists()


def test_malicious_pickle_nested_inside_an_array_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    arr = np.empty(2, dtype=object)
    arr[0], arr[1] = 1.0, Payload(marker)
    path = tmp_path / "obj.pkl"
    path.write_bytes(pickle.dumps(arr))
    with pytest.raises(UnsafePickleError, match="system"):
        load_array_pickle(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([1.0, 2.0], "holds a list"),
        (np.zeros((3, 2)), r"shape \(3, 2\)"),
        (np.arange(4), "dtype int64"),
        (np.array(["a", "b"]), "dtype <U1"),
    ],
)
def test_non_float_vectors_are_refused(tmp_path: Path, value: object, match: str) -> None:
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps(value))
    with pytest.raises(ImportDataError, match=match):
        load_array_pickle(path)


def test_truncated_and_missing_pickles(tmp_path: Path) -> None:
    path = tmp_path / "cut.pkl"
    path.write_bytes(pickle.dumps(np.ones(50))[:40])
    with pytest.raises(ImportDataError, match="not a readable pickle"):
        load_array_pickle(path)
    with pytest.raises(ImportDataError, match="cannot read"):
        load_array_pickle(tmp_path / "missing.pkl")
