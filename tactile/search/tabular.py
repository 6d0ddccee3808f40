"""A small tabular benchmark of the tower design, in the spirit of NAS-Bench-201 (Dong & Yang,
ICLR 2020): every architecture of a reduced space trained once per seed, with the same data,
split, schedule and seeds, its results stored in a table. Search strategies are then compared
by *looking up* results instead of training, so many repeats of each strategy cost seconds.

The reduced space (:data:`CELL_CHOICES`) has 6 choices per design — which towers are on, how
wide the force/width towers, the fusion head — 2·3·3·2·2·2 = 144 combinations less the 2 with
every tower off: 142 cells. (A deeper image tower was dropped from the space to fit the build
into about an hour of a shared 2-core machine.) The hand-designed default of 2026-12-04
(``mt-physics``: no image tower, force and width 48→24, analytical and geometry 16→8, fusion
64-64) is one of them (:data:`DEFAULT_CELL`); the current default (``mt-rig``) is not — its
geometry tower is 24→12 — and :data:`RIG_DEFAULT_CELL` is its nearest cell.

Protocol (one entry per cell and seed): objects split once into train / valid / test (60 / 20 /
20 %, stratified by label, seed 0); train on *train* for a fixed number of epochs with the
default optimiser, no augmentation (the weights of the lowest training loss kept, so *valid*
is never seen while training); per-object log10 MAE and share within a decade on *valid*
(what a strategy sees) and *test* (what is reported about the design it picks).
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.estimators.neural.config import ImageTowerConfig, MlpTowerConfig, MultiTowerConfig
from tactile.estimators.neural.data import PreparedDataset, object_folds

#: Choices of the reduced space, by dimension (index 0 is "off" where a tower can be off).
CELL_CHOICES: dict[str, tuple[str, ...]] = {
    "image": ("off", "1x8"),
    "force": ("off", "16", "48"),
    "width": ("off", "16", "48"),
    "analytical": ("off", "16"),
    "geometry": ("off", "16"),
    "fusion": ("32", "64-64"),
}
DIMENSIONS = tuple(CELL_CHOICES)
#: The hand-designed default model of 2026-12-04 (mt-physics) as a cell.
DEFAULT_CELL = {
    "image": "off",
    "force": "48",
    "width": "48",
    "analytical": "16",
    "geometry": "16",
    "fusion": "64-64",
}
#: The cell nearest the current default model (``mt-rig``: no image and no analytical tower,
#: force and width 48→24, geometry 24→12, fusion 64-64): the space's geometry tower is 16→8,
#: so this cell is ``mt-rig`` with a narrower geometry tower, not ``mt-rig`` itself.
RIG_DEFAULT_CELL = {**DEFAULT_CELL, "analytical": "off"}


def cell_key(cell: dict[str, str]) -> str:
    return "|".join(f"{d}={cell[d]}" for d in DIMENSIONS)


def all_cells() -> list[dict[str, str]]:
    """Every valid cell (at least one tower on), in a fixed order."""
    cells = []
    for values in itertools.product(*CELL_CHOICES.values()):
        cell = dict(zip(DIMENSIONS, values, strict=True))
        if any(cell[d] != "off" for d in DIMENSIONS if d != "fusion"):
            cells.append(cell)
    return cells


def _mlp(choice: str) -> MlpTowerConfig:
    if choice == "off":
        return MlpTowerConfig(enabled=False)
    width = int(choice)
    return MlpTowerConfig(hidden=(width,), embed=width // 2)


def cell_config(
    cell: dict[str, str], *, k_frames: int = 6, image_size: int = 32
) -> MultiTowerConfig:
    """The network of one cell (dropout 0.1, GELU, like the default)."""
    unknown = {d: v for d, v in cell.items() if v not in CELL_CHOICES.get(d, ())}
    if unknown or set(cell) != set(DIMENSIONS):
        raise ConfigError(f"not a cell of the tabular space: {cell}", hint=f"see {CELL_CHOICES}")
    image = {
        "off": ImageTowerConfig(enabled=False),
        "1x8": ImageTowerConfig(channels=(8,), embed=16),
    }[cell["image"]]
    return MultiTowerConfig(
        name="cell-" + cell_key(cell),
        k_frames=k_frames,
        image_size=image_size,
        image=image,
        force=_mlp(cell["force"]),
        width=_mlp(cell["width"]),
        analytical=MlpTowerConfig(hidden=(16,), embed=8, enabled=cell["analytical"] != "off"),
        geometry=MlpTowerConfig(hidden=(16,), embed=8, enabled=cell["geometry"] != "off"),
        fusion_hidden=(32,) if cell["fusion"] == "32" else (64, 64),
        dropout=0.1,
    )


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


def fixed_split(data: PreparedDataset, *, seed: int = 0) -> Split:
    """60 / 20 / 20 % of the objects (5 stratified folds: 0 test, 1 valid, rest train)."""
    folds = object_folds(data.object_ids, data.log10_modulus, 5, seed=seed)
    return Split(np.concatenate(folds[2:]), folds[1], folds[0])


def evaluate_cell(
    data: PreparedDataset,
    split: Split,
    config: MultiTowerConfig,
    *,
    seed: int,
    epochs: int,
) -> dict[str, float]:
    """Train one cell with one seed; valid / test metrics per object."""
    from tactile.estimators.neural.metrics import object_metrics
    from tactile.estimators.neural.predict import predict_log10
    from tactile.estimators.neural.tensors import AugmentConfig
    from tactile.estimators.neural.train import TrainConfig, train_model

    # no augmentation: it is 80 % of a small network's training time on CPU
    cfg = TrainConfig(
        epochs=epochs, patience=epochs, seed=seed, num_threads=1, augment=AugmentConfig(False)
    )
    started = time.perf_counter()
    result = train_model(data.subset(split.train), None, config, cfg, progress=False)
    train_s = time.perf_counter() - started
    out: dict[str, float] = {"train_s": round(train_s, 3)}
    for part, idx in (("valid", split.valid), ("test", split.test)):
        sub = data.subset(idx)
        mu, _ = predict_log10(result.loaded, sub.arrays)
        m = object_metrics(sub.object_ids, sub.log10_modulus, mu)
        out[f"{part}_log10_mae"] = float(m.get("log10_mae", math.nan))
        out[f"{part}_within_1_decade"] = float(m.get("within_1_decade", math.nan))
    return out


# --- the stored table ---------------------------------------------------------------------------


@dataclass
class Table:
    """cell key -> {"cell", "params", "latency_ms", "runs": {seed: metrics}}; plus metadata."""

    rows: dict[str, dict[str, Any]]
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: str | Path) -> Table:
        data = json.loads(Path(path).read_text())
        return cls(data["rows"], data["meta"])

    def save(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"meta": self.meta, "rows": self.rows}, indent=1) + "\n")
        tmp.replace(path)

    def seeds(self, key: str) -> list[str]:
        return sorted(self.rows[key]["runs"])

    def value(self, key: str, metric: str, seed: str | None = None) -> float:
        runs = self.rows[key]["runs"]
        if seed is not None:
            return float(runs[seed][metric])
        return float(np.mean([r[metric] for r in runs.values()]))

    def complete_keys(self, n_seeds: int) -> list[str]:
        return [k for k, r in self.rows.items() if len(r["runs"]) >= n_seeds]


# --- replaying search strategies on the table ----------------------------------------------


def cell_from_trial(trial: Any) -> dict[str, str] | None:
    """A cell suggested by an Optuna trial (None when every tower is off: infeasible)."""
    cell = {d: str(trial.suggest_categorical(d, list(CELL_CHOICES[d]))) for d in DIMENSIONS}
    if all(cell[d] == "off" for d in DIMENSIONS if d != "fusion"):
        return None
    return cell


def replay_strategy(
    table: Table,
    sampler_factory: Callable[[int], Any],
    *,
    budget: int,
    run_seed: int,
) -> list[float]:
    """One search run of ``budget`` trials on the table: each trial is scored by the *valid*
    MAE of one training seed drawn at random (so the strategy sees seed noise, as it would when
    training); returns, after each trial, the *test* MAE (mean over seeds) of the design with
    the best valid score so far (the anytime curve)."""
    import optuna

    rng = np.random.default_rng(10_000 + run_seed)
    study = optuna.create_study(sampler=sampler_factory(run_seed), direction="minimize")
    best_valid, incumbent, curve = math.inf, None, []
    for _ in range(budget):
        trial = study.ask()
        cell = cell_from_trial(trial)
        if cell is None:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            key = cell_key(cell)
            seeds = table.seeds(key)
            valid = table.value(key, "valid_log10_mae", seeds[int(rng.integers(len(seeds)))])
            study.tell(trial, valid)
            if valid < best_valid:
                best_valid, incumbent = valid, key
        curve.append(table.value(incumbent, "test_log10_mae") if incumbent else math.nan)
    return curve


def iter_missing(
    table: Table, cells: list[dict[str, str]], seeds: list[int]
) -> Iterator[tuple[dict[str, str], int]]:
    """(cell, seed) pairs not yet in the table, seed by seed (so a partial table has every cell
    at the first seeds)."""
    for seed in seeds:
        for cell in cells:
            if str(seed) not in table.rows.get(cell_key(cell), {}).get("runs", {}):
                yield cell, seed
