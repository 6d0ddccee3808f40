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

from tactile.errors import ConfigError
from tactile.io import GraspReader
from tactile.io.output import WriteMode, open_grasp_output, output_mode
from tactile.sim.dataset import build_card, card_markdown, card_paths, plan_dataset, simulate_plan
from tactile.sim.grasp import SimGraspConfig
from tactile.sim.rigs import RigRanges


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


def dataset_configs(
    presets: Sequence[str],
    *,
    size_hw: tuple[int, int] = (240, 320),
    camera: str = "pad",
    random_rig: bool = False,
    processing_calibration: str | None = None,
) -> list[SimGraspConfig]:
    """The simulator settings ``tactile simulate`` passes to :func:`generate_dataset`.

    One per named preset (:func:`tactile.sim.preset_config`; several are alternated per
    grasp). ``camera``: ``"pad"`` (frames of the metric pad image, ``size_hw``) or
    ``"wedge-raw"`` (raw 640x480 frames through the reference Wedge's mirror,
    :func:`tactile.sim.grasp.as_wedge_raw`). ``processing_calibration``: the calibration id the
    grasps name for processing (checked now); by default the simulator's own, except that raw
    Wedge frames from randomised rigs (``random_rig``) name ``wedge-reference-v3``, the real
    Wedge's.
    """
    from dataclasses import replace

    from tactile.sim.grasp import as_wedge_raw, preset_config

    if camera not in ("pad", "wedge-raw"):
        raise ConfigError(f"unknown camera {camera!r}", hint="use pad or wedge-raw")
    configs = [preset_config(name, size_hw) for name in presets]
    if camera == "wedge-raw":
        configs = [as_wedge_raw(c) for c in configs]
    processing = processing_calibration
    if processing is None and camera == "wedge-raw" and random_rig:
        processing = "wedge-reference-v3"
    if processing:
        from tactile.sensor import get_calibration

        get_calibration(processing)  # fail early on an unknown id
        configs = [replace(c, processing_calibration_id=processing) for c in configs]
    return configs


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
    append: bool = False,
    frame_codec: str = "raw",
    pool: Any = None,
    rig: RigRanges | None = None,
    e_range_pa: tuple[float, float] | None = None,
) -> DatasetResult:
    """Simulate ``n_objects x grasps_per_object`` grasps into the store at ``out`` and write the
    dataset card (``out`` with ``.card.md`` / ``.card.json``).

    ``config``: one simulator setting for every grasp (default: the realistic preset) or a
    sequence mixed per grasp (:mod:`tactile.sim.dataset`). Deterministic for a seed whatever
    ``workers``. ``progress(done, total)`` is called after each written grasp.

    An existing ``out`` is refused unless ``overwrite`` (replaced once the new dataset is
    complete) or ``append`` (all or nothing; a grasp id already there is an error before
    anything is simulated); see :mod:`tactile.io.output`. ``frame_codec``: ``"raw"`` pixels
    (default: bit-identical to the simulation) or ``"jpeg"`` at the reference camera's
    quality (``tactile simulate``'s default, ~10x smaller). ``rig``: a randomised rig per grasp
    (:mod:`tactile.sim.rigs`). ``e_range_pa``: the log-uniform E range (Pa, LO HI) of the
    ``independent`` / ``loguniform`` populations (default 5 kPa .. 250 GPa). ``pool``: simulate
    through this ``multiprocessing.Pool``-like object instead (e.g.
    ``ray.util.multiprocessing.Pool``, for ``tactile simulate --ray``); the store is still
    written here, in job order.
    """
    plan = plan_dataset(
        n_objects=n_objects,
        grasps_per_object=grasps_per_object,
        seed=seed,
        population=population,
        config=config,
        rig=rig,
        e_range_pa=e_range_pa,
    )
    out = Path(out)
    mode = output_mode(out, overwrite=overwrite, append=append)
    if mode is WriteMode.APPEND:
        _check_new_ids(out, [job[3] for job in plan.jobs], seed)
    grasps = simulate_plan(plan, workers, pool)
    started = time.perf_counter()
    written: list[tuple[int, str]] = []
    ids: list[str] = []
    with open_grasp_output(
        out,
        mode,
        frame_codec=frame_codec,
        expected=len(plan.jobs),
        incomplete="incomplete, no dataset card",
    ) as writer:
        for grasp in grasps:
            ids.append(writer.append(grasp))
            written.append((grasp.n_frames, str(grasp.meta.extra["stopped_by"])))
            if progress is not None:
                progress(len(ids), len(plan.jobs))
    elapsed = round(time.perf_counter() - started, 2)
    settings = plan.settings(workers=workers, elapsed_s=elapsed, frame_codec=frame_codec)
    card = build_card(plan.objects, written, settings)
    md, js = card_paths(out)
    text = card_markdown(card)
    if mode is WriteMode.APPEND:
        card, text = _appended_card(js, card, text)
    md.write_text(text)
    js.write_text(json.dumps(card, indent=2) + "\n")
    return DatasetResult(out, md, js, tuple(ids), card)


def _check_new_ids(out: Path, new_ids: list[str], seed: int) -> None:
    with GraspReader(out) as reader:
        clash = [gid for gid in new_ids if gid in reader]
    if clash:
        raise ConfigError(
            f"{len(clash)} of the {len(new_ids)} grasps to simulate are already in {out} "
            f"(e.g. {clash[0]!r}: same objects and seed {seed}); nothing was written",
            hint="append with another --seed, or pass --overwrite to replace the dataset",
        )


def _appended_card(js: Path, card: dict[str, Any], text: str) -> tuple[dict[str, Any], str]:
    """The card of an appended batch, keeping the cards of the batches already in the file."""
    try:
        earlier = json.loads(js.read_text())
    except (OSError, ValueError):
        earlier = None
    batches = [] if not isinstance(earlier, dict) else earlier.pop("earlier_batches", [])
    if isinstance(earlier, dict):
        batches.append(earlier)
    card = {**card, "earlier_batches": batches}
    note = (
        f"\nThe file also holds {len(batches)} earlier batch(es) (appended with "
        "`tactile simulate --append`); their cards are under `earlier_batches` in the JSON card.\n"
    )
    return card, text + note
