"""A synthetic dataset written like a recorded one: simulated grasps through the grasp store,
with a dataset card (what ``tactile simulate`` runs).

The simulator (:mod:`tactile.sim.dataset`) plans and computes the grasps; this module writes
them, one durable grasp at a time (:class:`~tactile.io.GraspWriter`), and the card beside them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile.io import GraspWriter
from tactile.sim.dataset import build_card, card_markdown, card_paths, plan_dataset, simulate_plan
from tactile.sim.grasp import SimGraspConfig


@dataclass(frozen=True)
class DatasetResult:
    """What :func:`generate_dataset` wrote."""

    path: Path
    card_md: Path
    card_json: Path
    grasp_ids: tuple[str, ...]
    card: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The ``tactile simulate --json`` object."""
        return {
            "path": str(self.path),
            "card_md": str(self.card_md),
            "card_json": str(self.card_json),
            "grasp_ids": list(self.grasp_ids),
            "card": self.card,
        }


def generate_dataset(
    out: str | Path,
    *,
    n_objects: int,
    grasps_per_object: int,
    seed: int = 0,
    population: str = "reference",
    workers: int = 1,
    config: SimGraspConfig | Sequence[SimGraspConfig] | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DatasetResult:
    """Simulate ``n_objects x grasps_per_object`` grasps into the store at ``out`` and write the
    dataset card (``out`` with ``.card.md`` / ``.card.json``).

    ``config``: one simulator setting for every grasp (default: the realistic preset) or a
    sequence mixed per grasp (:mod:`tactile.sim.dataset`). Deterministic for a seed whatever
    ``workers``. ``progress(done, total)`` is called after each written grasp.
    """
    plan = plan_dataset(
        n_objects=n_objects,
        grasps_per_object=grasps_per_object,
        seed=seed,
        population=population,
        config=config,
    )
    grasps = simulate_plan(plan, workers)
    out = Path(out)
    started = time.perf_counter()
    written: list[tuple[int, str]] = []
    ids: list[str] = []
    with GraspWriter(out, overwrite=overwrite) as writer:
        for grasp in grasps:
            ids.append(writer.append(grasp))
            written.append((grasp.n_frames, str(grasp.meta.extra["stopped_by"])))
            if progress is not None:
                progress(len(ids), len(plan.jobs))
    elapsed = round(time.perf_counter() - started, 2)
    card = build_card(plan.objects, written, plan.settings(workers=workers, elapsed_s=elapsed))
    md, js = card_paths(out)
    md.write_text(card_markdown(card))
    js.write_text(json.dumps(card, indent=2) + "\n")
    return DatasetResult(out, md, js, tuple(ids), card)
