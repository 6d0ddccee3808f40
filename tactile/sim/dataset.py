"""Synthetic datasets: N objects x K grasps through the grasp store, in parallel, with a card.

Deterministic for a seed: object ``i``'s grasp ``k`` uses the seed ``SeedSequence([seed, i, k])``
whatever the number of workers, and grasps are written in (object, grasp) order. Each grasp
varies the force target by up to +-20 % around the configured one, like a human operator
repeating a grasp. Given several settings (a preset mix), object ``i``'s grasp ``k`` uses
``configs[(i + k) % len(configs)]``, so every object is seen under each of them when
``grasps_per_object >= len(configs)``.
"""

from __future__ import annotations

import collections
import json
import math
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile import __version__
from tactile.errors import ConfigError
from tactile.sim.catalog import sample_population
from tactile.sim.grasp import SimGraspConfig, simulate_grasp
from tactile.sim.objects import SimObject
from tactile.types import Grasp

FORCE_TARGET_JITTER = 0.2


@dataclass(frozen=True)
class DatasetResult:
    """What :func:`generate_dataset` wrote."""

    path: Path
    card_md: Path
    card_json: Path
    grasp_ids: tuple[str, ...]
    card: dict[str, Any]


def grasp_seed(seed: int, object_index: int, grasp_index: int) -> int:
    return int(np.random.SeedSequence([seed, object_index, grasp_index]).generate_state(1)[0])


def _job(args: tuple[SimObject, SimGraspConfig, int, str, float]) -> Grasp:
    obj, cfg, seed, grasp_id, force_scale = args
    gripper = replace(cfg.gripper, force_target_n=cfg.gripper.force_target_n * force_scale)
    return simulate_grasp(obj, replace(cfg, gripper=gripper), seed, grasp_id=grasp_id)


def config_for(
    configs: Sequence[SimGraspConfig], object_index: int, grasp_index: int
) -> SimGraspConfig:
    """The settings of object ``object_index``'s grasp ``grasp_index`` in a preset mix."""
    return configs[(object_index + grasp_index) % len(configs)]


def _jobs(
    objects: list[SimObject], grasps: int, configs: Sequence[SimGraspConfig], seed: int
) -> list[tuple[SimObject, SimGraspConfig, int, str, float]]:
    jobs = []
    for i, obj in enumerate(objects):
        for k in range(grasps):
            s = grasp_seed(seed, i, k)
            scale = 1.0 + FORCE_TARGET_JITTER * (2.0 * np.random.default_rng(s).random() - 1.0)
            cfg = config_for(configs, i, k)
            jobs.append((obj, cfg, s, f"{obj.name}_g{k:02d}", float(scale)))
    return jobs


#: Grasps simulated ahead of the writer per worker. ``Pool.imap`` alone has no back-pressure:
#: when the writer (gzip) is slower than the workers, finished grasps (tens of MB each) pile up
#: in the parent (a 1,400-grasp run grew to 8 GB), so jobs are submitted in a bounded window.
AHEAD_PER_WORKER = 2


def _run(jobs: list[Any], workers: int, pool: Any = None) -> Iterator[Grasp]:
    """Simulated grasps in job order, from ``workers`` processes (or the given pool), at most
    ``AHEAD_PER_WORKER * workers`` of them waiting for the writer at any time."""
    if pool is not None:
        yield from _run_in(pool, jobs, AHEAD_PER_WORKER * max(workers, 1))
        return
    if workers <= 1:
        yield from map(_job, jobs)
        return
    with multiprocessing.get_context().Pool(workers) as local:
        yield from _run_in(local, jobs, AHEAD_PER_WORKER * workers)


def _run_in(pool: Any, jobs: list[Any], window: int) -> Iterator[Grasp]:
    """``pool.apply_async`` per job, in order, at most ``window`` results outstanding."""
    pending: collections.deque[Any] = collections.deque()
    for job in jobs:
        pending.append(pool.apply_async(_job, (job,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _settings_summary(configs: Sequence[SimGraspConfig]) -> dict[str, Any]:
    """One config: its summary. A mix: the summary's keys that all share, the preset names in
    order, and per preset what differs."""
    summaries = [c.summary() for c in configs]
    if len(summaries) == 1:
        return summaries[0]
    common = {k: v for k, v in summaries[0].items() if all(s.get(k) == v for s in summaries)}
    common["preset"] = "mix"
    common["presets"] = [c.preset for c in configs]
    common["per_preset"] = [
        {k: v for k, v in s.items() if k not in common or k == "preset"} for s in summaries
    ]
    return common


def card_paths(out: Path) -> tuple[Path, Path]:
    base = Path(str(out).rstrip("/"))
    return base.with_suffix(".card.md"), base.with_suffix(".card.json")


def _decade_histogram(moduli: list[float]) -> dict[str, int]:
    counts = collections.Counter(math.floor(math.log10(e)) for e in moduli)
    return {f"1e{d}-1e{d + 1} Pa": counts[d] for d in sorted(counts)}


def build_card(
    objects: list[SimObject], grasps: list[tuple[int, str]], settings: dict[str, Any]
) -> dict[str, Any]:
    """Dataset card contents: distribution of E, shapes, sizes and the settings.

    ``grasps`` holds ``(n_frames, stopped_by)`` per written grasp."""
    moduli = [o.modulus_pa for o in objects]
    sizes = [o.size_z_mm for o in objects]
    frames = [n for n, _ in grasps]
    return {
        "software_version": __version__,
        "settings": settings,
        "n_objects": len(objects),
        "n_grasps": len(grasps),
        "modulus_pa": {
            "min": min(moduli, default=None),
            "median": float(np.median(moduli)) if moduli else None,
            "max": max(moduli, default=None),
            "per_decade": _decade_histogram(moduli),
        },
        "shapes": dict(collections.Counter(o.shape for o in objects)),
        "materials": dict(collections.Counter(o.material or "unspecified" for o in objects)),
        "size_z_mm": {"min": min(sizes, default=None), "max": max(sizes, default=None)},
        "frames_per_grasp": {"min": min(frames, default=0), "max": max(frames, default=0)},
        "stopped_by": dict(collections.Counter(why for _, why in grasps)),
    }


def card_markdown(card: dict[str, Any]) -> str:
    s = card["settings"]
    lines = [
        "# Synthetic grasp dataset (tactile.sim)",
        "",
        f"{card['n_objects']} objects x {s['grasps_per_object']} grasps = {card['n_grasps']} "
        f"grasps, population `{s['population']}`, seed {s['seed']}, "
        f"tactile {card['software_version']}.",
        "Labels are exact by construction (the simulator's E); see docs/simulator.md for the "
        "physics and its known differences from the real Wedge rig.",
        "",
        "## Young's modulus per decade",
        "",
        "| decade | objects |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in card["modulus_pa"]["per_decade"].items()),
        "",
        "## Shapes and materials",
        "",
        *(f"- {k}: {v}" for k, v in sorted(card["shapes"].items())),
        "",
        *(f"- {k}: {v}" for k, v in sorted(card["materials"].items())),
        "",
        f"Size along the squeeze axis: {card['size_z_mm']['min']:.1f} .. "
        f"{card['size_z_mm']['max']:.1f} mm; frames per grasp: "
        f"{card['frames_per_grasp']['min']} .. {card['frames_per_grasp']['max']}; "
        f"gripper stopped by: {card['stopped_by']}.",
        "",
        "## Settings",
        "",
        *(f"- {k}: {v}" for k, v in s.items()),
        "",
    ]
    return "\n".join(lines)


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
    pool: Any = None,
) -> DatasetResult:
    """Simulate and store ``n_objects x grasps_per_object`` grasps; write the dataset card.

    ``config`` is one setting for every grasp (default: the realistic preset) or a sequence
    of settings mixed per grasp (see the module docstring). ``pool``: an executor hook, any
    object with ``multiprocessing.Pool``'s ``apply_async`` (e.g. ``ray.util.multiprocessing.Pool``
    to fan the grasps out over a Ray cluster); None: a local pool of ``workers`` processes."""
    from tactile.io import GraspWriter

    if n_objects < 1 or grasps_per_object < 1:
        raise ConfigError(
            f"need at least one object and one grasp (got {n_objects} x {grasps_per_object})",
            hint="e.g. --objects 10 --grasps 3",
        )
    if workers < 1:
        raise ConfigError(f"workers={workers} must be >= 1", hint="use --workers 1 or more")
    if config is None:
        configs: tuple[SimGraspConfig, ...] = (SimGraspConfig.realistic(),)
    elif isinstance(config, SimGraspConfig):
        configs = (config,)
    else:
        configs = tuple(config)
    if not configs:
        raise ConfigError("an empty list of settings", hint="pass at least one SimGraspConfig")
    objects = sample_population(n_objects, population, seed)
    jobs = _jobs(objects, grasps_per_object, configs, seed)
    out = Path(out)
    started = time.perf_counter()
    written: list[tuple[int, str]] = []
    ids: list[str] = []
    with GraspWriter(out, overwrite=overwrite) as writer:
        for grasp in _run(jobs, workers, pool):
            ids.append(writer.append(grasp))
            written.append((grasp.n_frames, str(grasp.meta.extra["stopped_by"])))
            if progress is not None:
                progress(len(ids), len(jobs))
    settings = {
        "grasps_per_object": grasps_per_object,
        "population": population,
        "seed": seed,
        "workers": workers,
        "force_target_jitter": FORCE_TARGET_JITTER,
        "elapsed_s": round(time.perf_counter() - started, 2),
        **_settings_summary(configs),
    }
    card = build_card(objects, written, settings)
    md, js = card_paths(out)
    md.write_text(card_markdown(card))
    js.write_text(json.dumps(card, indent=2) + "\n")
    return DatasetResult(out, md, js, tuple(ids), card)
