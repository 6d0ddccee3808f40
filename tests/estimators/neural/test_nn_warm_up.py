"""The warm-up run when a model is loaded (``resolve_model``): the network's first run happens
at loading, and it changes no answer."""

from __future__ import annotations

import numpy as np
from conftest import tiny_untrained_model

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.estimator import warm_up
from tactile.estimators.neural.predict import member_predictions


def test_warm_up_runs_the_network_and_changes_no_answer() -> None:
    cold, arrays = tiny_untrained_model()
    warm = LoadedModel(model=cold.model, config=cold.config, normalization=cold.normalization)
    warm_up(warm)
    assert warm.norm_tensors is not None  # it ran the inference path (statistics cached)
    for one in range(len(arrays["force"])):
        grasp = {k: v[one : one + 1] for k, v in arrays.items()}
        mu_c, sd_c = member_predictions(cold, grasp)
        mu_w, sd_w = member_predictions(warm, grasp)
        assert np.array_equal(mu_c, mu_w) and np.array_equal(sd_c, sd_w)


def test_processing_imports_the_numpy_modules_numpy_loads_lazily() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tactile.processing; "
        "print('numpy.ma' in sys.modules, 'numpy.random' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
