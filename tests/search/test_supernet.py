"""The supernet's sub-networks share nested weights; training and scoring run on any cell."""

from __future__ import annotations

import math

import numpy as np
import torch
from search_helpers import tiny_data

from tactile.search.supernet import (
    LARGEST,
    SMALLEST,
    SuperNet,
    _ElasticTower,
    kendall_tau,
    score_cell,
    train_supernet,
)
from tactile.search.tabular import all_cells


def test_a_narrow_sub_tower_is_the_wide_towers_leading_units() -> None:
    torch.manual_seed(0)
    tower = _ElasticTower(10, 48, 24)
    x = torch.randn(5, 10)
    narrow = tower(x, 16)
    assert narrow.shape == (5, 24) and torch.all(narrow[:, 8:] == 0)
    h = torch.nn.functional.gelu(x @ tower.l1.weight[:16].T + tower.l1.bias[:16])
    expect = torch.nn.functional.gelu(h @ tower.l2.weight[:8, :16].T + tower.l2.bias[:8])
    torch.testing.assert_close(narrow[:, :8], expect)
    # changing a weight outside the sub-network leaves the sub-network unchanged
    with torch.no_grad():
        tower.l1.weight[40:] += 1.0
    torch.testing.assert_close(tower(x, 16), narrow)


def test_supernet_trains_and_scores_every_cell() -> None:
    data = tiny_data(n_objects=10)
    data.arrays["images"] = data.arrays["images"][:, :, :16, :16]
    net, norm = train_supernet(data, epochs=2, seed=0)
    assert isinstance(net, SuperNet)
    scores = [score_cell(net, norm, data, c) for c in (LARGEST, SMALLEST, *all_cells()[:6])]
    assert all(math.isfinite(s) for s in scores)
    assert kendall_tau([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert kendall_tau(np.arange(4), -np.arange(4)) == -1.0
