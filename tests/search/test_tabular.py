"""The tabular space: its cells, the default model among them, and strategy replay."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna

from tactile.estimators.neural.model import model_config
from tactile.search.tabular import (
    DEFAULT_CELL,
    RIG_DEFAULT_CELL,
    Table,
    all_cells,
    cell_config,
    cell_key,
    iter_missing,
    replay_strategy,
)


def test_space_has_142_cells_and_the_default_model_is_one() -> None:
    cells = all_cells()
    assert len(cells) == 142 and len({cell_key(c) for c in cells}) == 142
    default = model_config("mt-physics")
    cfg = cell_config(DEFAULT_CELL, k_frames=default.k_frames)
    assert cfg.with_overrides(name="mt-physics") == default
    # the current default (mt-rig) differs from its nearest cell only in the geometry widths
    rig = model_config("mt-rig")
    near = cell_config(RIG_DEFAULT_CELL, k_frames=rig.k_frames).with_overrides(name="mt-rig")
    assert near.geometry.hidden == (16,) and rig.geometry.hidden == (24,)
    assert not near.analytical.enabled and not rig.analytical.enabled  # (its unused widths differ)
    assert near.with_overrides(geometry=rig.geometry, analytical=rig.analytical) == rig


def _toy_table() -> Table:
    rng = np.random.default_rng(0)
    rows = {}
    for cell in all_cells():
        quality = sum(v != "off" for v in cell.values()) * -0.1 + 1.5
        runs = {
            str(s): {
                "valid_log10_mae": quality + rng.normal(0, 0.02),
                "test_log10_mae": quality + rng.normal(0, 0.02),
            }
            for s in range(2)
        }
        rows[cell_key(cell)] = {"cell": cell, "params": 1, "latency_ms": 0.1, "runs": runs}
    return Table(rows, {})


def test_replayed_strategy_curves_improve_and_the_table_round_trips(tmp_path: Path) -> None:
    table = _toy_table()
    table.save(tmp_path / "t.json")
    again = Table.load(tmp_path / "t.json")
    assert again.rows == table.rows
    assert list(iter_missing(again, all_cells(), [0, 1])) == []
    assert len(list(iter_missing(again, all_cells()[:3], [0, 1, 2]))) == 3
    curve = replay_strategy(
        table, lambda s: optuna.samplers.RandomSampler(seed=s), budget=40, run_seed=1
    )
    assert len(curve) == 40 and not math.isnan(curve[-1])
    assert curve[-1] <= curve[0] + 0.05  # the incumbent by (noisy) valid score
